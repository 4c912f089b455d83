/// \file rerank.c
/// The `judgesim rerank` command (see commands.h).
#define _GNU_SOURCE /* qsort_r */
#include "cmd/commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist/parallel.h"
#include "cmd/cli.h"
#include "io/buildid.h"
#include "core/numutil.h"
#include "core/progress.h"
#include "rerank/rerank.h"
#include "rerank/rerankout.h"
#include "rerank/samples.h"
#include "dist/schedule.h"
#include "io/store.h"
#include "cmd/output.h"
#include "io/fileio.h"

/// Seconds of one core per sample and per (k, finite T) pair (measured: about 20 ms for a
/// question of 1,000 samples, k up to 64 and 3 finite T); only orders the work and the ETA.
#define COST_PER_SAMPLE 1e-7

/// Everything a rerank holds on every rank (text parts of the samples on rank 0 only).
typedef struct {
  js_rerank_opts o;
  double *kv, *T;  ///< the axes as parsed (kv as doubles)
  int *k;
  js_samples smp;
  int nfinite;     ///< finite positive temperatures
  int *order;      ///< questions, costliest first
  char *out;       ///< rank 0: the cube's path
  double *rows;    ///< rank 0: [question][payload]
  unsigned char *done;
  js_layout_knobs layout;
  js_lock *lock;   ///< rank 0: the output's
} rr_job;

/// The default k axis: 1, 2, 4, ... up to 64, and the smallest question's N when it is at
/// most 64 (the axis ends at N; beyond, k = N would cost up to N / 64 times the rest).
static js_status default_k(rr_job *j, int nmin) {
  j->kv = malloc(sizeof(double) * 9);
  JS_ALLOC_CHECK(j->kv, "k axis");
  j->o.nk = 0;
  for (int k = 1; k <= 64 && k <= nmin; k *= 2) j->kv[j->o.nk++] = k;
  if (nmin <= 64 && j->kv[j->o.nk - 1] != nmin) j->kv[j->o.nk++] = nmin;
  return JS_OK;
}

/// The axes, the fit window and the bootstrap settings from the options (every rank).
static js_status read_axes(const js_args *a, rr_job *j) {
  const char *T = a->T_list ? a->T_list : "0,0.1,0.3,1,3,10,inf";
  JS_CALL(js_cli_list("--T", T, 0, &j->T, &j->o.nT));
  if (a->k_list) JS_CALL(js_cli_list("--k", a->k_list, 1, &j->kv, &j->o.nk));
  j->o.boot = a->boot, j->o.seed = a->seed;
  j->o.fit_lo = 1, j->o.fit_hi = 2000000000;
  if (a->fit_k) {
    int used = 0;
    JS_CHECK(sscanf(a->fit_k, "%d:%d%n", &j->o.fit_lo, &j->o.fit_hi, &used) == 2 &&
                 !a->fit_k[used] && j->o.fit_lo >= 1 && j->o.fit_lo < j->o.fit_hi,
             JS_ERR_INPUT, "option --fit-k '%s': expected a k window LO:HI with 1 <= LO < HI",
             a->fit_k);
  }
  j->nfinite = js_count_finite_positive(j->T, j->o.nT);
  return JS_OK;
}

/// The k axis as ints (the default one once the smallest N is known).
static js_status k_axis(rr_job *j, int nmin) {
  if (!j->kv) JS_CALL(default_k(j, nmin));
  j->k = malloc(sizeof(int) * (size_t)j->o.nk);
  JS_ALLOC_CHECK(j->k, "k axis");
  for (int i = 0; i < j->o.nk; i++) j->k[i] = (int)j->kv[i];
  j->o.k = j->k, j->o.T = j->T;
  if (j->o.fit_hi == 2000000000) j->o.fit_lo = j->k[0], j->o.fit_hi = j->k[j->o.nk - 1];
  return JS_OK;
}

/// Rank 0: every question must have at least the largest k samples.
static js_status check_sizes(const rr_job *j, int kmax) {
  const js_samples *s = &j->smp;
  for (int q = 0; q < s->nq; q++) {
    size_t n = s->start[q + 1] - s->start[q];
    JS_CHECK(n >= (size_t)kmax, JS_ERR_INPUT,
             "%s: line %ld: question '%s' has %zu sample%s, fewer than the largest k (%d): "
             "lower --k or leave the question out", s->file[s->qfile[q]], s->qline[q],
             s->qid[q], n, n == 1 ? "" : "s", kmax);
  }
  return JS_OK;
}

/// The cube's path: -o, else the first sample file's name with .rerank.nc for its suffix.
static js_status out_path(const js_args *a, rr_job *j) {
  const char *first = a->parts[0], *base = strrchr(first, '/');
  base = base ? base + 1 : first;
  const char *dot = strrchr(base, '.');
  size_t stem = dot && dot > base ? (size_t)(dot - first) : strlen(first);
  j->out = a->out ? strdup(a->out) : malloc(stem + 16);
  JS_ALLOC_CHECK(j->out, "output path");
  if (!a->out) snprintf(j->out, stem + 16, "%.*s.rerank.nc", (int)stem, first);
  return JS_OK;
}

/// Rank 0: check the output (not an input, not another command's cube) and lock it.
static js_status claim_out(const js_args *a, rr_job *j) {
  size_t len = 1;
  for (int i = 0; i < a->nparts; i++) len += strlen(a->parts[i]) + 1;
  char *files = calloc(len, 1);
  JS_ALLOC_CHECK(files, "file names");
  for (int i = 0; i < a->nparts; i++) strcat(strcat(files, a->parts[i]), "\n");
  js_output o = {j->out, a->out ? "-o" : "the default output", a->parts, a->nparts,
                 JS_CUBE_RERANK, NULL, files, a->force};
  js_status s = js_output_check(&o);
  free(files);
  JS_CALL(s);
  return js_lock_take(j->out, &j->lock);
}

/// Rank 0: claim the output, read and check the samples; the smallest N goes to *nmin.
static js_status load(const js_args *a, rr_job *j, int *nmin) {
  JS_CALL(out_path(a, j));
  JS_CALL(claim_out(a, j));
  js_columns cols = {a->col_question ? a->col_question : "question", a->col_loss,
                     a->col_correct ? a->col_correct : "correct",
                     a->col_reward ? a->col_reward : "reward", 0, a->graded};
  if (!a->col_loss && !a->col_correct) cols.loss = "loss", cols.either = 1;
  JS_CALL(js_distinct_files(a->parts, a->nparts, "judgesim rerank: the sample files"));
  JS_CALL(js_samples_read(a->parts, a->nparts, &cols, &j->smp));
  JS_CHECK(j->smp.nq >= 1, JS_ERR_INPUT, "%s: no samples in the file%s", a->parts[0],
           a->nparts > 1 ? "s" : "");
  *nmin = 1 << 30;
  for (int q = 0; q < j->smp.nq; q++) {
    int n = (int)(j->smp.start[q + 1] - j->smp.start[q]);
    if (n < *nmin) *nmin = n;
  }
  if (j->kv) JS_CALL(check_sizes(j, (int)j->kv[j->o.nk - 1]));
  return JS_OK;
}

/// Share the grouped samples and the smallest N from rank 0 with every rank (collective).
static js_status share(rr_job *j, int *nmin) {
  js_samples *s = &j->smp;
  long sizes[3] = {s->nq, (long)s->ns, *nmin};
  JS_CALL(js_par_bcast_bytes(sizes, sizeof sizes));
  if (js_par_rank() != 0) {
    s->nq = (int)sizes[0], s->ns = (size_t)sizes[1], *nmin = (int)sizes[2];
    s->start = malloc(sizeof(size_t) * ((size_t)s->nq + 1));
    s->loss = malloc(sizeof(double) * (s->ns + 1));
    s->reward = malloc(sizeof(double) * (s->ns + 1));
    JS_CHECK(s->start && s->loss && s->reward, JS_ERR_SYS, "out of memory for %zu samples",
             s->ns);
  }
  JS_CALL(js_par_bcast_bytes(s->start, sizeof(size_t) * ((size_t)s->nq + 1)));
  JS_CALL(js_par_bcast_bytes(s->loss, sizeof(double) * s->ns));
  JS_CALL(js_par_bcast_bytes(s->reward, sizeof(double) * s->ns));
  return JS_OK;
}

/// Estimated seconds of question id.
static double q_cost(const void *ctx, int id) {
  const rr_job *j = ctx;
  double n = (double)(j->smp.start[id + 1] - j->smp.start[id]);
  return COST_PER_SAMPLE * n * (1.0 + j->nfinite * (double)j->k[j->o.nk - 1]);
}

/// Doubles in a question's result.
static int q_payload(const void *ctx, int id) {
  (void)id;
  return js_rerank_payload(&((const rr_job *)ctx)->o);
}

/// Every question is of one kind.
static int q_kind(const void *ctx, int id) {
  (void)ctx, (void)id;
  return 0;
}

/// A question counts its samples in the progress line.
static double q_count(const void *ctx, int id) {
  const rr_job *j = ctx;
  return (double)(j->smp.start[id + 1] - j->smp.start[id]);
}

/// Compute question id's curves.
static js_status q_run(void *ctx, int id, double *payload, const js_poll *poll) {
  (void)poll;
  const rr_job *j = ctx;
  size_t at = j->smp.start[id];
  js_question q = {(int)(j->smp.start[id + 1] - at), j->smp.loss + at, j->smp.reward + at};
  return js_rerank_question(&j->o, &q, payload);
}

/// Rank 0 keeps a question's result.
static int q_put(void *ctx, int id, const double *payload) {
  rr_job *j = ctx;
  int w = js_rerank_payload(&j->o);
  memcpy(j->rows + (size_t)id * w, payload, sizeof(double) * (size_t)w);
  j->done[id] = 1;
  return -1;
}

/// Order of the questions of the job ctx: costliest first, ties by id.
static int by_cost(const void *a, const void *b, void *ctx) {
  int x = *(const int *)a, y = *(const int *)b;
  double cx = q_cost(ctx, x), cy = q_cost(ctx, y);
  return cx > cy ? -1 : cx < cy ? 1 : (x > y) - (x < y);
}

/// The work of the questions; rank 0 also gets the result rows.
static js_status make_work(rr_job *j, js_work *w) {
  int nq = j->smp.nq;
  j->order = malloc(sizeof(int) * (size_t)nq);
  JS_ALLOC_CHECK(j->order, "question order");
  for (int q = 0; q < nq; q++) j->order[q] = q;
  qsort_r(j->order, (size_t)nq, sizeof(int), by_cost, j);
  if (js_par_rank() == 0) {
    j->rows = malloc(sizeof(double) * (size_t)nq * js_rerank_payload(&j->o));
    j->done = calloc((size_t)nq, 1);
    JS_CHECK(j->rows && j->done, JS_ERR_SYS, "out of memory for %d questions' results", nq);
  }
  *w = (js_work){.nunits = nq, .nwork = nq, .order = j->order,
                 .max_payload = js_rerank_payload(&j->o), .ctx = j, .cost = q_cost,
                 .payload = q_payload, .kind = q_kind, .count = q_count, .run = q_run};
  return JS_OK;
}

/// Rank 0's part before the work: read, check; every rank learns the outcome.
static js_status prolog(const js_args *a, rr_job *j) {
  int nmin = 0;
  js_status s = js_par_rank() == 0 ? load(a, j, &nmin) : JS_OK;
  int code = (int)s;
  JS_CALL(js_par_bcast_int(&code));
  if (code != JS_OK) return js_par_rank() == 0 ? s : (js_status)code;
  JS_CALL(share(j, &nmin));
  JS_CALL(k_axis(j, nmin));
  JS_CHECK(j->o.nk >= 1, JS_ERR_INPUT, "rerank: no k to estimate");
  return JS_OK;
}

/// Distribute the questions; rank 0 collects their rows.
static js_status compute(const js_args *a, rr_job *j) {
  js_work w;
  JS_CALL(make_work(j, &w));
  int master = js_par_rank() == 0;
  js_progress prog;
  double total = 0;
  for (int q = 0; q < j->smp.nq; q++) total += q_cost(j, q);
  if (master) js_progress_init(&prog, a->quiet, j->smp.nq, total);
  js_master_hooks hook = {.done = j->done, .put = q_put, .every = 1e30, .ctx = j};
  js_run_stats st = {0};
  JS_CALL(js_schedule_run(&w, &j->layout, master ? &prog : NULL, master ? &hook : NULL, &st));
  if (master) js_progress_end(&prog);
  return JS_OK;
}

/// The columns used, as text for the cube.
static void columns_text(const js_args *a, char *buf, size_t size) {
  const char *l = a->col_loss ? a->col_loss : a->col_correct ? NULL : "loss";
  char lbuf[300];
  if (l && !a->col_loss) snprintf(lbuf, sizeof lbuf, "loss (1 - correct where a file has no "
                                  "column loss)");
  else if (l) snprintf(lbuf, sizeof lbuf, "%s", l);
  else snprintf(lbuf, sizeof lbuf, "1 - %s", a->col_correct);
  snprintf(buf, size, "question: %s; loss: %s; reward: %s",
           a->col_question ? a->col_question : "question", lbuf,
           a->col_reward ? a->col_reward : "reward");
}

/// Rank 0: summarise, write the cube, print the table.
static js_status epilog(const js_args *a, rr_job *j, int argc, char **argv) {
  js_rerank_summary sum;
  JS_CALL(js_rerank_summarize(&j->o, j->smp.nq, j->rows, &sum));
  char cols[1024];
  columns_text(a, cols, sizeof cols);
  char *history = js_cli_history(argc, argv);
  js_rerank_output ro = {&j->o, &j->smp, j->rows, &sum, cols, history ? history : ""};
  js_status s = js_rerank_write(j->out, &ro);
  if (s == JS_OK && !a->quiet) js_rerank_print(stdout, &ro, j->out);
  js_rerank_summary_free(&sum);
  free(history);
  JS_CALL(s);
  return JS_OK;
}

js_status js_cmd_rerank(const js_args *args, int argc, char **argv) {
  rr_job j;
  memset(&j, 0, sizeof j);
  js_status s = js_layout_knobs_read(&j.layout);
  JS_TRY(s, read_axes(args, &j));
  JS_TRY(s, prolog(args, &j));
  JS_TRY(s, compute(args, &j));
  if (js_par_rank() == 0) JS_TRY(s, epilog(args, &j, argc, argv));
  js_samples_free(&j.smp);
  free(j.kv), free(j.T), free(j.k), free(j.order), free(j.rows), free(j.done);
  free(j.out);
  js_lock_release(j.lock);
  JS_CALL(s);
  return JS_OK;
}
