/// \file parallel.c
/// MPI wrappers (the only file that includes mpi.h). A waiting rank polls without pause
/// when every rank of its node has a core of its own, and with short sleeps when the node
/// is oversubscribed, so it never spins on a core that a computing rank needs.
/// (SMPI's mpi.h defines MPI_CALL itself: our wrapper is JS_MPI.)
#include "dist/parallel.h"

#include <mpi.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int g_spin; /* waiting may poll without sleeping (a core per rank on this node) */

/// Turn an MPI return code into a status naming the call.
static js_status mpi_check(int rc, const char *call, const char *file, int line) {
  if (rc == MPI_SUCCESS) return JS_OK;
  char msg[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  return js_fail(JS_ERR_MPI, file, line, call, "%s failed: %s", call, msg);
}
#define JS_MPI(call) JS_CALL(mpi_check((call), #call, __FILE__, __LINE__))

struct js_par_req {
  MPI_Request req;
};

/// Sends posted and not yet complete (js_par_post_ints): their requests and copies.
static struct {
  MPI_Request *req;
  int **buf;
  int n, cap;
} g_out;

/// Open MPI on one node (mpirun says so before MPI_Init: every rank local; or a process
/// started without any launcher), with no messaging layer chosen by the user: ask for ob1
/// (shared memory). By default Open MPI also opens its cm layer, whose network probes (the
/// OFI, PSM and PSM2 MTLs) cost 0.2 s of every start and finish (MPI_Init and MPI_Finalize
/// alone: 2 ranks 0.40 -> 0.20 s, one process without mpirun 0.42 -> 0.21 s, measured).
/// Across nodes, under srun, with MPICH (which reads no OMPI_ variable) or when
/// OMPI_MCA_pml is set, nothing changes. A process started without any launcher is also an
/// isolated singleton (unless OMPI_MCA_ess_singleton_isolated says otherwise): Open MPI then
/// starts no orted beside it (judgesim spawns no processes), 0.1 s of every such start
/// (a tiny study 0.17 -> 0.06 s, measured).
static void single_node_defaults(void) {
  const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  int alone = !size && !getenv("PMIX_RANK") && !getenv("PMI_RANK") && !getenv("SLURM_PROCID");
  if (((local && size && atoi(local) == atoi(size)) || alone) && !getenv("OMPI_MCA_pml"))
    setenv("OMPI_MCA_pml", "ob1", 0);
  if (alone) setenv("OMPI_MCA_ess_singleton_isolated", "1", 0);
}

/// Ranks on this rank's node (set by js_par_init; 1 before).
static int g_local = 1;

int js_par_node_size(void) { return g_local; }

js_status js_par_init(int *argc, char ***argv) {
  int provided, local = 0;
  single_node_defaults();
  JS_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  JS_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  MPI_Comm node;
  JS_MPI(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node));
  JS_MPI(MPI_Comm_size(node, &local));
  JS_MPI(MPI_Comm_free(&node));
  g_local = local;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  g_spin = cores > 0 && local <= cores;
  return JS_OK;
}

void js_par_finalize(void) { MPI_Finalize(); }

int js_par_rank(void) {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int js_par_size(void) {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

js_status js_par_bcast_int(int *value) {
  JS_MPI(MPI_Bcast(value, 1, MPI_INT, 0, MPI_COMM_WORLD));
  return JS_OK;
}

void js_par_library(char *out, size_t size) {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  if (MPI_Get_library_version(text, &len) != MPI_SUCCESS) len = snprintf(text, 8, "unknown");
  text[len < MPI_MAX_LIBRARY_VERSION_STRING ? len : MPI_MAX_LIBRARY_VERSION_STRING - 1] = 0;
  char *nl = strchr(text, '\n');
  if (nl) *nl = 0;
  snprintf(out, size, "%s", text);
}

js_status js_par_bcast_bytes(void *buf, size_t count) {
  for (size_t at = 0; at < count;) { /* in pieces below INT_MAX */
    int n = count - at > (1u << 30) ? 1 << 30 : (int)(count - at);
    JS_MPI(MPI_Bcast((char *)buf + at, n, MPI_BYTE, 0, MPI_COMM_WORLD));
    at += (size_t)n;
  }
  return JS_OK;
}

js_status js_par_bcast_text(char **text) {
  int len = js_par_rank() == 0 ? (int)strlen(*text) + 1 : 0;
  JS_MPI(MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD));
  if (js_par_rank() != 0) {
    *text = malloc((size_t)len);
    JS_ALLOC_CHECK(*text, "broadcast text");
  }
  JS_MPI(MPI_Bcast(*text, len, MPI_CHAR, 0, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_reduce_doubles(const double *in, double *out, int count, int op) {
  JS_MPI(MPI_Reduce(in, out, count, MPI_DOUBLE, op ? MPI_MAX : MPI_SUM, 0, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_send_int(int dest, int tag, int value) {
  JS_MPI(MPI_Send(&value, 1, MPI_INT, dest, tag, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_isend_doubles(int dest, int tag, const double *buf, int count,
                               js_par_req **req) {
  *req = malloc(sizeof **req);
  JS_ALLOC_CHECK(*req, "send request");
  int rc = MPI_Isend(buf, count, MPI_DOUBLE, dest, tag, MPI_COMM_WORLD, &(*req)->req);
  if (rc != MPI_SUCCESS) free(*req), *req = NULL;
  JS_MPI(rc);
  return JS_OK;
}

js_status js_par_req_wait(js_par_req **req) {
  if (!*req) return JS_OK;
  int rc = MPI_Wait(&(*req)->req, MPI_STATUS_IGNORE);
  free(*req);
  *req = NULL;
  JS_MPI(rc);
  return JS_OK;
}

/// Test the oldest `tests` posted sends (all of them: INT_MAX) and free the copies of those
/// complete, keeping the others in posting order.
static js_status outbox_progress(int tests) {
  int kept = 0;
  for (int i = 0; i < g_out.n; i++) {
    int done = 0;
    if (i < tests) JS_MPI(MPI_Test(&g_out.req[i], &done, MPI_STATUS_IGNORE));
    if (done) {
      free(g_out.buf[i]);
    } else {
      g_out.req[kept] = g_out.req[i], g_out.buf[kept] = g_out.buf[i];
      kept++;
    }
  }
  g_out.n = kept;
  return JS_OK;
}

js_status js_par_post_ints(int dest, int tag, const int *buf, int count) {
  /* Two tests per post keep up with one post per post, at a bounded cost per message (a
     test costs 1 us on a fabric; testing every send in flight cost a server O(clients)). */
  JS_CALL(outbox_progress(2));
  if (g_out.n == g_out.cap) JS_CALL(outbox_progress(INT_MAX)); /* full: sweep it whole */
  if (g_out.n == g_out.cap) {
    int cap = 2 * g_out.cap + 16;
    MPI_Request *r = realloc(g_out.req, sizeof *r * (size_t)cap);
    if (r) g_out.req = r;
    int **b = r ? realloc(g_out.buf, sizeof *b * (size_t)cap) : NULL;
    if (b) g_out.buf = b, g_out.cap = cap;
    JS_ALLOC_CHECK(b, "posted sends");
  }
  int *copy = malloc(sizeof(int) * (size_t)(count + 1));
  JS_ALLOC_CHECK(copy, "posted send");
  memcpy(copy, buf, sizeof(int) * (size_t)count);
  int rc = MPI_Isend(copy, count, MPI_INT, dest, tag, MPI_COMM_WORLD, &g_out.req[g_out.n]);
  if (rc != MPI_SUCCESS) free(copy);
  JS_MPI(rc);
  g_out.buf[g_out.n++] = copy;
  return JS_OK;
}

js_status js_par_post_flush(void) {
  while (g_out.n > 0) {
    JS_CALL(outbox_progress(INT_MAX));
    if (g_out.n > 0) js_par_sleep(g_spin ? 0 : 1e-5);
  }
  return JS_OK;
}

js_status js_par_send_text(int dest, const char *text) {
  JS_MPI(MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, dest, JS_TAG_FAIL, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_poll(int *found, int *src, int *tag, int *bytes) {
  MPI_Status st;
  JS_MPI(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, found, &st));
  if (*found) {
    *src = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    JS_MPI(MPI_Get_count(&st, MPI_BYTE, bytes));
  }
  return JS_OK;
}

js_status js_par_probe_tag(int src, int tag, int *found) {
  JS_MPI(MPI_Iprobe(src, tag, MPI_COMM_WORLD, found, MPI_STATUS_IGNORE));
  return JS_OK;
}

js_status js_par_wait(int *src, int *tag, int *bytes) {
  int found = 0;
  while (!found) JS_CALL(js_par_wait_until(&found, src, tag, bytes, 3600, NULL));
  return JS_OK;
}

/// Sleep between polls on an oversubscribed node: 10 us the first time, growing to 100 us.
static void nap(struct timespec *t) {
  nanosleep(t, NULL);
  t->tv_nsec = t->tv_nsec * 2 > 100000 ? 100000 : t->tv_nsec * 2;
}

/// One look for a message: sets *found and, if so, what it is.
typedef js_status (*poll_fn)(void *ctx, int *found, int *src, int *tag, int *bytes);

/// Poll until a message is found, `timeout` seconds pass or *flag is set (flag may be NULL):
/// without pause
/// when the node has a core per rank (reading the clock now and then only), else napping.
static js_status poll_until(poll_fn poll, void *ctx, int *found, int *src, int *tag,
                            int *bytes, double timeout, volatile sig_atomic_t *flag) {
  struct timespec gap = {0, 10000};
  double end = -1;
  *found = 0;
  for (long polls = 0; !(flag && *flag); polls++) {
    JS_CALL(poll(ctx, found, src, tag, bytes));
    if (*found || timeout <= 0) return JS_OK; /* (no time: one look) */
    if (g_spin && polls % 64 != 63) continue; /* the clock now and then only */
    if (end < 0) end = MPI_Wtime() + timeout; /* and only once nothing is waiting */
    else if (MPI_Wtime() >= end) return JS_OK;
    if (!g_spin) nap(&gap);
  }
  return JS_OK;
}

/// poll_until's probe for any message.
static js_status probe_any(void *ctx, int *found, int *src, int *tag, int *bytes) {
  (void)ctx;
  return js_par_poll(found, src, tag, bytes);
}

js_status js_par_wait_until(int *found, int *src, int *tag, int *bytes, double timeout,
                            volatile sig_atomic_t *flag) {
  return poll_until(probe_any, NULL, found, src, tag, bytes, timeout, flag);
}

struct js_par_inbox {
  int n, cap;          /* sources, bytes per message at most */
  int *ranks;          /* the sources */
  MPI_Request *req;    /* one posted receive per source (MPI_REQUEST_NULL once taken) */
  char *buf;           /* n x cap bytes */
  int taken;           /* the slot of the message handed out, or -1 */
  int *ready, nready, next; /* slots found complete by the last MPI_Testsome, not handed out */
  MPI_Status *st;      /* and their statuses */
};

/// Free a box's arrays.
static void inbox_free(js_par_inbox *b) {
  free(b->ranks), free(b->req), free(b->buf), free(b->ready), free(b->st), free(b);
}

/// Post slot i's receive.
static js_status inbox_post(js_par_inbox *b, int i) {
  JS_MPI(MPI_Irecv(b->buf + (size_t)i * (size_t)b->cap, b->cap, MPI_BYTE, b->ranks[i],
                   MPI_ANY_TAG, MPI_COMM_WORLD, &b->req[i]));
  return JS_OK;
}

js_status js_par_inbox_open(js_par_inbox **box, const int *ranks, int n, int cap) {
  js_par_inbox *b = calloc(1, sizeof *b);
  JS_ALLOC_CHECK(b, "receive buffers");
  b->n = n, b->cap = cap, b->taken = -1;
  b->ranks = malloc(sizeof(int) * (size_t)(n + 1));
  b->req = malloc(sizeof(MPI_Request) * (size_t)(n + 1));
  b->buf = malloc((size_t)n * (size_t)cap + 1);
  b->ready = malloc(sizeof(int) * (size_t)(n + 1));
  b->st = malloc(sizeof(MPI_Status) * (size_t)(n + 1));
  if (!b->ranks || !b->req || !b->buf || !b->ready || !b->st) {
    inbox_free(b);
    JS_FAIL(JS_ERR_SYS, "out of memory for %d receive buffers of %d bytes", n, cap);
  }
  *box = b;
  for (int i = 0; i < n; i++) b->req[i] = MPI_REQUEST_NULL;
  for (int i = 0; i < n; i++) {
    b->ranks[i] = ranks[i];
    JS_CALL(inbox_post(b, i));
  }
  return JS_OK;
}

/// poll_until's test of the box's receives: hands out the messages one MPI_Testsome found
/// before testing again, so every source is served in turn (MPI_Testany returns the lowest
/// index: at 4,096 simulated ranks a busy rank 0 then left the last leaders without work
/// from 44 ms on while the first got theirs until 93 ms).
static js_status inbox_test(void *ctx, int *found, int *src, int *tag, int *bytes) {
  js_par_inbox *b = ctx;
  *found = 0;
  if (b->next == b->nready) {
    int out = 0;
    JS_MPI(MPI_Testsome(b->n, b->req, &out, b->ready, b->st));
    b->nready = out == MPI_UNDEFINED ? 0 : out, b->next = 0; /* (undefined: none posted) */
    if (b->nready == 0) return JS_OK;
  }
  const MPI_Status *st = &b->st[b->next];
  int i = b->ready[b->next++];
  JS_MPI(MPI_Get_count(st, MPI_BYTE, bytes));
  b->taken = i, *found = 1;
  *src = b->ranks[i], *tag = st->MPI_TAG;
  return JS_OK;
}

js_status js_par_inbox_wait(js_par_inbox *box, int *found, int *src, int *tag, int *bytes,
                            const void **data, double timeout, volatile sig_atomic_t *flag) {
  JS_CHECK(box->taken < 0, JS_ERR_MPI, "a received message was not given back");
  JS_CALL(poll_until(inbox_test, box, found, src, tag, bytes, timeout, flag));
  *data = *found ? box->buf + (size_t)box->taken * (size_t)box->cap : NULL;
  return JS_OK;
}

js_status js_par_inbox_repost(js_par_inbox *box) {
  if (box->taken < 0) return JS_OK;
  int i = box->taken;
  box->taken = -1;
  return inbox_post(box, i);
}

js_status js_par_inbox_close(js_par_inbox **box) {
  js_par_inbox *b = *box;
  if (!b) return JS_OK;
  *box = NULL;
  int rc = MPI_SUCCESS;
  for (int i = 0; i < b->n; i++) {
    if (b->req[i] == MPI_REQUEST_NULL) continue;
    int c = MPI_Cancel(&b->req[i]); /* a message that came meanwhile is dropped */
    if (c == MPI_SUCCESS) c = MPI_Wait(&b->req[i], MPI_STATUS_IGNORE);
    if (rc == MPI_SUCCESS) rc = c;
  }
  inbox_free(b);
  JS_MPI(rc);
  return JS_OK;
}

js_status js_par_recv_next(int src, void *buf, int cap, int *tag, int *bytes) {
  MPI_Request req;
  MPI_Status st;
  JS_MPI(MPI_Irecv(buf, cap, MPI_BYTE, src, MPI_ANY_TAG, MPI_COMM_WORLD, &req));
  if (g_spin) {
    JS_MPI(MPI_Wait(&req, &st));
  } else {
    struct timespec gap = {0, 10000};
    for (int done = 0;;) {
      JS_MPI(MPI_Test(&req, &done, &st));
      if (done) break;
      nap(&gap);
    }
  }
  *tag = st.MPI_TAG;
  JS_MPI(MPI_Get_count(&st, MPI_BYTE, bytes));
  return JS_OK;
}

js_status js_par_recv(int src, int tag, void *buf, int bytes) {
  JS_MPI(MPI_Recv(buf, bytes, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  return JS_OK;
}

double js_par_time(void) { return MPI_Wtime(); }

void js_par_sleep(double seconds) {
  struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&t, NULL);
}

void js_par_abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  exit(code); /* MPI_Abort should not return */
}
