/// \file fuzz_cube.c
/// libFuzzer: any bytes as a cube, read the way the output check (js_store_identify) and
/// `judgesim analyze` (js_store_read: every variable's checksum, then the results) read one.
#include "fuzz.h"
#include "io/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) ready = js_store_init() == JS_OK;
  if (size > (4 << 20)) return 0;
  const char *path = fuzz_file(data, size, ".nc");
  js_cube_id id;
  fuzz_expect(js_store_identify(path, &id), "identify");
  js_cube_id_free(&id);
  js_cube cube;
  js_status s = js_store_read(path, &cube);
  fuzz_expect(s, "read");
  if (s == JS_OK) js_store_cube_free(&cube);
  return 0;
}
