/// \file rerankout.c
/// judgesim rerank's cube and printed summary (see rerankout.h).
#include "rerank/rerankout.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/buildid.h"
#include "io/store.h"

/// Columns [from, from + width) of every question's row, gathered into one array.
static double *gather(const js_rerank_output *r, int from, int width) {
  int nq = r->smp->nq, w = js_rerank_payload(r->o);
  double *x = malloc(sizeof(double) * (size_t)nq * (size_t)width + 1);
  if (!x) return NULL;
  for (int q = 0; q < nq; q++)
    memcpy(x + (size_t)q * width, r->rows + (size_t)q * w + from, sizeof(double) * width);
  return x;
}

/// Per-question and per-file arrays of the cube (malloc'd; freed by free_arrays).
typedef struct {
  double *dq, *oq, *mom[4], *fbytes, *fsamples;
  int *n;
  char **sum, *sumbuf;
} rr_arrays;

/// Build the per-question and per-file arrays.
static js_status make_arrays(const js_rerank_output *r, rr_arrays *a) {
  const js_samples *s = r->smp;
  int cells = r->o->nT * r->o->nk, nk = r->o->nk, nf = s->nfiles;
  a->dq = gather(r, 0, cells);
  a->oq = gather(r, cells, nk);
  for (int m = 0; m < 4; m++) a->mom[m] = gather(r, cells + nk + m, 1);
  a->n = malloc(sizeof(int) * (size_t)s->nq);
  a->fbytes = malloc(sizeof(double) * (size_t)nf);
  a->fsamples = malloc(sizeof(double) * (size_t)nf);
  a->sum = malloc(sizeof(char *) * (size_t)nf);
  a->sumbuf = malloc((size_t)nf * 32);
  JS_CHECK(a->dq && a->oq && a->mom[0] && a->mom[1] && a->mom[2] && a->mom[3] && a->n &&
               a->fbytes && a->fsamples && a->sum && a->sumbuf,
           JS_ERR_SYS, "out of memory for the rerank cube");
  for (int q = 0; q < s->nq; q++) a->n[q] = (int)(s->start[q + 1] - s->start[q]);
  for (int f = 0; f < nf; f++) {
    a->fbytes[f] = (double)s->bytes[f], a->fsamples[f] = (double)s->fsamples[f];
    a->sum[f] = a->sumbuf + 32 * f;
    snprintf(a->sum[f], 32, "fnv1a64:%016" PRIx64, s->checksum[f]);
  }
  return JS_OK;
}

/// Free the arrays of make_arrays.
static void free_arrays(rr_arrays *a) {
  free(a->dq), free(a->oq), free(a->n), free(a->fbytes), free(a->fsamples), free(a->sum);
  free(a->sumbuf);
  for (int m = 0; m < 4; m++) free(a->mom[m]);
}

/// One variable of the table (at most three dimensions here).
#define V(name, type, nd, d0, d1, d2, ln, units, data) \
  { name, type, nd, {d0, d1, d2, NULL}, ln, units, data }

js_status js_rerank_write(const char *path, const js_rerank_output *r) {
  const js_rerank_summary *S = r->sum;
  const js_samples *s = r->smp;
  rr_arrays a;
  memset(&a, 0, sizeof a);
  js_status st = make_arrays(r, &a);
  size_t flen = 1; /* the sample files, one per line: what js_store_identify compares */
  for (int i = 0; i < s->nfiles; i++) flen += strlen(s->file[i]) + 1;
  char *files = calloc(flen, 1);
  if (!files && st == JS_OK) st = JS_ERROR(JS_ERR_SYS, "out of memory for the file names");
  for (int i = 0; files && i < s->nfiles; i++) strcat(strcat(files, s->file[i]), "\n");
  js_table_dim dims[] = {{"question", (size_t)s->nq}, {"k", (size_t)r->o->nk},
                         {"T", (size_t)r->o->nT}, {"file", (size_t)s->nfiles}};
  const char *Q = "question", *K = "k", *T = "T", *F = "file", *L = "1";
  js_table_var vars[] = {
      V("k", 'i', 1, K, 0, 0, "candidates the judge chooses from (subset size)", L, r->o->k),
      V("T", 'd', 1, T, 0, 0, "softmax temperature of the judge (0: best of k)", L, r->o->T),
      V("delta", 'd', 2, T, K, 0,
        "mean over questions of the expected loss of the judge's pick",
        L, S->delta),
      V("delta_se", 'd', 2, T, K, 0, "standard error of delta over questions", L, S->delta_se),
      V("delta_lo", 'd', 2, T, K, 0, "delta: 95% bootstrap interval, lower end", L, S->delta_lo),
      V("delta_hi", 'd', 2, T, K, 0, "delta: 95% bootstrap interval, upper end", L, S->delta_hi),
      V("delta_question", 'd', 3, Q, T, K,
        "expected loss of the judge's pick over the question's k-subsets",
        L, a.dq),
      V("delta_oracle", 'd', 1, K, 0, 0,
        "mean over questions of the expected smallest loss in a k-subset (oracle, pass@k-like)",
        L, S->oracle),
      V("delta_oracle_se", 'd', 1, K, 0, 0, "standard error of delta_oracle", L, S->oracle_se),
      V("delta_oracle_lo", 'd', 1, K, 0, 0,
        "delta_oracle: 95% bootstrap interval, lower end",
        L, S->oracle_lo),
      V("delta_oracle_hi", 'd', 1, K, 0, 0,
        "delta_oracle: 95% bootstrap interval, upper end",
        L, S->oracle_hi),
      V("delta_oracle_question", 'd', 2, Q, K, 0,
        "expected smallest loss over the question's k-subsets",
        L, a.oq),
      V("delta_expansion1", 'd', 2, T, K, 0,
        "large-T expansion to order 1/T: mu_l + ((k-1)/k) Cov(l,r)/T",
        L, S->expand1),
      V("delta_expansion2", 'd', 2, T, K, 0,
        "large-T expansion to order 1/T^2 (+ ((k-1)(k-2)/(2k^2)) Cov(l,(r-mu_r)^2)/T^2)",
        L, S->expand2),
      V("delta_gain", 'd', 2, T, K, 0,
        "delta minus the uniform pick's loss (mu_l) over the same questions: negative, the "
        "judge helps", L, S->gain),
      V("delta_gain_lo", 'd', 2, T, K, 0,
        "delta_gain: 95% paired bootstrap interval (one resample of the questions for both "
        "terms), lower end", L, S->gain_lo),
      V("delta_gain_hi", 'd', 2, T, K, 0, "delta_gain: 95% paired bootstrap interval, upper end",
        L, S->gain_hi),
      V("judge_helps_questions", 'i', 2, T, K, 0,
        "questions where the judge's pick has a lower expected loss than a uniform pick",
        L, S->helps),
      V("judge_hurts_questions", 'i', 2, T, K, 0,
        "questions where the judge's pick has a higher expected loss than a uniform pick",
        L, S->hurts),
      V("k_opt", 'd', 1, T, 0, 0, "k minimising delta at each T (NaN at T = inf: any k)", L, S->k_opt),
      V("k_opt_lo", 'd', 1, T, 0, 0, "k_opt: 95% bootstrap interval, lower end", L, S->k_lo),
      V("k_opt_hi", 'd', 1, T, 0, 0, "k_opt: 95% bootstrap interval, upper end", L, S->k_hi),
      V("k_opt_edge", 'b', 1, T, 0, 0,
        "1: k_opt is at an end of the k axis (the optimum may lie beyond)",
        NULL, S->k_edge),
      V("T_opt", 'd', 1, K, 0, 0, "T minimising delta at each k (NaN at k = 1: any T)", L, S->T_opt),
      V("T_opt_lo", 'd', 1, K, 0, 0, "T_opt: 95% bootstrap interval, lower end", L, S->T_lo),
      V("T_opt_hi", 'd', 1, K, 0, 0, "T_opt: 95% bootstrap interval, upper end", L, S->T_hi),
      V("T_opt_edge", 'b', 1, K, 0, 0,
        "1: T_opt is at an end of the T axis (the optimum may lie beyond)",
        NULL, S->T_edge),
      V("question_id", 's', 1, Q, 0, 0, "question id as written in the sample files", NULL, s->qid),
      V("question_samples", 'i', 1, Q, 0, 0, "samples N of the question", L, a.n),
      V("mu_l", 'd', 1, Q, 0, 0, "mean loss of the question's samples", L, a.mom[0]),
      V("mu_r", 'd', 1, Q, 0, 0, "mean reward of the question's samples", L, a.mom[1]),
      V("cov_lr", 'd', 1, Q, 0, 0, "Cov(l, r), unbiased (negative: the judge helps)", L, a.mom[2]),
      V("cov_lr2", 'd', 1, Q, 0, 0, "Cov(l, (r - mu_r)^2), unbiased", L, a.mom[3]),
      V("file_name", 's', 1, F, 0, 0, "sample file as given", NULL, s->file),
      V("file_bytes", 'd', 1, F, 0, 0, "size of the sample file", "bytes", a.fbytes),
      V("file_checksum", 's', 1, F, 0, 0,
        "FNV-1a 64-bit checksum of the file's bytes",
        NULL, a.sum),
      V("file_samples", 'd', 1, F, 0, 0, "samples read from the file", L, a.fsamples),
  };
  js_table_attr attrs[] = {
      {"Conventions", "CF-1.8", 0},
      {"judgesim_command", "rerank", 0},
      {"title", "judgesim rerank: reranking of sampled answers by a judge, exact over k-subsets", 0},
      {"source", js_version_string(), 0},
      {"build", js_build_string(), 0},
      {"history", r->history, 0},
      {"columns", r->columns, 0},
      {"sample_files", files ? files : "", 0},
      {"questions", NULL, s->nq},
      {"samples", NULL, (double)s->ns},
      {"bootstrap_resamples", NULL, r->o->boot},
      {"bootstrap_seed", NULL, (double)r->o->seed},
      {"mean_mu_l", NULL, S->mom[0]}, {"mean_mu_l_se", NULL, S->mom_se[0]},
      {"mean_mu_r", NULL, S->mom[1]}, {"mean_mu_r_se", NULL, S->mom_se[1]},
      {"mean_cov_lr", NULL, S->mom[2]}, {"mean_cov_lr_se", NULL, S->mom_se[2]},
      {"mean_cov_lr2", NULL, S->mom[3]}, {"mean_cov_lr2_se", NULL, S->mom_se[3]},
      {"judge_helps_share", NULL, S->help_share},
      {"questions_choice_matters", NULL, S->nmatter},
      {"bestofk_fit_k_lo", NULL, r->o->fit_lo}, {"bestofk_fit_k_hi", NULL, r->o->fit_hi},
      {"bestofk_fit_points", NULL, S->fit_n},
      {"bestofk_exponent", NULL, S->expo}, {"bestofk_exponent_lo", NULL, S->expo_lo},
      {"bestofk_exponent_hi", NULL, S->expo_hi},
      {"bestofk_beta", NULL, S->beta}, {"bestofk_beta_lo", NULL, S->beta_lo},
      {"bestofk_beta_hi", NULL, S->beta_hi},
      {"bestofk_A", NULL, S->A}, {"bestofk_A_lo", NULL, S->A_lo}, {"bestofk_A_hi", NULL, S->A_hi},
  };
  if (st == JS_OK)
    st = js_store_write_table(path, dims, 4, vars, (int)(sizeof vars / sizeof *vars), attrs,
                              (int)(sizeof attrs / sizeof *attrs));
  free_arrays(&a);
  free(files);
  JS_CALL(st);
  return JS_OK;
}

/// One table: rows k, columns T and (when oracle is set) the oracle; values x[iT * nk + ik].
static void print_grid(FILE *out, const js_rerank_opts *o, const double *x, const double *oracle) {
  fprintf(out, "%8s", "k \\ T");
  for (int iT = 0; iT < o->nT; iT++) fprintf(out, " %9.4g", o->T[iT]);
  if (oracle) fprintf(out, " %9s", "oracle");
  fputc('\n', out);
  for (int ik = 0; ik < o->nk; ik++) {
    fprintf(out, "%8d", o->k[ik]);
    for (int iT = 0; iT < o->nT; iT++) fprintf(out, " %9.5f", x[iT * o->nk + ik]);
    if (oracle) fprintf(out, " %9.5f", oracle[ik]);
    fputc('\n', out);
  }
}

/// The optima with their intervals and edge flags.
static void print_optima(FILE *out, const js_rerank_opts *o, const js_rerank_summary *S) {
  for (int iT = 0; iT < o->nT; iT++)
    if (isnan(S->k_opt[iT])) fprintf(out, "  T = %-8.4g k_opt: any (a uniform pick)\n", o->T[iT]);
    else fprintf(out, "  T = %-8.4g k_opt %g [%g, %g]%s\n", o->T[iT], S->k_opt[iT],
                 S->k_lo[iT], S->k_hi[iT], S->k_edge[iT] ? " (at the edge of the k axis)" : "");
  for (int ik = 0; ik < o->nk; ik++)
    if (isnan(S->T_opt[ik])) fprintf(out, "  k = %-8d T_opt: any (nothing to choose)\n", o->k[ik]);
    else fprintf(out, "  k = %-8d T_opt %g [%g, %g]%s\n", o->k[ik], S->T_opt[ik],
                 S->T_lo[ik], S->T_hi[ik], S->T_edge[ik] ? " (at the edge of the T axis)" : "");
}

/// One verdict line: the judge against a uniform pick at (T index iT, k index ik).
static void print_verdict(FILE *out, const js_rerank_opts *o, const js_rerank_summary *S,
                          int iT, int ik) {
  int c = iT * o->nk + ik;
  double g = S->gain[c], lo = S->gain_lo[c], hi = S->gain_hi[c];
  const char *sig = lo > 0 || hi < 0 ? "significant (the interval excludes 0)" : "not significant";
  fprintf(out, "  at k = %d, T = %g the judge %s the loss by %.4g [%.4g, %.4g]: %s; its pick "
          "is better on %d and worse on %d of the %d questions where the choice can matter\n",
          o->k[ik], o->T[iT], g <= 0 ? "lowers" : "raises", fabs(g), g <= 0 ? -hi : lo,
          g <= 0 ? -lo : hi, sig, S->helps[c], S->hurts[c], S->nmatter);
}

/// The verdict: the judge against a uniform pick of one sample, paired over the same
/// questions, at the largest k for T = 0 and for the best T there.
static void print_verdicts(FILE *out, const js_rerank_opts *o, const js_rerank_summary *S) {
  int ik = o->nk - 1, best = -1;
  for (int iT = 0; iT < o->nT; iT++)
    if (!isinf(o->T[iT]) && (best < 0 || S->delta[iT * o->nk + ik] < S->delta[best * o->nk + ik]))
      best = iT;
  fprintf(out, "\ndoes the judge help? its pick against a uniform pick of one of the k samples "
               "(the mean loss), paired over the same questions, 95%% bootstrap intervals\n");
  if (best < 0 || o->k[ik] == 1) {
    fprintf(out, "  nothing to compare: no finite T, or k = 1 only\n");
    return;
  }
  if (o->T[0] == 0) print_verdict(out, o, S, 0, ik);
  if (best != 0 || o->T[0] != 0) print_verdict(out, o, S, best, ik);
  fprintf(out, "  %d of %d questions have samples of equal loss (no choice can matter)\n",
          S->nq - S->nmatter, S->nq);
}

void js_rerank_print(FILE *out, const js_rerank_output *r, const char *path) {
  const js_rerank_summary *S = r->sum;
  const js_samples *s = r->smp;
  fprintf(out, "judgesim rerank: %d question%s, %zu samples, %d file%s -> %s\n", s->nq,
          s->nq == 1 ? "" : "s", s->ns, s->nfiles, s->nfiles == 1 ? "" : "s", path);
  print_verdicts(out, r->o, S);
  fprintf(out, "\ndelta: mean loss of the judge's pick (exact over k-subsets, questions "
               "weighted equally)\n");
  print_grid(out, r->o, S->delta, S->oracle);
  fprintf(out, "\nstandard error over questions\n");
  print_grid(out, r->o, S->delta_se, S->oracle_se);
  fprintf(out, "\noptima (95%% bootstrap intervals, %d resamples of the questions)\n", S->boot);
  print_optima(out, r->o, S);
  fprintf(out, "\ntheory's terms (means over questions, +- standard error)\n"
               "  mu_l %.5f +- %.5f   Cov(l, r) %.5g +- %.2g   Cov(l, (r-mu_r)^2) %.5g +- %.2g\n"
               "  the judge helps to first order (Cov(l, r) < 0) on %.1f%% of the %d questions "
               "where the choice can matter\n",
          S->mom[0], S->mom_se[0], S->mom[2], S->mom_se[2], S->mom[3], S->mom_se[3],
          100 * S->help_share, S->nmatter);
  if (S->fit_n)
    fprintf(out, "\nbest-of-k law at T = 0 over %d k values in [%d, %d]: delta = A k^-e\n"
                 "  e %.4f [%.4f, %.4f]   beta = 2/e - 1 = %.3g [%.3g, %.3g]   A %.4f "
                 "[%.4f, %.4f]\n",
            S->fit_n, r->o->fit_lo, r->o->fit_hi, S->expo, S->expo_lo, S->expo_hi, S->beta,
            S->beta_lo, S->beta_hi, S->A, S->A_lo, S->A_hi);
  else fprintf(out, "\nbest-of-k law: not fitted (needs T = 0 and two k in the fit window)\n");
}
