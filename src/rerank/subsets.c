/// \file subsets.c
/// Exact expectations over the k-subsets of one question's samples (see subsets.h).
#include "rerank/subsets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numutil.h"

/* The finite-T integral, in s = log t: a uniform grid of step SUB_H (trapezoid rule on the
   whole line: its relative error for e^s e^(-e^s W) is about exp(-pi^2 / SUB_H) = 2e-11, for
   every W). For a subset whose top sample has weight w, only t w in [SUB_EPS / k, SUB_HI]
   is kept (what is cut is below SUB_EPS and e^-SUB_HI relative); samples with t w below
   SUB_ONE have e^(-t w) = 1 in double precision and are summed in closed form. */
#define SUB_H 0.4
#define SUB_EPS 1e-14
#define SUB_HI 40.0
#define SUB_ONE 1e-18
/* A gap between consecutive rewards wider than SUB_GAP T counts as SUB_GAP T in the
   log-weights: a weight e^-SUB_GAP relative to a sample above is 0 in double precision
   either way (e^-745 is the smallest), and every log-weight stays finite. */
#define SUB_GAP 800.0
/* When every gap between distinct rewards is at least SUB_SHARP T + log(k) T, the softmax
   is the best of k (ties uniform) within e^-SUB_SHARP = 4e-18 of the loss range: that value
   is used. */
#define SUB_SHARP 40.0

/// A question's samples in ascending order of reward (then loss).
typedef struct {
  int n;
  double *l, *r;
} sorted;

/// Ascending (reward, loss) pairs for qsort.
static int cmp_pair(const void *a, const void *b) {
  const double *x = a, *y = b;
  if (x[0] != y[0]) return (x[0] > y[0]) - (x[0] < y[0]);
  return (x[1] > y[1]) - (x[1] < y[1]);
}

/// Sort a question's samples by reward, then loss.
static js_status sort_samples(const js_question *q, sorted *s) {
  double *pair = malloc(sizeof(double) * 2 * (size_t)q->n);
  s->l = malloc(sizeof(double) * (size_t)q->n);
  s->r = malloc(sizeof(double) * (size_t)q->n);
  s->n = q->n;
  if (!pair || !s->l || !s->r) {
    free(pair), free(s->l), free(s->r);
    JS_FAIL(JS_ERR_SYS, "out of memory sorting %d samples", q->n);
  }
  for (int i = 0; i < q->n; i++) pair[2 * i] = q->reward[i], pair[2 * i + 1] = q->loss[i];
  qsort(pair, (size_t)q->n, 2 * sizeof(double), cmp_pair);
  for (int i = 0; i < q->n; i++) s->r[i] = pair[2 * i], s->l[i] = pair[2 * i + 1];
  free(pair);
  return JS_OK;
}

/// Q[a] = C(a, k) / C(n, k) for a = 0..n (the chance that a k-subset lies in a given a).
static void subset_share(int n, int k, double *Q) {
  Q[n] = 1;
  for (int a = n; a >= 1; a--) Q[a - 1] = a > k ? Q[a] * (a - k) / a : 0;
}

/// Mean of the losses.
static double mean_of(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  return s / n;
}

/// Best of k, ties broken uniformly: sum over tie groups of r of the group's mean loss times
/// the chance that the subset's top reward is the group's.
static double best_of_k(const sorted *s, const double *Q) {
  double sum = 0;
  for (int a = 0; a < s->n;) {
    int b = a;
    double lsum = 0;
    while (b < s->n && s->r[b] == s->r[a]) lsum += s->l[b++];
    sum += lsum / (b - a) * (Q[b] - Q[a]);
    a = b;
  }
  return sum;
}

/// Weighted loss sums below each sample: P[j] = sum over i <= j of l_i w_i / w_j (no
/// overflow: every factor is at most 1).
static void prefix_weighted(const sorted *s, const double *lw, double *P) {
  for (int j = 0; j < s->n; j++) P[j] = s->l[j] + (j ? P[j - 1] * exp(lw[j - 1] - lw[j]) : 0);
}

/// First index j in [0, n) with lw[j] >= x (n when none).
static int first_at_least(const double *lw, int n, double x) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (lw[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/// Work arrays of the finite-T programme.
typedef struct {
  int kmax;
  double *e, *y, *e2, *y2; /* [kmax]: this sample's state and the next */
  double *jj;              /* jj[j] = j */
  double *lf, *lw, *P;     /* [n + 1] log-factorials, [n] log-weights, prefix sums */
  double *pk;              /* [nk][n]: chance that sample m tops a k-subset */
} softmax_work;

/// Add sample m (with z = e^(-tw), lt = l t w) to the subset means over 0..kmax-1 samples:
/// e_j <- e_j + (j/(m+1)) (z e_(j-1) - e_j), likewise y_j with z (y_(j-1) + lt e_(j-1)).
static void add_sample(softmax_work *w, int m, double z, double lt) {
  int top = m + 1 < w->kmax - 1 ? m + 1 : w->kmax - 1;
  double inv = 1.0 / (m + 1);
  const double *e = w->e, *y = w->y, *jj = w->jj;
  double *ne = w->e2, *ny = w->y2;
  ne[0] = 1, ny[0] = 0;
#pragma omp simd
  for (int j = 1; j <= top; j++) {
    double b = jj[j] * inv;
    ne[j] = e[j] + b * (z * e[j - 1] - e[j]);
    ny[j] = y[j] + b * (z * (y[j - 1] + lt * e[j - 1]) - y[j]);
  }
  for (int j = top + 1; j < w->kmax; j++) ne[j] = e[j], ny[j] = y[j];
  w->e2 = w->e, w->y2 = w->y, w->e = ne, w->y = ny;
}

/// One node s of the grid: sum over the subsets' top samples m of the integrand at t = e^s.
/// e[j], y[j]: mean over j-subsets of the samples before m of prod e^(-t w) and of
/// prod e^(-t w) * sum l t w (normalised by C(m, j), which keeps them in [0, max |l| j]).
static void softmax_node(const sorted *s, softmax_work *w, double sn, int nk, const int *k,
                         double *acc) {
  int n = s->n, kmax = w->kmax;
  int lo = first_at_least(w->lw, n, log(SUB_ONE) - sn);
  int wlo = first_at_least(w->lw, n, log(SUB_EPS / kmax) - sn);
  int hi = first_at_least(w->lw, n, nextafter(log(SUB_HI) - sn, INFINITY)) - 1;
  if (hi < 1) return;
  double A = lo ? w->P[lo - 1] * exp(sn + w->lw[lo - 1]) : 0; /* samples with e^(-tw) = 1 */
  for (int j = 0; j < kmax; j++) {
    w->e[j] = j <= lo ? 1 : 0;
    w->y[j] = j <= lo && lo ? j * A / lo : 0;
  }
  for (int m = lo; m <= hi; m++) {
    double tw = exp(sn + w->lw[m]), z = exp(-tw), lt = s->l[m] * tw;
    if (m >= wlo)
      for (int ik = 0; ik < nk; ik++) {
        int kk = k[ik];
        if (kk >= 2 && m >= kk - 1)
          acc[ik] += w->pk[(size_t)ik * n + m] * z * (lt * w->e[kk - 1] + w->y[kk - 1]);
      }
    if (m < hi) add_sample(w, m, z, lt);
  }
}

/// (a - b) / T, also where a - b overflows (rewards beyond +-DBL_MAX / 2).
static double tdiff(double a, double b, double T) {
  double d = a - b;
  return isinf(d) ? (0.5 * a - 0.5 * b) / T * 2 : d / T;
}

/// Log-weights lw[j] = (r_j - r_max) / T, finite for any finite rewards and T > 0: where
/// consecutive rewards are more than SUB_GAP T apart (or the difference overflows) a new
/// block starts SUB_GAP below the sample above, and its members are measured from its top.
static void log_weights(const sorted *s, double T, double *lw) {
  int n = s->n, top = n - 1;
  double base = 0;
  lw[n - 1] = 0;
  for (int j = n - 2; j >= 0; j--) {
    double gap = tdiff(s->r[j + 1], s->r[j], T), x = base + tdiff(s->r[j], s->r[top], T);
    if (!(gap <= SUB_GAP) || !isfinite(x)) base = lw[j + 1] - SUB_GAP, top = j, x = base;
    lw[j] = x;
  }
}

/// Is T sharp for these rewards: every gap between distinct rewards at least
/// (SUB_SHARP + log kmax) T, so the softmax is the best of k to e^-SUB_SHARP?
static int sharp(const sorted *s, double T, int kmax) {
  for (int j = 0; j + 1 < s->n; j++) {
    double gap = tdiff(s->r[j + 1], s->r[j], T);
    if (gap > 0 && gap < SUB_SHARP + log((double)kmax)) return 0;
  }
  return 1;
}

/// Softmax selection at finite T > 0 for every k >= 2 (out[ik]; k = 1 is left alone). Only
/// the grid nodes where some sample m >= kmin - 1 can top a subset (t w_m within
/// [SUB_EPS / kmax, SUB_HI], padded by a node) are visited, in ascending order: the others add
/// nothing, so the cost is bounded by the number of distinct rewards, not by their spread
/// in units of T.
static void softmax_delta(const sorted *s, softmax_work *w, int nk, const int *k, double T,
                          double *out) {
  int n = s->n, kmin = n;
  for (int ik = 0; ik < nk; ik++) {
    if (k[ik] >= 2 && k[ik] < kmin) kmin = k[ik];
    out[ik] = 0;
  }
  log_weights(s, T, w->lw);
  prefix_weighted(s, w->lw, w->P);
  double s0 = log(SUB_EPS / w->kmax), s1 = log(SUB_HI) - w->lw[kmin - 1];
  long nodes = (long)ceil((s1 - s0) / SUB_H), next = 0;
  for (int m = n - 1; m >= kmin - 1 && next <= nodes; m--) {
    long a = (long)floor(-w->lw[m] / SUB_H) - 1;
    long b = (long)ceil((log(SUB_HI) - w->lw[m] - s0) / SUB_H) + 1;
    for (long i = a > next ? a : next; i <= b && i <= nodes; i++)
      softmax_node(s, w, s0 + (double)i * SUB_H, nk, k, out);
    next = b + 1 > next ? b + 1 : next;
  }
  for (int ik = 0; ik < nk; ik++) out[ik] *= SUB_H;
}

/// Allocate the finite-T work arrays and the chances C(m, k-1) / C(n, k) that sample m
/// (in ascending order) tops a k-subset.
static js_status softmax_alloc(int n, int nk, const int *k, int kmax, softmax_work *w) {
  w->kmax = kmax;
  double **arr[] = {&w->e, &w->y, &w->e2, &w->y2, &w->jj, &w->lf, &w->lw, &w->P, &w->pk};
  size_t len[] = {kmax, kmax, kmax, kmax, kmax, (size_t)n + 1, n, n, (size_t)nk * n};
  int ok = 1;
  for (int i = 0; i < 9; i++) ok &= (*arr[i] = malloc(sizeof(double) * (len[i] + 1))) != NULL;
  if (!ok) {
    for (int i = 0; i < 9; i++) free(*arr[i]);
    JS_FAIL(JS_ERR_SYS, "out of memory for a question of %d samples", n);
  }
  for (int j = 0; j < kmax; j++) w->jj[j] = j;
  for (int i = 0; i <= n; i++) w->lf[i] = lgamma(i + 1.0);
  for (int ik = 0; ik < nk; ik++) {
    double lCN = w->lf[n] - w->lf[k[ik]] - w->lf[n - k[ik]];
    for (int m = 0; m < n; m++)
      w->pk[(size_t)ik * n + m] = m >= k[ik] - 1 ? exp(w->lf[m] - w->lf[k[ik] - 1] -
                                                       w->lf[m - k[ik] + 1] - lCN) : 0;
  }
  return JS_OK;
}

/// Free the finite-T work arrays.
static void softmax_free(softmax_work *w) {
  free(w->e), free(w->y), free(w->e2), free(w->y2), free(w->jj);
  free(w->lf), free(w->lw), free(w->P), free(w->pk);
}

/// Check k and T against the question.
static js_status check_args(const js_question *q, int nk, const int *k, int nT, const double *T) {
  JS_CHECK(q->n >= 1, JS_ERR_INPUT, "a question has no samples");
  for (int ik = 0; ik < nk; ik++)
    JS_CHECK(k[ik] >= 1 && k[ik] <= q->n, JS_ERR_INPUT,
             "k = %d needs at least %d samples; the question has %d", k[ik], k[ik], q->n);
  for (int iT = 0; iT < nT; iT++)
    JS_CHECK(T[iT] >= 0, JS_ERR_INPUT, "T = %g: temperatures must be 0, positive or inf", T[iT]);
  return JS_OK;
}

/// Expected smallest (lo) and largest (hi) loss of a k-subset, for every k (l sorted
/// ascending; Q of n + 1 as scratch).
static void loss_range(const double *l, int n, int nk, const int *k, double *Q, double *lo,
                       double *hi) {
  for (int ik = 0; ik < nk; ik++) {
    subset_share(n, k[ik], Q);
    double a = 0, b = 0; /* the i-th smallest is the minimum when the rest lie above it */
    for (int i = 0; i < n; i++) {
      a += l[i] * (Q[n - i] - Q[n - i - 1]);
      b += l[n - 1 - i] * (Q[n - i] - Q[n - i - 1]);
    }
    lo[ik] = a, hi[ik] = b;
  }
}

/// One finite T: the best of k where T is sharp for the rewards, else the softmax kept
/// within [lo, hi] (the quadrature's 2e-11 relative error could step past the oracle).
static void finite_T(const sorted *s, softmax_work *w, int nk, const int *k, double T,
                     double *Q, const double *lo, const double *hi, double *o) {
  if (sharp(s, T, w->kmax)) {
    for (int ik = 0; ik < nk; ik++) subset_share(s->n, k[ik], Q), o[ik] = best_of_k(s, Q);
    return;
  }
  softmax_delta(s, w, nk, k, T, o);
  for (int ik = 0; ik < nk; ik++) o[ik] = o[ik] < lo[ik] ? lo[ik] : o[ik] > hi[ik] ? hi[ik] : o[ik];
}

js_status js_subsets_delta(const js_question *q, int nk, const int *k, int nT, const double *T,
                           double *out) {
  JS_CALL(check_args(q, nk, k, nT, T));
  sorted s;
  JS_CALL(sort_samples(q, &s));
  int kmax = 1;
  for (int ik = 0; ik < nk; ik++) kmax = k[ik] > kmax ? k[ik] : kmax;
  size_t n1 = (size_t)q->n + 1;
  double *Q = malloc(sizeof(double) * (n1 + 2 * (size_t)nk + (size_t)q->n)), mu = mean_of(s.l, s.n);
  softmax_work w = {0};
  js_status st = Q ? softmax_alloc(q->n, nk, k, kmax, &w) : JS_ERR_SYS;
  if (st == JS_OK) {
    double *lo = Q + n1, *hi = lo + nk, *l = hi + nk;
    memcpy(l, s.l, sizeof(double) * (size_t)q->n);
    qsort(l, (size_t)q->n, sizeof(double), js_cmp_double);
    loss_range(l, q->n, nk, k, Q, lo, hi);
    for (int iT = 0; iT < nT; iT++) {
      double *o = out + (size_t)iT * nk;
      if (T[iT] > 0 && isfinite(T[iT]) && kmax >= 2) finite_T(&s, &w, nk, k, T[iT], Q, lo, hi, o);
      for (int ik = 0; ik < nk; ik++) {
        if (k[ik] == 1 || isinf(T[iT])) o[ik] = mu;
        else if (T[iT] == 0) subset_share(s.n, k[ik], Q), o[ik] = best_of_k(&s, Q);
      }
    }
  }
  free(Q), free(s.l), free(s.r);
  if (st == JS_OK) softmax_free(&w);
  JS_CHECK(st == JS_OK, JS_ERR_SYS, "out of memory for a question of %d samples", q->n);
  return JS_OK;
}

js_status js_subsets_oracle(const js_question *q, int nk, const int *k, double *out) {
  JS_CALL(check_args(q, nk, k, 0, NULL));
  double *l = malloc(sizeof(double) * (size_t)q->n), *Q = malloc(sizeof(double) * ((size_t)q->n + 1));
  if (!l || !Q) {
    free(l), free(Q);
    JS_FAIL(JS_ERR_SYS, "out of memory for a question of %d samples", q->n);
  }
  double *hi = malloc(sizeof(double) * (size_t)(nk + 1));
  if (!hi) {
    free(l), free(Q);
    JS_FAIL(JS_ERR_SYS, "out of memory for a question of %d samples", q->n);
  }
  memcpy(l, q->loss, sizeof(double) * (size_t)q->n);
  qsort(l, (size_t)q->n, sizeof(double), js_cmp_double);
  loss_range(l, q->n, nk, k, Q, out, hi);
  free(l), free(Q), free(hi);
  return JS_OK;
}

js_moments js_subsets_moments(const js_question *q) {
  int n = q->n;
  js_moments m = {mean_of(q->loss, n), mean_of(q->reward, n), NAN, NAN};
  double s1 = 0, s2 = 0;
  for (int i = 0; i < n; i++) {
    double dl = q->loss[i] - m.mu_l, dr = q->reward[i] - m.mu_r;
    s1 += dl * dr, s2 += dl * dr * dr;
  }
  if (n >= 2) m.cov_lr = s1 / (n - 1);
  if (n >= 3) m.cov_lr2 = s2 * n / ((n - 1.0) * (n - 2.0));
  return m;
}

double js_subsets_expansion(const js_moments *m, int k, double T, int order) {
  double d = m->mu_l + (k - 1.0) / k * m->cov_lr / T;
  if (order >= 2) d += (k - 1.0) * (k - 2.0) / (2.0 * k * k) * m->cov_lr2 / (T * T);
  return d;
}
