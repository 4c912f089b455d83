/// \file parallel.h
/// The only interface to MPI. Rank 0 is the master. All calls check MPI's return codes.
/// "Collective" means every rank must call it.
#ifndef JS_PARALLEL_H
#define JS_PARALLEL_H

#include <stddef.h>

#include "error.h"

enum { JS_TAG_WORK = 1, JS_TAG_RESULT = 2, JS_TAG_FAIL = 3, JS_TAG_STOP = 4, JS_TAG_BYE = 5 };

/// Initialise MPI (collective; works without mpirun as a single rank).
js_status js_par_init(int *argc, char ***argv);
/// Finalise MPI (collective).
void js_par_finalize(void);
/// This rank and the number of ranks.
int js_par_rank(void);
int js_par_size(void);
/// Broadcast a status from rank 0 (collective); a failing rank 0 stops every rank.
js_status js_par_bcast_int(int *value);
/// Broadcast a malloc'd string from rank 0 (collective); other ranks receive a new copy.
js_status js_par_bcast_text(char **text);
/// Send an int to a rank with a tag.
js_status js_par_send_int(int dest, int tag, int value);
/// Send doubles to a rank with a tag.
js_status js_par_send_doubles(int dest, int tag, const double *buf, int count);
/// Send a text (tag JS_TAG_FAIL) to rank 0.
js_status js_par_send_text(int dest, const char *text);
/// Is a message waiting? Sets *src, *tag and its length in bytes. Never blocks.
js_status js_par_poll(int *found, int *src, int *tag, int *bytes);
/// Is a message with this tag from src waiting? Never blocks.
js_status js_par_probe_tag(int src, int tag, int *found);
/// Wait for a message without spinning a core (polls with short sleeps).
js_status js_par_wait(int *src, int *tag, int *bytes);
/// Like js_par_wait, but also return (with *flag non-zero) when *flag becomes non-zero.
js_status js_par_wait_or_flag(int *src, int *tag, int *bytes, volatile int *flag);
/// Receive a message found by poll/wait into buf (bytes long).
js_status js_par_recv(int src, int tag, void *buf, int bytes);
/// Wall-clock seconds.
double js_par_time(void);
/// Stop every rank with an exit code (after a failure that cannot be shared cleanly).
void js_par_abort(int code);

#endif
