/// \file parallel.c
/// MPI wrappers (the only file that includes mpi.h). Waiting polls with short sleeps so an
/// idle rank never spins on a core that a computing rank needs.
/// (SMPI's mpi.h defines MPI_CALL itself: our wrapper is JS_MPI.)
#include "parallel.h"

#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

js_status js_par_init(int *argc, char ***argv) {
  int provided;
  JS_MPI(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  JS_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
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

js_status js_par_send_doubles(int dest, int tag, const double *buf, int count) {
  JS_MPI(MPI_Send(buf, count, MPI_DOUBLE, dest, tag, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_send_ints(int dest, int tag, const int *buf, int count) {
  JS_MPI(MPI_Send(buf, count, MPI_INT, dest, tag, MPI_COMM_WORLD));
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
  static volatile int never;
  int found = 0;
  while (!found) JS_CALL(js_par_wait_until(&found, src, tag, bytes, 3600, &never));
  return JS_OK;
}

js_status js_par_wait_until(int *found, int *src, int *tag, int *bytes, double timeout,
                            volatile int *flag) {
  struct timespec nap = {0, 10000}; /* 10 us, growing to 200 us */
  double end = -1;
  *found = 0;
  while (!*flag) {
    JS_CALL(js_par_poll(found, src, tag, bytes));
    if (*found) return JS_OK;
    if (end < 0) end = MPI_Wtime() + timeout; /* the clock only once nothing is waiting */
    else if (MPI_Wtime() >= end) return JS_OK;
    nanosleep(&nap, NULL);
    if (nap.tv_nsec < 200000) nap.tv_nsec = nap.tv_nsec * 2 > 200000 ? 200000 : nap.tv_nsec * 2;
  }
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
