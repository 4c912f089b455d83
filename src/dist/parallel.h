/// \file parallel.h
/// The only interface to MPI. Rank 0 is the master. All calls check MPI's return codes.
/// "Collective" means every rank must call it. Only the main thread calls MPI
/// (MPI_THREAD_FUNNELED: the master's checkpoint writer thread never does).
#ifndef JS_PARALLEL_H
#define JS_PARALLEL_H

#include <signal.h>
#include <stddef.h>

#include "core/error.h"

enum { JS_TAG_WORK = 1, JS_TAG_RESULT = 2, JS_TAG_FAIL = 3, JS_TAG_STOP = 4, JS_TAG_BYE = 5 };

/// A send in flight (js_par_isend_doubles); its buffer must stay untouched until it is done.
typedef struct js_par_req js_par_req;

/// Initialise MPI (collective; works without mpirun as a single rank).
js_status js_par_init(int *argc, char ***argv);
/// The MPI library's version text, its first line, into out (callable before MPI starts).
void js_par_library(char *out, size_t size);
/// Finalise MPI (collective).
void js_par_finalize(void);
/// This rank and the number of ranks.
int js_par_rank(void);
int js_par_size(void);
/// Broadcast a status from rank 0 (collective); a failing rank 0 stops every rank.
js_status js_par_bcast_int(int *value);
/// Broadcast count bytes from rank 0 (collective).
js_status js_par_bcast_bytes(void *buf, size_t count);
/// Broadcast a malloc'd string from rank 0 (collective); other ranks receive a new copy.
js_status js_par_bcast_text(char **text);
/// Sum (op 0) or maximum (op 1) of count doubles over all ranks into out on rank 0
/// (collective).
js_status js_par_reduce_doubles(const double *in, double *out, int count, int op);
/// Send an int to a rank with a tag.
js_status js_par_send_int(int dest, int tag, int value);
/// Send ints to a rank without waiting for it: the data is copied and sent in the
/// background (a server must never wait for a busy client to take a message).
js_status js_par_post_ints(int dest, int tag, const int *buf, int count);
/// Wait until every posted send is complete.
js_status js_par_post_flush(void);
/// Start sending doubles to a rank; *req completes it (js_par_req_wait).
js_status js_par_isend_doubles(int dest, int tag, const double *buf, int count,
                               js_par_req **req);
/// Wait until a send started by js_par_isend_doubles is done and free it (NULL is fine).
js_status js_par_req_wait(js_par_req **req);
/// Send a text (tag JS_TAG_FAIL) to a rank.
js_status js_par_send_text(int dest, const char *text);
/// Is a message waiting? Sets *src, *tag and its length in bytes. Never blocks.
js_status js_par_poll(int *found, int *src, int *tag, int *bytes);
/// Is a message with this tag from src waiting? Never blocks.
js_status js_par_probe_tag(int src, int tag, int *found);
/// Ranks on this rank's node (shared memory), as js_par_init found them.
int js_par_node_size(void);
/// Wait for a message: polling without pause when every rank of this node has a core of its
/// own, otherwise napping 10 us growing to 100 us between polls.
js_status js_par_wait(int *src, int *tag, int *bytes);
/// Like js_par_wait, but give up after `timeout` seconds (*found 0) or when *flag is set
/// (flag may be NULL).
js_status js_par_wait_until(int *found, int *src, int *tag, int *bytes, double timeout,
                            volatile sig_atomic_t *flag);
/// Receives posted ahead, one per source rank (a server's clients), any tag, at most cap
/// bytes each: a message lands in its buffer as it arrives, without waiting for the server
/// to probe and receive it (a server then never waits for a transfer).
typedef struct js_par_inbox js_par_inbox;
/// Post a receive from each of the n ranks.
js_status js_par_inbox_open(js_par_inbox **box, const int *ranks, int n, int cap);
/// Wait for a message in the box, as js_par_wait_until does: its source, tag, length and
/// bytes (*data, valid until js_par_inbox_repost, which must come before the next wait).
js_status js_par_inbox_wait(js_par_inbox *box, int *found, int *src, int *tag, int *bytes,
                            const void **data, double timeout, volatile sig_atomic_t *flag);
/// Post the receive of the message just handed out again.
js_status js_par_inbox_repost(js_par_inbox *box);
/// Cancel the receives still posted and free the box (NULL is fine).
js_status js_par_inbox_close(js_par_inbox **box);
/// Receive the next message from src, any tag, into buf (at most cap bytes): a pre-posted
/// receive, so a waiting rank costs nothing until it comes (and SMPI simulates no polls).
/// Sets its tag and length in bytes. Napping as js_par_wait does on an oversubscribed node.
js_status js_par_recv_next(int src, void *buf, int cap, int *tag, int *bytes);
/// Receive a message found by poll/wait into buf (bytes long).
js_status js_par_recv(int src, int tag, void *buf, int bytes);
/// Wall-clock seconds (simulated seconds under SimGrid's SMPI).
double js_par_time(void);
/// Sleep (simulated time under SMPI).
void js_par_sleep(double seconds);
/// Stop every rank with an exit code (after a failure that cannot be shared cleanly).
void js_par_abort(int code) __attribute__((noreturn));

#endif
