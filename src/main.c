/// \file main.c
/// judgesim: prolog (arguments, study, grid), the distributed run, epilog (reduce, write,
/// summary). Exit codes: 0 done, 2 bad input, 1 any other failure.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "grid.h"
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

/// The `run` command on every rank.
static js_status run(const js_args *args, int argc, char **argv) {
  js_config cfg;
  char *text = NULL;
  js_grid grid = {0};
  js_results res = {0};
  js_progress prog;
  js_run_stats st = {0};
  memset(&cfg, 0, sizeof cfg);
  js_linalg_init();
  js_status s = load_study(args, &cfg, &text);
  if (s == JS_OK) s = js_grid_build(&cfg, &grid);
  int master = js_par_rank() == 0;
  if (s == JS_OK && master) s = js_results_alloc(&cfg, &grid, &res);
  if (s == JS_OK && master) js_progress_init(&prog, args->quiet, grid.nunits, grid.total_cost);
  if (s == JS_OK) s = js_schedule_run(&cfg, &grid, master ? &res : NULL, master ? &prog : NULL, &st);
  if (s == JS_OK && master) js_progress_end(&prog);
  if (s == JS_OK && master) s = epilog(&cfg, &res, text, argc, argv, &st, args);
  js_results_free(&res);
  js_grid_free(&grid);
  js_config_free(&cfg);
  free(text);
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
