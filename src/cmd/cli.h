/// \file cli.h
/// Command line: `judgesim run CONFIG [-o OUT.nc] [--set section.key=value ...] [--quiet]`,
/// `judgesim run ... --shard I/N` (one deterministic share of the units),
/// `judgesim theory CONFIG [-o OUT.nc] [--set ...]`, `judgesim analyze OUT.nc [--boot N]`, `judgesim merge PART... -o OUT.nc`, `judgesim info OUT.nc|OUT.nc.ckpt`,
/// `judgesim rerank SAMPLES... [-o OUT.nc] [--k LIST] [--T LIST] [--question COL]
/// [--loss COL | --correct COL] [--reward COL] [--boot N] [--seed S] [--fit-k LO:HI]`,
/// `judgesim --help`, `judgesim --version`.
#ifndef JS_CLI_H
#define JS_CLI_H

#include <stdio.h>

#include "core/error.h"

typedef enum { JS_CMD_RUN, JS_CMD_THEORY, JS_CMD_ANALYZE, JS_CMD_MERGE, JS_CMD_INFO, JS_CMD_RERANK, JS_CMD_HELP, JS_CMD_VERSION } js_command;

typedef struct {
  js_command cmd;
  const char *config;   ///< study file (run) or cube/checkpoint (info)
  const char *out;      ///< -o override or NULL
  const char **sets;    ///< --set values (malloc'd array of argv pointers)
  int nsets;
  const char **parts;   ///< merge: the shards' outputs; rerank: the sample files
                        ///< (malloc'd array of argv pointers)
  int nparts;
  int shard, nshards;   ///< run --shard I/N (1 <= I <= N); 0 0 without
  int quiet;
  int dry_run;          ///< run --dry-run: validate and print the plan only
  int timings;          ///< run --timings: print where the time went (stdout)
  const char *samples_out; ///< run --samples-out PREFIX: the candidates as rerank files
  int boot;             ///< analyze, rerank --boot N (default 1000)
  long seed;            ///< rerank --seed S (of the bootstrap; default 1)
  const char *k_list, *T_list, *fit_k; ///< rerank --k, --T, --fit-k as typed (NULL: default)
  const char *col_question, *col_loss, *col_correct, *col_reward; ///< rerank's columns
  int graded;           ///< rerank --graded: a correctness may be any value in [0, 1]
  int concat;           ///< rerank --concat: several sample files are one sample set
  int allow_other_build; ///< run, merge --allow-other-build: use checkpoints of another build
  int force;            ///< run, theory, merge, rerank --force: replace a judgesim cube of
                        ///< another study or command at the output
} js_args;

/// Parse argv; a bad argument is an input error naming it.
js_status js_cli_parse(int argc, char **argv, js_args *args);
/// Values of a list option (`1,2,4`, `logspace:1:64:7`, `linspace:0:1:5`; `inf` allowed
/// when integer is 0), sorted and without duplicates; integer lists hold integers >= 1, the
/// others numbers >= 0. *vals is malloc'd. A bad list is an input error naming the option.
js_status js_cli_list(const char *opt, const char *text, int integer, double **vals, int *n);
/// Print the usage text.
void js_cli_usage(FILE *out);
/// Print the usage text of `judgesim rerank`.
void js_cli_usage_rerank(FILE *out);
/// A history line: "2026-11-22T10:00:00Z: judgesim run ..." (malloc'd; NULL if out of memory).
char *js_cli_history(int argc, char **argv);

#endif
