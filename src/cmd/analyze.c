/// \file analyze.c
/// `judgesim analyze` (see commands.h): read the cube, analyse, print, add the results to
/// the cube (holding its lock).
#include "cmd/commands.h"

#include "analysis/analysis.h"
#include "io/fileio.h"
#include "io/store.h"

js_status js_cmd_analyze(const js_args *args) {
  js_cube cube;
  js_analysis a;
  js_lock *lock = NULL;
  JS_CALL(js_output_path_check(args->config, "analyze", NULL, 0));
  JS_CALL(js_store_read(args->config, &cube));
  js_analysis_input in = {&cube.cfg, cube.mean, cube.se, cube.trial, cube.theory, cube.v};
  js_status s = js_lock_take(args->config, &lock);
  JS_TRY(s, js_analyze(&in, args->boot, &a));
  if (s == JS_OK) {
    if (!args->quiet) js_analysis_print(&cube.cfg, &a);
    JS_TRY(s, js_store_add_analysis(args->config, &a));
    js_analysis_free(&a);
  }
  js_lock_release(lock);
  js_store_cube_free(&cube);
  return s;
}
