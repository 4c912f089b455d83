/// \file rerank.c
/// One question's exact curves and their summary over questions (see rerank.h).
#include "rerank/rerank.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numutil.h"
#include "mc/rng.h"

int js_rerank_payload(const js_rerank_opts *o) { return o->nT * o->nk + o->nk + 5; }

js_status js_rerank_question(const js_rerank_opts *o, const js_question *q, double *payload) {
  JS_CALL(js_subsets_delta(q, o->nk, o->k, o->nT, o->T, payload));
  JS_CALL(js_subsets_oracle(q, o->nk, o->k, payload + o->nT * o->nk));
  js_moments m = js_subsets_moments(q);
  double *mom = payload + o->nT * o->nk + o->nk;
  mom[0] = m.mu_l, mom[1] = m.mu_r, mom[2] = m.cov_lr, mom[3] = m.cov_lr2, mom[4] = 0;
  for (int i = 1; i < q->n; i++) mom[4] = q->loss[i] != q->loss[0] ? 1 : mom[4];
  return JS_OK;
}

/// Column means over the questions idx[0..nq) (all questions when idx is NULL), skipping NaN.
static void column_means(const double *rows, int w, int nq, const int *idx, double *mean) {
  for (int c = 0; c < w; c++) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < nq; i++) {
      double x = rows[(size_t)(idx ? idx[i] : i) * w + c];
      if (!isnan(x)) s += x, n++;
    }
    mean[c] = n ? s / n : NAN;
  }
}

/// Standard errors of the column means (NaN with fewer than two values).
static void column_se(const double *rows, int w, int nq, const double *mean, double *se) {
  for (int c = 0; c < w; c++) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < nq; i++) {
      double x = rows[(size_t)i * w + c];
      if (!isnan(x)) s += (x - mean[c]) * (x - mean[c]), n++;
    }
    se[c] = n >= 2 ? sqrt(s / (n - 1) / n) : NAN;
  }
}

/// Weighted least squares of log delta(T = 0) on log k over the fit window (weights from
/// the point estimate's relative standard errors): expo = -slope, beta, A. NaN when a value
/// in the window is not positive.
static void fit_law(const js_rerank_opts *o, const double *delta0, const double *se0,
                    double *fit) {
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  fit[0] = fit[1] = fit[2] = NAN;
  for (int ik = 0; ik < o->nk; ik++) {
    if (o->k[ik] < o->fit_lo || o->k[ik] > o->fit_hi) continue;
    if (!(delta0[ik] > 0)) return;
    double rel = se0[ik] / delta0[ik], w = 1 / (rel * rel + 1e-30);
    double x = log((double)o->k[ik]), y = log(delta0[ik]);
    sw += w, sx += w * x, sy += w * y, sxx += w * x * x, sxy += w * x * y;
  }
  double slope = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  fit[0] = -slope;
  fit[1] = 2 / fit[0] - 1;
  fit[2] = exp((sy - slope * sx) / sw);
}

/// The optima of one set of means: k_opt[T] and T_opt[k] (values, first on ties; NaN where
/// the choice cannot matter: k_opt at T = inf, a uniform pick, and T_opt at k = 1).
static void optima(const js_rerank_opts *o, const double *delta, double *kopt, double *Topt) {
  for (int iT = 0; iT < o->nT; iT++)
    kopt[iT] = isinf(o->T[iT]) ? NAN : o->k[js_argmin(delta + iT * o->nk, o->nk, 1)];
  for (int ik = 0; ik < o->nk; ik++)
    Topt[ik] = o->k[ik] == 1 ? NAN : o->T[js_argmin(delta + ik, o->nT, (size_t)o->nk)];
}

/// Bootstrap rows: per resample the means, the optima and the fit.
typedef struct {
  int w;          /* values per resample: means (payload width), k_opt, T_opt, fit */
  double *val;    /* [boot][w] */
} boot_rows;

/// The point estimates (means, standard errors, optima, expansions, fit) into s.
static void point_estimates(const js_rerank_opts *o, int nq, const double *rows,
                            js_rerank_summary *s, double *mean, double *se, int iT0) {
  int w = js_rerank_payload(o), nk = o->nk, nT = o->nT, cells = nT * nk;
  column_means(rows, w, nq, NULL, mean);
  column_se(rows, w, nq, mean, se);
  memcpy(s->delta, mean, sizeof(double) * cells);
  memcpy(s->delta_se, se, sizeof(double) * cells);
  memcpy(s->oracle, mean + cells, sizeof(double) * nk);
  memcpy(s->oracle_se, se + cells, sizeof(double) * nk);
  memcpy(s->mom, mean + cells + nk, sizeof s->mom);
  memcpy(s->mom_se, se + cells + nk, sizeof s->mom_se);
  js_moments m = {s->mom[0], s->mom[1], s->mom[2], s->mom[3]};
  for (int iT = 0; iT < nT; iT++)
    for (int ik = 0; ik < nk; ik++) {
      double T = o->T[iT];
      int k = o->k[ik];
      s->expand1[iT * nk + ik] = T == 0 ? NAN : isinf(T) ? m.mu_l : js_subsets_expansion(&m, k, T, 1);
      s->expand2[iT * nk + ik] = T == 0 ? NAN : isinf(T) ? m.mu_l : js_subsets_expansion(&m, k, T, 2);
    }
  int helps = 0;
  s->nmatter = 0;
  for (int i = 0; i < nq; i++) {
    const double *row = rows + (size_t)i * w;
    if (!row[cells + nk + 4]) continue; /* equal losses: no choice can matter */
    s->nmatter++, helps += row[cells + nk + 2] < 0;
    double mu = row[cells + nk], eps = 1e-12 * (fabs(mu) + 1e-300);
    for (int c = 0; c < cells; c++)
      s->helps[c] += row[c] < mu - eps, s->hurts[c] += row[c] > mu + eps;
  }
  s->help_share = s->nmatter ? (double)helps / s->nmatter : NAN;
  for (int c = 0; c < cells; c++) s->gain[c] = s->delta[c] - s->mom[0];
  optima(o, s->delta, s->k_opt, s->T_opt);
  for (int iT = 0; iT < nT; iT++) s->k_edge[iT] = s->k_opt[iT] == o->k[0] || s->k_opt[iT] == o->k[nk - 1];
  for (int ik = 0; ik < nk; ik++) s->T_edge[ik] = s->T_opt[ik] == o->T[0] || s->T_opt[ik] == o->T[nT - 1];
  double fit[3] = {NAN, NAN, NAN};
  if (iT0 >= 0) fit_law(o, s->delta + iT0 * nk, s->delta_se + iT0 * nk, fit);
  s->expo = fit[0], s->beta = fit[1], s->A = fit[2];
}

/// `boot` resamples of the questions (SPRNG stream 0 of the pair (0, 0), which no study
/// uses), each giving means, optima and the fit: one row of b->val per resample.
static js_status resample(const js_rerank_opts *o, int nq, const double *rows,
                          const js_rerank_summary *s, int iT0, boot_rows *b) {
  int w = js_rerank_payload(o), nk = o->nk, nT = o->nT;
  int *idx = malloc(sizeof(int) * (size_t)nq);
  JS_ALLOC_CHECK(idx, "bootstrap indices");
  js_rng *rng;
  js_status st = js_rng_open(o->seed, 0, 0, 0, &rng);
  for (int r = 0; st == JS_OK && r < o->boot; r++) {
    double *v = b->val + (size_t)r * b->w;
    st = js_rng_indices(rng, idx, (size_t)nq, nq);
    column_means(rows, w, nq, idx, v);
    optima(o, v, v + w, v + w + nT);
    double *fit = v + w + nT + nk;
    if (iT0 >= 0) fit_law(o, v + iT0 * nk, s->delta_se + iT0 * nk, fit);
    else fit[0] = fit[1] = fit[2] = NAN;
  }
  if (st == JS_OK) js_rng_close(rng);
  free(idx);
  JS_CALL(st);
  return JS_OK;
}

/// The 95% interval of column j of the resamples (NaN when any resample has none).
static void boot_interval(const boot_rows *b, int boot, int j, double *tmp, double *lo,
                          double *hi) {
  for (int r = 0; r < boot; r++) {
    tmp[r] = b->val[(size_t)r * b->w + j];
    if (isnan(tmp[r])) {
      *lo = *hi = NAN;
      return;
    }
  }
  js_interval95(tmp, boot, lo, hi);
}

/// Allocate the summary's arrays.
static js_status summary_alloc(const js_rerank_opts *o, js_rerank_summary *s) {
  size_t nk = (size_t)o->nk, nT = (size_t)o->nT, c = nk * nT;
  double **a[] = {&s->delta, &s->delta_se, &s->delta_lo, &s->delta_hi, &s->oracle,
                  &s->oracle_se, &s->oracle_lo, &s->oracle_hi, &s->expand1, &s->expand2,
                  &s->k_opt, &s->k_lo, &s->k_hi, &s->T_opt, &s->T_lo, &s->T_hi,
                  &s->gain, &s->gain_lo, &s->gain_hi};
  size_t len[] = {c, c, c, c, nk, nk, nk, nk, c, c, nT, nT, nT, nk, nk, nk, c, c, c};
  int ok = 1;
  for (int i = 0; i < 19; i++) ok &= (*a[i] = malloc(sizeof(double) * len[i])) != NULL;
  s->k_edge = malloc(nT), s->T_edge = malloc(nk);
  s->helps = calloc(c, sizeof(int)), s->hurts = calloc(c, sizeof(int));
  ok &= s->k_edge && s->T_edge && s->helps && s->hurts;
  if (!ok) js_rerank_summary_free(s);
  JS_CHECK(ok, JS_ERR_SYS, "out of memory for the rerank summary");
  return JS_OK;
}

js_status js_rerank_summarize(const js_rerank_opts *o, int nq, const double *rows,
                              js_rerank_summary *s) {
  JS_CHECK(o->boot >= 20, JS_ERR_INPUT, "rerank: --boot %d: at least 20 resamples", o->boot);
  JS_CHECK(nq >= 1, JS_ERR_INPUT, "rerank: no questions");
  memset(s, 0, sizeof *s);
  s->nq = nq, s->nk = o->nk, s->nT = o->nT, s->boot = o->boot;
  JS_CALL(summary_alloc(o, s));
  int w = js_rerank_payload(o), nk = o->nk, nT = o->nT, cells = nk * nT, iT0 = -1;
  if (o->T[0] == 0) iT0 = 0;
  for (int ik = 0; ik < nk; ik++) s->fit_n += iT0 >= 0 && o->k[ik] >= o->fit_lo && o->k[ik] <= o->fit_hi;
  if (s->fit_n < 2) iT0 = -1, s->fit_n = 0;
  boot_rows b = {w + nT + nk + 3, NULL};
  b.val = malloc(sizeof(double) * (size_t)o->boot * b.w);
  double *mean = malloc(sizeof(double) * w), *se = malloc(sizeof(double) * w);
  double *tmp = malloc(sizeof(double) * (size_t)o->boot);
  js_status st = b.val && mean && se && tmp ? JS_OK : JS_ERR_SYS;
  if (st == JS_OK) point_estimates(o, nq, rows, s, mean, se, iT0);
  JS_TRY(st, resample(o, nq, rows, s, iT0, &b));
  for (int c = 0; st == JS_OK && c < cells; c++) {
    boot_interval(&b, o->boot, c, tmp, &s->delta_lo[c], &s->delta_hi[c]);
    for (int r = 0; r < o->boot; r++) /* paired: the same resample's mean loss */
      tmp[r] = b.val[(size_t)r * b.w + c] - b.val[(size_t)r * b.w + cells + nk];
    js_interval95(tmp, o->boot, &s->gain_lo[c], &s->gain_hi[c]);
  }
  for (int ik = 0; st == JS_OK && ik < nk; ik++) {
    boot_interval(&b, o->boot, cells + ik, tmp, &s->oracle_lo[ik], &s->oracle_hi[ik]);
    boot_interval(&b, o->boot, w + nT + ik, tmp, &s->T_lo[ik], &s->T_hi[ik]);
  }
  for (int iT = 0; st == JS_OK && iT < nT; iT++)
    boot_interval(&b, o->boot, w + iT, tmp, &s->k_lo[iT], &s->k_hi[iT]);
  if (st == JS_OK) {
    boot_interval(&b, o->boot, w + nT + nk, tmp, &s->expo_lo, &s->expo_hi);
    boot_interval(&b, o->boot, w + nT + nk + 1, tmp, &s->beta_lo, &s->beta_hi);
    boot_interval(&b, o->boot, w + nT + nk + 2, tmp, &s->A_lo, &s->A_hi);
  }
  free(b.val), free(mean), free(se), free(tmp);
  if (st != JS_OK) js_rerank_summary_free(s);
  if (st == JS_ERR_SYS) JS_FAIL(st, "out of memory for the rerank bootstrap");
  JS_CALL(st);
  return JS_OK;
}

void js_rerank_summary_free(js_rerank_summary *s) {
  free(s->delta), free(s->delta_se), free(s->delta_lo), free(s->delta_hi);
  free(s->oracle), free(s->oracle_se), free(s->oracle_lo), free(s->oracle_hi);
  free(s->expand1), free(s->expand2), free(s->k_opt), free(s->k_lo), free(s->k_hi);
  free(s->T_opt), free(s->T_lo), free(s->T_hi), free(s->k_edge), free(s->T_edge);
  free(s->gain), free(s->gain_lo), free(s->gain_hi), free(s->helps), free(s->hurts);
  memset(s, 0, sizeof *s);
}
