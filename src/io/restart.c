/// \file restart.c
/// Resuming from a checkpoint, with the rules for extended studies (see restart.h).
#include "io/restart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/checkpoint.h"
#include "io/fileio.h"

/// Decide what to reuse from an opened checkpoint and load it.
static js_status reuse(const js_ckpt *ck, const js_config *cfg, const js_grid *grid,
                       js_results *res, const char *study_text, int quiet) {
  int loaded = 0, pieces = 0;
  if (ck->hash == js_ckpt_hash(study_text)) {
    JS_CALL(js_ckpt_load(ck, cfg, grid, res, &loaded, &pieces));
    if (!quiet)
      fprintf(stderr, "judgesim: resuming from %s: %d of %d units and %d of %d theory pieces "
              "done\n", ck->path, loaded, grid->nwork_mc, pieces, grid->nwork - grid->nwork_mc);
    return JS_OK;
  }
  js_config old;
  JS_CALL(js_config_parse_study(ck->study_text, ck->path, &old));
  const char *key = NULL;
  js_study_change change = js_config_compare(&old, cfg, &key);
  js_config_free(&old);
  JS_CHECK(change != JS_STUDY_CHANGED, JS_ERR_INPUT,
           "%s holds finished units of a different study (%s); give another output "
           "path, or move the checkpoint away to start over", ck->path, key);
  if (change == JS_STUDY_MORE_CELLS) {
    if (!quiet)
      fprintf(stderr, "judgesim: %s since %s: its %d finished units are computed again "
              "for the new cells\n", key, ck->path, ck->ndone_mc);
    return JS_OK;
  }
  JS_CALL(js_ckpt_load(ck, cfg, grid, res, &loaded, &pieces));
  if (!quiet)
    fprintf(stderr, "judgesim: %s since %s: reusing its %d finished units and %d theory "
            "pieces\n", key, ck->path, loaded, pieces);
  return JS_OK;
}

js_status js_restart_prepare(const js_config *cfg, const js_grid *grid, js_results *res,
                             const char *study_text, int quiet, int allow_other_build) {
  char *path = js_ckpt_path(cfg->out_path);
  JS_ALLOC_CHECK(path, "checkpoint path");
  js_atomic_clean(cfg->out_path);
  js_atomic_clean(path);
  js_status s = JS_OK;
  if (access(path, F_OK) == 0) {
    js_ckpt ck;
    s = js_ckpt_open(path, &ck);
    JS_TRY(s, js_ckpt_check_build(&ck, allow_other_build));
    JS_TRY(s, reuse(&ck, cfg, grid, res, study_text, quiet));
    js_ckpt_close(&ck);
  }
  free(path);
  return JS_TRACE(s);
}

char *js_shard_path(const char *out, int shard, int nshards) {
  size_t stem = js_path_stem_len(out), cap = strlen(out) + 48;
  char *p = malloc(cap);
  if (p) snprintf(p, cap, "%.*s.part-%d-of-%d.nc", (int)stem, out, shard, nshards);
  return p;
}
