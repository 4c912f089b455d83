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
/// The caller's hooks commit checkpoints and write files (on threads of their own, so the
/// root never stops answering). Which rank computes a unit never changes its result.
#ifndef JS_SCHEDULE_H
#define JS_SCHEDULE_H

#include <signal.h>

#include "core/error.h"
#include "dist/layout.h"
#include "core/progress.h"
#include "dist/work.h"

typedef struct {
  double wall;       ///< seconds from start of work to all results collected
  double candidates; ///< candidates scored in all
  int ranks;
} js_run_stats;

/// Rank 0's side, the caller's business (the schedule names no study, file or lock):
/// - done: per unit, its result is in (kept up to date by put);
/// - put stores a result and returns the block it completed, or -1; put_run (may be NULL)
///   stores up to n consecutive units as laid out in a result message, stopping after one
///   that completes a block, and returns how many it stored;
/// - commit_start, commit_poll, commit_now: checkpoint commits (NULL: none), periodic (every
///   `every` seconds) and on a stop: start one of what is done now unless one is in flight
///   (*started says), look whether the one in flight finished (1, with its outcome), commit
///   now and wait;
/// - early: one task once the workers are busy (e.g. defining the cube); block_done: one
///   whenever put says a block is complete (e.g. writing a (d, n) block's slices);
/// - aborting: before the job is aborted after a failure, remove what must not outlive it
///   (a half-written cube) and release what the run holds (the output lock);
/// - stop: the stop request (a signal's number once set; NULL: none), read by the root.
/// A failing task ends the run. Every function pointer but put may be NULL.
typedef struct {
  const unsigned char *done;
  int (*put)(void *ctx, int id, const double *payload);
  int (*put_run)(void *ctx, int id0, int n, const double *records, int *block);
  js_status (*commit_start)(void *ctx, int *started);
  int (*commit_poll)(void *ctx, js_status *status);
  js_status (*commit_now)(void *ctx);
  double every;
  js_status (*early)(void *ctx);
  js_status (*block_done)(void *ctx, int block);
  void (*aborting)(void *ctx);
  volatile sig_atomic_t *stop;
  void *ctx;
} js_master_hooks;

/// Run every unit of work->order[0..nwork) not yet done over all ranks (collective), laid
/// out as the knobs say (NULL: the defaults). On rank 0, hook takes the results and
/// commits, prog reports; other ranks pass NULL for both. On a stop request the master
/// commits, tells the workers, keeps the results that still arrive, commits again and every
/// rank returns JS_INTERRUPTED. A failure on any rank ends every rank (MPI_Abort) after the
/// master reported it, committed and ran the hook's aborting.
js_status js_schedule_run(const js_work *work, const js_layout_knobs *knobs, js_progress *prog,
                          const js_master_hooks *hook, js_run_stats *stats);

#endif
