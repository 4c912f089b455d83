/// \file background.c
/// The master's background task thread (see background.h): a FIFO of tasks under a mutex.
#include "io/background.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef clock_gettime /* SMPI's wrapper reads simulated time: not for a thread outside it */
#undef clock_gettime
#endif

/// Real seconds on a monotonic clock.
static double real_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
  js_task_fn fn;
  void *ctx;
  int arg;
} task;

struct js_background {
  pthread_mutex_t lock;
  pthread_cond_t wake, idle; ///< tasks posted or quitting; the queue ran empty
  task *q;
  int head, count, cap;
  int busy;                  ///< a task is running
  int quit, threaded;
  js_status status;          ///< the first failure
  char message[4096];        ///< its message with traceback
  double seconds;            ///< time in tasks
  pthread_t thread;
};

/// Run one task (without the lock) and keep its outcome (the first failure only).
static void run_task(js_background *bg, task t) {
  double t0 = real_now();
  js_status s = t.fn(t.ctx, t.arg);
  char text[sizeof bg->message];
  if (s != JS_OK) js_error_text(text, sizeof text);
  pthread_mutex_lock(&bg->lock);
  bg->seconds += real_now() - t0;
  if (s != JS_OK && bg->status == JS_OK) {
    bg->status = s;
    memcpy(bg->message, text, sizeof text);
  }
  pthread_mutex_unlock(&bg->lock);
}

/// The thread: take tasks in order until told to quit with none left.
static void *loop(void *arg) {
  js_background *bg = arg;
  pthread_mutex_lock(&bg->lock);
  for (;;) {
    while (bg->count == 0 && !bg->quit) pthread_cond_wait(&bg->wake, &bg->lock);
    if (bg->count == 0) break;
    task t = bg->q[bg->head];
    bg->head = (bg->head + 1) % bg->cap, bg->count--, bg->busy = 1;
    int skip = bg->status != JS_OK;
    pthread_mutex_unlock(&bg->lock);
    if (!skip) run_task(bg, t);
    pthread_mutex_lock(&bg->lock);
    bg->busy = 0;
    if (bg->count == 0) pthread_cond_broadcast(&bg->idle);
  }
  pthread_mutex_unlock(&bg->lock);
  return NULL;
}

js_status js_background_create(js_background **bg) {
  js_background *b = calloc(1, sizeof *b);
  JS_ALLOC_CHECK(b, "background tasks");
  b->cap = 16;
  b->q = malloc(sizeof(task) * (size_t)b->cap);
  if (!b->q) free(b), b = NULL;
  JS_ALLOC_CHECK(b, "background task queue");
  pthread_mutex_init(&b->lock, NULL);
  pthread_cond_init(&b->wake, NULL);
  pthread_cond_init(&b->idle, NULL);
  b->threaded = pthread_create(&b->thread, NULL, loop, b) == 0;
  *bg = b;
  return JS_OK;
}

/// The first failure as a status carrying its message (call with the lock held).
static js_status failure(const js_background *bg) {
  if (bg->status == JS_OK) return JS_OK;
  return JS_ERROR(bg->status, "%s", bg->message);
}

/// Make room for one more task (call with the lock held).
static js_status grow(js_background *bg) {
  if (bg->count < bg->cap) return JS_OK;
  int cap = 2 * bg->cap;
  task *q = malloc(sizeof(task) * (size_t)cap);
  JS_ALLOC_CHECK(q, "background task queue");
  for (int i = 0; i < bg->count; i++) q[i] = bg->q[(bg->head + i) % bg->cap];
  free(bg->q);
  bg->q = q, bg->cap = cap, bg->head = 0;
  return JS_OK;
}

js_status js_background_post(js_background *bg, js_task_fn fn, void *ctx, int arg) {
  if (!bg->threaded) { /* no thread: run it here */
    if (js_background_status(bg) == JS_OK) run_task(bg, (task){fn, ctx, arg});
    return js_background_status(bg);
  }
  pthread_mutex_lock(&bg->lock);
  js_status s = failure(bg);
  JS_TRY(s, grow(bg));
  if (s == JS_OK) {
    bg->q[(bg->head + bg->count++) % bg->cap] = (task){fn, ctx, arg};
    pthread_cond_signal(&bg->wake);
  }
  pthread_mutex_unlock(&bg->lock);
  return s;
}

js_status js_background_status(js_background *bg) {
  pthread_mutex_lock(&bg->lock);
  js_status s = failure(bg);
  pthread_mutex_unlock(&bg->lock);
  return s;
}

js_status js_background_drain(js_background *bg) {
  pthread_mutex_lock(&bg->lock);
  while (bg->threaded && (bg->count > 0 || bg->busy)) pthread_cond_wait(&bg->idle, &bg->lock);
  js_status s = failure(bg);
  pthread_mutex_unlock(&bg->lock);
  return s;
}

double js_background_seconds(const js_background *bg) { return bg->seconds; }

void js_background_free(js_background *bg) {
  if (!bg) return;
  if (bg->threaded) {
    pthread_mutex_lock(&bg->lock);
    bg->quit = 1;
    pthread_cond_signal(&bg->wake);
    pthread_mutex_unlock(&bg->lock);
    pthread_join(bg->thread, NULL);
  }
  pthread_mutex_destroy(&bg->lock);
  pthread_cond_destroy(&bg->wake);
  pthread_cond_destroy(&bg->idle);
  free(bg->q);
  free(bg);
}
