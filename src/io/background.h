/// \file background.h
/// One background thread that runs the master's slow file work (defining the cube, writing
/// finished (d, n) blocks) in the order it was posted, so the service loop keeps answering
/// workers meanwhile. The tasks must not call MPI (MPI_THREAD_FUNNELED) and must touch only
/// data the main thread no longer changes (a finished block's results never change). The
/// first failure is kept; later tasks are skipped. Without a thread, tasks run at once.
/// (Under SimGrid's SMPI the thread runs outside the simulation, as it would on a core of
/// its own: the master's simulated time counts only its waits for it.)
#ifndef JS_BACKGROUND_H
#define JS_BACKGROUND_H

#include "core/error.h"

typedef struct js_background js_background;

/// A task: fn(ctx, arg).
typedef js_status (*js_task_fn)(void *ctx, int arg);

/// Start the background thread (or, if none can be had, run tasks at once when posted).
js_status js_background_create(js_background **bg);
/// Queue fn(ctx, arg) after the tasks already posted. Returns the first failure of an
/// earlier task, if there was one (then the task is not queued).
js_status js_background_post(js_background *bg, js_task_fn fn, void *ctx, int arg);
/// The first failure so far, without waiting (JS_OK if none).
js_status js_background_status(js_background *bg);
/// Wait until every posted task has run; returns the first failure.
js_status js_background_drain(js_background *bg);
/// Seconds the tasks took (real seconds, on the background thread).
double js_background_seconds(const js_background *bg);
/// Drain, stop the thread and free (NULL is fine).
void js_background_free(js_background *bg);

#endif
