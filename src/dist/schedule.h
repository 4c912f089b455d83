/// \file schedule.h
/// Distribution of the work units (Monte Carlo units and theory pieces alike) over the ranks
/// (who does what: layout.h). Rank 0 (the root) holds the queue of units, most expensive
/// first (queue.h), and hands out batches sized by guided self-scheduling, one prefetched
/// per client while enough work is left; every worker's first batch is implied. Flat, the
/// root serves every worker, and on small runs computes units too, answering between
/// stretches of about 0.2 ms of its compute. Grouped, a leader serves its group's workers
/// from chunks of units the root sends and passes their results up in messages of up to
/// 128 units or 48 KiB, so the root's message rate stays bounded. Servers post their
/// messages and never wait for a busy client; results go back without the sender waiting.
/// Checkpoint commits run on a background thread (commit.h), and so do the hooks' file work
/// when the caller posts it to one (background.h), so the root never stops answering. Which rank computes a unit never changes its result.
#ifndef JS_SCHEDULE_H
#define JS_SCHEDULE_H

#include "io/commit.h"
#include "core/error.h"
#include "dist/layout.h"
#include "core/progress.h"
#include "dist/work.h"

typedef struct {
  double wall;       ///< seconds from start of work to all results collected
  double candidates; ///< candidates scored in all
  int ranks;
} js_run_stats;

/// Rank 0's side: the units already done (done, per unit, kept up to date by put) and where
/// a result goes (put, which returns a block the result completed, or -1; put_run, for
/// consecutive units as laid out in a result message, stores up to n of them, stopping
/// after one that completes a block, and returns how many it stored); checkpoint
/// commits, periodic (every `every` seconds) and on a stop; one task once the workers are
/// busy (early: e.g. defining the cube); and one whenever put says a block is complete
/// (block_done: e.g. writing a (d, n) block's slices, or the theory once its last piece is
/// in). A failing task ends the run; before the job is aborted, `aborting` removes what must
/// not outlive it (e.g. a half-written cube).
/// committer, early, block_done and aborting may be NULL.
typedef struct {
  const unsigned char *done;
  int (*put)(void *ctx, int id, const double *payload);
  int (*put_run)(void *ctx, int id0, int n, const double *records, int *block);
  js_committer *committer;
  double every;
  js_status (*early)(void *ctx);
  js_status (*block_done)(void *ctx, int block);
  void *ctx;
  void (*aborting)(void *ctx);
} js_master_hooks;

/// Ask a running master to stop handing out work, commit and return JS_INTERRUPTED
/// (async-signal-safe: for SIGTERM, SIGUSR1, SIGINT handlers).
void js_schedule_request_stop(int signo);

/// Run every unit of work->order[0..nwork) not yet done over all ranks (collective). On
/// rank 0, hook takes the results and commits, prog reports; other ranks pass NULL for both. On a stop request the master commits, tells the workers, keeps the
/// results that still arrive, commits again and every rank returns JS_INTERRUPTED. A failure
/// on any rank ends every rank (MPI_Abort) after the master reported it and committed.
js_status js_schedule_run(const js_work *work, js_progress *prog, const js_master_hooks *hook,
                          js_run_stats *stats);

#endif
