/// \file restart.h
/// Resuming a study: clean-up of a killed run's temporaries, and reuse of the finished units
/// of a checkpoint whose study is the same or an extension (the caller holds the lock).
#ifndef JS_RESTART_H
#define JS_RESTART_H

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "units/results.h"

/// Rank 0 before a run (holding cfg->out_path's lock): drop stale temporaries, load the units of
/// a compatible checkpoint into res. A study that would change finished numbers is an
/// input error naming the key, and so is a checkpoint of another build unless
/// allow_other_build; the checkpoint and cube are left untouched.
js_status js_restart_prepare(const js_config *cfg, const js_grid *grid, js_results *res,
                             const char *study_text, int quiet, int allow_other_build);
/// Output path of shard i of n: OUT.nc -> OUT.part-I-of-N.nc (malloc'd).
char *js_shard_path(const char *out, int shard, int nshards);

#endif
