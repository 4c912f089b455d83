/// \file schedule.h
/// Master/worker distribution of work units. The master (rank 0) hands out units
/// dynamically, most expensive first, with one unit prefetched per worker, computes units
/// itself between servicing messages, and collects per-unit results.
#ifndef JS_SCHEDULE_H
#define JS_SCHEDULE_H

#include "config.h"
#include "error.h"
#include "grid.h"
#include "progress.h"
#include "results.h"

typedef struct {
  double wall;       ///< seconds from start of work to all results collected
  double candidates; ///< candidates scored in all
  int ranks;
} js_run_stats;

/// Commits the finished units (the master's checkpoint hook).
typedef js_status (*js_commit_fn)(void *ctx);

typedef struct {
  js_commit_fn commit; ///< called at least every `every` seconds and before stopping
  void *ctx;
  double every;
} js_commit_hook;

/// Ask a running master to stop handing out work, commit and return JS_INTERRUPTED
/// (async-signal-safe: for SIGTERM, SIGUSR1, SIGINT handlers).
void js_schedule_request_stop(int signo);

/// Run every unit of the grid not yet done in res over all ranks (collective). On rank 0,
/// res receives the results, prog reports and hook commits; other ranks pass NULL for all.
js_status js_schedule_run(const js_config *cfg, const js_grid *grid, js_results *res,
                          js_progress *prog, const js_commit_hook *hook, js_run_stats *stats);

#endif
