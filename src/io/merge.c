/// \file merge.c
/// Loading and checking the parts of a sharded study (see merge.h).
#include "io/merge.h"

#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "io/fileio.h"

/// Checkpoint path of a part given as PART.nc or PART.nc.ckpt (malloc'd).
static char *part_ckpt(const char *part) {
  if (js_path_has_suffix(part, ".ckpt")) return strdup(part);
  return js_ckpt_path(part);
}

/// Set up the study from the first part: config, grid and empty results.
static js_status first_part(const js_ckpt *ck, const char *out, js_config *cfg, js_grid *grid,
                            js_results *res, char **study_text) {
  JS_CALL(js_config_parse_study(ck->study_text, ck->path, cfg));
  free(cfg->out_path);
  cfg->out_path = strdup(out);
  *study_text = strdup(ck->study_text);
  JS_ALLOC_CHECK(cfg->out_path, "output path");
  JS_ALLOC_CHECK(*study_text, "study text");
  JS_CALL(js_grid_build(cfg, grid));
  JS_CALL(js_grid_order(grid));
  JS_CALL(js_results_alloc(cfg, grid, res));
  return JS_OK;
}

/// Open one part, check it belongs to the study, and load its units.
static js_status add_part(const char *part, int first, const char *out, int allow_other_build,
                          js_config *cfg, js_grid *grid, js_results *res, char **study_text) {
  char *path = part_ckpt(part);
  JS_ALLOC_CHECK(path, "path");
  js_ckpt ck;
  js_status s = js_ckpt_open(path, &ck);
  free(path);
  JS_CALL(s);
  s = js_ckpt_check_build(&ck, allow_other_build);
  if (s == JS_OK && first) s = first_part(&ck, out, cfg, grid, res, study_text);
  if (s == JS_OK && ck.hash != js_ckpt_hash(*study_text)) {
    js_config other;
    const char *key = "its study differs";
    if (js_config_parse_study(ck.study_text, ck.path, &other) == JS_OK) {
      if (js_config_compare(cfg, &other, &key) == JS_STUDY_SAME) key = "its study differs";
      js_config_free(&other);
    }
    s = JS_ERROR(JS_ERR_INPUT, "%s is a part of another study "
                 "than the first part (%s); only shards of one study can be merged",
                 ck.path, key);
  }
  int loaded = 0, pieces = 0;
  JS_TRY(s, js_ckpt_load(&ck, cfg, grid, res, &loaded, &pieces));
  js_ckpt_close(&ck);
  return JS_TRACE(s);
}

/// Fail naming the first missing unit and how many are missing.
static js_status check_complete(const js_config *cfg, const js_grid *grid,
                                const js_results *res) {
  int missing = 0, first = -1, pieces = 0;
  for (int u = 0; u < grid->nmc; u++)
    if (!res->done[u]) missing++, first = first < 0 ? u : first;
  for (int u = grid->nmc; u < grid->nunits; u++) pieces += !res->done[u];
  if (missing) {
    js_unit u = js_grid_unit(grid, first);
    JS_FAIL(JS_ERR_INPUT, "the parts hold %d of %d units; %d missing, the first d=%d n=%d "
            "trial=%d (test points %d-%d; is a shard unfinished or left out?)",
            grid->nmc - missing, grid->nmc, missing, cfg->d[u.id_d], cfg->n[u.id_n], u.trial,
            u.first, u.first + u.points - 1);
  }
  JS_CHECK(!pieces, JS_ERR_INPUT, "the parts hold every unit but miss %d of %d theory pieces "
           "(is a shard unfinished or left out?)", pieces, grid->nth);
  return JS_OK;
}

js_status js_merge_load(const char **parts, int nparts, const char *out, int allow_other_build,
                        js_config *cfg, js_grid *grid, js_results *res, char **study_text) {
  for (int i = 0; i < nparts; i++)
    JS_CALL(add_part(parts[i], i == 0, out, allow_other_build, cfg, grid, res, study_text));
  JS_CALL(check_complete(cfg, grid, res));
  return JS_OK;
}
