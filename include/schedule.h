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

/// Run every unit of the grid over all ranks (collective). On rank 0, res receives every
/// unit's results and prog reports; other ranks may pass NULL for both.
js_status js_schedule_run(const js_config *cfg, const js_grid *grid, js_results *res,
                          js_progress *prog, js_run_stats *stats);

#endif
