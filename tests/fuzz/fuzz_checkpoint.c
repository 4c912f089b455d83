/// \file fuzz_checkpoint.c
/// libFuzzer: any bytes as a checkpoint, read the way `judgesim info` and `merge` read one:
/// open and validate, parse its study, build the grid and load the units.
#include "fuzz.h"
#include "io/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (4 << 20)) return 0;
  const char *path = fuzz_file(data, size, ".nc.ckpt");
  js_ckpt ck;
  js_status s = js_ckpt_open(path, &ck);
  fuzz_expect(s, "open");
  if (s != JS_OK) return 0;
  js_config cfg;
  s = js_config_parse_study(ck.study_text, ck.path, &cfg);
  fuzz_expect(s, "study");
  if (s == JS_OK) {
    js_grid grid = {0};
    js_results res = {0};
    int loaded = 0, pieces = 0;
    s = js_grid_build(&cfg, &grid);
    JS_TRY(s, js_results_alloc(&cfg, &grid, &res));
    JS_TRY(s, js_ckpt_load(&ck, &cfg, &grid, &res, &loaded, &pieces));
    fuzz_expect(s, "load");
    js_results_free(&res);
    js_grid_free(&grid);
    js_config_free(&cfg);
  }
  js_ckpt_close(&ck);
  return 0;
}
