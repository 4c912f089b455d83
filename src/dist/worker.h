/// \file worker.h
/// A worker rank: it computes the batches of units its server (rank 0, or its group's
/// leader) sends, starting from its implied first batch, and sends each batch's results back
/// in one message without waiting for the server to take it. It looks for STOP about every
/// 3 ms of estimated compute; a stop sends the results it has, then BYE.
/// Messages (tags in parallel.h), the same between any server and its clients:
///   WORK   server -> client  int ids[n] of one batch (n = 0: no more work)
///   STOP   server -> client  int
///   RESULT client -> server  doubles: batches completed, then for each unit its id and
///                            payload (work->payload doubles)
///   FAIL   client -> server  text "CODE RANK message and traceback" (passed up to rank 0)
///   BYE    client -> server  int, the answer to STOP after the last RESULT
#ifndef JS_WORKER_H
#define JS_WORKER_H

#include "core/error.h"
#include "dist/layout.h"
#include "dist/work.h"

/// Run this rank as a worker of `server`, first computing first[0..nfirst). Returns JS_OK
/// when the server has no more work, JS_INTERRUPTED after a stop; a failure is reported to
/// the server and does not return. *count adds up the units' work->count.
js_status js_worker_run(const js_work *work, int server, const int *first, int nfirst,
                        double *count);
/// Bytes of a failure's text at most (js_worker_fail).
#define JS_FAIL_TEXT_MAX 8192
/// Report this rank's failure (status, message, traceback) to `server`, wait for rank 0 to
/// end the job, and end it from here if that does not happen within 30 s.
void js_worker_fail(int server, js_status s) __attribute__((noreturn));

#endif
