/// \file worker.c
/// The worker role (see worker.h).
#include "dist/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "dist/parallel.h"
#include "dist/timers.h"

#define JS_QUEUE 4          /* batches a worker can hold (a server gives at most 2) */
#define JS_FAIL_WAIT_S 30.0 /* how long a failed rank waits for rank 0 to end the job */
/* A worker looks for STOP about every 3 ms of estimated compute: a stop is seen at once,
   a probe (1 us) costs 0.03%, and a simulated worker is not cut into 0.2 ms slices that
   resume with cold caches (rank 0, computing, answers every 0.2 ms instead). */
#define JS_WORKER_POLL_S 3e-3

typedef struct {
  const js_work *work;
  int server;
  int batch[JS_QUEUE][JS_BATCH_MAX_UNITS], len[JS_QUEUE];
  int head, queued;   /* FIFO of received batches */
  int end, stop;      /* no more work; a stop was asked */
  int stop_taken;     /* the STOP message was received */
  double *out[2];     /* result messages, alternating */
  size_t cap[2];
  js_par_req *req[2];
  int which;
  size_t max_payload;
  double count;       /* the units' work->count */
} worker;

/// File a message from the server whose payload is in queue slot `slot`: a batch, the end
/// (an empty batch) or STOP.
static js_status file_message(worker *wk, int slot, int tag, int bytes) {
  JS_CHECK(tag == JS_TAG_WORK || tag == JS_TAG_STOP, JS_ERR_MPI,
           "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, wk->server);
  if (tag == JS_TAG_STOP) {
    wk->stop = wk->stop_taken = 1;
    return JS_OK;
  }
  JS_CHECK(wk->queued < JS_QUEUE, JS_ERR_MPI, "rank %d sent more than %d batches",
           wk->server, JS_QUEUE);
  wk->len[slot] = bytes / (int)sizeof(int);
  if (wk->len[slot] == 0) wk->end = 1;
  else wk->queued++;
  return JS_OK;
}

/// Receive every message the server has sent so far (batches, the end, STOP).
static js_status drain(worker *wk) {
  for (;;) {
    int found = 0, src, tag, bytes;
    JS_CALL(js_par_poll(&found, &src, &tag, &bytes));
    if (!found) return JS_OK;
    JS_CHECK(src == wk->server && bytes <= (int)sizeof wk->batch[0], JS_ERR_MPI,
             "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, src);
    int slot = (wk->head + wk->queued) % JS_QUEUE, other[JS_BATCH_MAX_UNITS];
    int into_queue = tag == JS_TAG_WORK && wk->queued < JS_QUEUE; /* else file_message says */
    JS_CALL(js_par_recv(src, tag, into_queue ? wk->batch[slot] : other, bytes));
    JS_CALL(file_message(wk, slot, tag, bytes));
  }
}

/// Wait for the server's next message with a pre-posted receive and file it (the queue is
/// empty: the worker has nothing else to do).
static js_status await_message(worker *wk) {
  int slot = wk->head, tag, bytes;
  JS_CALL(js_par_recv_next(wk->server, wk->batch[slot], (int)sizeof wk->batch[slot], &tag,
                           &bytes));
  return file_message(wk, slot, tag, bytes);
}

/// The poll while computing: has a STOP arrived?
static int stop_asked(void *ctx) {
  worker *wk = ctx;
  int found = 0;
  return js_par_probe_tag(wk->server, JS_TAG_STOP, &found) != JS_OK || found;
}

/// The result buffer for a batch of n units (waits for its previous send to finish).
static js_status out_buffer(worker *wk, int n, double **out) {
  JS_CALL(js_par_req_wait(&wk->req[wk->which]));
  JS_CHECK(!js_fault_hit(JS_FAULT_ALLOC), JS_ERR_SYS,
           "out of memory allocating result message (injected fault)");
  size_t need = 1 + (size_t)n * (1 + wk->max_payload);
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
  size_t at = 1;
  out[0] = 1; /* one batch completed, unless a stop cuts it */
  for (int i = 0; i < n; i++) {
    double t0 = js_par_time();
    js_poll poll = {stop_asked, wk, JS_WORKER_POLL_S};
    const js_work *w = wk->work;
    js_status s = w->run(w->ctx, ids[i], out + at + 1, &poll);
    if (s == JS_INTERRUPTED) {
      wk->stop = 1;
      out[0] = 0;
      js_error_clear();
      break;
    }
    JS_CALL(s);
    js_timer_unit(w->kind(w->ctx, ids[i]), js_par_time() - t0);
    wk->count += w->count(w->ctx, ids[i]);
    out[at] = ids[i];
    at += 1 + (size_t)w->payload(w->ctx, ids[i]);
  }
  JS_CHECK(!(at > 1 || out[0] > 0) || !js_fault_hit(JS_FAULT_MPI), JS_ERR_MPI,
           "MPI_Isend of results to rank %d failed (injected fault)", wk->server);
  if (at > 1 || out[0] > 0)
    JS_CALL(js_par_isend_doubles(wk->server, JS_TAG_RESULT, out, (int)at, &wk->req[wk->which]));
  wk->which ^= 1;
  return JS_OK;
}

/// Compute batches as they arrive until the end or a stop; answer a stop with BYE.
static js_status loop(worker *wk) {
  double waited = 0; /* the wait just ended */
  for (;;) {
    JS_CALL(drain(wk));
    if (wk->stop) break;
    if (wk->queued == 0) {
      if (wk->end) {
        js_timer_add(JS_TM_IDLE_END, waited);
        break;
      }
      double t0 = js_par_time();
      js_status s = await_message(wk);
      waited = js_par_time() - t0;
      js_timer_add(JS_TM_IDLE, waited);
      JS_CALL(s);
      continue;
    }
    waited = 0;
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
  JS_CALL(js_par_send_int(wk->server, JS_TAG_BYE, 0));
  JS_FAIL(JS_INTERRUPTED, "stopped");
}

js_status js_worker_run(const js_work *work, int server, const int *first, int nfirst,
                        double *count) {
  worker *wk = calloc(1, sizeof *wk);
  if (!wk) js_worker_fail(server, JS_ERROR(JS_ERR_SYS, "out of memory"));
  wk->work = work, wk->server = server, wk->max_payload = (size_t)work->max_payload;
  if (nfirst > 0) {
    memcpy(wk->batch[0], first, sizeof(int) * (size_t)nfirst);
    wk->len[0] = nfirst, wk->queued = 1;
  }
  js_status s = loop(wk);
  /* A failure leaves a result send in flight: its buffer must outlive it (freed, the
     memory was reused and rank 0 took corrupted ids). js_worker_fail does not return. */
  if (s != JS_OK && s != JS_INTERRUPTED) js_worker_fail(server, s);
  *count = wk->count;
  free(wk->out[0]);
  free(wk->out[1]);
  free(wk);
  return s;
}

void js_worker_fail(int server, js_status s) {
  char text[JS_FAIL_TEXT_MAX];
  int at = snprintf(text, sizeof text, "%d %d ", (int)s, js_par_rank());
  js_error_text(text + at, sizeof text - (size_t)at);
  if (js_par_send_text(server, text) != JS_OK) {
    fprintf(stderr, "judgesim: rank %d failed: %s\n", js_par_rank(), text + at);
    js_par_abort(js_exit_code(s));
  }
  js_par_sleep(JS_FAIL_WAIT_S);
  fprintf(stderr, "judgesim: rank %d failed and rank 0 did not end the job: %s\n",
          js_par_rank(), text + at);
  js_par_abort(js_exit_code(s));
}
