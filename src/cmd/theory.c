/// \file theory.c
/// `judgesim theory` (see commands.h): the theory cube of a study, in one process.
#include "cmd/commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "cmd/cubejob.h"
#include "cmd/output.h"
#include "io/fileio.h"
#include "core/progress.h"

/// The default output beside the study's cube: OUT.theory.nc.
static js_status default_path(js_config *cfg) {
  size_t stem = js_path_stem_len(cfg->out_path);
  char *p = malloc(stem + 16);
  JS_ALLOC_CHECK(p, "the theory cube's path");
  snprintf(p, stem + 16, "%.*s.theory.nc", (int)stem, cfg->out_path);
  free(cfg->out_path);
  cfg->out_path = p;
  return JS_OK;
}

js_status js_cmd_theory(const js_args *args, int argc, char **argv) {
  js_config cfg;
  char *text = NULL;
  js_theory th = {0};
  JS_CALL(js_config_load(args->config, args->sets, args->nsets, args->out, &cfg));
  js_status s = args->out ? JS_OK : default_path(&cfg);
  js_output o = {cfg.out_path, args->out ? "-o" : "the theory's output", &args->config, 1,
                 JS_CUBE_THEORY, &cfg, NULL, args->force};
  JS_TRY(s, js_output_check(&o));
  js_lock *lock = NULL;
  JS_TRY(s, js_lock_take(cfg.out_path, &lock));
  JS_TRY(s, js_config_to_yaml(&cfg, &text));
  double t0 = js_now();
  JS_TRY(s, js_theory_study(&cfg, &th));
  js_cube_job job = {.cfg = &cfg, .text = text, .argc = argc, .argv = argv};
  JS_TRY(s, js_cube_job_write(&job, NULL, &th));
  if (s == JS_OK && !args->quiet)
    fprintf(stderr, "judgesim: theory for %d cells in %.2f s; wrote %s\n",
            cfg.nd * cfg.nn * cfg.nk * cfg.nT * cfg.nr, js_now() - t0, cfg.out_path);
  js_cube_job_free(&job);
  js_lock_release(lock);
  js_theory_free(&th);
  js_config_free(&cfg);
  free(text);
  return s;
}
