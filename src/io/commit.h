/// \file commit.h
/// Checkpoint commits that do not stall the master. A commit takes a snapshot of which
/// units are done (one byte per unit) and writes the checkpoint from it on a background
/// thread while the master keeps serving workers: a finished unit's results never change,
/// so nothing else needs copying. The write itself is crash-consistent (checkpoint.h).
/// (Under SimGrid's SMPI the writer thread runs outside the simulation, as it would on a
/// node of its own: the master's simulated time counts only its waits for it.)
#ifndef JS_COMMIT_H
#define JS_COMMIT_H

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "units/results.h"

typedef struct js_committer js_committer;

/// A committer for one study's checkpoint (cfg->out_path); the arguments must outlive it.
js_status js_commit_create(const js_config *cfg, const js_grid *grid, const js_results *res,
                           const char *study_text, js_committer **c);
/// Start a commit of what is done now, unless one is still being written (*started says).
js_status js_commit_start(js_committer *c, int *started);
/// Has the commit in flight finished? If so, *status is its outcome (a failure carries
/// the writer's message) and a new commit may start. Never blocks.
int js_commit_poll(js_committer *c, js_status *status);
/// Wait for the commit in flight (if any) and return its outcome.
js_status js_commit_wait(js_committer *c);
/// Commit what is done now and wait for it (after any commit in flight).
js_status js_commit_now(js_committer *c);
/// Wait for any commit in flight, then free the committer (NULL is fine).
void js_commit_free(js_committer *c);

#endif
