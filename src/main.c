/// \file main.c
/// judgesim: prolog (arguments, study, grid), the distributed run, epilog (reduce, write,
/// summary). Exit codes: 0 done, 2 bad input, 1 any other failure.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cli.h"
#include "config.h"
#include "fileio.h"
#include "grid.h"
#include "info.h"
#include "parallel.h"
#include "posterior.h"
#include "progress.h"
#include "results.h"
#include "schedule.h"
#include "store.h"

/// "2026-11-22T10:00:00Z judgesim run ..." (malloc'd).
static char *history_line(int argc, char **argv) {
  size_t len = 64;
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  char *h = malloc(len);
  if (!h) return NULL;
  time_t now = time(NULL);
  struct tm tm;
  size_t at = strftime(h, len, "%Y-%m-%dT%H:%M:%SZ:", gmtime_r(&now, &tm));
  for (int i = 0; i < argc; i++) at += (size_t)snprintf(h + at, len - at, " %s", argv[i]);
  return h;
}

/// Rank 0 reads and validates the study; every rank learns the outcome and the text.
static js_status load_study(const js_args *args, js_config *cfg, char **text) {
  js_status s = JS_OK;
  if (js_par_rank() == 0) {
    s = js_config_load(args->config, args->sets, args->nsets, args->out, cfg);
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

/// Reduce, write the cube and print the summary (rank 0).
static js_status epilog(const js_config *cfg, js_results *res, const char *text, int argc,
                        char **argv, const js_run_stats *st, const js_args *args) {
  JS_CALL(js_results_reduce(res));
  char *history = history_line(argc, argv);
  JS_ALLOC_CHECK(history, "history");
  js_cube_meta meta = {text, history, js_version_string(), js_build_string()};
  js_status s = js_store_write(cfg, res, &meta);
  free(history);
  JS_CALL(s);
  if (!args->quiet)
    fprintf(stderr, "judgesim: done in %.2f s on %d rank%s: %.3g candidates/s (%.3g per rank); "
            "wrote %s\n", st->wall, st->ranks, st->ranks > 1 ? "s" : "",
            st->candidates / st->wall, st->candidates / st->wall / st->ranks, cfg->out_path);
  return JS_OK;
}

/// State the master's checkpoint hook needs.
typedef struct {
  const js_config *cfg;
  const js_grid *grid;
  const js_results *res;
  char *study_text;
} ckpt_ctx;

/// The commit hook: write the checkpoint of the finished units.
static js_status commit_checkpoint(void *ctx) {
  ckpt_ctx *c = ctx;
  return js_ckpt_write(c->cfg, c->study_text, c->grid, c->res);
}

/// Rank 0: take the output's lock, drop stale temporaries, resume from a valid checkpoint.
static js_status resume(const js_config *cfg, const js_grid *grid, js_results *res,
                        const char *study_text, int quiet) {
  JS_CALL(js_lock_take(cfg->out_path));
  char *path = js_ckpt_path(cfg->out_path);
  JS_ALLOC_CHECK(path, "checkpoint path");
  js_atomic_clean(cfg->out_path);
  js_atomic_clean(path);
  js_status s = JS_OK;
  if (access(path, F_OK) == 0) {
    js_ckpt_summary sum;
    s = js_ckpt_read(path, js_ckpt_hash(study_text), cfg, grid, res, &sum);
    if (s == JS_OK && !sum.loaded) {
      js_config old;
      const char *key = "the study";
      if (js_config_parse_study(sum.study_text, path, &old) == JS_OK) {
        const char *k = js_config_changed_key(&old, cfg);
        if (k) key = k;
        js_config_free(&old);
      }
      s = js_fail(JS_ERR_INPUT, __FILE__, __LINE__, __func__,
                  "%s holds finished units of a different study (%s changed); give another "
                  "output path, or move the checkpoint away to start over", path, key);
    }
    if (s == JS_OK && !quiet)
      fprintf(stderr, "judgesim: resuming from %s: %llu of %d units done\n", path,
              (unsigned long long)sum.ndone, grid->nunits);
    js_ckpt_summary_free(&sum);
  }
  free(path);
  return s == JS_OK ? JS_OK : js_trace(s, __FILE__, __LINE__, __func__);
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

/// The `run` command on every rank.
static js_status run(const js_args *args, int argc, char **argv) {
  js_config cfg;
  char *text = NULL, *study = NULL;
  js_grid grid = {0};
  js_results res = {0};
  js_progress prog;
  js_run_stats st = {0};
  memset(&cfg, 0, sizeof cfg);
  js_linalg_init();
  int master = js_par_rank() == 0;
  js_status s = load_study(args, &cfg, &text);
  if (s == JS_OK) s = js_grid_build(&cfg, &grid);
  if (s == JS_OK) { /* the master prepares; every rank learns whether it succeeded */
    js_status m = JS_OK;
    if (master) m = js_results_alloc(&cfg, &grid, &res);
    if (master && m == JS_OK) m = js_config_study_text(&cfg, &study);
    if (master && m == JS_OK) m = resume(&cfg, &grid, &res, study, args->quiet);
    int code = (int)m;
    s = js_par_bcast_int(&code);
    if (s == JS_OK) s = master ? m : (js_status)code;
  }
  ckpt_ctx cctx = {&cfg, &grid, &res, study};
  js_commit_hook hook = {commit_checkpoint, &cctx, cfg.checkpoint_every};
  if (s == JS_OK) install_signals(master);
  if (s == JS_OK && master) js_progress_init(&prog, args->quiet, grid.nunits, grid.total_cost);
  if (s == JS_OK)
    s = js_schedule_run(&cfg, &grid, master ? &res : NULL, master ? &prog : NULL,
                        master ? &hook : NULL, &st);
  if (s == JS_OK && master) js_progress_end(&prog);
  if (s == JS_OK && master) s = epilog(&cfg, &res, text, argc, argv, &st, args);
  if (s == JS_OK && master) s = commit_checkpoint(&cctx);
  if (master) js_lock_release();
  js_results_free(&res);
  js_grid_free(&grid);
  js_config_free(&cfg);
  free(text);
  free(study);
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
    return js_exit_code(s);
  }
  if (args.cmd == JS_CMD_INFO) {
    s = js_info(args.config);
    js_error_report(s);
    free(args.sets);
    return js_exit_code(s);
  }
  if (args.cmd != JS_CMD_RUN) {
    if (args.cmd == JS_CMD_HELP) js_cli_usage(stdout);
    else printf("%s\nbuilt with: %s\n", js_version_string(), js_build_string());
    free(args.sets);
    return 0;
  }
  s = js_par_init(&argc, &argv);
  if (s == JS_OK) {
    s = run(&args, argc, argv);
    if (s != JS_OK && js_par_rank() == 0) js_error_report(s);
    js_par_finalize();
  } else {
    js_error_report(s);
  }
  free(args.sets);
  return js_exit_code(s);
}
