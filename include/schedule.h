/// \file schedule.h
/// Master/worker distribution of work units (Monte Carlo units and theory pieces alike).
/// The master (rank 0) hands out batches of units, most expensive first, sized by guided
/// self-scheduling (a batch is about the remaining work / (4 x workers), at most half a
/// second), with one batch prefetched per worker while enough work is left. Workers send
/// each batch's results in one message without waiting for the master to receive it. Below
/// JS_SERVE_ONLY_RANKS ranks the master computes units too, answering messages every few
/// milliseconds of its compute; from there on it only serves. Checkpoint commits run on a
/// background thread (commit.h), so the master never stops answering.
#ifndef JS_SCHEDULE_H
#define JS_SCHEDULE_H

#include "commit.h"
#include "config.h"
#include "error.h"
#include "grid.h"
#include "progress.h"
#include "results.h"

/// From this many ranks on, rank 0 only serves (JUDGESIM_MASTER_COMPUTES=0 or 1 overrides).
#define JS_SERVE_ONLY_RANKS 32

typedef struct {
  double wall;       ///< seconds from start of work to all results collected
  double candidates; ///< candidates scored in all
  int ranks;
} js_run_stats;

/// The master's checkpoint commits: periodic (every `every` seconds) and on a stop.
typedef struct {
  js_committer *committer;
  double every;
} js_commit_hook;

/// Ask a running master to stop handing out work, commit and return JS_INTERRUPTED
/// (async-signal-safe: for SIGTERM, SIGUSR1, SIGINT handlers).
void js_schedule_request_stop(int signo);

/// Run every unit of grid->order[0..nwork) not yet done in res over all ranks (collective).
/// On rank 0, res receives the results, prog reports and hook commits; other ranks pass
/// NULL for all three. On a stop request the master commits, tells the workers, keeps the
/// results that still arrive, commits again and every rank returns JS_INTERRUPTED. A failure
/// on any rank ends every rank (MPI_Abort) after the master reported it and committed.
js_status js_schedule_run(const js_config *cfg, const js_grid *grid, js_results *res,
                          js_progress *prog, const js_commit_hook *hook, js_run_stats *stats);

#endif
