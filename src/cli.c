/// \file cli.c
/// Parsing of the command line and the help and version texts.
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef JS_VERSION
#define JS_VERSION "0.0.0"
#endif
#ifndef JS_COMMIT
#define JS_COMMIT "unknown"
#endif
#ifndef JS_BUILD
#define JS_BUILD "unknown"
#endif

const char *js_version_string(void) { return "judgesim " JS_VERSION " (commit " JS_COMMIT ")"; }

const char *js_build_string(void) { return JS_BUILD; }

void js_cli_usage(FILE *out) {
  fputs("usage: judgesim run CONFIG.yaml [-o OUT.nc] [--set section.key=value ...] [--quiet]\n"
        "                    [--shard I/N] [--dry-run] [--timings] [--allow-other-build]\n"
        "       judgesim theory CONFIG.yaml [-o OUT.nc] [--set ...]  (theory cube only;\n"
        "                    default OUT: output.path with .theory.nc)\n"
        "       judgesim analyze OUT.nc [--boot N] [--quiet]  (optima with bootstrap\n"
        "                    intervals, best judge, best-of-k exponent, MC-theory gap;\n"
        "                    added to the cube and printed)\n"
        "       judgesim merge PART.nc... -o OUT.nc [--allow-other-build]  (join the shards\n"
        "                    of one study)\n"
        "       judgesim info OUT.nc        (progress of a study from its checkpoint)\n"
        "       judgesim --help | --version\n\n"
        "Estimate the generalization error delta(d, n, k, T, reward) of softmax reranking by\n"
        "a judge (Halder & Pehlevan, ICML 2026) by Monte Carlo, and write a NetCDF cube.\n"
        "Run under `mpirun -np P` to use P ranks (rank 0 serves the others, and computes\n"
        "too below 32 ranks).\n\n"
        "  -o, --output OUT.nc   write the cube here (overrides output.path)\n"
        "  --set KEY=VALUE       override one study value with a YAML value, e.g.\n"
        "                        --set sampling.trials=8  --set grid.k=[1,2,4]\n"
        "  -q, --quiet           no progress line and no summary\n"
        "  --shard I/N           compute only share I of N of the units (job arrays): writes\n"
        "                        OUT.part-I-of-N.nc.ckpt; join the N parts with merge\n"
        "  --dry-run             check the study and print its output path, units and\n"
        "                        estimated core-hours; compute nothing\n"
        "  --timings             print where the time went (\"timing KEY VALUE\" lines on\n"
        "                        stdout): phases, master load, units of each kind\n"
        "  --allow-other-build   use a checkpoint (or parts) written by another build or on\n"
        "                        another CPU type: refused by default, as the cube would mix\n"
        "                        the two builds' bits\n\n"
        "Finished units are checkpointed to OUT.nc.ckpt (output.checkpoint_every seconds,\n"
        "default 60); running the same command again resumes. SIGTERM, SIGUSR1 and SIGINT\n"
        "commit a checkpoint and stop.\n\n"
        "exit codes: 0 done, 2 bad input (nothing written), 3 checkpointed but not finished,\n"
        "            4 output locked by another run, 1 any other failure\n",
        out);
}

/// Parse "I/N" with 1 <= I <= N.
static js_status parse_shard(const char *v, js_args *args) {
  int i = 0, n = 0, used = 0;
  int ok = sscanf(v, "%d/%d%n", &i, &n, &used) == 2 && v[used] == '\0';
  JS_CHECK(ok && n >= 1 && i >= 1 && i <= n, JS_ERR_INPUT,
           "option --shard: '%s' is not I/N with 1 <= I <= N (e.g. --shard 2/8)", v);
  args->shard = i;
  args->nshards = n;
  return JS_OK;
}

/// Option ids beyond the short options' characters; 1 is a positional argument.
enum { OPT_ARG = 1, OPT_SET = 256, OPT_SHARD, OPT_DRY_RUN, OPT_TIMINGS, OPT_ALLOW, OPT_BOOT };

/// What a missing value of option id should have been.
static const char *value_of(int id) {
  switch (id) {
  case 'o': return "a file name";
  case OPT_SET: return "section.key=value";
  case OPT_SHARD: return "I/N, e.g. --shard 2/8";
  case OPT_BOOT: return "a number of resamples from 20 to 1000000";
  default: return "a value";
  }
}

/// Handle one option or positional argument (id as getopt_long returns it).
typedef js_status (*take_fn)(int id, const char *value, js_args *args);

/// getopt_long over the command's arguments (argv[1] is the command), in order, without
/// permuting argv: every option and positional argument goes to take(). Accepts
/// `--opt VAL`, `--opt=VAL`, `-o VAL` and `-oVAL`; an unknown option or a missing value is
/// an input error naming it as typed.
static js_status parse_with(int argc, char **argv, const char *shorts,
                            const struct option *longs, js_args *args, take_fn take) {
  int sub_argc = argc - 1;
  char **sub_argv = argv + 1;
  opterr = 0;
  optind = 0; /* GNU: start over (the tests parse several command lines) */
  for (int id; (id = getopt_long(sub_argc, sub_argv, shorts, longs, NULL)) != -1;) {
    const char *typed = sub_argv[optind - 1];
    if (id == '?') JS_FAIL(JS_ERR_INPUT, "unknown option '%s' (see judgesim --help)", typed);
    if (id == ':') JS_FAIL(JS_ERR_INPUT, "option %s needs %s", typed, value_of(optopt));
    JS_CALL(take(id, optarg, args));
    if (args->cmd == JS_CMD_HELP) return JS_OK;
  }
  return JS_OK;
}

/// An option or argument of `analyze OUT.nc [--boot N] [--quiet]`.
static js_status take_analyze(int id, const char *v, js_args *args) {
  if (id == OPT_BOOT) {
    int used = 0;
    JS_CHECK(sscanf(v, "%d%n", &args->boot, &used) == 1 && !v[used] && args->boot >= 20 &&
                 args->boot <= 1000000,
             JS_ERR_INPUT, "option --boot needs a number of resamples from 20 to 1000000");
  } else if (id == 'q') {
    args->quiet = 1;
  } else {
    JS_CHECK(!args->config, JS_ERR_INPUT,
             "usage: judgesim analyze OUT.nc [--boot N] [--quiet] (unexpected '%s')", v);
    args->config = v;
  }
  return JS_OK;
}

/// Parse `analyze OUT.nc [--boot N] [--quiet]`.
static js_status parse_analyze(int argc, char **argv, js_args *args) {
  static const struct option longs[] = {{"boot", required_argument, NULL, OPT_BOOT},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {NULL, 0, NULL, 0}};
  args->boot = 1000;
  JS_CALL(parse_with(argc, argv, "-:q", longs, args, take_analyze));
  JS_CHECK(args->config, JS_ERR_INPUT, "usage: judgesim analyze OUT.nc [--boot N] [--quiet]");
  return JS_OK;
}

/// An option or argument of `merge PART... -o OUT [--quiet] [--allow-other-build]`.
static js_status take_merge(int id, const char *v, js_args *args) {
  if (id == 'o') args->out = v;
  else if (id == 'q') args->quiet = 1;
  else if (id == OPT_ALLOW) args->allow_other_build = 1;
  else args->parts[args->nparts++] = v;
  return JS_OK;
}

/// Parse `merge PART... -o OUT`.
static js_status parse_merge(int argc, char **argv, js_args *args) {
  static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"allow-other-build", no_argument, NULL, OPT_ALLOW},
                                        {NULL, 0, NULL, 0}};
  args->parts = calloc((size_t)argc, sizeof *args->parts);
  JS_ALLOC_CHECK(args->parts, "options");
  JS_CALL(parse_with(argc, argv, "-:o:q", longs, args, take_merge));
  JS_CHECK(args->nparts >= 1 && args->out && args->out[0], JS_ERR_INPUT,
           "usage: judgesim merge PART.nc... -o OUT.nc");
  return JS_OK;
}

/// An option or argument of `run` (and `theory`).
static js_status take_run(int id, const char *v, js_args *args) {
  switch (id) {
  case 'o': args->out = v; break;
  case OPT_SET: args->sets[args->nsets++] = v; break;
  case OPT_SHARD: JS_CALL(parse_shard(v, args)); break;
  case 'h': args->cmd = JS_CMD_HELP; break;
  case 'q': args->quiet = 1; break;
  case OPT_DRY_RUN: args->dry_run = 1; break;
  case OPT_TIMINGS: args->timings = 1; break;
  case OPT_ALLOW: args->allow_other_build = 1; break;
  default:
    JS_CHECK(!args->config, JS_ERR_INPUT, "unexpected argument '%s': one study file only", v);
    args->config = v;
  }
  return JS_OK;
}

/// Parse the options of `run`.
static js_status parse_run(int argc, char **argv, js_args *args) {
  static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                        {"set", required_argument, NULL, OPT_SET},
                                        {"shard", required_argument, NULL, OPT_SHARD},
                                        {"help", no_argument, NULL, 'h'},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
                                        {"timings", no_argument, NULL, OPT_TIMINGS},
                                        {"allow-other-build", no_argument, NULL, OPT_ALLOW},
                                        {NULL, 0, NULL, 0}};
  args->sets = calloc((size_t)argc, sizeof *args->sets);
  JS_ALLOC_CHECK(args->sets, "options");
  JS_CALL(parse_with(argc, argv, "-:o:hq", longs, args, take_run));
  if (args->cmd == JS_CMD_HELP) return JS_OK;
  JS_CHECK(args->config, JS_ERR_INPUT, "judgesim run: missing the study file (CONFIG.yaml)");
  JS_CHECK(!args->out || args->out[0], JS_ERR_INPUT, "option -o: empty file name");
  return JS_OK;
}

js_status js_cli_parse(int argc, char **argv, js_args *args) {
  memset(args, 0, sizeof *args);
  JS_CHECK(argc >= 2, JS_ERR_INPUT, "missing command (see judgesim --help)");
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    args->cmd = JS_CMD_HELP;
    return JS_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
    args->cmd = JS_CMD_VERSION;
    return JS_OK;
  }
  if (!strcmp(cmd, "info")) {
    JS_CHECK(argc == 3, JS_ERR_INPUT, "usage: judgesim info OUT.nc");
    args->cmd = JS_CMD_INFO;
    args->config = argv[2];
    return JS_OK;
  }
  if (!strcmp(cmd, "analyze")) {
    args->cmd = JS_CMD_ANALYZE;
    return parse_analyze(argc, argv, args);
  }
  if (!strcmp(cmd, "merge")) {
    args->cmd = JS_CMD_MERGE;
    return parse_merge(argc, argv, args);
  }
  JS_CHECK(!strcmp(cmd, "run") || !strcmp(cmd, "theory"), JS_ERR_INPUT,
           "unknown command '%s' (see judgesim --help)", cmd);
  args->cmd = strcmp(cmd, "run") ? JS_CMD_THEORY : JS_CMD_RUN;
  return parse_run(argc, argv, args);
}
