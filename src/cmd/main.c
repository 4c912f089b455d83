/// \file main.c
/// judgesim: prolog (arguments, study, grid), the distributed run, epilog (reduce, write,
/// summary). Exit codes: 0 done, 2 bad input, 1 any other failure.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/checkpoint.h"
#include "cmd/cli.h"
#include "io/commit.h"
#include "study/config.h"
#include "core/fault.h"
#include "io/fileio.h"
#include "units/grid.h"
#include "analysis/analysis.h"
#include "io/background.h"
#include "cmd/info.h"
#include "mc/kernel.h"
#include "io/merge.h"
#include "dist/parallel.h"
#include "mc/posterior.h"
#include "core/progress.h"
#include "cmd/rerank.h"
#include "io/restart.h"
#include "units/results.h"
#include "units/samplesout.h"
#include "dist/schedule.h"
#include "io/store.h"
#include "theory/theoryplan.h"
#include "dist/timers.h"
#include "units/unit.h"
#include "units/verify.h"

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
    if (s == JS_OK && args->nshards) s = use_shard_path(cfg, args);
    if (s == JS_OK) s = js_store_check_path(cfg->out_path);
    if (s == JS_OK) s = js_config_to_yaml(cfg, text);
  }
  int code = (int)s;
  JS_CALL(js_par_bcast_int(&code));
  if (code != JS_OK) return js_par_rank() == 0 ? s : (js_status)code;
  JS_CALL(js_par_bcast_text(text));
  if (js_par_rank() != 0) JS_CALL(js_config_parse_text(*text, "(broadcast study)", cfg));
  return JS_OK;
}

/// A cube in the making: the study, its text, the command line and the file once begun.
typedef struct {
  const js_config *cfg;
  const char *text;
  int argc;
  char **argv;
  int mc;             ///< with Monte Carlo results
  js_cube_file *file; ///< defined, not yet written
  js_results *res;    ///< the results (for blocks written early)
  js_verify_parts *vp; ///< the blocks' verification parts (NULL: all at the end)
  js_background *bg;  ///< where the cube is begun and blocks written during the work
  const js_theory_plan *plan; ///< the theory's pieces (run: assembled as the last one arrives)
  js_theory th;       ///< the assembled theory, once th_ready
  int th_ready;
} cube_job;

/// Create and define the cube with its provenance (the master does it while workers compute).
static js_status cube_begin(void *ctx) {
  cube_job *job = ctx;
  char *history = js_cli_history(job->argc, job->argv);
  JS_ALLOC_CHECK(history, "history");
  js_cube_meta meta = {job->text, history, js_version_string(), js_build_string()};
  js_status s = js_store_begin(job->cfg, job->mc, 1, &meta, &job->file);
  free(history);
  return s;
}

/// Assemble the theory from its pieces (once; on either thread, so untimed here).
static js_status cube_theory(cube_job *job) {
  if (job->th_ready) return JS_OK;
  js_status s = js_theory_assemble(job->cfg, job->plan, job->res->theory, &job->th);
  job->th_ready = s == JS_OK;
  return s;
}

/// A (d, n) block is complete: reduce it and write its slices; or the last theory piece
/// arrived: assemble the theory and write it (once the cube is begun).
static js_status cube_block(void *ctx, int block) {
  cube_job *job = ctx;
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
static js_status cube_begin_later(void *ctx) {
  cube_job *job = ctx;
  JS_CALL(js_background_create(&job->bg));
  JS_CALL(js_background_post(job->bg, populate_task, job->res, 0));
  return js_background_post(job->bg, begin_task, job, 0);
}

/// The schedule's block hook: reduce and write the block on the background thread (an
/// earlier task's failure comes back here).
static js_status cube_block_later(void *ctx, int block) {
  cube_job *job = ctx;
  js_results_fence(); /* the block's results, before the thread reads them */
  return js_background_post(job->bg, cube_block, job, block);
}

/// Wait for the background file work; its seconds count as the master's block time.
static js_status cube_drain(cube_job *job) {
  if (!job->bg) return JS_OK;
  js_status s = js_background_drain(job->bg);
  js_timer_add(JS_TM_BLOCKS, js_background_seconds(job->bg));
  js_background_free(job->bg);
  job->bg = NULL;
  return s;
}

/// The job is being aborted: remove the cube's temporary file (the checkpoint stays).
static void cube_abort(void *ctx) {
  cube_job *job = ctx;
  (void)cube_drain(job); /* its failure, if any, is not the one being reported */
  js_store_abort(job->file);
  job->file = NULL;
}

/// Store one unit's result (the schedule's put); returns the (d, n) block it completed or -1.
static int cube_put(void *ctx, int id, const double *payload) {
  cube_job *job = ctx;
  return js_results_put(job->res, id, payload);
}

/// Store a run of consecutive units' results (the schedule's put_run).
static int cube_put_run(void *ctx, int id0, int n, const double *records, int *block) {
  cube_job *job = ctx;
  return js_results_put_run(job->res, id0, n, records, block);
}

/// Write the data into the cube (begun now if it was not) and put it in place.
static js_status cube_finish(cube_job *job, const js_results *res, const js_theory *th) {
  if (!job->file) JS_CALL(cube_begin(job));
  js_status s = js_store_finish(job->file, res, th);
  job->file = NULL;
  return s;
}

/// The `theory` command: the theory cube of a study (no Monte Carlo, no MPI).
static js_status theory(const js_args *args, int argc, char **argv) {
  js_config cfg;
  char *text = NULL;
  js_theory th = {0};
  JS_CALL(js_config_load(args->config, args->sets, args->nsets, args->out, &cfg));
  js_status s = JS_OK;
  if (!args->out) { /* default: beside the study's cube */
    size_t stem = js_path_stem_len(cfg.out_path);
    char *p = malloc(stem + 16);
    if (p) snprintf(p, stem + 16, "%.*s.theory.nc", (int)stem, cfg.out_path);
    free(cfg.out_path);
    cfg.out_path = p;
    if (!p) s = js_fail(JS_ERR_SYS, __FILE__, __LINE__, __func__, "out of memory");
  }
  if (s == JS_OK) s = js_store_check_path(cfg.out_path);
  if (s == JS_OK) s = js_config_to_yaml(&cfg, &text);
  double t0 = js_now();
  if (s == JS_OK) s = js_theory_study(&cfg, &th);
  cube_job job = {&cfg, text, argc, argv, 0, NULL, NULL, NULL, NULL, NULL, {0}, 0};
  if (s == JS_OK) s = cube_finish(&job, NULL, &th);
  if (s == JS_OK && !args->quiet)
    fprintf(stderr, "judgesim: theory for %d cells in %.2f s; wrote %s\n",
            cfg.nd * cfg.nn * cfg.nk * cfg.nT * cfg.nr, js_now() - t0, cfg.out_path);
  js_theory_free(&th);
  js_config_free(&cfg);
  free(text);
  return s;
}

/// Reduce, assemble the theory, write the cube and print the summary (rank 0).
static js_status epilog(const js_config *cfg, const js_grid *grid, js_results *res,
                        cube_job *job, const js_run_stats *st, const js_args *args) {
  JS_CALL(cube_drain(job)); /* the blocks written during the work (background thread) */
  js_timer_start(JS_TM_REDUCE);
  JS_CALL(js_results_reduce(res));
  js_timer_stop(JS_TM_REDUCE);
  js_timer_start(JS_TM_ASSEMBLE);
  js_status a = cube_theory(job); /* unless the background thread did as its last piece came */
  js_timer_stop(JS_TM_ASSEMBLE);
  JS_CALL(a);
  js_verification v = js_verify(cfg, res, job->vp);
  char line[512];
  js_verify_text(&v, line, sizeof line);
  js_timer_start(JS_TM_WRITE);
  js_status s = job->file ? JS_OK : cube_begin(job);
  if (s == JS_OK)
    s = js_store_put_verification(job->file, line,
                                  !v.checked ? "not run" : v.pass ? "PASS" : "FAIL");
  if (s == JS_OK) s = cube_finish(job, res, &job->th);
  js_timer_stop(JS_TM_WRITE);
  JS_CALL(s);
  if (!args->quiet || !v.pass) fprintf(stderr, "judgesim: verification: %s\n", line);
  JS_CHECK(v.pass, JS_ERR_NUMERIC, "the k = 1 self-check failed: delta(k = 1) differs from "
           "delta_ref by %.1f standard errors at d=%d n=%d (cube written for inspection)",
           v.max_z, v.worst_d, v.worst_n);
  if (!args->quiet && !st)
    fprintf(stderr, "judgesim: merged %d parts into %s\n", args->nparts, cfg->out_path);
  else if (!args->quiet)
    fprintf(stderr, "judgesim: done in %.2f s on %d rank%s: %.3g %s/s (%.3g per rank); "
            "wrote %s\n", st->wall, st->ranks, st->ranks > 1 ? "s" : "",
            st->candidates / st->wall, js_grid_counts(grid),
            st->candidates / st->wall / st->ranks, cfg->out_path);
  return JS_OK;
}

/// Finish on the master: the final checkpoint commit runs in the background while the cube
/// is reduced and written (a shard writes only its checkpoint).
static js_status finish(const js_config *cfg, const js_grid *grid, js_results *res,
                        js_committer *c, cube_job *job, const js_run_stats *st,
                        const js_args *args) {
  js_timer_start(JS_TM_COMMIT);
  if (js_commit_wait(c) != JS_OK) /* a failed periodic commit: the final one supersedes it */
    fprintf(stderr, "judgesim: warning: %s\n", js_error_message());
  int started;
  JS_CALL(js_commit_start(c, &started));
  js_timer_stop(JS_TM_COMMIT);
  js_status s = args->nshards ? JS_OK : epilog(cfg, grid, res, job, st, args);
  js_timer_start(JS_TM_COMMIT);
  js_status w = js_commit_wait(c);
  js_timer_stop(JS_TM_COMMIT);
  js_timer_mark(JS_AT_EPILOG);
  JS_CALL(s);
  JS_CALL(w);
  return JS_OK;
}

/// Signals that stop a run with a checkpoint (rank 0) or are left to the master (others).
static void install_signals(int master) {
  int sigs[] = {SIGTERM, SIGUSR1, SIGINT};
  for (int i = 0; i < 3; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = master ? js_schedule_request_stop : SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, NULL);
  }
}

/// --dry-run: what the run would do (machine-readable "key: value" lines).
static void print_plan(const js_config *cfg, const js_grid *grid) {
  printf("output: %s\ncheckpoint: %s.ckpt\nunits: %d\nunits per trial: %d\ntheory pieces: "
         "%d\ncells per unit: %zu\nestimated core-hours: %.3g\n", cfg->out_path,
         cfg->out_path, grid->nwork_mc, grid->nsplit, grid->nwork - grid->nwork_mc,
         grid->ncells, grid->total_cost / 3600.0);
}

/// The master's preparation: results, study text, restart.
static js_status prepare(const js_args *args, const js_config *cfg, js_grid *grid,
                         js_results *res, char **study) {
  JS_CALL(js_results_alloc(cfg, grid, res));
  JS_CALL(js_config_study_text(cfg, study));
  if (!args->dry_run) JS_CALL(js_restart_prepare(cfg, grid, res, *study, args->quiet,
                                                    args->allow_other_build));
  return JS_OK;
}

/// --samples-out: one rank, a fresh study (every unit computed here), then the files.
static js_status open_samples_out(const js_args *args, const js_config *cfg,
                                  const js_grid *grid, const js_results *res) {
  JS_CHECK(js_par_size() == 1 && !args->nshards, JS_ERR_INPUT,
           "--samples-out writes every candidate from one process: run without mpirun and "
           "without --shard");
  JS_CHECK(cfg->tilt == 1, JS_ERR_INPUT, "--samples-out writes unweighted candidates: it "
           "cannot be used with sampling.tilt (the test inputs carry weights)");
  JS_CHECK(!js_config_exact(cfg), JS_ERR_INPUT, "--samples-out writes the candidates, and this "
           "study's T = 0 cells use the exact best-of-k estimator instead (no candidates at "
           "T = 0): set sampling.best_of_k: candidates");
  for (int p = 0; p < grid->nwork; p++)
    JS_CHECK(!res->done[grid->order[p]], JS_ERR_INPUT,
             "--samples-out needs a fresh study: %s.ckpt already holds finished units (remove "
             "it or choose another -o)", cfg->out_path);
  JS_CALL(js_samples_out_open(args->samples_out, cfg));
  return JS_OK;
}

/// Start the master's progress line, counting resumed units as done.
static void start_progress(const js_args *args, const js_grid *grid, const js_results *res,
                           js_progress *prog) {
  js_progress_init(prog, args->quiet, grid->nwork, grid->total_cost);
  prog->what = js_grid_counts(grid);
  int units = 0;
  double cost = 0;
  for (int p = 0; p < grid->nwork; p++)
    if (res->done[grid->order[p]]) units++, cost += js_grid_cost(grid, grid->order[p]);
  js_progress_resumed(prog, units, cost);
}

/// What a run holds to its end: freed after MPI_Finalize, as process exit would free it
/// (tens of MB on the master; unmapping them before MPI_Finalize only delays the job's end).
typedef struct {
  js_config cfg;
  char *text, *study;
  js_grid grid;
  js_results res;
  js_verify_parts vp; ///< the master's
} run_data;

/// Free a run's data.
static void run_data_free(run_data *d) {
  js_results_free(&d->res);
  js_verify_parts_free(&d->vp);
  js_grid_free(&d->grid);
  js_config_free(&d->cfg);
  free(d->text);
  free(d->study);
}

/// The `run` command on every rank (d: zeroed; the caller frees it, after MPI_Finalize).
static js_status run(const js_args *args, int argc, char **argv, run_data *d) {
  js_config *cfg = &d->cfg;
  js_grid *grid = &d->grid;
  js_results *res = &d->res;
  js_progress prog;
  js_run_stats st = {0};
  js_committer *committer = NULL;
  cube_job job = {cfg, NULL, argc, argv, 1, NULL, res, NULL, NULL, &grid->plan, {0}, 0};
  js_linalg_init();
  int master = js_par_rank() == 0;
  install_signals(master); /* every rank caught them from before MPI_Init (main) */
  if (!master) js_schedule_request_stop(0); /* a stop is rank 0's to take */
  js_status s = js_fault_init(js_par_rank());
  if (s == JS_OK) s = js_kernel_check_env();
  if (s == JS_OK) s = load_study(args, cfg, &d->text);
  if (s == JS_OK) s = js_grid_build(cfg, grid);
  if (s == JS_OK) s = js_grid_order(grid); /* every rank: the first round is implied */
  if (s == JS_OK && args->nshards) js_grid_shard(grid, args->shard, args->nshards);
  if (s == JS_OK) { /* the master prepares; every rank learns whether it succeeded */
    js_status m = master ? prepare(args, cfg, grid, res, &d->study) : JS_OK;
    if (master && m == JS_OK && !args->dry_run && args->samples_out)
      m = open_samples_out(args, cfg, grid, res);
    if (master && m == JS_OK && !args->dry_run)
      m = js_commit_create(cfg, grid, res, d->study, &committer);
    if (master && m == JS_OK && !args->dry_run && (m = js_verify_parts_alloc(cfg, &d->vp)) == JS_OK)
      job.vp = &d->vp;
    int code = (int)m;
    s = js_par_bcast_int(&code);
    if (s == JS_OK) s = master ? m : (js_status)code;
  }
  if (s == JS_OK && args->dry_run) {
    if (master) print_plan(cfg, grid);
    goto done;
  }
  job.text = d->text;
  int bg = !args->nshards; /* the cube is begun and written on a background thread */
  js_master_hooks hook = {res->done, cube_put, cube_put_run, committer, cfg->checkpoint_every,
                          bg ? cube_begin_later : NULL, bg ? cube_block_later : NULL,
                          &job, cube_abort};
  js_work work = {0};
  if (s == JS_OK) js_trial_work(grid, &work);
  if (s == JS_OK && master) start_progress(args, grid, res, &prog);
  if (s == JS_OK)
    s = js_schedule_run(&work, master ? &prog : NULL, master ? &hook : NULL, &st);
  js_trial_release();
  if (s == JS_OK && master) js_progress_end(&prog);
  if (js_samples_out_on()) { /* closed on every path; a write error fails the run */
    js_status c = js_samples_out_close();
    if (s == JS_OK) s = c;
  }
  if (s == JS_OK && master) s = finish(cfg, grid, res, committer, &job, &st, args);
  if (s == JS_OK && master && args->nshards && !args->quiet)
    fprintf(stderr, "judgesim: shard %d/%d done: %d units and %d theory pieces in %s.ckpt; "
            "join the parts with judgesim merge\n", args->shard, args->nshards, grid->nwork_mc,
            grid->nwork - grid->nwork_mc, cfg->out_path);
  if (s == JS_OK && master && args->timings) js_timers_print(stdout, js_par_size());
done:
  (void)cube_drain(&job);
  if (job.th_ready) js_theory_free(&job.th);
  js_store_abort(job.file);
  js_commit_free(committer);
  if (master) js_lock_release();
  return s;
}

/// The `merge` command: load the parts, then write the cube and its checkpoint.
static js_status merge(const js_args *args, int argc, char **argv) {
  js_config cfg;
  js_grid grid = {0};
  js_results res = {0};
  char *study = NULL, *text = NULL;
  memset(&cfg, 0, sizeof cfg);
  js_status s = js_store_check_path(args->out);
  if (s == JS_OK) s = js_merge_load(args->parts, args->nparts, args->out, args->allow_other_build, &cfg,
                                    &grid, &res,
                                    &study);
  if (s == JS_OK) s = js_config_to_yaml(&cfg, &text);
  int locked = s == JS_OK && (s = js_lock_take(cfg.out_path)) == JS_OK;
  js_committer *c = NULL;
  if (s == JS_OK) s = js_commit_create(&cfg, &grid, &res, study, &c);
  cube_job job = {&cfg, text, argc, argv, 1, NULL, &res, NULL, NULL, &grid.plan, {0}, 0};
  if (s == JS_OK) s = finish(&cfg, &grid, &res, c, &job, NULL, args);
  if (job.th_ready) js_theory_free(&job.th);
  js_commit_free(c);
  if (locked) js_lock_release();
  js_results_free(&res);
  js_grid_free(&grid);
  js_config_free(&cfg);
  free(study);
  free(text);
  return s;
}

/// The `analyze` command: read the cube, analyse, print, add the results to the cube.
static js_status analyze(const js_args *args) {
  js_cube cube;
  js_analysis a;
  JS_CALL(js_store_read(args->config, &cube));
  js_analysis_input in = {&cube.cfg, cube.mean, cube.se, cube.trial, cube.theory, cube.v};
  js_status s = js_lock_take(args->config);
  int locked = s == JS_OK;
  if (s == JS_OK) s = js_analyze(&in, args->boot, &a);
  if (s == JS_OK) {
    if (!args->quiet) js_analysis_print(&cube.cfg, &a);
    s = js_store_add_analysis(args->config, &a);
    js_analysis_free(&a);
  }
  if (locked) js_lock_release();
  js_store_cube_free(&cube);
  return s;
}

/// Is this process rank 0 of an MPI launch (or not launched by MPI at all)?
static int launched_as_rank0(void) {
  const char *r = getenv("OMPI_COMM_WORLD_RANK");
  if (!r) r = getenv("PMIX_RANK");
  return !r || atoi(r) == 0;
}

int main(int argc, char **argv) {
  js_args args;
  js_status s = js_cli_parse(argc, argv, &args);
  if (s != JS_OK) {
    if (launched_as_rank0()) js_error_report(s);
    free(args.sets);
    free(args.parts);
    return js_exit_code(s);
  }
  if (args.cmd != JS_CMD_RUN && args.cmd != JS_CMD_RERANK && args.cmd != JS_CMD_HELP &&
      args.cmd != JS_CMD_VERSION) {
    s = args.cmd == JS_CMD_INFO      ? js_info(args.config)
        : args.cmd == JS_CMD_MERGE   ? merge(&args, argc, argv)
        : args.cmd == JS_CMD_ANALYZE ? analyze(&args)
                                     : theory(&args, argc, argv);
    js_error_report(s);
    free(args.sets);
    free(args.parts);
    return js_exit_code(s);
  }
  if (args.cmd == JS_CMD_HELP || args.cmd == JS_CMD_VERSION) {
    if (args.cmd == JS_CMD_HELP && args.config) js_cli_usage_rerank(stdout);
    else if (args.cmd == JS_CMD_HELP) js_cli_usage(stdout);
    else printf("%s\nbuilt with: %s\nMPI: %s\nBLAS/LAPACK: %s\nNetCDF: %s\n",
                js_version_string(), js_build_string(), js_par_library(), js_linalg_library(),
                js_store_library());
    free(args.sets);
    free(args.parts);
    return 0;
  }
  if (args.cmd == JS_CMD_RUN) install_signals(1); /* a stop during start-up is not a kill */
  s = js_par_init(&argc, &argv);
  if (s == JS_OK) {
    run_data d;
    memset(&d, 0, sizeof d);
    js_timer_start(JS_TM_STARTUP);
    js_timer_mark(JS_AT_INIT);
    s = args.cmd == JS_CMD_RUN ? run(&args, argc, argv, &d)
                               : js_rerank_command(&args, argc, argv);
    if (s != JS_OK && js_par_rank() == 0) js_error_report(s);
    if (s == JS_OK && js_par_rank() == 0 && args.timings && args.cmd == JS_CMD_RUN)
      printf("timing at_exit_s %.6f\n", js_par_time());
    js_par_finalize();
    run_data_free(&d);
  } else {
    js_error_report(s);
  }
  free(args.sets);
  free(args.parts);
  return js_exit_code(s);
}
