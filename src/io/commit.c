/// \file commit.c
/// Background checkpoint commits from a snapshot of the done flags (see commit.h).
#include "io/commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "core/fault.h"

#include <pthread.h>

struct js_committer {
  const js_config *cfg;
  const js_grid *grid;
  const js_results *res;
  const char *study_text;
  unsigned char *snapshot; ///< done flags when the commit started
  int running;             ///< a commit was started and not yet collected
  int threaded;            ///< it runs on its own thread
  volatile int finished;   ///< set by the writer when it is done
  js_status status;        ///< the writer's outcome
  char message[4096];      ///< and its message with traceback
  pthread_t thread;
};

js_status js_commit_create(const js_config *cfg, const js_grid *grid, const js_results *res,
                           const char *study_text, js_committer **c) {
  *c = calloc(1, sizeof **c);
  JS_ALLOC_CHECK(*c, "checkpoint committer");
  (*c)->snapshot = malloc((size_t)grid->nunits + 1);
  if (!(*c)->snapshot) free(*c), *c = NULL;
  JS_ALLOC_CHECK(*c, "checkpoint snapshot");
  (*c)->cfg = cfg, (*c)->grid = grid, (*c)->res = res, (*c)->study_text = study_text;
  return JS_OK;
}

/// Write the checkpoint from the snapshot; record the outcome.
static void *write_snapshot(void *arg) {
  js_committer *c = arg;
  c->status = js_fault_hit(JS_FAULT_COMMIT)
                  ? JS_ERROR(JS_ERR_SYS, "writing checkpoint %s.ckpt "
                             "failed: No space left on device (injected fault)", c->cfg->out_path)
                  : js_ckpt_write(c->cfg, c->study_text, c->grid, c->res, c->snapshot);
  if (c->status != JS_OK) js_error_text(c->message, sizeof c->message);
  __atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
  return NULL;
}

js_status js_commit_start(js_committer *c, int *started) {
  *started = 0;
  if (c->running) return JS_OK;
  js_results_fence(); /* the results stored so far, before the thread reads them */
  memcpy(c->snapshot, c->res->done, (size_t)c->grid->nunits);
  c->finished = 0;
  c->running = 1;
  c->threaded = 0;
  *started = 1;
  c->threaded = pthread_create(&c->thread, NULL, write_snapshot, c) == 0;
  if (!c->threaded) write_snapshot(c); /* no thread to be had: write here */
  return JS_OK;
}

/// Collect a finished commit: join its thread and turn its outcome into a status.
static js_status collect(js_committer *c) {
  if (c->threaded) pthread_join(c->thread, NULL);
  c->running = 0;
  JS_CHECK(c->status == JS_OK, c->status, "checkpoint commit failed: %s", c->message);
  return JS_OK;
}

int js_commit_poll(js_committer *c, js_status *status) {
  *status = JS_OK;
  if (!c->running || !__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE)) return 0;
  *status = collect(c);
  return 1;
}

js_status js_commit_wait(js_committer *c) {
  if (!c->running) return JS_OK;
  return collect(c); /* joins the writer */
}

js_status js_commit_now(js_committer *c) {
  if (js_commit_wait(c) != JS_OK) /* an older commit failed: this one supersedes it */
    fprintf(stderr, "judgesim: warning: %s; committing again\n", js_error_message());
  int started;
  JS_CALL(js_commit_start(c, &started));
  JS_CALL(js_commit_wait(c));
  return JS_OK;
}

void js_commit_free(js_committer *c) {
  if (!c) return;
  if (c->running) (void)js_commit_wait(c);
  free(c->snapshot);
  free(c);
}
