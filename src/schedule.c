/// \file schedule.c
/// Dynamic master/worker scheduling. Messages: WORK (int unit id, -1 = all done) and STOP
/// (a signal arrived) from the master; RESULT (doubles: unit id, ref, cells), FAIL (text)
/// and BYE (the answer to STOP) from workers.
#include "schedule.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fileio.h"
#include "parallel.h"
#include "trial.h"

#define JS_PREFETCH 2 /* units in flight per worker: one computing, one queued */

typedef struct {
  const js_config *cfg;
  const js_grid *grid;
  js_results *res;
  js_progress *prog;
  int next, done, size;
  int *held;   /* units handed to each worker and not yet returned */
  double *msg; /* ncells + 2 doubles */
  const js_commit_hook *hook;
  double last_commit;
} master;

static volatile sig_atomic_t g_stop_signal;

void js_schedule_request_stop(int signo) { g_stop_signal = signo; }

/// Commit through the hook now.
static js_status commit(master *ms) {
  ms->last_commit = js_par_time();
  if (ms->hook && ms->hook->commit) JS_CALL(ms->hook->commit(ms->hook->ctx));
  return JS_OK;
}

/// Stop every rank after a failure the master cannot recover from (committing first).
static void die(master *ms, js_status s) {
  if (s != JS_INTERRUPTED) js_error_report(s);
  js_status c = commit(ms);
  if (c != JS_OK) js_error_report(c);
  if (s == JS_INTERRUPTED) js_error_report(s);
  js_lock_release();
  fflush(stderr);
  js_par_abort(js_exit_code(s));
}

/// Advance past units finished earlier (resumed from a checkpoint).
static void skip_done(master *ms) {
  while (ms->next < ms->grid->nwork && ms->res->done[ms->grid->order[ms->next]]) ms->next++;
}

/// Send the next unit in cost order to a worker (if any is left and no stop was asked).
static js_status hand_out(master *ms, int worker) {
  skip_done(ms);
  if (ms->next >= ms->grid->nwork || g_stop_signal) return JS_OK;
  JS_CALL(js_par_send_int(worker, JS_TAG_WORK, ms->grid->order[ms->next++]));
  ms->held[worker]++;
  return JS_OK;
}

/// After a worker returned a unit: refill its queue. Near the end a worker that is still
/// busy gets nothing more, so no unit waits in one queue while another rank runs dry.
static js_status refill(master *ms, int worker) {
  skip_done(ms);
  int left = ms->grid->nwork - ms->next;
  if (ms->held[worker] == 0 || left >= JS_PREFETCH * ms->size) JS_CALL(hand_out(ms, worker));
  return JS_OK;
}

/// Record one unit's results on the master.
static void record(master *ms, int unit, const double *cells, double ref) {
  js_results_put(ms->res, unit, cells, ref);
  ms->done++;
  const js_unit *u = &ms->grid->units[unit];
  if (ms->prog) js_progress_unit(ms->prog, u->cost, u->candidates);
  if (ms->hook && js_par_time() - ms->last_commit >= ms->hook->every) {
    js_status s = commit(ms);
    if (s != JS_OK) die(ms, s);
  }
}

/// Handle one waiting message from a worker.
static js_status handle(master *ms, int src, int tag, int bytes) {
  if (tag == JS_TAG_FAIL) {
    char *text = malloc((size_t)bytes + 1);
    JS_ALLOC_CHECK(text, "failure message");
    JS_CALL(js_par_recv(src, tag, text, bytes));
    text[bytes] = '\0';
    js_status s = js_fail(JS_ERR_NUMERIC, __FILE__, __LINE__, __func__, "rank %d: %s", src, text);
    free(text);
    return s;
  }
  int count = (int)ms->grid->ncells + 2;
  JS_CHECK(tag == JS_TAG_RESULT && bytes == count * (int)sizeof(double), JS_ERR_MPI,
           "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, src);
  JS_CALL(js_par_recv(src, tag, ms->msg, bytes));
  int unit = (int)ms->msg[0];
  JS_CHECK(unit >= 0 && unit < ms->grid->nunits && !ms->res->done[unit], JS_ERR_MPI,
           "rank %d returned an unknown or repeated unit %d", src, unit);
  record(ms, unit, ms->msg + 2, ms->msg[1]);
  ms->held[src]--;
  JS_CALL(refill(ms, src));
  return JS_OK;
}

/// Handle every waiting message (the poll hook while the master computes); a non-zero
/// return asks the master's own unit to stop (a signal arrived).
static int service(void *ctx) {
  master *ms = ctx;
  for (;;) {
    int found = 0, src, tag, bytes;
    js_status s = js_par_poll(&found, &src, &tag, &bytes);
    if (s == JS_OK && found) s = handle(ms, src, tag, bytes);
    if (s != JS_OK) die(ms, s);
    if (!found) return g_stop_signal != 0;
  }
}

/// After a stop request: tell the workers to stop (they drop their unit in flight within
/// one test block and answer BYE), keep the results that still arrive, commit, and end the
/// run with exit code 3 on every rank.
static js_status stop_now(master *ms) {
  for (int w = 1; w < ms->size; w++) JS_CALL(js_par_send_int(w, JS_TAG_STOP, 0));
  for (int left = ms->size - 1; left > 0;) {
    int src, tag, bytes, bye;
    JS_CALL(js_par_wait(&src, &tag, &bytes));
    js_status s = JS_OK;
    if (tag == JS_TAG_BYE) s = js_par_recv(src, tag, &bye, bytes), left--;
    else s = handle(ms, src, tag, bytes);
    if (s != JS_OK) die(ms, s);
  }
  JS_CALL(commit(ms));
  JS_FAIL(JS_INTERRUPTED, "stopped by signal %d: checkpoint committed with %d of %d units "
          "done; run the same command again to resume", (int)g_stop_signal, ms->done,
          ms->grid->nwork);
}

/// Master: prime workers, compute units locally while servicing, then collect the rest.
static js_status run_master(master *ms, int size) {
  for (int p = 0; p < ms->grid->nwork; p++) ms->done += ms->res->done[ms->grid->order[p]];
  for (int k = 0; k < JS_PREFETCH; k++)
    for (int w = 1; w < size; w++) JS_CALL(hand_out(ms, w));
  double *cells = malloc(sizeof(double) * (ms->grid->ncells + 1));
  JS_ALLOC_CHECK(cells, "unit cells");
  for (skip_done(ms); ms->next < ms->grid->nwork && !g_stop_signal; skip_done(ms)) {
    int unit = ms->grid->order[ms->next++];
    double ref;
    js_status s = js_trial_run(ms->cfg, &ms->grid->units[unit], cells, &ref, service, ms);
    if (s == JS_INTERRUPTED) break;
    if (s != JS_OK) die(ms, s);
    record(ms, unit, cells, ref);
    service(ms);
  }
  free(cells);
  while (ms->done < ms->grid->nwork && !g_stop_signal) {
    int src, tag, bytes;
    JS_CALL(js_par_wait_or_flag(&src, &tag, &bytes, &g_stop_signal));
    if (g_stop_signal) break;
    js_status s = handle(ms, src, tag, bytes);
    if (s != JS_OK) die(ms, s);
  }
  if (g_stop_signal) return stop_now(ms);
  for (int w = 1; w < size; w++) JS_CALL(js_par_send_int(w, JS_TAG_WORK, -1));
  return JS_OK;
}

/// A worker's poll between test blocks: has the master asked to stop?
static int stop_asked(void *ctx) {
  (void)ctx;
  int found = 0;
  return js_par_probe_tag(0, JS_TAG_STOP, &found) != JS_OK || found;
}

/// A worker's answer to STOP (its unit in flight is dropped); only the master reports.
static js_status say_bye(void) {
  int unused;
  JS_CALL(js_par_recv(0, JS_TAG_STOP, &unused, (int)sizeof unused));
  JS_CALL(js_par_send_int(0, JS_TAG_BYE, 0));
  JS_FAIL(JS_INTERRUPTED, "stopped by the master");
}

/// Worker: compute units as they arrive until told to stop; report a failure as text.
static js_status run_worker(const js_config *cfg, const js_grid *grid, double *candidates) {
  int count = (int)grid->ncells + 2;
  double *msg = malloc(sizeof(double) * (size_t)count);
  JS_ALLOC_CHECK(msg, "result message");
  js_status s = JS_OK;
  for (;;) {
    int src, tag, bytes, unit;
    JS_CALL(js_par_wait(&src, &tag, &bytes));
    JS_CHECK(src == 0 && (tag == JS_TAG_WORK || tag == JS_TAG_STOP) &&
                 bytes == (int)sizeof(int), JS_ERR_MPI,
             "unexpected message (tag %d) from rank %d", tag, src);
    if (tag == JS_TAG_STOP) break;
    JS_CALL(js_par_recv(src, tag, &unit, bytes));
    if (unit < 0) break;
    JS_CHECK(unit < grid->nunits, JS_ERR_MPI, "master sent unknown unit %d", unit);
    s = js_trial_run(cfg, &grid->units[unit], msg + 2, &msg[1], stop_asked, NULL);
    if (s == JS_INTERRUPTED) break;
    if (s != JS_OK) { /* the master prints it and stops every rank */
      JS_CALL(js_par_send_text(0, js_error_message()));
      for (;;) pause();
    }
    msg[0] = unit;
    JS_CALL(js_par_send_doubles(0, JS_TAG_RESULT, msg, count));
    *candidates += grid->units[unit].candidates;
  }
  free(msg);
  int stopped = s == JS_INTERRUPTED;
  if (!stopped) js_par_probe_tag(0, JS_TAG_STOP, &stopped);
  return stopped ? say_bye() : JS_OK;
}

js_status js_schedule_run(const js_config *cfg, const js_grid *grid, js_results *res,
                          js_progress *prog, const js_commit_hook *hook, js_run_stats *stats) {
  int rank = js_par_rank(), size = js_par_size();
  double t0 = js_par_time(), cand = 0;
  if (rank == 0) {
    master ms = {cfg, grid, res, prog, 0, 0, size, calloc((size_t)size, sizeof(int)),
                 malloc(sizeof(double) * (grid->ncells + 2)), hook, js_par_time()};
    if (!ms.held || !ms.msg) free(ms.held), free(ms.msg);
    JS_CHECK(ms.held && ms.msg, JS_ERR_SYS, "out of memory for the master's bookkeeping");
    js_status s = run_master(&ms, size);
    free(ms.held);
    free(ms.msg);
    JS_CALL(s);
    cand = prog ? prog->candidates : 0;
  } else {
    JS_CALL(run_worker(cfg, grid, &cand));
  }
  stats->wall = js_par_time() - t0;
  stats->ranks = size;
  stats->candidates = cand;
  return JS_OK;
}
