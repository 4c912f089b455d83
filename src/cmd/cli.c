/// \file cli.c
/// Parsing of the command line and the help and version texts.
#include "cmd/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *js_cli_history(int argc, char **argv) {
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

void js_cli_usage(FILE *out) {
  fputs("usage: judgesim run CONFIG.yaml [-o OUT.nc] [--set section.key=value ...] [--quiet]\n"
        "                    [--shard I/N] [--dry-run] [--timings] [--allow-other-build]\n"
        "                    [--force]\n"
        "       judgesim theory CONFIG.yaml [-o OUT.nc] [--set ...]  (theory cube only;\n"
        "                    default OUT: output.path with .theory.nc)\n"
        "       judgesim analyze OUT.nc [--boot N] [--quiet]  (optima with bootstrap\n"
        "                    intervals, best judge, best-of-k exponent, MC-theory gap;\n"
        "                    added to the cube and printed)\n"
        "       judgesim merge PART.nc... -o OUT.nc [--allow-other-build] [--force]  (join the\n"
        "                    shards of one study)\n"
        "       judgesim info OUT.nc        (progress of a study from its checkpoint)\n"
        "       judgesim rerank SAMPLES.csv|.jsonl... [-o OUT.nc] [--k LIST] [--T LIST]\n"
        "                    [--question COL] [--loss COL | --correct COL] [--reward COL]\n"
        "                    [--boot N] [--seed S] [--fit-k LO:HI] [--force] [--quiet]  (exact\n"
        "                    delta of a judge reranking k of your own samples per question;\n"
        "                    see judgesim rerank --help)\n"
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
        "                        the two builds' bits\n"
        "  --force               replace a judgesim cube of another study or command at OUT\n"
        "                        (a file judgesim did not write is never replaced)\n"
        "  --samples-out PREFIX  also write every candidate as sample files for judgesim\n"
        "                        rerank: PREFIX-judgeR.csv per judge, one question per test\n"
        "                        point (one rank only; a small study: k_max rows per point)\n\n"
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
enum { OPT_ARG = 1, OPT_SET = 256, OPT_SHARD, OPT_DRY_RUN, OPT_TIMINGS, OPT_ALLOW, OPT_BOOT,
       OPT_K, OPT_T, OPT_QUESTION, OPT_LOSS, OPT_CORRECT, OPT_REWARD, OPT_SEED, OPT_FIT, OPT_SAMPLES_OUT,
       OPT_FORCE, OPT_GRADED, OPT_CONCAT };

/// What a missing value of option id should have been.
void js_cli_usage_rerank(FILE *out) {
  fputs("usage: judgesim rerank SAMPLES.csv|SAMPLES.jsonl... [-o OUT.nc] [--k LIST] [--T LIST]\n"
        "                [--question COL] [--loss COL | --correct COL] [--reward COL]\n"
        "                [--graded] [--concat] [--boot N] [--seed S] [--fit-k LO:HI]\n"
        "                [--force] [--quiet]\n\n"
        "For N sampled answers per question, each with a loss (or a correctness) and a judge's\n"
        "reward, the expected loss of the answer a judge picks from k of them (softmax of\n"
        "reward / T; T = 0: the best, ties broken uniformly), exact over all k-subsets of each\n"
        "question's samples, averaged over questions; with bootstrap intervals over questions,\n"
        "the optimal k and T, the theory's terms Cov(l, r) and Cov(l, (r - mu_r)^2) and the\n"
        "best-of-k law delta(T = 0) = A k^-e. Run under mpirun to spread the questions.\n\n"
        "  SAMPLES           CSV with a header row (one sample per row; tab-separated when the\n"
        "                    name ends .tsv or the header has tabs and no commas), or JSON Lines\n"
        "                    (name ending .jsonl/.ndjson/.json): one sample per line, or one\n"
        "                    question per line with arrays of losses (or correctness) and\n"
        "                    rewards. UTF-8 (a byte-order mark is skipped); losses within\n"
        "                    +-1e150, rewards any finite number\n"
        "  -o, --output OUT  the cube (default: the first file's name with .rerank.nc)\n"
        "  --k LIST          subset sizes, e.g. 1,2,4,8 or logspace:1:64:7 (default: 1, 2,\n"
        "                    4, ... up to 64, and the smallest question's N when it is <= 64)\n"
        "  --T LIST          temperatures, e.g. 0,0.1,1,inf (default 0,0.1,0.3,1,3,10,inf)\n"
        "  --question COL    question id column (default question)\n"
        "  --loss COL        loss column (default loss; lower is better)\n"
        "  --correct COL     correctness column, 0/1 or true/false: loss = 1 - correct\n"
        "                    (default: correct, used when a file has no column loss)\n"
        "  --graded          a correctness may be any value in [0, 1] (partial credit)\n"
        "  --concat          several sample files are one sample set (their questions pooled;\n"
        "                    a question may span files); without it one file is taken\n"
        "  --reward COL      the judge's score column (default reward; higher is better)\n"
        "  --boot N          bootstrap resamples of the questions (default 1000)\n"
        "  --seed S          seed of the bootstrap (default 1)\n"
        "  --fit-k LO:HI     k window of the best-of-k fit (default: the whole k axis)\n"
        "  --force           replace a judgesim cube of another command or other sample files\n"
        "                    at OUT (a file judgesim did not write is never replaced)\n"
        "  -q, --quiet       no progress line and no table\n\n"
        "exit codes: 0 done, 2 bad input (nothing written), 1 any other failure\n",
        out);
}

static const char *value_of(int id) {
  switch (id) {
  case 'o': return "a file name";
  case OPT_SET: return "section.key=value";
  case OPT_SHARD: return "I/N, e.g. --shard 2/8";
  case OPT_BOOT: return "a number of resamples from 20 to 1000000";
  case OPT_K: return "a list of k, e.g. 1,2,4,8 or logspace:1:64:7";
  case OPT_T: return "a list of T, e.g. 0,0.1,1,inf";
  case OPT_QUESTION: case OPT_LOSS: case OPT_CORRECT: case OPT_REWARD: return "a column name";
  case OPT_SEED: return "a seed (an integer)";
  case OPT_FIT: return "a k window LO:HI, e.g. 2:64";
  case OPT_SAMPLES_OUT: return "a file name prefix";
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
    const char *eq = strchr(typed, '=');
    if (id == '?' && optopt && eq && typed[0] == '-' && typed[1] == '-')
      JS_FAIL(JS_ERR_INPUT, "option '%.*s' takes no value (in '%s')", (int)(eq - typed), typed,
              typed);
    if (id == '?' && !(typed[0] == '-' && typed[1] == '-') && optopt > ' ' && optopt < 127)
      JS_FAIL(JS_ERR_INPUT, "unknown option '-%c' (see judgesim --help)", optopt); /* -xyz */
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
  else if (id == OPT_FORCE) args->force = 1;
  else args->parts[args->nparts++] = v;
  return JS_OK;
}

/// Parse `merge PART... -o OUT`.
static js_status parse_merge(int argc, char **argv, js_args *args) {
  static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"allow-other-build", no_argument, NULL, OPT_ALLOW},
                                        {"force", no_argument, NULL, OPT_FORCE},
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
  case OPT_SAMPLES_OUT: args->samples_out = v; break;
  case OPT_FORCE: args->force = 1; break;
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
                                        {"samples-out", required_argument, NULL, OPT_SAMPLES_OUT},
                                        {"force", no_argument, NULL, OPT_FORCE},
                                        {NULL, 0, NULL, 0}};
  args->sets = calloc((size_t)argc, sizeof *args->sets);
  JS_ALLOC_CHECK(args->sets, "options");
  JS_CALL(parse_with(argc, argv, "-:o:hq", longs, args, take_run));
  if (args->cmd == JS_CMD_HELP) return JS_OK;
  JS_CHECK(args->config, JS_ERR_INPUT, "judgesim run: missing the study file (CONFIG.yaml)");
  JS_CHECK(!args->out || args->out[0], JS_ERR_INPUT, "option -o: empty file name");
  return JS_OK;
}

/// Split a generator `KIND:A:B:N` into its numbers; 0 when text is not one.
static int generator(const char *text, const char *kind, double *a, double *b, int *num) {
  size_t len = strlen(kind);
  int used = 0;
  if (strncmp(text, kind, len) || text[len] != ':') return 0;
  return sscanf(text + len + 1, "%lf:%lf:%d%n", a, b, num, &used) == 3 && !text[len + 1 + used];
}

/// Parse one item of an explicit list: a number, or inf / .inf.
static int list_item(const char *item, size_t len, double *v) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return 0;
  memcpy(buf, item, len);
  buf[len] = 0;
  const char *p = buf[0] == '.' && (buf[1] == 'i' || buf[1] == 'I') ? buf + 1 : buf;
  char *end;
  *v = strtod(p, &end);
  return *end == 0 && !isnan(*v);
}

/// Sort ascending and drop duplicates.
static int sort_unique(double *v, int n) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
      double x = v[j];
      v[j] = v[j - 1], v[j - 1] = x;
    }
  int m = 0;
  for (int i = 0; i < n; i++)
    if (m == 0 || v[i] != v[m - 1]) v[m++] = v[i];
  return m;
}

/// Expand a generator into v (at most 4096 values); 0 when text is not a valid one.
static int expand(const char *text, int integer, double *v, int *n) {
  double a, b;
  int num, logsp = generator(text, "logspace", &a, &b, &num);
  if (!logsp && !generator(text, "linspace", &a, &b, &num)) return 0;
  if (num < 1 || num > 4096 || !isfinite(a) || !isfinite(b) || (logsp && (a <= 0 || b <= 0)))
    return 0;
  for (int i = 0; i < num; i++) {
    double f = num > 1 ? (double)i / (num - 1) : 0;
    v[i] = logsp ? exp(log(a) + f * (log(b) - log(a))) : a + f * (b - a);
    if (integer) v[i] = round(v[i]);
  }
  if (num > 1) v[num - 1] = integer ? round(b) : b;
  *n = num;
  return 1;
}

js_status js_cli_list(const char *opt, const char *text, int integer, double **vals, int *n) {
  const char *want = integer ? "integers >= 1" : "numbers >= 0 (0 and inf allowed)";
  *vals = malloc(sizeof(double) * 4096);
  JS_ALLOC_CHECK(*vals, "list values");
  double *v = *vals;
  *n = 0;
  if (!expand(text, integer, v, n)) {
    for (const char *p = text; *n < 4096; p++) {
      size_t len = strcspn(p, ",");
      if (!list_item(p, len, &v[*n])) {
        free(*vals), *vals = NULL;
        JS_FAIL(JS_ERR_INPUT, "option %s '%s': expected %s as a list (1,2,4) or a generator "
                "(logspace:1:64:7, linspace:0:1:5)", opt, text, want);
      }
      (*n)++;
      p += len;
      if (!*p) break;
    }
  }
  for (int i = 0; i < *n; i++) {
    int ok = integer ? v[i] >= 1 && v[i] <= 2e9 && v[i] == floor(v[i]) : v[i] >= 0;
    if (!ok) {
      free(*vals), *vals = NULL;
      JS_FAIL(JS_ERR_INPUT, "option %s '%s': %g is not allowed (expected %s)", opt, text,
              v[i], want);
    }
  }
  *n = sort_unique(v, *n);
  return JS_OK;
}

/// Set an option that takes one value; given a second time it is refused (the last would
/// silently win: two judges' columns are not two judges).
static js_status take_once(const char *opt, const char **field, const char *v) {
  JS_CHECK(!*field, JS_ERR_INPUT, "judgesim rerank: option %s given twice ('%s' and '%s'); it "
           "takes one value", opt, *field, v);
  *field = v;
  return JS_OK;
}

/// An option or argument of `rerank SAMPLES... [options]`.
static js_status take_rerank(int id, const char *v, js_args *args) {
  int used = 0;
  switch (id) {
  case 'o': JS_CALL(take_once("-o", &args->out, v)); break;
  case 'h': args->cmd = JS_CMD_HELP, args->config = "rerank"; break;
  case 'q': args->quiet = 1; break;
  case OPT_K: JS_CALL(take_once("--k", &args->k_list, v)); break;
  case OPT_T: JS_CALL(take_once("--T", &args->T_list, v)); break;
  case OPT_FIT: JS_CALL(take_once("--fit-k", &args->fit_k, v)); break;
  case OPT_QUESTION: JS_CALL(take_once("--question", &args->col_question, v)); break;
  case OPT_LOSS: JS_CALL(take_once("--loss", &args->col_loss, v)); break;
  case OPT_CORRECT: JS_CALL(take_once("--correct", &args->col_correct, v)); break;
  case OPT_REWARD: JS_CALL(take_once("--reward", &args->col_reward, v)); break;
  case OPT_FORCE: args->force = 1; break;
  case OPT_GRADED: args->graded = 1; break;
  case OPT_CONCAT: args->concat = 1; break;
  case OPT_BOOT:
    JS_CHECK(sscanf(v, "%d%n", &args->boot, &used) == 1 && !v[used] && args->boot >= 20 &&
                 args->boot <= 1000000,
             JS_ERR_INPUT, "option --boot needs %s", value_of(OPT_BOOT));
    break;
  case OPT_SEED:
    JS_CHECK(sscanf(v, "%ld%n", &args->seed, &used) == 1 && !v[used] && args->seed >= 0 &&
                 args->seed < 2147483647L,
             JS_ERR_INPUT, "option --seed needs an integer from 0 to 2147483646");
    break;
  default: args->parts[args->nparts++] = v;
  }
  return JS_OK;
}

/// Parse `rerank SAMPLES... [options]`.
static js_status parse_rerank(int argc, char **argv, js_args *args) {
  static const struct option longs[] = {{"output", required_argument, NULL, 'o'},
                                        {"help", no_argument, NULL, 'h'},
                                        {"quiet", no_argument, NULL, 'q'},
                                        {"k", required_argument, NULL, OPT_K},
                                        {"T", required_argument, NULL, OPT_T},
                                        {"question", required_argument, NULL, OPT_QUESTION},
                                        {"loss", required_argument, NULL, OPT_LOSS},
                                        {"correct", required_argument, NULL, OPT_CORRECT},
                                        {"reward", required_argument, NULL, OPT_REWARD},
                                        {"boot", required_argument, NULL, OPT_BOOT},
                                        {"seed", required_argument, NULL, OPT_SEED},
                                        {"fit-k", required_argument, NULL, OPT_FIT},
                                        {"force", no_argument, NULL, OPT_FORCE},
                                        {"graded", no_argument, NULL, OPT_GRADED},
                                        {"concat", no_argument, NULL, OPT_CONCAT},
                                        {NULL, 0, NULL, 0}};
  args->parts = calloc((size_t)argc, sizeof *args->parts);
  JS_ALLOC_CHECK(args->parts, "options");
  args->boot = 1000, args->seed = 1;
  JS_CALL(parse_with(argc, argv, "-:o:hq", longs, args, take_rerank));
  if (args->cmd == JS_CMD_HELP) return JS_OK;
  JS_CHECK(args->nparts >= 1, JS_ERR_INPUT,
           "judgesim rerank: missing the sample files (CSV or JSON Lines; see judgesim rerank "
           "--help)");
  JS_CHECK(!(args->col_loss && args->col_correct), JS_ERR_INPUT,
           "judgesim rerank: give --loss or --correct, not both");
  JS_CHECK(args->nparts == 1 || args->concat, JS_ERR_INPUT,
           "judgesim rerank: %d sample files (%s, %s%s): give --concat to read them as one "
           "sample set (a question may span files); files of different judges are not one set",
           args->nparts, args->parts[0], args->parts[1], args->nparts > 2 ? ", ..." : "");
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
  if (!strcmp(cmd, "rerank")) {
    args->cmd = JS_CMD_RERANK;
    return parse_rerank(argc, argv, args);
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
