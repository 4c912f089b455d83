/// \file info.c
/// `judgesim info`: how far a study got, read from its checkpoint (see commands.h).
#include "cmd/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/checkpoint.h"
#include "io/fileio.h"
#include "study/config.h"
#include "units/grid.h"
#include "units/results.h"

/// Count complete cells: every trial of a (d, n) done makes its k x T x reward cells complete.
static size_t complete_cells(const js_config *cfg, const js_grid *grid, const js_results *res) {
  size_t cells = 0;
  for (int g = 0; g < cfg->nd * cfg->nn; g++)
    cells += res->block_left[g] == 0 ? grid->ncells : 0;
  return cells;
}

/// Print the summary of an opened checkpoint.
static js_status print_info(const js_ckpt *ck) {
  js_config cfg;
  js_grid grid = {0};
  js_results res = {0};
  int loaded = 0, pieces = 0;
  JS_CALL(js_config_parse_study(ck->study_text, ck->path, &cfg));
  js_status s = js_grid_build(&cfg, &grid);
  JS_TRY(s, js_results_alloc(&cfg, &grid, &res));
  JS_TRY(s, js_ckpt_load(ck, &cfg, &grid, &res, &loaded, &pieces));
  if (s == JS_OK) {
    char when[64];
    time_t t = (time_t)ck->commit_time;
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    printf("checkpoint:   %s\nunits done:   %d / %d\ntheory pieces done: %d / %d\n"
           "cells complete: %zu / %zu\nstudy hash:   %016llx\nlast commit:  %s\nbuild:        %s\n"
           "study:\n%s", ck->path, loaded, grid.nmc, pieces, grid.nth,
           complete_cells(&cfg, &grid, &res), grid.ncells * (size_t)cfg.nd * cfg.nn,
           (unsigned long long)ck->hash, when, ck->build, ck->study_text);
  }
  js_results_free(&res);
  js_grid_free(&grid);
  js_config_free(&cfg);
  return JS_TRACE(s);
}

js_status js_cmd_info(const js_args *args) {
  const char *path = args->config;
  int is_ckpt = js_path_has_suffix(path, ".ckpt");
  char *name = is_ckpt ? strdup(path) : js_ckpt_path(path);
  JS_ALLOC_CHECK(name, "path");
  js_ckpt ck;
  js_status s = js_ckpt_open(name, &ck);
  free(name);
  JS_TRY(s, print_info(&ck));
  js_ckpt_close(&ck);
  return JS_TRACE(s);
}
