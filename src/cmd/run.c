/// \file run.c
/// `judgesim run` (see commands.h): the prolog (arguments, study, grid, knobs, restart),
/// the distributed work, the epilog (cubejob.h).
#include "cmd/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cubejob.h"
#include "cmd/output.h"
#include "core/env.h"
#include "core/fault.h"
#include "core/progress.h"
#include "core/signals.h"
#include "dist/parallel.h"
#include "dist/timers.h"
#include "io/restart.h"
#include "mc/kernel.h"
#include "mc/posterior.h"
#include "units/unit.h"

struct js_run_data {
  js_config cfg;
  char *text, *study;   ///< the canonical study text, and its result-relevant part
  js_grid grid;
  js_results res;
  js_verify_parts vp;   ///< the master's
  js_layout_knobs layout;
  int chunk;            ///< the kernel's
};

void js_run_data_free(js_run_data *d) {
  if (!d) return;
  js_results_free(&d->res);
  js_verify_parts_free(&d->vp);
  js_grid_free(&d->grid);
  js_config_free(&d->cfg);
  free(d->text);
  free(d->study);
  free(d);
}

/// A shard writes its part beside the cube: OUT.part-I-of-N.nc(.ckpt).
static js_status use_shard_path(js_config *cfg, const js_args *args) {
  char *part = js_shard_path(cfg->out_path, args->shard, args->nshards);
  JS_ALLOC_CHECK(part, "shard path");
  free(cfg->out_path);
  cfg->out_path = part;
  return JS_OK;
}

/// Rank 0 reads and validates the study; every rank learns the outcome and the text.
static js_status load_study(const js_args *args, js_config *cfg, char **text) {
  js_status s = JS_OK;
  if (js_par_rank() == 0) {
    s = js_config_load(args->config, args->sets, args->nsets, args->out, cfg);
    if (s == JS_OK && args->nshards) JS_TRY(s, use_shard_path(cfg, args));
    js_output o = {cfg->out_path, args->out ? "-o" : "output.path", &args->config, 1,
                   JS_CUBE_RUN, cfg, NULL, args->force};
    JS_TRY(s, js_output_check(&o));
    JS_TRY(s, js_config_to_yaml(cfg, text));
  }
  int code = (int)s;
  JS_CALL(js_par_bcast_int(&code));
  if (code != JS_OK) return js_par_rank() == 0 ? s : (js_status)code;
  JS_CALL(js_par_bcast_text(text));
  if (js_par_rank() != 0) JS_CALL(js_config_parse_text(*text, "(broadcast study)", cfg));
  return JS_OK;
}

/// --dry-run: what the run would do (machine-readable "key: value" lines).
static void print_plan(const js_config *cfg, const js_grid *grid) {
  printf("output: %s\ncheckpoint: %s.ckpt\nunits: %d\nunits per trial: %d\ntheory pieces: "
         "%d\ncells per unit: %zu\nestimated core-hours: %.3g\n", cfg->out_path,
         cfg->out_path, grid->nwork_mc, grid->nsplit, grid->nwork - grid->nwork_mc,
         grid->ncells, grid->total_cost / 3600.0);
}

/// --samples-out: one rank, a fresh study (every unit computed here), then the files.
static js_status open_samples_out(const js_args *args, const js_run_data *d,
                                  js_samples_out **sout) {
  const js_config *cfg = &d->cfg;
  const js_grid *grid = &d->grid;
  JS_CHECK(js_par_size() == 1 && !args->nshards, JS_ERR_INPUT,
           "--samples-out writes every candidate from one process: run without mpirun and "
           "without --shard");
  JS_CHECK(cfg->tilt == 1, JS_ERR_INPUT, "--samples-out writes unweighted candidates: it "
           "cannot be used with sampling.tilt (the test inputs carry weights)");
  JS_CHECK(!js_config_exact(cfg), JS_ERR_INPUT, "--samples-out writes the candidates, and this "
           "study's T = 0 cells use the exact best-of-k estimator instead (no candidates at "
           "T = 0): set sampling.best_of_k: candidates");
  for (int p = 0; p < grid->nwork; p++)
    JS_CHECK(!d->res.done[grid->order[p]], JS_ERR_INPUT,
             "--samples-out needs a fresh study: %s.ckpt already holds finished units (remove "
             "it or choose another -o)", cfg->out_path);
  JS_CALL(js_samples_out_open(args->samples_out, cfg, sout));
  return JS_OK;
}

/// Start the master's progress line, counting resumed units as done.
static void start_progress(const js_args *args, const js_run_data *d, js_progress *prog) {
  const js_grid *grid = &d->grid;
  js_progress_init(prog, args->quiet, grid->nwork, grid->total_cost);
  prog->what = js_grid_counts(grid);
  int units = 0;
  double cost = 0;
  for (int p = 0; p < grid->nwork; p++)
    if (d->res.done[grid->order[p]]) units++, cost += js_grid_cost(grid, grid->order[p]);
  js_progress_resumed(prog, units, cost);
}

/// Every rank: the knobs, the study, its grid and the order of its units.
static js_status prolog(const js_args *args, js_run_data *d) {
  JS_CALL(js_fault_init(js_par_rank()));
  JS_CALL(js_layout_knobs_read(&d->layout));
  JS_CALL(js_kernel_chunk_knob(&d->chunk));
  JS_CALL(load_study(args, &d->cfg, &d->text));
  JS_CALL(js_grid_build(&d->cfg, &d->grid));
  JS_CALL(js_grid_order(&d->grid)); /* every rank: the first round is implied */
  if (args->nshards) js_grid_shard(&d->grid, args->shard, args->nshards);
  return JS_OK;
}

/// Refuse up front a study whose largest unit, on every rank of rank 0's node, and the
/// results rank 0 keeps would not fit in this node's memory (they failed with "out of
/// memory" after the work had begun).
static js_status check_memory(const js_args *args, const js_run_data *d) {
  const js_config *c = &d->cfg;
  int dmax = c->d[c->nd - 1], nmax = c->n[c->nn - 1], here = js_par_node_size();
  double unit = js_unit_bytes(c, dmax, nmax);
  double results = 8.0 * ((double)c->trials + 4) * c->nd * c->nn * (double)d->grid.ncells;
  double need = unit * here + results, have = js_env_memory_bytes();
  JS_CHECK(have <= 0 || need <= 0.9 * have, JS_ERR_INPUT,
           "%s: grid.d %d with grid.n %d: a unit needs about %.3g GB per rank (%d rank%s on "
           "this node) and the results %.3g GB on rank 0, more than this node's %.3g GB: "
           "lower grid.d or grid.n (or grid.k, grid.T, grid.reward, sampling.trials), or run "
           "fewer ranks per node", args->config, dmax, nmax, unit / 1e9, here,
           here == 1 ? "" : "s", results / 1e9, have / 1e9);
  return JS_OK;
}

/// The master's preparation: the lock, results, restart, --samples-out, the committer and
/// the verification parts (a dry run only validates and plans).
static js_status prepare(const js_args *args, js_run_data *d, js_cube_job *job,
                         js_samples_out **sout) {
  JS_CALL(check_memory(args, d));
  JS_CALL(js_results_alloc(&d->cfg, &d->grid, &d->res));
  JS_CALL(js_config_study_text(&d->cfg, &d->study));
  if (args->dry_run) return JS_OK;
  JS_CALL(js_lock_take(d->cfg.out_path, &job->lock));
  JS_CALL(js_restart_prepare(&d->cfg, &d->grid, &d->res, d->study, args->quiet,
                             args->allow_other_build));
  if (args->samples_out) JS_CALL(open_samples_out(args, d, sout));
  JS_CALL(js_commit_create(&d->cfg, &d->grid, &d->res, d->study, &job->committer));
  JS_CALL(js_verify_parts_alloc(&d->cfg, &d->vp));
  job->vp = &d->vp;
  return JS_OK;
}

/// The master's part of a failure before the work: every rank learns of it (collective).
static js_status share_outcome(js_status m) {
  int code = (int)m;
  JS_CALL(js_par_bcast_int(&code));
  if (js_par_rank() == 0) return m;
  return (js_status)code;
}

/// The distributed work on every rank, then the master's end.
static js_status work(const js_args *args, js_run_data *d, js_cube_job *job,
                      js_samples_out *sout, volatile sig_atomic_t *stop) {
  int master = js_par_rank() == 0;
  js_unit_runner *runner = NULL;
  js_progress prog;
  js_run_stats st = {0};
  JS_CALL(js_unit_runner_create(&d->grid, d->chunk, sout, &runner));
  js_work w;
  js_unit_work(runner, &w);
  js_master_hooks hook = js_cube_job_hooks(job, !args->nshards, d->cfg.checkpoint_every, stop);
  if (master) start_progress(args, d, &prog);
  js_status s = js_schedule_run(&w, &d->layout, master ? &prog : NULL, master ? &hook : NULL,
                                &st);
  js_unit_runner_free(runner);
  if (s == JS_OK && master) js_progress_end(&prog);
  JS_KEEP(s, js_samples_out_close(sout)); /* closed on every path; a write error fails */
  if (s == JS_OK && master) JS_TRY(s, js_cube_job_finish(job, &d->grid, &st, args));
  JS_CALL(s);
  if (master && args->nshards && !args->quiet)
    fprintf(stderr, "judgesim: shard %d/%d done: %d units and %d theory pieces in %s.ckpt; "
            "join the parts with judgesim merge\n", args->shard, args->nshards,
            d->grid.nwork_mc, d->grid.nwork - d->grid.nwork_mc, d->cfg.out_path);
  if (master && args->timings) js_timers_print(stdout, js_par_size());
  return JS_OK;
}

js_status js_cmd_run(const js_args *args, int argc, char **argv, js_run_data **data) {
  js_run_data *d = calloc(1, sizeof *d);
  JS_ALLOC_CHECK(d, "a run");
  *data = d;
  js_cube_job job = {.cfg = &d->cfg, .argc = argc, .argv = argv, .mc = 1, .res = &d->res,
                     .plan = &d->grid.plan};
  js_samples_out *sout = NULL;
  js_linalg_init();
  int master = js_par_rank() == 0;
  volatile sig_atomic_t *stop = js_signals_stop(master); /* a stop is rank 0's to take */
  js_status s = prolog(args, d);
  JS_TRY(s, share_outcome(master ? prepare(args, d, &job, &sout) : JS_OK));
  job.text = d->text;
  if (s == JS_OK && args->dry_run && master) print_plan(&d->cfg, &d->grid);
  if (s == JS_OK && !args->dry_run) s = work(args, d, &job, sout, stop);
  else JS_KEEP(s, js_samples_out_close(sout));
  js_cube_job_free(&job);
  js_commit_free(job.committer);
  js_lock_release(job.lock);
  return s;
}
