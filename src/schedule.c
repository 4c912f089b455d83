/// \file schedule.c
/// Dynamic master/worker scheduling in batches (see schedule.h). Messages:
///   WORK   master -> worker  int ids[n] of one batch (n = 0: no more work)
///   STOP   master -> worker  int (a stop was requested)
///   RESULT worker -> master  doubles: for each unit of a batch its id, then its payload
///   FAIL   worker -> master  text "CODE message and traceback"
///   BYE    worker -> master  int (the answer to STOP, after the results it still had)
#include "schedule.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "parallel.h"
#include "timers.h"
#include "trial.h"

#define JS_GUIDED 4.0          /* a batch is about the remaining cost / (JS_GUIDED x ranks) */
#define JS_BATCH_MAX_S 0.5     /* and at most this many estimated seconds */
#define JS_BATCH_MAX_UNITS 256 /* ids per WORK message: short enough never to wait */
#define JS_QUEUE 4             /* batches a worker can hold (the master gives at most 2) */
#define JS_STOP_GRACE_S 60.0   /* how long the master waits for BYE after STOP */
#define JS_FAIL_WAIT_S 30.0    /* how long a failed worker waits for the master's abort */

static volatile sig_atomic_t g_stop_signal;

void js_schedule_request_stop(int signo) { g_stop_signal = signo; }

/* ------------------------------------------------------------------- master ------------ */

typedef struct {
  const js_config *cfg;
  const js_grid *grid;
  js_results *res;
  js_progress *prog;
  const js_commit_hook *hook;
  double last_commit;
  int size, workers, computes;
  int next;         /* position in grid->order */
  int left_units;   /* units neither done nor handed out */
  double left_cost; /* their estimated cost */
  int done;         /* units of order[0..nwork) done */
  int *held;        /* batches each worker holds */
  int ids[JS_BATCH_MAX_UNITS];
  double *buf;      /* receive buffer */
  size_t cap;       /* its size in doubles */
  double *payload;  /* the master's own unit */
} master;

/// Does rank 0 compute units too? Below JS_SERVE_ONLY_RANKS ranks, unless overridden.
static int master_computes(int size) {
  const char *env = getenv("JUDGESIM_MASTER_COMPUTES");
  if (env && (env[0] == '0' || env[0] == '1') && !env[1]) return size == 1 || env[0] == '1';
  return size < JS_SERVE_ONLY_RANKS;
}

/// End every rank after a failure: report it, commit what is done, release the lock, abort.
static void die(master *ms, js_status s) {
  js_error_report(s);
  if (ms->hook && ms->hook->committer) {
    js_status c = js_commit_now(ms->hook->committer);
    if (c != JS_OK) js_error_report(c);
  }
  js_lock_release();
  fflush(stderr);
  js_par_abort(js_exit_code(s));
}

/// Start a periodic commit when one is due; warn about a failed one (the next retries).
static void maybe_commit(master *ms) {
  if (!ms->hook || !ms->hook->committer) return;
  js_status st;
  if (js_commit_poll(ms->hook->committer, &st) && st != JS_OK) {
    fprintf(stderr, "judgesim: warning: %s; retrying in %g s\n", js_error_message(),
            ms->hook->every);
    js_error_clear();
  }
  if (js_par_time() - ms->last_commit < ms->hook->every) return;
  int started;
  st = js_commit_start(ms->hook->committer, &started);
  if (st != JS_OK) die(ms, st);
  if (started) ms->last_commit = js_par_time();
}

/// Ranks that compute units.
static int computing_ranks(const master *ms) { return ms->workers + ms->computes; }

/// Fill ms->ids with the next batch in cost order (guided size); returns its length.
static int build_batch(master *ms, int max_units) {
  double target = fmin(ms->left_cost / (JS_GUIDED * computing_ranks(ms)), JS_BATCH_MAX_S);
  int n = 0;
  double cost = 0;
  while (n < max_units && ms->next < ms->grid->nwork) {
    int id = ms->grid->order[ms->next];
    if (ms->res->done[id]) {
      ms->next++;
      continue;
    }
    double c = js_grid_cost(ms->grid, id);
    if (n > 0 && cost + c > target) break;
    ms->ids[n++] = id;
    cost += c;
    ms->next++;
  }
  ms->left_cost -= cost;
  ms->left_units -= n;
  return n;
}

/// Send a worker its next batch (if any work is left).
static js_status give(master *ms, int worker) {
  int n = build_batch(ms, JS_BATCH_MAX_UNITS);
  if (n == 0) return JS_OK;
  JS_CALL(js_par_send_ints(worker, JS_TAG_WORK, ms->ids, n));
  ms->held[worker]++;
  return JS_OK;
}

/// After a worker returned a batch: make sure it holds one, and a second (prefetched) one
/// while at least two batches per computing rank are left, so no batch waits in one queue
/// near the end while another rank runs dry.
static js_status refill(master *ms, int worker) {
  if (g_stop_signal) return JS_OK;
  if (ms->held[worker] == 0) JS_CALL(give(ms, worker));
  if (ms->held[worker] == 1 && ms->left_units >= 2 * computing_ranks(ms))
    JS_CALL(give(ms, worker));
  return JS_OK;
}

/// Store one unit's result on the master.
static void record(master *ms, int id, const double *payload) {
  js_results_put(ms->res, id, payload);
  ms->done++;
  int mc = id < ms->grid->nmc;
  if (ms->prog)
    js_progress_unit(ms->prog, js_grid_cost(ms->grid, id), mc ? ms->grid->candidates : 0);
}

/// Receive a RESULT message and store each unit in it.
static js_status take_results(master *ms, int src, int bytes) {
  size_t count = (size_t)bytes / sizeof(double);
  if (count > ms->cap) {
    double *b = realloc(ms->buf, count * sizeof(double));
    JS_ALLOC_CHECK(b, "result message");
    ms->buf = b, ms->cap = count;
  }
  JS_CALL(js_par_recv(src, JS_TAG_RESULT, ms->buf, bytes));
  for (size_t at = 0; at < count;) {
    double raw = ms->buf[at];
    int id = raw >= 0 && raw < ms->grid->nunits ? (int)raw : -1;
    JS_CHECK(id >= 0 && !ms->res->done[id], JS_ERR_MPI,
             "rank %d returned an unknown or repeated unit %.0f", src, raw);
    size_t p = (size_t)js_grid_payload(ms->grid, id);
    JS_CHECK(at + 1 + p <= count, JS_ERR_MPI, "rank %d sent a truncated result", src);
    record(ms, id, ms->buf + at + 1);
    at += 1 + p;
  }
  return JS_OK;
}

/// Receive a FAIL message: the worker's status, message and traceback, as a failure here.
static js_status take_failure(int src, int bytes) {
  char *text = malloc((size_t)bytes + 1);
  JS_ALLOC_CHECK(text, "failure message");
  JS_CALL(js_par_recv(src, JS_TAG_FAIL, text, bytes));
  text[bytes] = '\0';
  int code = atoi(text);
  const char *msg = strchr(text, ' ');
  js_status s = js_fail(code > 0 && code != JS_INTERRUPTED ? (js_status)code : JS_ERR_MPI,
                        __FILE__, __LINE__, __func__, "rank %d failed: %s", src,
                        msg ? msg + 1 : text);
  free(text);
  return s;
}

/// Handle one waiting message; *byes counts the answers to STOP.
static js_status handle(master *ms, int src, int tag, int bytes, int *byes) {
  js_timer_start(JS_TM_SERVICE);
  js_status s = JS_OK;
  if (tag == JS_TAG_RESULT) {
    s = take_results(ms, src, bytes);
    if (s == JS_OK) ms->held[src]--, s = refill(ms, src);
  } else if (tag == JS_TAG_FAIL) {
    s = take_failure(src, bytes);
  } else if (tag == JS_TAG_BYE && byes) {
    int unused;
    s = js_par_recv(src, tag, &unused, (int)sizeof unused);
    (*byes)++;
  } else {
    s = js_fail(JS_ERR_MPI, __FILE__, __LINE__, __func__,
                "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, src);
  }
  js_timer_stop(JS_TM_SERVICE);
  return s;
}

/// Answer every waiting message; a failure ends the run.
static void service(master *ms) {
  for (;;) {
    int found = 0, src, tag, bytes;
    js_status s = js_par_poll(&found, &src, &tag, &bytes);
    if (s == JS_OK && found) s = handle(ms, src, tag, bytes, NULL);
    if (s != JS_OK) die(ms, s);
    if (!found) break;
  }
  maybe_commit(ms);
}

/// The master's poll while it computes a unit: serve, and stop the unit on a signal.
static int master_poll(void *ctx) {
  service(ctx);
  return g_stop_signal != 0;
}

/// Compute one unit on the master (serving workers every few milliseconds meanwhile).
static js_status compute_one(master *ms) {
  if (build_batch(ms, 1) == 0) return JS_OK;
  int id = ms->ids[0];
  double t0 = js_par_time();
  JS_CALL(js_unit_run(ms->cfg, ms->grid, id, ms->payload, master_poll, ms));
  js_timer_unit(id >= ms->grid->nmc, js_par_time() - t0);
  record(ms, id, ms->payload);
  return JS_OK;
}

/// After a stop request: commit, tell the workers, keep what still arrives until every
/// worker answered (or a grace period ends), commit again; every rank exits 3.
static js_status stop_now(master *ms) {
  js_committer *c = ms->hook ? ms->hook->committer : NULL;
  if (c && js_commit_now(c) != JS_OK) /* the second commit below tries again */
    fprintf(stderr, "judgesim: warning: %s\n", js_error_message());
  for (int w = 1; w < ms->size; w++) JS_CALL(js_par_send_int(w, JS_TAG_STOP, 0));
  int byes = 0;
  double end = js_par_time() + JS_STOP_GRACE_S;
  static volatile int never;
  while (byes < ms->workers) {
    int found, src, tag, bytes;
    JS_CALL(js_par_wait_until(&found, &src, &tag, &bytes, end - js_par_time(), &never));
    if (!found) break;
    js_status s = handle(ms, src, tag, bytes, &byes);
    if (s != JS_OK) die(ms, s);
  }
  if (c) JS_CALL(js_commit_now(c));
  js_status s = js_fail(JS_INTERRUPTED, __FILE__, __LINE__, __func__, "stopped by signal %d: "
                        "checkpoint committed with %d of %d units done; run the same command "
                        "again to resume", (int)g_stop_signal, ms->done, ms->grid->nwork);
  if (byes < ms->workers) { /* some worker is stuck past the grace period: end them all */
    fprintf(stderr, "judgesim: %d worker(s) did not answer the stop within %g s\n",
            ms->workers - byes, JS_STOP_GRACE_S);
    js_error_report(s);
    js_lock_release();
    fflush(stderr);
    js_par_abort(3);
  }
  return s;
}

/// Count the units already done and what is left.
static void count_left(master *ms) {
  for (int p = 0; p < ms->grid->nwork; p++) {
    int id = ms->grid->order[p];
    if (ms->res->done[id]) ms->done++;
    else ms->left_units++, ms->left_cost += js_grid_cost(ms->grid, id);
  }
}

/// Master: prime every worker, then compute (below the threshold) and serve until every
/// unit is in; tell the workers to finish.
static js_status run_master(master *ms) {
  count_left(ms);
  for (int round = 0; round < 2; round++)
    for (int w = 1; w < ms->size; w++)
      if (round == 0 || ms->left_units >= 2 * computing_ranks(ms)) JS_CALL(give(ms, w));
  js_timer_stop(JS_TM_STARTUP);
  js_timer_start(JS_TM_WORK);
  while (ms->done < ms->grid->nwork && !g_stop_signal) {
    if (ms->computes && ms->left_units > 0) {
      js_status s = compute_one(ms);
      if (s == JS_INTERRUPTED) break;
      if (s != JS_OK) die(ms, s);
      service(ms);
      continue;
    }
    int found, src, tag, bytes;
    JS_CALL(js_par_wait_until(&found, &src, &tag, &bytes, 0.5, (volatile int *)&g_stop_signal));
    js_status s = found ? handle(ms, src, tag, bytes, NULL) : JS_OK;
    if (s != JS_OK) die(ms, s);
    maybe_commit(ms);
  }
  js_timer_stop(JS_TM_WORK);
  if (g_stop_signal) return stop_now(ms);
  int end = 0;
  for (int w = 1; w < ms->size; w++) JS_CALL(js_par_send_ints(w, JS_TAG_WORK, &end, 0));
  return JS_OK;
}

/* ------------------------------------------------------------------- worker ------------ */

typedef struct {
  const js_config *cfg;
  const js_grid *grid;
  int batch[JS_QUEUE][JS_BATCH_MAX_UNITS], len[JS_QUEUE];
  int head, queued; /* FIFO of received batches */
  int end, stop;    /* no more work; a stop was asked */
  int stop_taken;   /* the STOP message was received */
  double *out[2];   /* result messages, alternating */
  size_t cap[2];
  js_par_req *req[2];
  int which;
  size_t max_payload;
  double candidates;
} worker;

/// Receive every message the master has sent so far (batches, the end, STOP).
static js_status drain(worker *wk) {
  for (;;) {
    int found = 0, src, tag, bytes;
    JS_CALL(js_par_poll(&found, &src, &tag, &bytes));
    if (!found) return JS_OK;
    JS_CHECK(src == 0 && (tag == JS_TAG_WORK || tag == JS_TAG_STOP) &&
                 bytes <= (int)sizeof wk->batch[0], JS_ERR_MPI,
             "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, src);
    if (tag == JS_TAG_STOP) {
      int unused;
      JS_CALL(js_par_recv(0, tag, &unused, bytes));
      wk->stop = wk->stop_taken = 1;
      continue;
    }
    JS_CHECK(wk->queued < JS_QUEUE, JS_ERR_MPI, "the master sent more than %d batches", JS_QUEUE);
    int slot = (wk->head + wk->queued) % JS_QUEUE;
    JS_CALL(js_par_recv(0, tag, wk->batch[slot], bytes));
    wk->len[slot] = bytes / (int)sizeof(int);
    if (wk->len[slot] == 0) wk->end = 1;
    else wk->queued++;
  }
}

/// A worker's poll while it computes: has the master asked to stop?
static int stop_asked(void *ctx) {
  (void)ctx;
  int found = 0;
  return js_par_probe_tag(0, JS_TAG_STOP, &found) != JS_OK || found;
}

/// The result buffer for a batch of n units (waits for its previous send to finish).
static js_status out_buffer(worker *wk, int n, double **out) {
  JS_CALL(js_par_req_wait(&wk->req[wk->which]));
  size_t need = (size_t)n * (1 + wk->max_payload);
  if (need > wk->cap[wk->which]) {
    free(wk->out[wk->which]);
    wk->out[wk->which] = malloc(need * sizeof(double));
    JS_ALLOC_CHECK(wk->out[wk->which], "result message");
    wk->cap[wk->which] = need;
  }
  *out = wk->out[wk->which];
  return JS_OK;
}

/// Compute the batch at the head of the queue and send its results (all of them, or those
/// finished before a stop).
static js_status compute_batch(worker *wk) {
  int *ids = wk->batch[wk->head], n = wk->len[wk->head];
  wk->head = (wk->head + 1) % JS_QUEUE, wk->queued--;
  double *out = NULL;
  JS_CALL(out_buffer(wk, n, &out));
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    double t0 = js_par_time();
    js_status s = js_unit_run(wk->cfg, wk->grid, ids[i], out + at + 1, stop_asked, NULL);
    if (s == JS_INTERRUPTED) {
      wk->stop = 1;
      break;
    }
    JS_CALL(s);
    js_timer_unit(ids[i] >= wk->grid->nmc, js_par_time() - t0);
    if (ids[i] < wk->grid->nmc) wk->candidates += wk->grid->candidates;
    out[at] = ids[i];
    at += 1 + (size_t)js_grid_payload(wk->grid, ids[i]);
  }
  if (at > 0)
    JS_CALL(js_par_isend_doubles(0, JS_TAG_RESULT, out, (int)at, &wk->req[wk->which]));
  wk->which ^= 1;
  return JS_OK;
}

/// Worker: compute batches as they arrive until the end or a stop.
static js_status worker_loop(worker *wk) {
  for (;;) {
    JS_CALL(drain(wk));
    if (wk->stop) break;
    if (wk->queued == 0) {
      if (wk->end) break;
      int src, tag, bytes;
      JS_CALL(js_par_wait(&src, &tag, &bytes));
      continue;
    }
    JS_CALL(compute_batch(wk));
  }
  JS_CALL(js_par_req_wait(&wk->req[0]));
  JS_CALL(js_par_req_wait(&wk->req[1]));
  if (!wk->stop) return JS_OK;
  while (!wk->stop_taken) { /* the poll saw STOP: take it before answering */
    int src, tag, bytes;
    JS_CALL(js_par_wait(&src, &tag, &bytes));
    JS_CALL(drain(wk));
  }
  JS_CALL(js_par_send_int(0, JS_TAG_BYE, 0));
  JS_FAIL(JS_INTERRUPTED, "stopped by the master");
}

/// A worker failed: send the master its status, message and traceback, then wait for the
/// master to end the job; if it does not, end it from here.
static void worker_fail(js_status s) {
  char text[8192];
  int at = snprintf(text, sizeof text, "%d ", (int)s);
  js_error_text(text + at, sizeof text - (size_t)at);
  if (js_par_send_text(0, text) != JS_OK) {
    fprintf(stderr, "judgesim: rank %d failed: %s\n", js_par_rank(), text + at);
    js_par_abort(js_exit_code(s));
  }
  static volatile int never;
  int found, src, tag, bytes;
  (void)js_par_wait_until(&found, &src, &tag, &bytes, JS_FAIL_WAIT_S, &never);
  fprintf(stderr, "judgesim: rank %d failed and the master did not end the job: %s\n",
          js_par_rank(), text + at);
  js_par_abort(js_exit_code(s));
}

/// Run a worker; a failure other than a stop never returns.
static js_status run_worker(const js_config *cfg, const js_grid *grid, double *candidates) {
  worker *wk = calloc(1, sizeof *wk);
  if (!wk) worker_fail(js_fail(JS_ERR_SYS, __FILE__, __LINE__, __func__, "out of memory"));
  wk->cfg = cfg, wk->grid = grid;
  wk->max_payload = grid->ncells + 1 > (size_t)cfg->nk ? grid->ncells + 1 : (size_t)cfg->nk;
  js_timer_stop(JS_TM_STARTUP);
  js_status s = worker_loop(wk);
  *candidates = wk->candidates;
  free(wk->out[0]);
  free(wk->out[1]);
  free(wk);
  if (s != JS_OK && s != JS_INTERRUPTED) worker_fail(s);
  return s;
}

js_status js_schedule_run(const js_config *cfg, const js_grid *grid, js_results *res,
                          js_progress *prog, const js_commit_hook *hook, js_run_stats *stats) {
  int rank = js_par_rank(), size = js_par_size();
  double t0 = js_par_time(), cand = 0;
  js_status s;
  if (rank == 0) {
    master ms;
    memset(&ms, 0, sizeof ms);
    ms.cfg = cfg, ms.grid = grid, ms.res = res, ms.prog = prog, ms.hook = hook;
    ms.size = size, ms.workers = size - 1, ms.computes = master_computes(size);
    ms.last_commit = js_par_time();
    ms.held = calloc((size_t)size, sizeof(int));
    ms.payload = malloc(sizeof(double) * (grid->ncells + 1 + (size_t)cfg->nk));
    if (!ms.held || !ms.payload) free(ms.held), free(ms.payload);
    JS_CHECK(ms.held && ms.payload, JS_ERR_SYS, "out of memory for the master's bookkeeping");
    s = run_master(&ms);
    free(ms.held);
    free(ms.payload);
    free(ms.buf);
    cand = prog ? prog->candidates : 0;
  } else {
    s = run_worker(cfg, grid, &cand);
  }
  JS_CALL(s);
  stats->wall = js_par_time() - t0;
  stats->ranks = size;
  stats->candidates = cand;
  return JS_OK;
}
