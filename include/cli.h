/// \file cli.h
/// Command line: `judgesim run CONFIG [-o OUT.nc] [--set section.key=value ...] [--quiet]`,
/// `judgesim run ... --shard I/N` (one deterministic share of the units),
/// `judgesim theory CONFIG [-o OUT.nc] [--set ...]`, `judgesim analyze OUT.nc [--boot N]`, `judgesim merge PART... -o OUT.nc`, `judgesim info OUT.nc|OUT.nc.ckpt`,
/// `judgesim --help`, `judgesim --version`.
#ifndef JS_CLI_H
#define JS_CLI_H

#include <stdio.h>

#include "error.h"

typedef enum { JS_CMD_RUN, JS_CMD_THEORY, JS_CMD_ANALYZE, JS_CMD_MERGE, JS_CMD_INFO, JS_CMD_HELP, JS_CMD_VERSION } js_command;

typedef struct {
  js_command cmd;
  const char *config;   ///< study file (run) or cube/checkpoint (info)
  const char *out;      ///< -o override or NULL
  const char **sets;    ///< --set values (malloc'd array of argv pointers)
  int nsets;
  const char **parts;   ///< merge: the shards' outputs (malloc'd array of argv pointers)
  int nparts;
  int shard, nshards;   ///< run --shard I/N (1 <= I <= N); 0 0 without
  int quiet;
  int dry_run;          ///< run --dry-run: validate and print the plan only
  int timings;          ///< run --timings: print where the time went (stdout)
  int boot;             ///< analyze --boot N (default 1000)
  int allow_other_build; ///< run, merge --allow-other-build: use checkpoints of another build
} js_args;

/// Parse argv; a bad argument is an input error naming it.
js_status js_cli_parse(int argc, char **argv, js_args *args);
/// Print the usage text.
void js_cli_usage(FILE *out);
/// "judgesim VERSION (commit COMMIT)".
const char *js_version_string(void);
/// Compiler and flags the program was built with.
const char *js_build_string(void);

#endif
