/// \file merge.c
/// `judgesim merge` (see commands.h): load the shards' checkpoints, then write the cube and
/// its checkpoint (so the merged study can be extended later).
#include "cmd/commands.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cubejob.h"
#include "cmd/output.h"
#include "io/fileio.h"
#include "io/merge.h"

js_status js_cmd_merge(const js_args *args, int argc, char **argv) {
  js_config cfg;
  js_grid grid = {0};
  js_results res = {0};
  char *study = NULL, *text = NULL;
  memset(&cfg, 0, sizeof cfg);
  js_cube_job job = {.cfg = &cfg, .argc = argc, .argv = argv, .mc = 1, .res = &res,
                     .plan = &grid.plan};
  js_status s = js_output_path_check(args->out, "-o", args->parts, args->nparts);
  JS_TRY(s, js_merge_load(args->parts, args->nparts, args->out, args->allow_other_build, &cfg,
                          &grid, &res, &study));
  js_output o = {args->out, "-o", args->parts, args->nparts, JS_CUBE_RUN, &cfg, NULL,
                 args->force};
  JS_TRY(s, js_output_check(&o));
  JS_TRY(s, js_config_to_yaml(&cfg, &text));
  job.text = text;
  JS_TRY(s, js_lock_take(cfg.out_path, &job.lock));
  JS_TRY(s, js_commit_create(&cfg, &grid, &res, study, &job.committer));
  JS_TRY(s, js_cube_job_finish(&job, &grid, NULL, args));
  js_cube_job_free(&job);
  js_commit_free(job.committer);
  js_lock_release(job.lock);
  js_results_free(&res);
  js_grid_free(&grid);
  js_config_free(&cfg);
  free(study);
  free(text);
  return s;
}
