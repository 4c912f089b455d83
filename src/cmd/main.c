/// \file main.c
/// judgesim: parse the command line and dispatch to a subcommand (commands.h). Exit codes
/// come from js_exit_code (core/error.h): 0 done, 2 bad input, 3 stopped by a signal with
/// a checkpoint committed, 4 the output locked by another run, 1 any other failure.
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "cmd/commands.h"
#include "core/signals.h"
#include "dist/parallel.h"
#include "dist/timers.h"
#include "io/buildid.h"
#include "io/store.h"
#include "mc/posterior.h"

/// Is this process rank 0 of an MPI launch (or not launched by MPI at all)?
static int launched_as_rank0(void) {
  const char *r = getenv("OMPI_COMM_WORLD_RANK");
  if (!r) r = getenv("PMIX_RANK");
  if (!r) r = getenv("PMI_RANK");
  return !r || atoi(r) == 0;
}

/// --help and --version.
static void help_or_version(const js_args *args) {
  if (args->cmd == JS_CMD_HELP && args->config) js_cli_usage_rerank(stdout);
  else if (args->cmd == JS_CMD_HELP) js_cli_usage(stdout);
  else {
    char mpi[512];
    js_par_library(mpi, sizeof mpi);
    printf("%s\nbuilt with: %s\nMPI: %s\nBLAS/LAPACK: %s\nNetCDF: %s\n", js_version_string(),
           js_build_string(), mpi, js_linalg_library(), js_store_library());
  }
}

/// The subcommands without MPI: one process.
static js_status serial(const js_args *args, int argc, char **argv) {
  switch (args->cmd) {
  case JS_CMD_INFO: return js_cmd_info(args);
  case JS_CMD_MERGE: return js_cmd_merge(args, argc, argv);
  case JS_CMD_ANALYZE: return js_cmd_analyze(args);
  case JS_CMD_THEORY: return js_cmd_theory(args, argc, argv);
  default: return JS_ERROR(JS_ERR_INTERNAL, "command %d has no serial entry", (int)args->cmd);
  }
}

/// run and rerank: every rank, between MPI's start and end; the run's data is freed after
/// MPI_Finalize. Only rank 0 reports a failure.
static js_status collective(const js_args *args, int argc, char **argv) {
  if (args->cmd == JS_CMD_RUN) js_signals_stop(1); /* a stop during start-up is not a kill */
  js_status s = js_par_init(&argc, &argv);
  if (s != JS_OK) return s;
  js_run_data *d = NULL;
  js_timer_start(JS_TM_STARTUP);
  js_timer_mark(JS_AT_INIT);
  s = args->cmd == JS_CMD_RUN ? js_cmd_run(args, argc, argv, &d)
                              : js_cmd_rerank(args, argc, argv);
  if (s != JS_OK && js_par_rank() == 0) js_error_report(s);
  if (s == JS_OK && js_par_rank() == 0 && args->timings && args->cmd == JS_CMD_RUN)
    printf("timing at_exit_s %.6f\n", js_par_time());
  js_par_finalize();
  js_run_data_free(d);
  return s;
}

int main(int argc, char **argv) {
  js_args args = {0};
  js_status s = js_store_init();
  JS_TRY(s, js_cli_parse(argc, argv, &args));
  if (s != JS_OK) {
    if (launched_as_rank0()) js_error_report(s);
  } else if (args.cmd == JS_CMD_HELP || args.cmd == JS_CMD_VERSION) {
    help_or_version(&args);
  } else if (args.cmd == JS_CMD_RUN || args.cmd == JS_CMD_RERANK) {
    s = collective(&args, argc, argv); /* reported on rank 0 inside */
  } else {
    s = serial(&args, argc, argv);
    js_error_report(s);
  }
  free(args.sets);
  free(args.parts);
  return js_exit_code(s);
}
