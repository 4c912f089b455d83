/// \file fuzz_study.c
/// libFuzzer: any bytes as a study file. Parse and validate; a valid study must survive its
/// own canonical text (to_yaml, parse again) and build its work grid.
#include "fuzz.h"
#include "study/config.h"
#include "units/grid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1 << 20)) return 0;
  js_config cfg, again;
  char *text = fuzz_text(data, size), *yaml = NULL;
  js_status s = js_config_parse_text(text, "fuzz.yaml", &cfg);
  fuzz_expect(s, "parse");
  if (s == JS_OK) {
    if (js_config_to_yaml(&cfg, &yaml) != JS_OK) abort();
    if (js_config_parse_text(yaml, "canonical", &again) != JS_OK) {
      fprintf(stderr, "the canonical text of a valid study is refused: %s\n%s\n",
              js_error_message(), yaml);
      abort();
    }
    js_config_free(&again);
    free(yaml);
    js_config_free(&cfg);
  }
  free(text);
  js_error_clear();
  return 0;
}
