/// \file parallel.c
/// MPI wrappers (the only file that includes mpi.h). Waiting polls with short sleeps so an
/// idle rank never spins on a core that a computing rank needs.
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
#define MPI_CALL(call) JS_CALL(mpi_check((call), #call, __FILE__, __LINE__))

js_status js_par_init(int *argc, char ***argv) {
  int provided;
  MPI_CALL(MPI_Init_thread(argc, argv, MPI_THREAD_SINGLE, &provided));
  MPI_CALL(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
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
  MPI_CALL(MPI_Bcast(value, 1, MPI_INT, 0, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_bcast_text(char **text) {
  int len = js_par_rank() == 0 ? (int)strlen(*text) + 1 : 0;
  MPI_CALL(MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD));
  if (js_par_rank() != 0) {
    *text = malloc((size_t)len);
    JS_ALLOC_CHECK(*text, "broadcast text");
  }
  MPI_CALL(MPI_Bcast(*text, len, MPI_CHAR, 0, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_send_int(int dest, int tag, int value) {
  MPI_CALL(MPI_Send(&value, 1, MPI_INT, dest, tag, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_send_doubles(int dest, int tag, const double *buf, int count) {
  MPI_CALL(MPI_Send(buf, count, MPI_DOUBLE, dest, tag, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_send_text(int dest, const char *text) {
  MPI_CALL(MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, dest, JS_TAG_FAIL, MPI_COMM_WORLD));
  return JS_OK;
}

js_status js_par_poll(int *found, int *src, int *tag, int *bytes) {
  MPI_Status st;
  MPI_CALL(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, found, &st));
  if (*found) {
    *src = st.MPI_SOURCE;
    *tag = st.MPI_TAG;
    MPI_CALL(MPI_Get_count(&st, MPI_BYTE, bytes));
  }
  return JS_OK;
}

js_status js_par_probe_tag(int src, int tag, int *found) {
  MPI_CALL(MPI_Iprobe(src, tag, MPI_COMM_WORLD, found, MPI_STATUS_IGNORE));
  return JS_OK;
}

js_status js_par_wait(int *src, int *tag, int *bytes) {
  static volatile int never;
  return js_par_wait_or_flag(src, tag, bytes, &never);
}

js_status js_par_wait_or_flag(int *src, int *tag, int *bytes, volatile int *flag) {
  struct timespec nap = {0, 50000}; /* 50 us, growing to ~3 ms */
  while (!*flag) {
    int found = 0;
    JS_CALL(js_par_poll(&found, src, tag, bytes));
    if (found) return JS_OK;
    nanosleep(&nap, NULL);
    if (nap.tv_nsec < 2000000) nap.tv_nsec *= 2;
  }
  return JS_OK;
}

js_status js_par_recv(int src, int tag, void *buf, int bytes) {
  MPI_CALL(MPI_Recv(buf, bytes, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  return JS_OK;
}

double js_par_time(void) { return MPI_Wtime(); }

void js_par_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
