/// \file analysis.c
/// Optima, best judge, best-of-k exponent and MC-theory gap with bootstrap intervals.
#include "analysis/analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc/rng.h"
#include "core/numutil.h"

/// First k index of the tail used for the best-of-k exponent (-1: too few points).
static int tail_start(const js_config *cfg) {
  int from = cfg->nk / 2;
  while (from < cfg->nk && cfg->k[from] < 4) from++;
  return cfg->nk - from >= 3 ? from : -1;
}

/// Perfect judge ({alpha: 1, beta: 0}, else {c: 0}) and T = 0 indices, or -1.
static void perfect_at_zero(const js_config *cfg, int *ir, int *iT) {
  *ir = *iT = -1;
  for (int r = 0; r < cfg->nr && *ir < 0; r++) /* {alpha: 1, beta: 0} first */
    if (!js_reward_is_c(&cfg->reward[r]) && cfg->reward[r].alpha == 1 && cfg->reward[r].beta == 0) *ir = r;
  for (int r = 0; r < cfg->nr && *ir < 0; r++)
    if (js_reward_is_c(&cfg->reward[r]) && cfg->reward[r].c == 0) *ir = r;
  if (cfg->T[0] == 0) *iT = 0;
}

/// Weighted log-log slope of delta against k over the tail (weights from the SE).
static double tail_slope(const js_config *cfg, const double *m, const double *se, int from,
                         int ir, int iT) {
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int ik = from; ik < cfg->nk; ik++) {
    size_t c = js_cell(cfg, ik, iT, ir);
    if (!(m[c] > 0)) return NAN;
    double rel = se[c] / m[c], w = 1 / (rel * rel + 1e-30);
    double x = log((double)cfg->k[ik]), y = log(m[c]);
    sw += w, sx += w * x, sy += w * y, sxx += w * x * x, sxy += w * x * y;
  }
  return (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
}

/// Per-resample optima of one block, one row of each buffer per resample.
typedef struct {
  double *k, *T, *best, *bestval, *expo;
} boot_rows;

/// Record the optima of one set of cell means (a resample) into row b.
static void record(const js_config *cfg, const double *m, const double *se, int from,
                   const int *best_point, boot_rows *rows, int b) {
  int nk = cfg->nk, nT = cfg->nT, nr = cfg->nr, pr, pT;
  size_t sk = (size_t)nT * nr, sT = (size_t)nr;
  for (int iT = 0; iT < nT; iT++)
    for (int r = 0; r < nr; r++)
      rows->k[(size_t)b * nT * nr + iT * nr + r] =
          cfg->k[js_argmin(m + js_cell(cfg, 0, iT, r), nk, sk)];
  for (int ik = 0; ik < nk; ik++)
    for (int r = 0; r < nr; r++)
      rows->T[(size_t)b * nk * nr + ik * nr + r] =
          cfg->T[js_argmin(m + js_cell(cfg, ik, 0, r), nT, sT)];
  for (int ik = 0; ik < nk; ik++)
    for (int iT = 0; iT < nT; iT++) {
      size_t at = (size_t)b * nk * nT + ik * nT + iT, c0 = js_cell(cfg, ik, iT, 0);
      rows->best[at] = js_argmin(m + c0, nr, 1) == best_point[ik * nT + iT];
      rows->bestval[at] = m[c0 + best_point[ik * nT + iT]];
    }
  perfect_at_zero(cfg, &pr, &pT);
  rows->expo[b] = (from >= 0 && pr >= 0 && pT >= 0) ? -tail_slope(cfg, m, se, from, pr, pT)
                                                      : NAN;
}

/// Column j of a resample buffer (rows of width w) into out, then its interval.
static void column_interval(const double *rows, int boot, int w, int j, double *tmp,
                            double *lo, double *hi) {
  for (int b = 0; b < boot; b++) tmp[b] = rows[(size_t)b * w + j];
  js_interval95(tmp, boot, lo, hi);
}

/// Analyse one (d, n) block: point estimates, then `boot` resamples of its trials.
static js_status block(const js_analysis_input *in, int dn, int id_d, int id_n,
                       js_analysis *a, boot_rows *rows, double *bm, double *tmp, int *idx) {
  const js_config *cfg = in->cfg;
  int nk = cfg->nk, nT = cfg->nT, nr = cfg->nr, boot = a->boot, from = a->expo_from;
  size_t nc = (size_t)nk * nT * nr;
  const double *m = in->mean + dn * nc, *se = in->se + dn * nc;
  const double *tr = in->trial + (size_t)dn * cfg->trials * nc;
  int *best = a->best + (size_t)dn * nk * nT;
  for (int ik = 0; ik < nk; ik++)
    for (int iT = 0; iT < nT; iT++)
      best[ik * nT + iT] = js_argmin(m + js_cell(cfg, ik, iT, 0), nr, 1);
  js_rng *rng;
  /* stream number `trials` of this (d, n): never one of the Monte Carlo streams */
  JS_CALL(js_rng_open(cfg->seed, cfg->d[id_d], cfg->n[id_n], cfg->trials, &rng));
  for (int b = 0; b < boot; b++) {
    js_rng_indices(rng, idx, (size_t)cfg->trials, cfg->trials);
    memset(bm, 0, sizeof(double) * nc);
    for (int t = 0; t < cfg->trials; t++)
      for (size_t c = 0; c < nc; c++) bm[c] += tr[(size_t)idx[t] * nc + c];
    for (size_t c = 0; c < nc; c++) bm[c] /= cfg->trials;
    record(cfg, bm, se, from, best, rows, b);
  }
  js_rng_close(rng);
  /* point estimates with their intervals */
  boot_rows point = {a->k_opt + (size_t)dn * nT * nr, a->T_opt + (size_t)dn * nk * nr, tmp,
                     tmp + nk * nT, a->expo + dn};
  record(cfg, m, se, from, best, &point, 0);
  for (int j = 0; j < nT * nr; j++) {
    size_t at = (size_t)dn * nT * nr + j;
    column_interval(rows->k, boot, nT * nr, j, tmp, &a->k_opt_lo[at], &a->k_opt_hi[at]);
    a->k_edge[at] = a->k_opt[at] == cfg->k[0] || a->k_opt[at] == cfg->k[nk - 1];
  }
  for (int j = 0; j < nk * nr; j++) {
    size_t at = (size_t)dn * nk * nr + j;
    column_interval(rows->T, boot, nk * nr, j, tmp, &a->T_opt_lo[at], &a->T_opt_hi[at]);
    a->T_edge[at] = a->T_opt[at] == cfg->T[0] || a->T_opt[at] == cfg->T[nT - 1];
  }
  for (int j = 0; j < nk * nT; j++) {
    size_t at = (size_t)dn * nk * nT + j;
    double hits = 0;
    for (int b = 0; b < boot; b++) hits += rows->best[(size_t)b * nk * nT + j];
    a->best_prob[at] = hits / boot;
    column_interval(rows->bestval, boot, nk * nT, j, tmp, &a->best_lo[at], &a->best_hi[at]);
  }
  column_interval(rows->expo, boot, 1, 0, tmp, &a->expo_lo[dn], &a->expo_hi[dn]);
  double v = in->v ? in->v[dn] : NAN;
  a->expo_theory[dn] = isnan(v) ? NAN : v < 0.5 ? 2.0 : 1.0 / v;
  for (size_t c = 0; c < nc; c++)
    a->gap_se[dn * nc + c] = in->theory ? (m[c] - in->theory[dn * nc + c]) / se[c] : NAN;
  return JS_OK;
}

js_status js_analyze(const js_analysis_input *in, int boot, js_analysis *a) {
  const js_config *cfg = in->cfg;
  size_t blocks = (size_t)cfg->nd * cfg->nn, nk = cfg->nk, nT = cfg->nT, nr = cfg->nr;
  size_t nc = nk * nT * nr, B = (size_t)boot;
  JS_CHECK(boot >= 20, JS_ERR_INPUT, "analyze: --boot %d: at least 20 resamples", boot);
  memset(a, 0, sizeof *a);
  a->boot = boot;
  a->expo_from = tail_start(cfg);
  double **d[] = {&a->k_opt, &a->k_opt_lo, &a->k_opt_hi, &a->T_opt, &a->T_opt_lo, &a->T_opt_hi,
                  &a->best_prob, &a->best_lo, &a->best_hi, &a->expo, &a->expo_lo,
                  &a->expo_hi, &a->expo_theory, &a->gap_se};
  size_t len[] = {nT * nr, nT * nr, nT * nr, nk * nr, nk * nr, nk * nr, nk * nT, nk * nT,
                  nk * nT, 1, 1, 1, 1, nc};
  int ok = 1;
  for (int i = 0; i < 14; i++) ok &= (*d[i] = malloc(sizeof(double) * blocks * len[i])) != NULL;
  a->k_edge = malloc(blocks * nT * nr);
  a->T_edge = malloc(blocks * nk * nr);
  a->best = malloc(sizeof(int) * blocks * nk * nT);
  boot_rows rows = {malloc(sizeof(double) * B * nT * nr), malloc(sizeof(double) * B * nk * nr),
                    malloc(sizeof(double) * B * nk * nT), malloc(sizeof(double) * B * nk * nT),
                    malloc(sizeof(double) * B)};
  double *bm = malloc(sizeof(double) * nc), *tmp = malloc(sizeof(double) * (B + 2 * nk * nT));
  int *idx = malloc(sizeof(int) * (size_t)cfg->trials);
  ok &= a->k_edge && a->T_edge && a->best && rows.k && rows.T && rows.best && rows.bestval &&
        rows.expo && bm && tmp && idx;
  js_status s = ok ? JS_OK : JS_ERROR(JS_ERR_SYS, "out of memory");
  for (int id = 0; s == JS_OK && id < cfg->nd; id++)
    for (int in_ = 0; s == JS_OK && in_ < cfg->nn; in_++)
      s = block(in, id * cfg->nn + in_, id, in_, a, &rows, bm, tmp, idx);
  free(rows.k), free(rows.T), free(rows.best), free(rows.bestval), free(rows.expo);
  free(bm), free(tmp), free(idx);
  if (s != JS_OK) js_analysis_free(a);
  return JS_TRACE(s);
}

/// "T=0", "T=inf" or "T=0.05".
static const char *t_name(double T, char *buf, size_t len) {
  if (isinf(T)) snprintf(buf, len, "T=inf");
  else snprintf(buf, len, "T=%g", T);
  return buf;
}

/// Column headers: one judge per column.
static void print_header(const js_config *cfg) {
  char cell[64], name[48];
  printf("%-9s", "");
  for (int r = 0; r < cfg->nr; r++) {
    snprintf(cell, sizeof cell, "judge %s", js_reward_label(&cfg->reward[r], name, sizeof name));
    printf(" %-22s", cell);
  }
  printf("\n");
}

/// One table row: an optimum per judge with its interval, starred at the grid's edge.
static void print_row(const char *label, int nr, const double *opt, const double *lo,
                      const double *hi, const signed char *edge) {
  char cell[96];
  printf("%-9s", label);
  for (int r = 0; r < nr; r++) {
    snprintf(cell, sizeof cell, "%.15g%s [%.15g, %.15g]", opt[r], edge[r] ? "*" : "", lo[r],
             hi[r]); /* 15 digits: k up to 2^40 in full */
    printf(" %-22s", cell);
  }
  printf("\n");
}

/// Print one (d, n) block.
static void print_block(const js_config *cfg, const js_analysis *a, int id, int in) {
  int dn = id * cfg->nn + in, nk = cfg->nk, nT = cfg->nT, nr = cfg->nr;
  char tb[32], name[48];
  printf("\n== d=%d n=%d ==\n", cfg->d[id], cfg->n[in]);
  printf("k_opt [95%% interval] per T (rows) and judge (columns); * = at the grid's edge\n");
  print_header(cfg);
  for (int iT = 0; iT < nT; iT++) {
    size_t at = (size_t)dn * nT * nr + iT * nr;
    print_row(t_name(cfg->T[iT], tb, sizeof tb), nr, a->k_opt + at, a->k_opt_lo + at,
              a->k_opt_hi + at, a->k_edge + at);
  }
  printf("T_opt [95%% interval] per k (rows) and judge (columns); * = at the grid's edge\n");
  print_header(cfg);
  for (int ik = 0; ik < nk; ik++) {
    size_t at = (size_t)dn * nk * nr + ik * nr;
    snprintf(tb, sizeof tb, "k=%lld", (long long)cfg->k[ik]);
    print_row(tb, nr, a->T_opt + at, a->T_opt_lo + at, a->T_opt_hi + at, a->T_edge + at);
  }
  int last = nk - 1;
  printf("best judge at k=%lld per T: ", (long long)cfg->k[last]);
  for (int iT = 0; iT < nT; iT++) {
    size_t at = (size_t)dn * nk * nT + last * nT + iT;
    js_reward w = cfg->reward[a->best[at]];
    printf(" %s:%s p=%.2f", t_name(cfg->T[iT], tb, sizeof tb),
           js_reward_label(&w, name, sizeof name), a->best_prob[at]);
  }
  printf("\n");
  if (!isnan(a->expo[dn]))
    printf("best-of-k exponent (perfect judge, T=0, k>=%lld): %.3f [%.3f, %.3f]; theory %.3f\n",
           (long long)cfg->k[a->expo_from], a->expo[dn], a->expo_lo[dn], a->expo_hi[dn],
           a->expo_theory[dn]);
  size_t nc = (size_t)nk * nT * nr;
  double worst = 0;
  int n_over = 0;
  for (size_t c = 0; c < nc; c++) {
    double g = fabs(a->gap_se[dn * nc + c]);
    if (isfinite(g)) worst = fmax(worst, g), n_over += g > 4;
  }
  if (!isnan(a->gap_se[dn * nc]))
    printf("MC - theory: largest |gap| %.2f SE; %d of %zu cells beyond 4 SE\n", worst, n_over, nc);
}

void js_analysis_print(const js_config *cfg, const js_analysis *a) {
  printf("judgesim analyze: %d bootstrap resamples over trials\n", a->boot);
  for (int id = 0; id < cfg->nd; id++)
    for (int in = 0; in < cfg->nn; in++) print_block(cfg, a, id, in);
}

void js_analysis_free(js_analysis *a) {
  double *d[] = {a->k_opt, a->k_opt_lo, a->k_opt_hi, a->T_opt, a->T_opt_lo, a->T_opt_hi,
                 a->best_prob, a->best_lo, a->best_hi, a->expo, a->expo_lo, a->expo_hi,
                 a->expo_theory, a->gap_se};
  for (int i = 0; i < 14; i++) free(d[i]);
  free(a->k_edge);
  free(a->T_edge);
  free(a->best);
  memset(a, 0, sizeof *a);
}
