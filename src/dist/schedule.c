/// \file schedule.c
/// The servers of the distribution (see schedule.h): rank 0 (the root) and, on large runs,
/// group leaders. A server hands batches to its clients (workers, or the leaders for the
/// root), takes their results and refills them; the message formats are in worker.h.
#include "dist/schedule.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fault.h"
#include "dist/layout.h"
#include "dist/parallel.h"
#include "dist/queue.h"
#include "dist/timers.h"
#include "dist/worker.h"

/* A leader passes results up in messages of JS_FORWARD_UNITS units or JS_FORWARD_BYTES
 * (rank 0 pays about 15 us per message; above 64 KiB SimGrid's SMPI sends by rendezvous,
 * which delayed a 1,024-rank run's end by 10 ms). 4x-load proxy at 1,024 simulated ranks
 * (scale.yaml, 750 test points in units of 250): rank 0's service 16.4-17.1 ms with 64,
 * 12.6 with 128 units. */
#define JS_FORWARD_UNITS 128
#define JS_FORWARD_BYTES 49152
#define JS_STOP_GRACE_S 60.0    /* how long a server waits for BYE after STOP */
#define JS_ROOT_POLL_S 2e-4     /* rank 0 computing answers messages about this often */

/* ------------------------------------------------------------------- server ------------ */

/// A server: the root (serving workers, or leaders) or a leader (serving its workers).
typedef struct {
  const js_work *work;
  const js_layout *L;
  int rank, leader;        /* this rank; 1 for a group leader */
  int *held;               /* per rank: batches (or chunks) a client holds */
  unsigned char *ended;    /* per rank: told that no work is left */
  unsigned char *client;   /* per rank: served here */
  int sharers, max_units;  /* guided batches: shared by how many, at most how many units */
  int min_units;           /* the root: units per chunk at least (a group's workers) */
  double min_cost;         /* the root: estimated seconds per batch or chunk at least */
  double cap;              /* at most this many estimated seconds */
  int *ids;                /* scratch: one batch */
  double *buf;             /* receive buffer */
  size_t bufcap;
  /* the root */
  js_par_inbox *inbox;     /* receives posted ahead from the leaders (grouped layout) */
  js_queue q;
  const unsigned char *isdone; /* per unit: its result is in (the hook's flags) */
  js_progress *prog;
  const js_master_hooks *hook;
  volatile sig_atomic_t *stop; /* the root: the hook's stop request (NULL: none) */
  double next_commit;      /* when the next periodic commit is due */
  int commit_fails;        /* periodic commits failed in a row */
  int done;                /* units of order[0..nwork) done */
  double *payload;         /* rank 0's own unit */
  /* a leader */
  int *fifo, fhead, fcount, fcap; /* units received from the root, not yet handed out */
  double fcost;
  double chunk_share;      /* the newest chunk's estimated cost / the group's workers */
  int root_ended;          /* the root has no more chunks */
  int stopped;             /* STOP came from the root */
  int chunks[8], nchunks;  /* units of each chunk held not yet handed out, oldest first */
  int completed;           /* chunks handed out in full since the last message up */
  int rotate;              /* where refill_all starts */
  size_t upmax;            /* doubles in a message up at most (up_max_bytes) */
  double *up;              /* results to pass up: completed, then records */
  size_t uplen, upcap;
  int upunits;
  double *sending;         /* the previous message up, while its send is in flight */
  size_t sendcap;
  js_par_req *upreq;
  struct uprec { double id; size_t at, len; } *uprecs; /* the records of up, to sort */
  int uprecap;
} server;

/// Has a stop been asked for: a signal at the root, STOP from the root at a leader?
static int stopping(const server *sv) { return sv->stopped || (sv->stop && *sv->stop); }

/// The root's last act before the job is aborted: the hook's clean-up, then MPI_Abort.
static void abort_job(server *sv, int code) {
  if (sv->hook && sv->hook->aborting) sv->hook->aborting(sv->hook->ctx);
  fflush(stderr);
  js_par_abort(code);
}

/// End every rank after a failure: report it, commit what the root holds, clean up,
/// abort. A leader passes the failure up instead.
static void die(server *sv, js_status s) {
  if (sv->leader) js_worker_fail(0, s);
  js_error_report(s);
  if (sv->hook && sv->hook->commit_now) {
    js_status c = sv->hook->commit_now(sv->hook->ctx);
    if (c != JS_OK) js_error_report(c);
  }
  abort_job(sv, js_exit_code(s));
}

/// Start a periodic commit when one is due. A failed one warns and is retried with backoff
/// (1, 2, 4, ... s, at most the commit interval); the checkpoint on disk stays the last good.
static void maybe_commit(server *sv) {
  const js_master_hooks *h = sv->hook;
  if (!h || !h->commit_start) return;
  js_status st;
  if (h->commit_poll(h->ctx, &st)) {
    if (st == JS_OK && sv->commit_fails)
      fprintf(stderr, "judgesim: checkpoint commits work again after %d failures\n",
              sv->commit_fails);
    if (st == JS_OK) sv->commit_fails = 0;
    else {
      int n = sv->commit_fails++ < 30 ? sv->commit_fails - 1 : 30;
      double wait = fmin(h->every, ldexp(1.0, n));
      sv->next_commit = js_par_time() + wait;
      if (!(sv->commit_fails & (sv->commit_fails - 1))) /* failures 1, 2, 4, 8, ... */
        fprintf(stderr, "judgesim: warning: %s\n  (failure %d in a row: retrying in %g s; the "
                "checkpoint on disk stays the last good one)\n", js_error_message(),
                sv->commit_fails, wait);
      js_error_clear();
    }
  }
  if (js_par_time() < sv->next_commit) return;
  int started;
  st = h->commit_start(h->ctx, &started);
  if (st != JS_OK) die(sv, st);
  if (started) sv->next_commit = js_par_time() + h->every;
}

/// Estimated seconds of unit id.
static double cost_of(const server *sv, int id) { return sv->work->cost(sv->work->ctx, id); }

/// Bytes of a leader's message to the root at most: JS_FORWARD_BYTES, or one result if that
/// is larger, and room for a failure's text (the root's posted receives are this long).
static int up_max_bytes(const js_work *work) {
  size_t one = sizeof(double) * (2 + (size_t)work->max_payload), b = JS_FORWARD_BYTES;
  if (one > b) b = one;
  return (int)(b > JS_FAIL_TEXT_MAX ? b : JS_FAIL_TEXT_MAX);
}

/// Units this server has not handed out yet.
static int left_units(const server *sv) { return sv->leader ? sv->fcount : sv->q.left_units; }

/// Cut a client's next batch into sv->ids. A leader cuts from the units the root sent: an
/// even share of the newest chunk per worker (the root sized the chunk guided, for the whole
/// group), or the guided share of what it holds if that is larger; finer cuts only multiply
/// the leader's messages (measured: 1-unit batches of 2 ms units left workers idle 60%).
static int take(server *sv, int max) {
  if (!sv->leader)
    return js_queue_take(&sv->q, sv->sharers, sv->cap, max, sv->min_units, sv->min_cost,
                         sv->ids);
  double target = fmax(sv->fcost / (JS_GUIDED * sv->sharers), sv->chunk_share);
  target = fmin(fmax(target, fmin(js_layout_floor(sv->L), sv->fcost / sv->sharers)), sv->cap);
  double cost = 0;
  int n = 0;
  while (n < max && sv->fcount > 0) {
    int id = sv->fifo[sv->fhead];
    double c = cost_of(sv, id);
    if (n > 0 && cost + c > target) break;
    sv->ids[n++] = id, cost += c;
    sv->fhead = (sv->fhead + 1) % sv->fcap, sv->fcount--;
    if (--sv->chunks[0] == 0) { /* a chunk handed out in full: the root may send the next */
      memmove(sv->chunks, sv->chunks + 1, sizeof(int) * (size_t)--sv->nchunks);
      sv->completed++;
    }
  }
  sv->fcost = sv->fcount ? sv->fcost - cost : 0;
  return n;
}

/// Send a client its next batch (if any work is left here).
static js_status give(server *sv, int client) {
  int n = take(sv, sv->max_units);
  if (n == 0) return JS_OK;
  JS_CHECK(!js_fault_hit(JS_FAULT_MPI), JS_ERR_MPI,
           "MPI_Isend of a batch to rank %d failed (injected fault)", client);
  JS_CALL(js_par_post_ints(client, JS_TAG_WORK, sv->ids, n));
  sv->held[client]++;
  return JS_OK;
}

/// Tell a client that no work is left (once).
static js_status end_client(server *sv, int client) {
  int none = 0;
  if (sv->ended[client]) return JS_OK;
  sv->ended[client] = 1;
  JS_CALL(js_par_post_ints(client, JS_TAG_WORK, &none, 0));
  return JS_OK;
}

/// Can no more work come to this server?
static int exhausted(const server *sv) {
  return left_units(sv) == 0 && (!sv->leader || sv->root_ended);
}

/// Keep a client supplied: one batch, and a second (prefetched) one while at least two per
/// sharer are left (one per worker at a leader, whose chunks shrink near the end anyway),
/// so near the end no batch waits in one queue while another rank runs dry. A client left
/// with nothing is let go once no more work can come.
static js_status refill(server *sv, int client) {
  if (stopping(sv) || sv->ended[client]) return JS_OK;
  if (sv->held[client] == 0) JS_CALL(give(sv, client));
  if (sv->held[client] == 1 && left_units(sv) >= (sv->leader ? 1 : 2) * sv->sharers)
    JS_CALL(give(sv, client));
  if (sv->held[client] == 0 && exhausted(sv)) JS_CALL(end_client(sv, client));
  return JS_OK;
}

/// Refill every client (after a chunk or the root's end arrived at a leader), starting
/// after the one served first last time, so no client is always served last.
static js_status refill_all(server *sv) {
  int size = sv->L->size;
  for (int i = 0; i < size - 1; i++) {
    int r = 1 + (sv->rotate + i) % (size - 1);
    if (sv->client[r]) JS_CALL(refill(sv, r));
  }
  sv->rotate = (sv->rotate + 1) % (size - 1);
  return JS_OK;
}

/// The root counts n stored units from id0 on (and lets the hook know of a complete block).
static void recorded(server *sv, int id0, int n, int block) {
  if (block >= 0 && sv->hook->block_done) {
    js_status s = sv->hook->block_done(sv->hook->ctx, block);
    if (s != JS_OK) die(sv, s);
  }
  sv->done += n;
  if (!sv->prog) return;
  double cost = 0, cand = 0;
  for (int id = id0; id < id0 + n; id++)
    cost += cost_of(sv, id), cand += sv->work->count(sv->work->ctx, id);
  js_progress_units(sv->prog, n, cost, cand);
}

/// The root stores one unit's result.
static void record(server *sv, int id, const double *payload) {
  recorded(sv, id, 1, sv->hook->put(sv->hook->ctx, id, payload));
}

/// The root stores the run of consecutive units that starts at buf[at] (unit id, payload
/// p; count doubles in buf, checked up to here): as many as follow with the next ids and
/// the same payload size, none done yet. Returns the doubles it took.
static size_t record_run(server *sv, const double *buf, int id, size_t p, size_t at,
                         size_t count) {
  int n = 1;
  for (size_t next = at + 1 + p; next + 1 + p <= count; next += 1 + p, n++)
    if (id + n >= sv->work->nunits || buf[next] != id + n || sv->isdone[id + n] ||
        (size_t)sv->work->payload(sv->work->ctx, id + n) != p)
      break;
  if (n == 1 || !sv->hook->put_run) {
    record(sv, id, buf + at + 1);
    return 1 + p;
  }
  int block, stored = sv->hook->put_run(sv->hook->ctx, id, n, buf + at, &block);
  recorded(sv, id, stored, block);
  return (size_t)stored * (1 + p);
}

/// A leader adds one unit's result to the next message up.
static js_status flush_up(server *sv, int force);
static js_status pass_up(server *sv, int id, const double *payload) {
  size_t p = (size_t)sv->work->payload(sv->work->ctx, id);
  if (sv->upunits > 0 && sv->uplen + 1 + p > sv->upmax) JS_CALL(flush_up(sv, 1));
  if (sv->uplen + 1 + p > sv->upcap) {
    size_t cap = 2 * (sv->upcap + 1 + p);
    double *b = realloc(sv->up, cap * sizeof(double));
    JS_ALLOC_CHECK(b, "results passed up");
    sv->up = b, sv->upcap = cap;
  }
  if (sv->uplen == 0) sv->uplen = 1; /* [0] holds the chunks completed */
  sv->up[sv->uplen] = id;
  memcpy(sv->up + sv->uplen + 1, payload, p * sizeof(double));
  sv->uplen += 1 + p, sv->upunits++;
  return JS_OK;
}

/// Order two records to pass up by unit id.
static int uprec_cmp(const void *a, const void *b) {
  double x = ((const struct uprec *)a)->id, y = ((const struct uprec *)b)->id;
  return (x > y) - (x < y);
}

/// Copy the message gathered in up into sending with its records in unit-id order: a
/// worker's batch is a range of the leader's chunk, so the root then finds runs of
/// consecutive units to store with one copy each (runs of 3.6 units on average unsorted).
static js_status sort_up(server *sv) {
  if (sv->upunits > sv->uprecap) {
    struct uprec *r = realloc(sv->uprecs, sizeof *r * (size_t)sv->upunits);
    JS_ALLOC_CHECK(r, "results passed up");
    sv->uprecs = r, sv->uprecap = sv->upunits;
  }
  if (sv->uplen > sv->sendcap) {
    double *b = realloc(sv->sending, sv->uplen * sizeof(double));
    JS_ALLOC_CHECK(b, "results passed up");
    sv->sending = b, sv->sendcap = sv->uplen;
  }
  int n = 0;
  for (size_t at = 1; at < sv->uplen; n++) {
    size_t len = 1 + (size_t)sv->work->payload(sv->work->ctx, (int)sv->up[at]);
    sv->uprecs[n] = (struct uprec){sv->up[at], at, len};
    at += len;
  }
  qsort(sv->uprecs, (size_t)n, sizeof *sv->uprecs, uprec_cmp);
  sv->sending[0] = sv->up[0];
  for (int i = 0, to = 1; i < n; to += (int)sv->uprecs[i++].len)
    memcpy(sv->sending + to, sv->up + sv->uprecs[i].at, sv->uprecs[i].len * sizeof(double));
  return JS_OK;
}

/// A leader sends its results up when a chunk was handed out in full (so the root sends the
/// next at once), enough have gathered, or `force` (without waiting for the root to take
/// them; the previous message must have gone).
static js_status flush_up(server *sv, int force) {
  int full = sv->upunits >= JS_FORWARD_UNITS || sv->uplen * sizeof(double) >= JS_FORWARD_BYTES;
  if (!sv->completed && !full && !(force && sv->upunits)) return JS_OK;
  if (sv->uplen == 0) {
    if (sv->upcap == 0) {
      sv->up = malloc(sizeof(double)), sv->upcap = 1;
      JS_ALLOC_CHECK(sv->up, "results passed up");
    }
    sv->uplen = 1;
  }
  sv->up[0] = sv->completed;
  JS_CALL(js_par_req_wait(&sv->upreq)); /* sending is free again */
  JS_CALL(sort_up(sv));
  JS_CALL(js_par_isend_doubles(0, JS_TAG_RESULT, sv->sending, (int)sv->uplen, &sv->upreq));
  sv->uplen = 0, sv->upunits = 0, sv->completed = 0;
  return JS_OK;
}

/// Take a RESULT message (received into data already, or NULL: receive it now): store
/// (root) or pass up (leader) each unit in it.
static js_status take_results(server *sv, int src, int bytes, const void *data) {
  size_t count = (size_t)bytes / sizeof(double);
  JS_CHECK(!js_fault_hit(JS_FAULT_ALLOC), JS_ERR_SYS,
           "out of memory allocating result message (injected fault)");
  if (!data && count > sv->bufcap) {
    double *b = realloc(sv->buf, count * sizeof(double));
    JS_ALLOC_CHECK(b, "result message");
    sv->buf = b, sv->bufcap = count;
  }
  if (!data) JS_CALL(js_par_recv(src, JS_TAG_RESULT, sv->buf, bytes));
  const double *buf = data ? data : sv->buf;
  JS_CHECK(count >= 1 && buf[0] >= 0 && buf[0] <= sv->held[src], JS_ERR_MPI,
           "rank %d sent a malformed result", src);
  sv->held[src] -= (int)buf[0];
  for (size_t at = 1; at < count;) {
    double raw = buf[at];
    int id = raw >= 0 && raw < sv->work->nunits ? (int)raw : -1;
    JS_CHECK(id >= 0 && (sv->leader || !sv->isdone[id]), JS_ERR_MPI,
             "rank %d returned an unknown or repeated unit %.0f", src, raw);
    size_t p = (size_t)sv->work->payload(sv->work->ctx, id);
    JS_CHECK(at + 1 + p <= count, JS_ERR_MPI, "rank %d sent a truncated result", src);
    if (sv->leader) {
      JS_CALL(pass_up(sv, id, buf + at + 1));
      at += 1 + p;
    } else {
      at += record_run(sv, buf, id, p, at, count);
    }
  }
  return JS_OK;
}

/// Take a FAIL message (in data, or NULL: receive it now): the failed rank's status, message
/// and traceback. A leader passes the text up as it is; the root turns it into a failure.
static js_status take_failure(server *sv, int src, int bytes, const void *data) {
  char *text = malloc((size_t)bytes + 1);
  JS_ALLOC_CHECK(text, "failure message");
  if (data) memcpy(text, data, (size_t)bytes);
  else JS_CALL(js_par_recv(src, JS_TAG_FAIL, text, bytes));
  text[bytes] = '\0';
  if (sv->leader) {
    js_status s = js_par_send_text(0, text);
    free(text);
    JS_CALL(s);
    js_par_sleep(30); /* rank 0 ends the job */
    js_par_abort(js_exit_code(JS_ERR_MPI));
  }
  int code = 0, rank = src, used = 0;
  sscanf(text, "%d %d %n", &code, &rank, &used);
  js_status s = JS_ERROR(code > 0 && code != JS_INTERRUPTED ? (js_status)code : JS_ERR_MPI,
                         "rank %d failed: %s", rank, text + used);
  free(text);
  return s;
}

/// A leader takes a chunk (or the end) from the root and supplies its waiting workers.
static js_status take_chunk(server *sv, int bytes) {
  int n = bytes / (int)sizeof(int);
  if (sv->fcount + n > sv->fcap) { /* grow the ring, unrolling it */
    int cap = 2 * (sv->fcount + n), *f = malloc(sizeof(int) * (size_t)cap);
    JS_ALLOC_CHECK(f, "units of a chunk");
    for (int i = 0; i < sv->fcount; i++) f[i] = sv->fifo[(sv->fhead + i) % sv->fcap];
    free(sv->fifo);
    sv->fifo = f, sv->fcap = cap, sv->fhead = 0;
  }
  int *ids = malloc(sizeof(int) * (size_t)(n + 1));
  JS_ALLOC_CHECK(ids, "chunk");
  js_status s = js_par_recv(0, JS_TAG_WORK, ids, bytes);
  double cost = 0;
  for (int i = 0; s == JS_OK && i < n; i++) {
    sv->fifo[(sv->fhead + sv->fcount++) % sv->fcap] = ids[i];
    cost += cost_of(sv, ids[i]);
  }
  sv->fcost += cost;
  if (n > 0) sv->chunk_share = cost / sv->sharers;
  free(ids);
  JS_CALL(s);
  if (n == 0) sv->root_ended = 1;
  else if (sv->nchunks < 8) sv->chunks[sv->nchunks++] = n;
  else JS_FAIL(JS_ERR_MPI, "rank 0 sent more chunks than a leader holds");
  JS_CALL(refill_all(sv));
  return JS_OK;
}

/// Handle one message (received into data already, or NULL: waiting to be received); *byes
/// counts the answers to STOP (NULL outside a stop).
static js_status handle(server *sv, int src, int tag, int bytes, const void *data, int *byes) {
  js_timer_start(JS_TM_SERVICE);
  js_status s = JS_OK;
  if (sv->leader && src == 0 && tag == JS_TAG_WORK) {
    s = take_chunk(sv, bytes);
  } else if (sv->leader && src == 0 && tag == JS_TAG_STOP && !byes) {
    int unused;
    s = js_par_recv(0, tag, &unused, bytes);
    sv->stopped = 1; /* the leader's loop then stops its group */
  } else if (tag == JS_TAG_RESULT && sv->client[src]) {
    s = take_results(sv, src, bytes, data);
    JS_TRY(s, refill(sv, src));
  } else if (tag == JS_TAG_FAIL && sv->client[src]) {
    s = take_failure(sv, src, bytes, data);
  } else if (tag == JS_TAG_BYE && byes && sv->client[src]) {
    int unused;
    if (!data) s = js_par_recv(src, tag, &unused, (int)sizeof unused);
    (*byes)++;
  } else {
    s = JS_ERROR(JS_ERR_MPI, "unexpected message (tag %d, %d bytes) from rank %d", tag, bytes, src);
  }
  js_timer_stop(JS_TM_SERVICE);
  return s;
}

/// Handle what arrives within `wait` seconds or until *flag (one message at most): through
/// the posted receives if the server has them, else probing. *byes as for handle.
static js_status answer(server *sv, double wait, volatile sig_atomic_t *flag, int *found,
                        int *byes) {
  int src, tag, bytes;
  const void *data = NULL;
  if (sv->inbox)
    JS_CALL(js_par_inbox_wait(sv->inbox, found, &src, &tag, &bytes, &data, wait, flag));
  else
    JS_CALL(js_par_wait_until(found, &src, &tag, &bytes, wait, flag));
  if (!*found) return JS_OK;
  JS_CALL(handle(sv, src, tag, bytes, data, byes));
  if (sv->inbox) JS_CALL(js_par_inbox_repost(sv->inbox));
  return JS_OK;
}

/// Serve for up to `wait` seconds (one message at most); commits when due.
static void serve(server *sv, double wait) {
  int found = 0;
  js_status s = answer(sv, wait, sv->stop, &found, NULL);
  if (s == JS_OK && sv->leader) s = flush_up(sv, 0);
  if (s != JS_OK) die(sv, s);
  if (!sv->leader && (!found || sv->done % 64 == 0)) maybe_commit(sv);
}

/// Answer every waiting message (rank 0's poll while it computes a unit).
static int root_poll(void *ctx) {
  server *sv = ctx;
  for (int found = 1; found;) {
    js_status s = answer(sv, 0, NULL, &found, NULL);
    if (s != JS_OK) die(sv, s);
  }
  maybe_commit(sv);
  return stopping(sv);
}

/// Rank 0 computes one unit itself (answering clients about every 0.2 ms meanwhile).
static js_status compute_one(server *sv) {
  if (js_queue_take(&sv->q, js_layout_computing(sv->L), JS_BATCH_MAX_S, 1, 1, 0, sv->ids) == 0)
    return JS_OK;
  int id = sv->ids[0];
  double t0 = js_par_time();
  js_poll poll = {root_poll, sv, JS_ROOT_POLL_S};
  JS_CALL(sv->work->run(sv->work->ctx, id, sv->payload, &poll));
  js_timer_unit(sv->work->kind(sv->work->ctx, id), js_par_time() - t0);
  record(sv, id, sv->payload);
  return JS_OK;
}

/// After a stop: tell the clients still working, take what they still send until each
/// answered (or a grace period ends). Returns how many did not answer.
static int stop_clients(server *sv) {
  int byes = 0, asked = 0;
  for (int r = 1; r < sv->L->size; r++)
    if (sv->client[r] && !sv->ended[r]) {
      int zero = 0;
      if (js_par_post_ints(r, JS_TAG_STOP, &zero, 1) != JS_OK) die(sv, JS_ERR_MPI);
      asked++;
    }
  double end = js_par_time() + JS_STOP_GRACE_S;
  while (byes < asked) {
    int found = 0;
    js_status s = answer(sv, end - js_par_time(), NULL, &found, &byes);
    if (s != JS_OK) die(sv, s);
    if (!found) break;
  }
  return asked - byes;
}

/// The root after a stop request: commit, stop the clients, keep what still arrives,
/// commit again; the job exits 3.
static js_status root_stop(server *sv) {
  const js_master_hooks *h = sv->hook;
  int commits = h && h->commit_now;
  if (commits && h->commit_now(h->ctx) != JS_OK) /* the second commit below tries again */
    fprintf(stderr, "judgesim: warning: %s\n", js_error_message());
  int silent = stop_clients(sv);
  if (commits) JS_CALL(h->commit_now(h->ctx));
  if (!silent) JS_CALL(js_par_post_flush());
  js_status s = JS_ERROR(JS_INTERRUPTED, "stopped by signal %d: "
                         "checkpoint committed with %d of %d units done; run the same command "
                         "again to resume", (int)*sv->stop, sv->done, sv->work->nwork);
  if (silent) { /* some rank is stuck past the grace period: end them all */
    fprintf(stderr, "judgesim: %d rank(s) did not answer the stop within %g s\n", silent,
            JS_STOP_GRACE_S);
    js_error_report(s);
    abort_job(sv, js_exit_code(s));
  }
  return s;
}

/// Allocate a server's per-rank arrays and scratch.
static js_status server_alloc(server *sv, const js_work *work, const js_layout *L) {
  sv->work = work, sv->L = L, sv->rank = js_par_rank();
  sv->held = calloc((size_t)L->size, sizeof(int));
  sv->ended = calloc((size_t)L->size, 1);
  sv->client = calloc((size_t)L->size, 1);
  sv->ids = malloc(sizeof(int) * JS_CHUNK_MAX_UNITS);
  sv->payload = malloc(sizeof(double) * ((size_t)work->max_payload + 1));
  JS_CHECK(sv->held && sv->ended && sv->client && sv->ids && sv->payload, JS_ERR_SYS,
           "out of memory for a server's bookkeeping");
  return JS_OK;
}

/// Free a server's arrays.
static void server_free(server *sv) {
  free(sv->held), free(sv->ended), free(sv->client), free(sv->ids), free(sv->payload);
  free(sv->buf), free(sv->fifo), free(sv->up), free(sv->sending), free(sv->uprecs);
}

/// The root of a grouped layout posts a receive from each leader ahead (its messages then
/// land while it serves others: in SMPI a 40 KB message otherwise cost it 15-19 us of
/// transfer after the probe, as a rendezvous does on a real fabric).
static js_status open_inbox(server *sv) {
  const js_layout *L = sv->L;
  int *leaders = malloc(sizeof(int) * (size_t)(L->ngroups + 1)), n = 0;
  JS_ALLOC_CHECK(leaders, "leader list");
  for (int r = 1; r < L->size; r++)
    if (js_layout_is_leader(L, r)) leaders[n++] = r;
  js_status s = js_par_inbox_open(&sv->inbox, leaders, n, up_max_bytes(sv->work));
  free(leaders);
  return s;
}

/// The root: deal the implied first round, send the prefetched second, run the early task,
/// then compute (flat, small runs) and serve until every unit is in.
static js_status run_root(server *sv) {
  const js_layout *L = sv->L;
  for (int p = 0; p < sv->work->nwork; p++) sv->done += sv->isdone[sv->work->order[p]];
  js_queue_init(&sv->q, sv->work, sv->isdone);
  js_dealt d = {0, sv->ids, 0, sv->held, NULL};
  js_layout_deal(&sv->q, L, &d);
  for (int r = 1; r < L->size; r++) sv->client[r] = L->group ? js_layout_is_leader(L, r) : 1;
  sv->sharers = L->group ? L->ngroups : js_layout_computing(L);
  sv->cap = JS_BATCH_MAX_S * (L->group ? js_layout_group_workers(L) : 1);
  sv->max_units = L->group ? JS_CHUNK_MAX_UNITS : JS_BATCH_MAX_UNITS;
  sv->min_units = L->group ? js_layout_group_workers(L) : 1;
  sv->min_cost = js_layout_floor(L) * sv->min_units;
  if (L->group) JS_CALL(open_inbox(sv));
  for (int r = 1; r < L->size; r++)
    if (sv->client[r]) JS_CALL(refill(sv, r));
  js_timer_stop(JS_TM_STARTUP);
  js_timer_start(JS_TM_WORK);
  if (sv->hook && sv->hook->early) {
    js_status s = sv->hook->early(sv->hook->ctx);
    if (s != JS_OK) die(sv, s);
  }
  while (sv->done < sv->work->nwork && !stopping(sv)) {
    if (L->computes && sv->q.left_units > 0) {
      js_status s = compute_one(sv);
      if (s == JS_INTERRUPTED) break;
      if (s != JS_OK) die(sv, s);
      root_poll(sv);
      continue;
    }
    serve(sv, 0.5);
  }
  js_timer_stop(JS_TM_WORK);
  js_timer_mark(JS_AT_WORK_END);
  if (stopping(sv)) return root_stop(sv);
  for (int r = 1; r < L->size; r++)
    if (sv->client[r]) JS_CALL(end_client(sv, r));
  JS_CALL(js_par_post_flush());
  return JS_OK;
}

/// Has a leader finished: no work can come, every worker let go, every result passed up?
static int leader_done(const server *sv) {
  if (!exhausted(sv)) return 0;
  for (int r = 1; r < sv->L->size; r++)
    if (sv->client[r] && !sv->ended[r]) return 0;
  return 1;
}

/// A leader: serve the workers of its group from the chunks the root sends, pass their
/// results up, and pass a stop down.
static js_status run_leader(server *sv, const unsigned char *done) {
  const js_layout *L = sv->L;
  int first, last, *units = calloc((size_t)L->size, sizeof(int));
  JS_ALLOC_CHECK(units, "a leader's first round");
  js_layout_group(L, sv->rank, &first, &last);
  js_queue q;
  js_queue_init(&q, sv->work, done);
  js_dealt d = {sv->rank, sv->ids, 0, NULL, units};
  js_layout_deal(&q, L, &d);
  for (int r = first; r <= last; r++) sv->client[r] = 1, sv->held[r] = units[r] > 0;
  free(units);
  sv->sharers = last - first + 1, sv->cap = JS_BATCH_MAX_S, sv->max_units = JS_BATCH_MAX_UNITS;
  sv->upmax = (size_t)up_max_bytes(sv->work) / sizeof(double);
  sv->fcap = d.n + 1;
  sv->fifo = malloc(sizeof(int) * (size_t)sv->fcap);
  JS_ALLOC_CHECK(sv->fifo, "a leader's units");
  for (int i = 0; i < d.n; i++)
    sv->fifo[sv->fcount++] = d.ids[i], sv->fcost += cost_of(sv, d.ids[i]);
  sv->chunk_share = sv->fcost / sv->sharers;
  if (d.n > 0) sv->chunks[sv->nchunks++] = d.n;
  else sv->root_ended = 1; /* the root gives nothing to a leader it js_dealt nothing */
  JS_CALL(refill_all(sv));
  js_timer_stop(JS_TM_STARTUP);
  while (!leader_done(sv) && !stopping(sv)) serve(sv, 0.5);
  if (stopping(sv)) {
    if (stop_clients(sv)) js_par_abort(js_exit_code(JS_INTERRUPTED));
    JS_CALL(js_par_post_flush());
    JS_CALL(flush_up(sv, 1));
    JS_CALL(js_par_req_wait(&sv->upreq));
    JS_CALL(js_par_send_int(0, JS_TAG_BYE, 0));
    JS_FAIL(JS_INTERRUPTED, "stopped");
  }
  JS_CALL(flush_up(sv, 1));
  JS_CALL(js_par_req_wait(&sv->upreq));
  JS_CALL(js_par_post_flush());
  return JS_OK;
}

/* -------------------------------------------------------------------- entry ------------ */

/// Every rank gets rank 0's done flags (the implied first round depends on them).
static js_status share_done(const js_work *work, const js_master_hooks *hook,
                            unsigned char **done) {
  *done = hook ? (unsigned char *)hook->done : malloc((size_t)work->nunits + 1);
  JS_ALLOC_CHECK(*done, "done flags");
  JS_CALL(js_par_bcast_bytes(*done, (size_t)work->nunits));
  return JS_OK;
}

/// A worker: deal the first round up to its own batch, then compute.
static js_status run_worker(const js_work *work, const js_layout *L,
                            const unsigned char *done, double *cand) {
  int *ids = malloc(sizeof(int) * JS_BATCH_MAX_UNITS);
  if (!ids) js_worker_fail(js_layout_server(L, js_par_rank()), JS_ERR_SYS);
  js_queue q;
  js_queue_init(&q, work, done);
  js_dealt d = {js_par_rank(), ids, 0, NULL, NULL};
  js_layout_deal(&q, L, &d);
  js_timer_stop(JS_TM_STARTUP);
  js_status s = js_worker_run(work, js_layout_server(L, js_par_rank()), ids, d.n, cand);
  free(ids);
  return s;
}

/// Rank 0 or a leader: set up a server and run it.
static js_status run_server(const js_work *work, const js_layout *L, js_progress *prog,
                            const js_master_hooks *hook,
                            const unsigned char *done) {
  server sv;
  memset(&sv, 0, sizeof sv);
  js_status s = server_alloc(&sv, work, L);
  sv.leader = js_par_rank() != 0;
  sv.isdone = done, sv.prog = prog, sv.hook = hook, sv.stop = hook ? hook->stop : NULL;
  sv.next_commit = js_par_time() + (hook ? hook->every : 0);
  JS_TRY(s, sv.leader ? run_leader(&sv, done) : run_root(&sv));
  if (s != JS_OK && s != JS_INTERRUPTED) die(&sv, s); /* never returns: no rank may wait */
  js_status c = js_par_inbox_close(&sv.inbox);
  if (c != JS_OK) die(&sv, c);
  server_free(&sv);
  return s;
}

js_status js_schedule_run(const js_work *work, const js_layout_knobs *knobs, js_progress *prog,
                          const js_master_hooks *hook, js_run_stats *stats) {
  int rank = js_par_rank();
  js_layout L = js_layout_of(js_par_size(), knobs);
  double t0 = js_par_time(), cand = 0;
  unsigned char *done = NULL;
  JS_CALL(share_done(work, rank == 0 ? hook : NULL, &done));
  js_status s;
  if (rank == 0 || js_layout_is_leader(&L, rank)) {
    s = run_server(work, &L, prog, rank == 0 ? hook : NULL, done);
    cand = prog ? prog->candidates : 0;
  } else {
    s = run_worker(work, &L, done, &cand);
  }
  if (rank != 0) free(done);
  js_status g = js_timers_gather();
  js_timer_mark(JS_AT_GATHERED);
  JS_CALL(s);
  JS_CALL(g);
  stats->wall = js_par_time() - t0;
  stats->ranks = L.size;
  stats->candidates = cand;
  return JS_OK;
}
