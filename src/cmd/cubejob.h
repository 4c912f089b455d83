/// \file cubejob.h
/// A cube in the making, shared by run, merge and theory: the study, the command line, the
/// results as they arrive, the theory's pieces, the checkpoint commits and the output lock.
/// During a run the cube is begun and each complete (d, n) block written on a background
/// thread (io/background.h) while rank 0 serves; the schedule reaches the job through the
/// hooks of js_cube_job_hooks. The end: the final checkpoint commit in the background while
/// the results are reduced, checked (the k = 1 self-check), written and summarised.
#ifndef JS_CUBEJOB_H
#define JS_CUBEJOB_H

#include "cmd/cli.h"
#include "dist/schedule.h"
#include "io/background.h"
#include "io/commit.h"
#include "io/fileio.h"
#include "io/store.h"
#include "theory/theoryplan.h"
#include "units/grid.h"
#include "units/results.h"
#include "units/verify.h"

typedef struct {
  const js_config *cfg;
  const char *text;           ///< the study's canonical text
  int argc;
  char **argv;                ///< the command line (the cube's history)
  int mc;                     ///< with Monte Carlo results
  js_results *res;            ///< the results (NULL: theory only)
  const js_theory_plan *plan; ///< the theory's pieces
  js_committer *committer;    ///< checkpoint commits (NULL: none)
  js_lock *lock;              ///< the output's lock, released when the job is aborted
  js_verify_parts *vp;        ///< the blocks' verification parts (NULL: all at the end)
  js_cube_file *file;         ///< defined, not yet written
  js_background *bg;          ///< where the cube is begun and blocks written during the work
  js_theory th;               ///< the assembled theory, once th_ready
  int th_ready;
} js_cube_job;

/// The schedule's hooks for a job: results stored into job->res, checkpoint commits, the cube
/// begun and its blocks written on a background thread (when background), the job's clean-up
/// before an abort, and the stop request.
js_master_hooks js_cube_job_hooks(js_cube_job *job, int background, double every,
                                  volatile sig_atomic_t *stop);
/// Write the cube (begun now if it was not) with these results and theory, and put it in
/// place.
js_status js_cube_job_write(js_cube_job *job, const js_results *res, const js_theory *th);
/// On the master at the end: the final checkpoint commit in the background while the cube is
/// reduced, checked, written and summarised (st: the run's figures; NULL for a merge). A
/// shard writes only its checkpoint.
js_status js_cube_job_finish(js_cube_job *job, const js_grid *grid, const js_run_stats *st,
                             const js_args *args);
/// Wait for the background work, remove an unfinished cube and free what the job holds
/// (not the lock, the committer or the results: the caller's).
void js_cube_job_free(js_cube_job *job);

#endif
