/// \file commands.h
/// The subcommands, one file each; main.c only dispatches. `run` and `rerank` are
/// collective (every MPI rank calls them after js_par_init); the others run in one process
/// without MPI. argc and argv are the command line, for the cube's history.
#ifndef JS_COMMANDS_H
#define JS_COMMANDS_H

#include "cmd/cli.h"
#include "core/error.h"

/// What a run holds to its end, freed after MPI_Finalize (cmd/run.c).
typedef struct js_run_data js_run_data;

/// `judgesim run`: prolog (study, grid, restart), the distributed work, epilog (reduce,
/// write, summary). *data is what the caller frees with js_run_data_free after
/// MPI_Finalize (tens of MB on the master: freeing them before only delays the job's end).
js_status js_cmd_run(const js_args *args, int argc, char **argv, js_run_data **data);
/// Free what js_cmd_run left (NULL is fine).
void js_run_data_free(js_run_data *data);
/// `judgesim theory`: the theory cube of a study.
js_status js_cmd_theory(const js_args *args, int argc, char **argv);
/// `judgesim merge`: join the shards of a job array into the cube and its checkpoint.
js_status js_cmd_merge(const js_args *args, int argc, char **argv);
/// `judgesim analyze`: optima, best judge and exponents of a cube, printed and added to it.
js_status js_cmd_analyze(const js_args *args);
/// `judgesim info`: units done/total, complete cells, study hash and last commit time of a
/// cube (its OUT.ckpt is read) or a checkpoint path.
js_status js_cmd_info(const js_args *args);
/// `judgesim rerank`: rank 0 reads and checks the sample files and shares them; the
/// questions are work units on the study's master/worker schedule; rank 0 summarises them
/// and writes the cube and the table.
js_status js_cmd_rerank(const js_args *args, int argc, char **argv);

#endif
