/// \file cubejob.c
/// A cube in the making (see cubejob.h).
#include "cmd/cubejob.h"

#include <stdio.h>
#include <stdlib.h>

#include "dist/timers.h"
#include "io/buildid.h"

/// Create and define the cube with its provenance (the master does it while workers compute).
static js_status cube_begin(js_cube_job *job) {
  char *history = js_cli_history(job->argc, job->argv);
  JS_ALLOC_CHECK(history, "history");
  js_cube_meta meta = {job->text, history, js_version_string(), js_build_string()};
  js_status s = js_store_begin(job->cfg, job->mc, 1, &meta, &job->file);
  free(history);
  return s;
}

/// Assemble the theory from its pieces (once; on either thread, so untimed here).
static js_status cube_theory(js_cube_job *job) {
  if (job->th_ready) return JS_OK;
  js_status s = js_theory_assemble(job->cfg, job->plan, job->res->theory, &job->th);
  job->th_ready = s == JS_OK;
  return s;
}

/// A (d, n) block is complete: reduce it and write its slices; or the last theory piece
/// arrived: assemble the theory and write it (once the cube is begun).
static js_status cube_block(void *ctx, int block) {
  js_cube_job *job = ctx;
  if (!job->file) return JS_OK;
  if (block == JS_THEORY_BLOCK(job->res)) {
    JS_CALL(cube_theory(job));
    return js_store_put_theory(job->file, &job->th);
  }
  js_results_reduce_block(job->res, block);
  if (job->vp) js_verify_block(job->cfg, job->res, block, job->vp);
  return js_store_put_block(job->file, job->res, block);
}

/// js_results_populate as a background task.
static js_status populate_task(void *ctx, int unused) {
  (void)unused;
  js_results_populate(ctx);
  return JS_OK;
}

/// cube_begin as a background task.
static js_status begin_task(void *ctx, int unused) {
  (void)unused;
  return cube_begin(ctx);
}

/// The schedule's early hook (the workers already compute): start the background thread,
/// let it touch the pages results will go into, then begin the cube.
static js_status begin_later(void *ctx) {
  js_cube_job *job = ctx;
  JS_CALL(js_background_create(&job->bg));
  JS_CALL(js_background_post(job->bg, populate_task, job->res, 0));
  return js_background_post(job->bg, begin_task, job, 0);
}

/// The schedule's block hook: reduce and write the block on the background thread (an
/// earlier task's failure comes back here).
static js_status block_later(void *ctx, int block) {
  js_cube_job *job = ctx;
  js_results_fence(); /* the block's results, before the thread reads them */
  return js_background_post(job->bg, cube_block, job, block);
}

/// Wait for the background file work; its seconds count as the master's block time.
static js_status drain(js_cube_job *job) {
  if (!job->bg) return JS_OK;
  js_status s = js_background_drain(job->bg);
  js_timer_add(JS_TM_BLOCKS, js_background_seconds(job->bg));
  js_background_free(job->bg);
  job->bg = NULL;
  return s;
}

/// The job is being aborted: remove the cube's temporary file (the checkpoint stays) and
/// release the output lock.
static void aborting(void *ctx) {
  js_cube_job *job = ctx;
  (void)drain(job); /* its failure, if any, is not the one being reported */
  js_store_abort(job->file);
  job->file = NULL;
  js_lock_release(job->lock);
  job->lock = NULL;
}

/// Store one unit's result (the schedule's put); returns the (d, n) block it completed or -1.
static int put(void *ctx, int id, const double *payload) {
  return js_results_put(((js_cube_job *)ctx)->res, id, payload);
}

/// Store a run of consecutive units' results (the schedule's put_run).
static int put_run(void *ctx, int id0, int n, const double *records, int *block) {
  return js_results_put_run(((js_cube_job *)ctx)->res, id0, n, records, block);
}

/// The schedule's commit hooks: the job's committer.
static js_status commit_start(void *ctx, int *started) {
  return js_commit_start(((js_cube_job *)ctx)->committer, started);
}
static int commit_poll(void *ctx, js_status *status) {
  return js_commit_poll(((js_cube_job *)ctx)->committer, status);
}
static js_status commit_now(void *ctx) {
  return js_commit_now(((js_cube_job *)ctx)->committer);
}

js_master_hooks js_cube_job_hooks(js_cube_job *job, int background, double every,
                                  volatile sig_atomic_t *stop) {
  int commits = job->committer != NULL;
  return (js_master_hooks){.done = job->res->done, .put = put, .put_run = put_run,
                           .commit_start = commits ? commit_start : NULL,
                           .commit_poll = commits ? commit_poll : NULL,
                           .commit_now = commits ? commit_now : NULL, .every = every,
                           .early = background ? begin_later : NULL,
                           .block_done = background ? block_later : NULL,
                           .aborting = aborting, .stop = stop, .ctx = job};
}

js_status js_cube_job_write(js_cube_job *job, const js_results *res, const js_theory *th) {
  if (!job->file) JS_CALL(cube_begin(job));
  js_status s = js_store_finish(job->file, res, th);
  job->file = NULL;
  return s;
}

/// The summary line of a finished run or merge.
static void summary(const js_cube_job *job, const js_grid *grid, const js_run_stats *st,
                    const js_args *args) {
  if (args->quiet) return;
  if (!st) {
    fprintf(stderr, "judgesim: merged %d parts into %s\n", args->nparts, job->cfg->out_path);
    return;
  }
  fprintf(stderr, "judgesim: done in %.2f s on %d rank%s: %.3g %s/s (%.3g per rank); "
          "wrote %s\n", st->wall, st->ranks, st->ranks > 1 ? "s" : "",
          st->candidates / st->wall, js_grid_counts(grid),
          st->candidates / st->wall / st->ranks, job->cfg->out_path);
}

/// Reduce, assemble the theory, check, and write the cube into its temporary file (rank 0);
/// the check's verdict goes to *v.
static js_status epilog(js_cube_job *job, js_verification *v) {
  JS_CALL(drain(job)); /* the blocks written during the work (background thread) */
  js_timer_start(JS_TM_REDUCE);
  JS_CALL(js_results_reduce(job->res));
  js_timer_stop(JS_TM_REDUCE);
  js_timer_start(JS_TM_ASSEMBLE);
  js_status a = cube_theory(job); /* unless the background thread did as its last piece came */
  js_timer_stop(JS_TM_ASSEMBLE);
  JS_CALL(a);
  *v = js_verify(job->cfg, job->res, job->vp);
  char line[512];
  js_verify_text(v, line, sizeof line);
  js_timer_start(JS_TM_WRITE);
  js_status s = job->file ? JS_OK : cube_begin(job);
  JS_TRY(s, js_store_put_verification(job->file, line,
                                      !v->checked ? "not run" : v->pass ? "PASS" : "FAIL"));
  JS_TRY(s, js_store_close(job->file, job->res, &job->th));
  js_timer_stop(JS_TM_WRITE);
  return JS_TRACE(s);
}

/// Warn about the cells flagged as untrustworthy (delta_flag), with one example and the
/// remedy; printed even with --quiet.
static void warn_flags(const js_cube_job *job) {
  const js_config *c = job->cfg;
  const js_results *res = job->res;
  size_t cells = res->ncells * (size_t)c->nd * c->nn, n1 = 0, n2 = 0, any = 0, first = cells;
  for (size_t i = 0; i < cells; i++) {
    n1 += (res->flag[i] & JS_FLAG_ONE_TRIAL) != 0, n2 += (res->flag[i] & JS_FLAG_SE) != 0;
    any += res->flag[i] != 0;
    if (res->flag[i] && first == cells) first = i;
  }
  if (first == cells) return;
  size_t g = first / res->ncells, cell = first % res->ncells;
  int ir = (int)(cell % (size_t)c->nr), iT = (int)(cell / (size_t)c->nr % (size_t)c->nT);
  int ik = (int)(cell / ((size_t)c->nr * c->nT));
  fprintf(stderr, "judgesim: warning: %zu of %zu cells cannot be trusted as they stand "
          "(delta_flag in the cube): in %zu one trial carries more than half of the mean, in "
          "%zu the standard error is above half of it; e.g. d=%d n=%d k=%lld T=%g judge "
          "%d: delta %.3g +- %.3g. Remedy: more trials (sampling.trials), or for best-of-k at "
          "huge k an importance-sampled tilt (sampling.tilt)\n", any, cells, n1, n2,
          c->d[g / (size_t)c->nn], c->n[g % (size_t)c->nn], (long long)c->k[ik], c->T[iT], ir,
          res->mean[first], res->se[first]);
}

/// The verdict of the k = 1 self-check and the summary, once the cube is in place.
static js_status report(const js_cube_job *job, const js_verification *v, const js_grid *grid,
                        const js_run_stats *st, const js_args *args) {
  char line[512];
  js_verify_text(v, line, sizeof line);
  if (!args->quiet || !v->pass) fprintf(stderr, "judgesim: verification: %s\n", line);
  JS_CHECK(v->pass, JS_ERR_NUMERIC, "the k = 1 self-check failed: delta(k = 1) differs from "
           "delta_ref by %.1f standard errors at d=%d n=%d (cube written for inspection)",
           v->max_z, v->worst_d, v->worst_n);
  warn_flags(job);
  summary(job, grid, st, args);
  return JS_OK;
}

js_status js_cube_job_finish(js_cube_job *job, const js_grid *grid, const js_run_stats *st,
                             const js_args *args) {
  js_committer *c = job->committer;
  js_timer_start(JS_TM_COMMIT);
  if (js_commit_wait(c) != JS_OK) /* a failed periodic commit: the final one supersedes it */
    fprintf(stderr, "judgesim: warning: %s\n", js_error_message());
  int started;
  JS_CALL(js_commit_start(c, &started));
  js_timer_stop(JS_TM_COMMIT);
  js_verification v;
  js_status s = args->nshards ? JS_OK : epilog(job, &v);
  js_timer_start(JS_TM_COMMIT);
  JS_KEEP(s, js_commit_wait(c));
  js_timer_stop(JS_TM_COMMIT);
  /* the new cube replaces the old one only now, with its checkpoint safe: a failure of any
     step before leaves the previous cube as it was */
  js_timer_start(JS_TM_WRITE);
  if (s == JS_OK && job->file) {
    s = js_store_commit(job->file); /* frees it */
    job->file = NULL;
  }
  js_timer_stop(JS_TM_WRITE);
  js_timer_mark(JS_AT_EPILOG);
  JS_CALL(s);
  if (!args->nshards) JS_CALL(report(job, &v, grid, st, args));
  return JS_OK;
}

void js_cube_job_free(js_cube_job *job) {
  (void)drain(job);
  if (job->th_ready) js_theory_free(&job->th);
  job->th_ready = 0;
  js_store_abort(job->file);
  job->file = NULL;
}
