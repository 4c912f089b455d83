/// \file theory.c
/// Deterministic-equivalent theory (see theory.h and docs/model.md section "Theory").
///
/// delta = E_c[ G2(c) + 2 E[b|c] G1(c) + E[b^2|c] G0(c) ], where c = m - mu_R and
/// b = mu_R - mu_T are jointly Gaussian and G_j(c) = E[y_sel^j] for the conditional problem
/// of k candidates y ~ N(c, s^2) chosen by reward -y^2: the loss (y + b)^2 is quadratic in
/// b, so the 2-D Gaussian average reduces to one dimension. G_j comes from order statistics
/// at T = 0 and from the Laplace-transform integral k int A_j B^(k-1) dt otherwise. All
/// integrals use GSL's Gauss-Legendre rules on panels placed at the integrands' scales.
#include "theory/theory.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "core/simdmath.h"
#include "core/numutil.h"

/* Gauss-Legendre nodes per panel: the outer integral in c at finite T and at T = 0, the
   integral in log t, the one in y (a candidate) and the T = 0 distance integral */
#define GL_C 6
#define GL_C0 8
#define GL_L 8
#define GL_Y 8
#define GL_K 7
#define GL_MAX 16 /* rules made, 1 to 16 nodes */
#define MAX_BOUNDS 4096   /* panel boundaries per integral */

#define EXP_FLOOR -500.0 /* exp arguments are clamped here: no libmvec slow path */
/* Ranges and panels of the integrals: 5e-8 relative or better against the previous, denser
   quadrature (itself 4e-11 from a reference with wider ranges) on ten studies, the tests'
   bar being 1e-6 (docs/model.md, "Theory") */
#define Y_SPAN 10.0   /* a candidate's y within c +- 10 s (density beyond < e^-50) */
#define K_STEP 0.125  /* T = 0: distance panels every 1/8 sd */
#define L_MARGIN 20.0 /* log t from 20 below where B^k starts to matter (integrand ~ e^L) */
#define TAIL_CUT -45.0 /* log of k B^(k-1) below which the t integral stops (softmax) */
#define Q_IN 3.912    /* log 50: where q = t w > 50, e^-q and q e^-q are below 1e-20 */
#define C_STEP 6.0    /* outer panels in c at least every 6 s, besides the judges' sd multiples */
#define H_STEP 0.75   /* panels in h = sqrt(T log t) every 3/4 s beyond s */

/// The theory's quadrature rules and reusable buffers (see theory.h).
struct js_theory_cache {
  double glx[GL_MAX + 1][GL_MAX], glw[GL_MAX + 1][GL_MAX]; /* GSL's n-point rules on [-1, 1] */
  struct {
    double *p;
    size_t cap;
  } scratch[3]; /* 0 the Laplace nodes, 1 the T = 0 nodes, 2 the k terms */
  struct {
    js_theory_base b;
    js_reward *r;
    int nr, nb;
    double *bounds;
  } panels; /* the last panel grid made (c_panels_cached) */
};

js_status js_theory_cache_create(js_theory_cache **out) {
  js_theory_cache *q = calloc(1, sizeof *q);
  JS_ALLOC_CHECK(q, "the theory's quadrature rules");
  for (int m = 1; m <= GL_MAX; m++) {
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc((size_t)m);
    if (!t) {
      free(q);
      JS_FAIL(JS_ERR_SYS, "out of memory for quadrature tables");
    }
    for (int i = 0; i < m; i++)
      gsl_integration_glfixed_point(-1, 1, (size_t)i, &q->glx[m][i], &q->glw[m][i], t);
    gsl_integration_glfixed_table_free(t);
  }
  *out = q;
  return JS_OK;
}

void js_theory_cache_free(js_theory_cache *q) {
  if (!q) return;
  for (int i = 0; i < 3; i++) free(q->scratch[i].p);
  free(q->panels.bounds), free(q->panels.r), free(q);
}

/// Standard normal cdf; 0 below -30 (< 5e-198; avoids exp's slow path beyond -512).
static double Phi(double x) { return x < -30 ? 0 : gsl_cdf_ugaussian_P(x); }

/// P(a < Z < b) for a standard normal Z and a <= b, without cancellation (0 when a = b).
static double normal_mass(double a, double b) {
  const double r = 0.70710678118654752440;
  if (a >= b) return 0;
  if (a >= 0) return 0.5 * (erfc(a * r) - erfc(b * r));
  if (b <= 0) return 0.5 * (erfc(-b * r) - erfc(-a * r));
  return 0.5 * (erf(b * r) + erf(-a * r));
}

/// Standard normal density.
static double phi(double x) { return x * x > 1000 ? 0 : exp(-0.5 * x * x) * 0.39894228040143267794; }

/// Standard normal density with the inlined exp (vectorizes; below e^-500 it is e^-500 phi(0)).
static inline double phi_v(double x, double floor) {
  return js_exp_neg(js_floored(-0.5 * x * x, floor)) * 0.39894228040143267794;
}

/// Marchenko-Pastur Stieltjes transform at z < 0 (rationalised: no cancellation) and its
/// derivative, for ratio c.
static void mp_g(double c, double z, double *g, double *dg) {
  double A = 1 - c - z, R = sqrt(A * A - 4 * c * z);
  *g = 2 / (A + R);
  *dg = -(c * *g * *g + *g) / (2 * c * z * *g - A);
}

js_theory_base js_theory_base_at(double ratio, double sigma, double gamma, double S) {
  js_theory_base b = {ratio, sigma * sigma / (gamma * gamma), S, sigma, 0, 0, 0, 0, 0, 0};
  double l1 = b.lam / (S * S), g, dg; /* S = 1 quantities at lam / S^2 */
  mp_g(ratio, -ratio * l1, &g, &dg);
  b.tau1 = ratio * g / (S * S);
  b.tau2 = ratio * ratio * dg / (S * S * S * S);
  b.tauF = b.tau1 - b.lam * b.tau2;
  b.s2 = sigma * sigma * (1 + S * S * b.tau1);
  b.vu = S * S * (b.lam * b.lam * b.tau2 + sigma * sigma * b.tauF);
  b.cov_ut = -S * S * b.lam * b.tau1;
  return b;
}

double js_theory_k1(const js_theory_base *b) { return b->s2 + b->vu; }

/// Moments of b = mu_R - mu_T: Var b and Cov(m - mu_T, b). A {c} judge has b = -c u
/// (u = m - mu_T): Var b = c^2 Var u, Cov(u, b) = -c Var u.
static void reward_moments(const js_theory_base *b, js_reward r, double *vb, double *cub) {
  if (js_reward_is_c(&r)) {
    *vb = r.c * r.c * b->vu, *cub = -r.c * b->vu;
    return;
  }
  double da = r.alpha - 1;
  *vb = b->S * b->S * (da * da + r.beta * r.beta);
  *cub = da * b->cov_ut;
}

double js_theory_kinf(const js_theory_base *b, double T, js_reward r) {
  double vb, cub;
  reward_moments(b, r, &vb, &cub);
  if (T == 0) return vb;                 /* a candidate lands on mu_R */
  if (isinf(T)) return js_theory_k1(b);  /* uniform selection */
  double P = 1 / b->s2 + 2 / T;          /* tilted Gaussian: precision and mean */
  double m2 = b->vu / (b->s2 * b->s2) + 4 * vb / (T * T) + 4 * cub / (b->s2 * T);
  return 1 / P + m2 / (P * P);
}

double js_theory_invT(const js_theory_base *b, js_reward r) {
  double vb, cub;
  reward_moments(b, r, &vb, &cub);
  return -(2 * b->s2 * b->s2 + 4 * b->s2 * (b->vu - cub));
}

/// E over y ~ N(c, s^2) of the polynomial p (degree < 9, p[j] the coefficient of y^j).
static double poly_mean(const double *p, int deg, double c, double s) {
  double M[9] = {1, c}, sum = p[0] + (deg > 0 ? p[1] * c : 0);
  for (int j = 2; j <= deg; j++) M[j] = c * M[j - 1] + (j - 1) * s * s * M[j - 2], sum += p[j] * M[j];
  return sum;
}

/// p * q into out (degrees dp and dq, dp + dq < 9).
static void poly_mul(const double *p, int dp, const double *q, int dq, double *out) {
  for (int j = 0; j <= dp + dq; j++) out[j] = 0;
  for (int i = 0; i <= dp; i++)
    for (int j = 0; j <= dq; j++) out[i + j] += p[i] * q[j];
}

/// One test point's moments (y = Y - mu_R ~ N(c, s^2), l = (y + b)^2, r = -y^2): Cov(l, rc),
/// Cov(l, rc^2), Cov(l, rc^3) and Var r.
static void point_moments(double c, double b, double s, double out[4]) {
  double mu2 = c * c + s * s, rc[3] = {mu2, 0, -1}, rc2[5], rc3[7], l[3] = {b * b, 2 * b, 1};
  poly_mul(rc, 2, rc, 2, rc2);
  poly_mul(rc2, 4, rc, 2, rc3);
  const double *q[3] = {rc, rc2, rc3};
  int dq[3] = {2, 4, 6};
  double El = poly_mean(l, 2, c, s), prod[9];
  for (int a = 0; a < 3; a++) {
    poly_mul(l, 2, q[a], dq[a], prod);
    out[a] = poly_mean(prod, dq[a] + 2, c, s) - El * poly_mean(q[a], dq[a], c, s);
  }
  out[3] = poly_mean(rc2, 4, c, s);
}

#define GH_NODES 10 /* Gauss-Hermite: exact for the degree-8 polynomials averaged here */

js_status js_theory_expansion_moments(const js_theory_base *b, js_reward r, double mom[4]) {
  gsl_integration_fixed_workspace *w =
      gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, GH_NODES, 0, 0.5, 0, 0);
  JS_CHECK(w, JS_ERR_SYS, "out of memory for the expansion's Gauss-Hermite rule");
  const double *x = gsl_integration_fixed_nodes(w), *wt = gsl_integration_fixed_weights(w);
  double vb, cub;
  reward_moments(b, r, &vb, &cub);
  double vc = b->vu + vb - 2 * cub, cbc = cub - vb, s = sqrt(b->s2); /* the law of (c, b) */
  double rho = vc > 0 ? cbc / vc : 0, vbc = fmax(vb - (vc > 0 ? cbc * cbc / vc : 0), 0);
  double norm = 1 / (2 * M_PI);
  for (int j = 0; j < 4; j++) mom[j] = 0;
  for (int i = 0; i < GH_NODES; i++) /* c = sqrt(vc) x_i, b = rho c + sqrt(vbc) x_j */
    for (int j = 0; j < GH_NODES; j++) {
      double c = sqrt(vc) * x[i], bb = rho * c + sqrt(vbc) * x[j], pm[4], ww = wt[i] * wt[j] * norm;
      point_moments(c, bb, s, pm);
      mom[0] += ww * pm[0], mom[1] += ww * pm[1], mom[2] += ww * pm[2];
      mom[3] += ww * pm[0] * pm[3];
    }
  gsl_integration_fixed_free(w);
  return JS_OK;
}

void js_theory_expansion(const js_theory_base *b, const double mom[4], double k, double T,
                         double out[3]) {
  double e0 = js_theory_k1(b);
  if (T == 0) {
    out[0] = out[1] = out[2] = NAN;
    return;
  }
  if (isinf(T)) {
    out[0] = out[1] = out[2] = e0;
    return;
  }
  double u = 1 / T, e1 = (k - 1) / k, e2 = (k - 1) * (k - 2) / (2 * k * k);
  double e3a = (k - 1) * (k * k - 6 * k + 6) / (6 * k * k * k);
  double e3b = -(k - 1) * (k * k - 4 * k + 6) / (2 * k * k * k);
  out[0] = e0 + e1 * mom[0] * u;
  out[1] = out[0] + e2 * mom[1] * u * u;
  out[2] = out[1] + (e3a * mom[2] + e3b * mom[3]) * u * u * u;
}

double js_theory_alpha_opt(const js_theory_base *b, double T) {
  return isinf(T) ? NAN : 1 + b->lam * b->tau1 * T / (2 * b->s2);
}

double js_theory_bestofk_v(const js_theory_base *b) { return b->vu / b->s2; }

double js_theory_bestofk_coef(const js_theory_base *b) {
  double v = js_theory_bestofk_v(b);
  return v < 0.5 ? M_PI * b->s2 / sqrt(1 - 2 * v) : NAN;
}


/// Insertion sort of a few doubles (linear when nearly sorted).
static void sort_small(double *x, int m) {
  for (int i = 1; i < m; i++) {
    double v = x[i];
    int j = i;
    for (; j > 0 && x[j - 1] > v; j--) x[j] = x[j - 1];
    x[j] = v;
  }
}

/// Drop near-duplicates (within 1e-14 relative) from ascending x; returns the count.
static int dedupe_sorted(double *x, int m) {
  int u = 1;
  for (int i = 1; i < m; i++)
    if (x[i] > x[u - 1] * (1 + 1e-14) + 1e-300) x[u++] = x[i];
  return u;
}

/// Sort boundaries, keep those in [lo, hi] (both added), drop duplicates; returns count.
static int tidy_bounds(double *x, int n, double lo, double hi) {
  int m = 0;
  for (int i = 0; i < n; i++)
    if (x[i] > lo && x[i] < hi) x[m++] = x[i];
  x[m++] = lo;
  x[m++] = hi;
  if (m > 64) qsort(x, (size_t)m, sizeof *x, js_cmp_double);
  else sort_small(x, m); /* the usual few dozen (qsort took a third of the theory's time) */
  return dedupe_sorted(x, m);
}

/// Merge the ascending runs a[0, n1) and b[0, n2) into out (which overlaps neither).
static void merge_runs(const double *a, int n1, const double *b, int n2, double *out) {
  int i = 0, j = 0, o = 0;
  while (i < n1 && j < n2) out[o++] = b[j] < a[i] ? b[j++] : a[i++];
  while (i < n1) out[o++] = a[i++];
  while (j < n2) out[o++] = b[j++];
}

/// tidy_bounds for ascending x, into out (which does not overlap x); returns the count.
static int tidy_sorted(const double *x, int n, double lo, double hi, double *out) {
  int m = 0;
  out[m++] = lo;
  for (int i = 0; i < n; i++)
    if (x[i] > lo && x[i] < hi) out[m++] = x[i];
  out[m++] = hi;
  return dedupe_sorted(out, m);
}

/// Scratch arrays of q reused from call to call (malloc and free of the node arrays for
/// every piece cost a tenth of the theory's time in brk and page faults): slot 0 the Laplace
/// nodes, 1 the T = 0 nodes, 2 the k terms. A buffer over 8 MB shrinks at the next request a
/// quarter its size. NULL when out of memory.
static double *scratch(js_theory_cache *q, int slot, size_t n) {
  double **p = &q->scratch[slot].p;
  size_t *cap = &q->scratch[slot].cap;
  if (n > *cap || (*cap > (1u << 20) && 4 * n < *cap)) {
    free(*p);
    *p = malloc(sizeof(double) * (n + 64));
    *cap = *p ? n + 64 : 0;
  }
  return *p;
}

/// Gauss-Legendre node i (0 .. GL_NODES-1) of panel [a, b].
static inline void gl_node(const js_theory_cache *q, int m, double a, double b, int i,
                           double *x, double *w) {
  double half = 0.5 * (b - a);
  *x = 0.5 * (a + b) + half * q->glx[m][i];
  *w = half * q->glw[m][i];
}

/* ---------------------------------------------------------------- T = 0 ---------- */

/// F(xi) = P(|D| <= xi) for D ~ N(a, 1), accurate for small xi.
static double abs_cdf(const js_theory_cache *q, double xi, double a) {
  if (xi >= 0.5) return Phi(xi - a) - Phi(-xi - a);
  double sum = 0, fl = js_exp_floor(EXP_FLOOR);
#pragma omp simd reduction(+ : sum)
  for (int i = 0; i < 16; i++) sum += xi * q->glw[16][i] * phi_v(xi * q->glx[16][i] - a, fl);
  js_clear_upper();
  return sum;
}

/// Best-of-k moments (standardised a = c / s): the candidate nearest 0 of k draws. The
/// distance's law at each node first, then every k in one vectorized pass over the nodes.
static js_status bestofk(js_theory_cache *q, const double *k, int nk, double a, double *g0,
                         double *g1, double *g2) {
  double bounds[MAX_BOUNDS];
  int nb = 0;
  double f0 = 2 * phi(a), kmax = k[nk - 1];
  double first = f0 > 0 ? fmin(0.125, 1 / (64 * kmax * f0)) : 0.125;
  for (double x = first; x < 0.125 && nb < 200; x *= 2) bounds[nb++] = x;
  double top = fabs(a) + 12;
  /* panels of K_STEP on [1/8, |a| + 12]; when they would not fit (|a| > ~490), on [1/8, 12] and
     [|a| - 12, |a| + 12] only: between, f < 2 phi(12) ~ 1e-32 and so is the density */
  double gap_lo = top, gap_hi = top;
  if ((top - 0.125) / K_STEP > MAX_BOUNDS - 8 - nb) gap_lo = 12, gap_hi = fabs(a) - 12;
  for (double x = 0.125; x < top; x += K_STEP) {
    if (x > gap_lo && x < gap_hi) x = gap_hi;
    bounds[nb++] = x;
  }
  nb = tidy_bounds(bounds, nb, 0, top);
  size_t n = (size_t)(nb - 1) * GL_K;
  double *lS = scratch(q, 1, 4 * n), *fw = lS + n, *h1 = fw + n, *h2 = h1 + n;
  JS_ALLOC_CHECK(lS, "theory nodes");
  double fl = js_exp_floor(EXP_FLOOR);
  for (int p = 0, m = 0; p + 1 < nb; p++)
    for (int i = 0; i < GL_K; i++, m++) {
      double xi, w;
      gl_node(q, GL_K, bounds[p], bounds[p + 1], i, &xi, &w);
      double F = abs_cdf(q, xi, a), S = Phi(a - xi) + Phi(-xi - a);
      lS[m] = F < 0.5 ? log1p(-F) : log(S);
      fw[m] = w * (phi_v(xi - a, fl) + phi_v(xi + a, fl));
      h1[m] = xi * tanh(xi * a), h2[m] = xi * xi;
    }
  for (int j = 0; j < nk; j++) {
    double s0 = 0, s1 = 0, s2 = 0, km1 = k[j] - 1;
#pragma omp simd reduction(+ : s0, s1, s2)
    for (size_t i = 0; i < n; i++) { /* k f S^(k-1) with the inlined exp (argument <= 0) */
      double e = km1 * lS[i], dens = e < EXP_FLOOR ? 0 : fw[i] * js_exp_neg(js_floored(e, fl));
      s0 += dens;
      s1 += dens * h1[i];
      s2 += dens * h2[i];
    }
    g0[j] = k[j] * s0, g1[j] = k[j] * s1, g2[j] = k[j] * s2;
  }
  js_clear_upper();
  return JS_OK;
}

/* ---------------------------------------------------------------- finite T -------- */

typedef struct {
  double B, J, A0, A1, A2; /* E[e^-q], E[1 - e^-q], E[y^j q e^-q] with q = t w */
} laplace_terms;

/// The one-candidate expectations at log t = L (y ~ N(c, s^2), w = exp(-y^2 / T)).
static void laplace_at(const js_theory_cache *q, double L, double T, double c, double s,
                       laplace_terms *out) {
  double bounds[64];
  int nb = 0;
  double rt = sqrt(T), hL = L > 0 ? sqrt(T * L) : 0;
  double Y = sqrt(T * (fmax(L, 0) + 40)); /* beyond, q < e^-40 */
  double yin = L > Q_IN ? sqrt(T * (L - Q_IN)) : 0; /* within, q > e^Q_IN: only J counts */
  double lo = fmax(-Y, c - Y_SPAN * s), hi = fmin(Y, c + Y_SPAN * s);
  memset(out, 0, sizeof *out);
  double outside = Phi((-Y - c) / s) + Phi((c - Y) / s);
  if (lo >= hi) {
    out->B = 1;
    return;
  }
  /* three ascending runs (w's scale, the density's, where q crosses 1), merged in order */
  const double rs[] = {-4, -2, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 2, 4};
  const double ss[] = {-8, -4, -2, -1, 0, 1, 2, 4, 8}, qs[] = {16, 4, 1, 0, -1, -4, -16};
  double runs[40], merged[40], all[40]; /* 11 + 9 + 16 */
  for (int i = 0; i < 11; i++) runs[nb++] = rs[i] * rt;
  for (int i = 0; i < 9; i++) runs[nb++] = c + ss[i] * s;
  int n12 = nb;
  if (hL > 0) {
    for (int i = 0; i < 7; i++) runs[nb++] = -(hL + qs[i] * T / (2 * hL));
    for (int i = 6; i >= 0; i--) runs[nb++] = hL + qs[i] * T / (2 * hL);
    if (yin > 0) runs[nb++] = -yin, runs[nb++] = yin;
    sort_small(runs + n12, nb - n12); /* +-yin, and when L < 8 the ends, out of order */
  }
  merge_runs(runs, 11, runs + 11, n12 - 11, merged);
  merge_runs(merged, n12, runs + n12, nb - n12, all);
  nb = tidy_sorted(all, nb, lo, hi, bounds);
  double ys[64 * GL_MAX + 8] __attribute__((aligned(64)));
  double ws[64 * GL_MAX + 8] __attribute__((aligned(64)));
  int n = 0;
  double in_lo = 0, in_hi = 0, edge = yin * (1 + 1e-12); /* the panels skipped: [in_lo, in_hi] */
  for (int p = 0; p + 1 < nb; p++) {
    if (bounds[p] >= -edge && bounds[p + 1] <= edge) {
      if (in_lo == in_hi) in_lo = bounds[p];
      in_hi = bounds[p + 1];
      continue;
    }
    for (int i = 0; i < GL_Y; i++, n++)
      gl_node(q, GL_Y, bounds[p], bounds[p + 1], i, &ys[n], &ws[n]);
  }
  for (int i = n; i < n + 8; i++) ys[i] = c, ws[i] = 0; /* masked lanes hold benign values */
  n = (n + 7) / 8 * 8;
  double norm = 1 / (s * 2.50662827463100050242), sb = 0, sj = 0, s0 = 0, s1 = 0, s2 = 0;
  double fl = js_exp_floor(EXP_FLOOR);
  js_clear_upper();
#pragma omp simd reduction(+ : sb, sj, s0, s1, s2)
  for (int i = 0; i < n; i++) { /* the theory's inner loop: every exp inlined, its argument */
    double y = ys[i], z = (y - c) / s, l = L - y * y / T; /* clamped to +-500 */
    double dens = ws[i] * norm * js_exp_e13(js_floored(-0.5 * z * z, fl));
    double q = js_exp_e13(js_floored(l > -fl ? -fl : l, fl));
    double eq = js_exp_e13(js_floored(-q, fl));
    double a0 = q < -fl ? dens * q * eq : 0; /* q e^-q (eq is floored: beyond, 0) */
    double jq = q < 1e-3 ? q * (1 - q * (0.5 - q / 6)) : 1 - eq; /* 1 - e^-q */
    sb += dens * eq;
    sj += dens * jq;
    s0 += a0;
    s1 += a0 * y;
    s2 += a0 * y * y;
  }
  js_clear_upper();
  out->B = sb, out->J = sj + normal_mass((in_lo - c) / s, (in_hi - c) / s);
  out->A0 = s0, out->A1 = s1, out->A2 = s2;
  out->B += outside;
}

/// Nodes in L = log t with weights for dt / t: region t < 1 in L, t >= 1 in h = sqrt(T L).
/// *L and *wL are scratch of the size needed (no cap: it grows like |c| / s); *n nodes.
static js_status laplace_nodes(js_theory_cache *q, double T, double c, double s, double kmax,
                               double **Lp, double **wLp, int *np) {
  double Ew = sqrt(T / (T + 2 * s * s)) * exp(-c * c / (T + 2 * s * s));
  double Llo = fmin(0, -log(kmax * fmax(Ew, 1e-300))) - L_MARGIN;
  double Lhi = pow(fabs(c) + Y_SPAN * s, 2) / T + 4;
  double hmax = sqrt(T * Lhi), hmid = fmin(hmax, fabs(c) + Y_SPAN * s), rt = sqrt(T);
  double Lmid = hmid * hmid / T;
  /* boundaries: <= 1000 in L < 0, <= 200 doublings and (hmid - s) / (H_STEP s) steps in h, and
     the unit steps from Lmid to Lhi */
  double steps = fmax(0, (hmid - fmin(s, hmid)) / (H_STEP * s)) + (Lhi - Lmid) + 1;
  JS_CHECK(steps < 1e8, JS_ERR_INPUT, "theory: grid.T and grid.reward: the judge's target is "
           "%.3g predictive widths away (c / s) at T = %g: too many quadrature panels (a T or "
           "judge nearer the model's scale, or model.sigma, model.gamma, model.input_scale "
           "nearer 1, which set s)", fabs(c) / s, T);
  size_t cap = 1200 + (size_t)steps + 8, ncap = cap * GL_L;
  double *L = scratch(q, 0, cap + 2 * ncap), *wL = L + ncap, *bounds = wL + ncap;
  JS_CHECK(L, JS_ERR_SYS, "out of memory for quadrature nodes");
  int nb = 0, n = 0;
  for (double x = -2; x > Llo && nb < 1000; x -= 2) bounds[nb++] = x;
  nb = tidy_bounds(bounds, nb, Llo, 0);
  for (int p = 0; p + 1 < nb; p++)
    for (int i = 0; i < GL_L; i++, n++)
      gl_node(q, GL_L, bounds[p], bounds[p + 1], i, &L[n], &wL[n]);
  nb = 0;
  for (double h = rt / 64; h < fmin(s, hmid) && nb < 200; h *= 2) bounds[nb++] = h;
  for (double h = fmin(s, hmid); h < hmid; h += s * H_STEP) bounds[nb++] = h;
  nb = tidy_bounds(bounds, nb, 0, hmid);
  for (int p = 0; p + 1 < nb; p++)
    for (int i = 0; i < GL_L; i++, n++) {
      double h, w;
      gl_node(q, GL_L, bounds[p], bounds[p + 1], i, &h, &w);
      L[n] = h * h / T;
      wL[n] = w * 2 * h / T;
    }
  for (double a = Lmid; a < Lhi; a += 1)
    for (int i = 0; i < GL_L; i++, n++)
      gl_node(q, GL_L, a, fmin(a + 1, Lhi), i, &L[n], &wL[n]);
  *Lp = L, *wLp = wL, *np = n;
  return JS_OK;
}

/// Softmax moments at finite T through k int_0^inf A_j(t) B(t)^(k-1) dt; k = 1 in closed form
/// (E[y^j]). The nodes ascend in t and B decreases, so the sum stops once k B^(k-1) < e^-45
/// for every k > 1 (the rest, at most e^-45 times the remaining range in log t, is far below
/// the quadrature's error).
static js_status softmax(js_theory_cache *q, const double *k, int nk, double T, double c, double s,
                         double *g0, double *g1, double *g2) {
  double *L = NULL, *wL = NULL, *lk = scratch(q, 2, (size_t)nk);
  JS_ALLOC_CHECK(lk, "theory");
  int n = 0;
  JS_CALL(laplace_nodes(q, T, c, s, k[nk - 1], &L, &wL, &n));
  double fl = js_exp_floor(EXP_FLOOR);
  for (int j = 0; j < nk; j++) g0[j] = g1[j] = g2[j] = 0, lk[j] = k[j] > 1 ? log(k[j]) : -INFINITY;
  int live_k = nk; /* the k whose terms are not exactly 0 at this node and beyond */
  for (int i = 0; i < n; i++) {
    laplace_terms lt;
    laplace_at(q, L[i], T, c, s, &lt);
    double logB = lt.J < 0.5 ? log1p(-lt.J) : log(lt.B), live = -INFINITY;
    /* (k - 1) logB falls with k, and B with the node: the terms of larger k are exactly 0
       from here on (their live values, below -600, cannot stop or extend the sum) */
    while (live_k > 1 && (k[live_k - 1] - 1) * logB < EXP_FLOOR) live_k--;
#pragma omp simd reduction(max : live)
    for (int j = 0; j < live_k; j++) { /* k B^(k-1) with the inlined exp (its argument is <= 0) */
      double e = (k[j] - 1) * logB;
      double wt = e < EXP_FLOOR ? 0 : wL[i] * k[j] * js_exp_neg(js_floored(e, fl));
      live = e + lk[j] > live ? e + lk[j] : live; /* not fmax: a call, no vector */
      g0[j] += wt * lt.A0;
      g1[j] += wt * lt.A1;
      g2[j] += wt * lt.A2;
    }
    if (live < TAIL_CUT) break;
  }
  for (int j = 0; j < nk; j++)
    if (k[j] == 1) g0[j] = 1, g1[j] = c, g2[j] = s * s + c * c;
  return JS_OK;
}

js_status js_theory_conditional(js_theory_cache *q, const double *k, int nk, double T,
                                double c, double s, double *g0, double *g1, double *g2) {
  JS_CHECK(nk >= 1 && s > 0 && T >= 0 && isfinite(c), JS_ERR_INPUT,
           "theory: bad conditional problem (T=%g c=%g s=%g)", T, c, s);
  if (isinf(T)) {
    for (int j = 0; j < nk; j++) g0[j] = 1, g1[j] = c, g2[j] = s * s + c * c;
    return JS_OK;
  }
  if (T > 0) return softmax(q, k, nk, T, c, s, g0, g1, g2);
  JS_CALL(bestofk(q, k, nk, c / s, g0, g1, g2));
  for (int j = 0; j < nk; j++) g1[j] *= s, g2[j] *= s * s;
  return JS_OK;
}

/* ---------------------------------------------------------------- the study ------- */

/// The Gaussian law of c = m - mu_R for one reward, and b's regression on c.
typedef struct {
  double vc, rho, vbc; /* Var c; E[b | c] = rho c; Var(b | c) */
} reward_law;

/// Law of (c, b) for a reward.
static reward_law law_of(const js_theory_base *b, js_reward r) {
  double vb, cub;
  reward_moments(b, r, &vb, &cub);
  reward_law law;
  law.vc = b->vu + vb - 2 * cub;
  double cbc = cub - vb; /* Cov(b, c) */
  law.rho = cbc / law.vc;
  law.vbc = fmax(vb - cbc * cbc / law.vc, 0);
  return law;
}

/// Panel boundaries of c in [0, 12 max sd(c)] at the scales of every reward's law and every 6
/// s: one grid serves every judge, so one conditional solve per node serves them all
/// (malloc'd; *nb boundaries, so *nb - 1 panels).
static js_status c_panels(const js_theory_base *b, const js_reward *r, int nr, double s,
                          double **bounds, int *nb) {
  static const double mult[] = {0.5, 1, 1.5, 2, 3, 4, 5, 6, 8, 10};
  const int nmult = sizeof mult / sizeof *mult;
  double top = 0;
  for (int i = 0; i < nr; i++) top = fmax(top, 12 * sqrt(law_of(b, r[i]).vc));
  double steps = ceil(top / (C_STEP * s));
  JS_CHECK(steps < 1e6, JS_ERR_INPUT, "theory: grid.reward and model: a judge's spread (12 sd "
           "= %.3g) is over 10^6 predictive widths (s = %.3g, set by model.sigma, model.gamma "
           "and model.input_scale); the outer integral would need too many panels", top, s);
  double *x = malloc(sizeof(double) * ((size_t)steps + nmult * (size_t)nr + 4));
  JS_ALLOC_CHECK(x, "theory panels");
  int n = 0;
  for (int i = 0; i < nr; i++)
    for (int j = 0; j < nmult; j++) x[n++] = mult[j] * sqrt(law_of(b, r[i]).vc);
  for (int i = 1; i < steps; i++) x[n++] = 2 * s * i;
  *nb = tidy_bounds(x, n, 0, top);
  *bounds = x;
  return JS_OK;
}

/// The panel grid of c_panels, from q's last one when (b, judges) match (consecutive pieces
/// mostly share their ratio: with many judges the grid costs more than a T = 0 node);
/// *bounds is borrowed from q.
static js_status c_panels_cached(js_theory_cache *q, const js_theory_base *b,
                                 const js_reward *r, int nr, const double **bounds, int *nb) {
  if (!q->panels.bounds || q->panels.nr != nr || memcmp(&q->panels.b, b, sizeof *b) != 0 ||
      memcmp(q->panels.r, r, sizeof *r * (size_t)nr) != 0) {
    js_reward *copy = malloc(sizeof *r * (size_t)nr);
    JS_ALLOC_CHECK(copy, "theory panels");
    double *x = NULL;
    int n = 0;
    js_status s = c_panels(b, r, nr, sqrt(b->s2), &x, &n);
    if (s != JS_OK) free(copy);
    JS_CALL(s);
    free(q->panels.bounds), free(q->panels.r);
    memcpy(copy, r, sizeof *r * (size_t)nr);
    q->panels.b = *b, q->panels.r = copy, q->panels.nr = nr;
    q->panels.bounds = x, q->panels.nb = n;
  }
  *bounds = q->panels.bounds, *nb = q->panels.nb;
  return JS_OK;
}

/// Nodes per panel of the outer integral at T.
static int c_rule(double T) { return T > 0 ? GL_C : GL_C0; }

js_status js_theory_node_count(js_theory_cache *q, const js_theory_base *b, double T,
                               const js_reward *r, int nr, int *nodes) {
  const double *bounds;
  int nb;
  JS_CALL(c_panels_cached(q, b, r, nr, &bounds, &nb));
  *nodes = (nb - 1) * c_rule(T);
  return JS_OK;
}

/// Add one node's share (c, weight w) of every reward's delta for every k to out[nr][nk],
/// from the conditional moments g = (g0, g1, g2) at c.
static void add_node(const js_theory_base *b, const js_reward *r, int nr, int nk, double c,
                     double w, const double *g, double *out) {
  for (int i = 0; i < nr; i++) {
    reward_law law = law_of(b, r[i]);
    double dens = 2 * w * phi(c / sqrt(law.vc)) / sqrt(law.vc); /* even integrand */
    double eb = law.rho * c, eb2 = law.vbc + eb * eb;
    for (int j = 0; j < nk; j++)
      out[i * nk + j] = dens * (g[2 * nk + j] + 2 * eb * g[nk + j] + eb2 * g[j]) / g[j];
  }
}

js_status js_theory_piece(js_theory_cache *q, const js_theory_base *b, double T,
                          const js_reward *r, int nr, const double *k, int nk, int node,
                          double *out) {
  gsl_set_error_handler_off();
  double s = sqrt(b->s2), *g = malloc(sizeof(double) * 3 * (size_t)nk);
  JS_ALLOC_CHECK(g, "theory");
  const double *bounds;
  int nb;
  js_status st = c_panels_cached(q, b, r, nr, &bounds, &nb);
  if (st != JS_OK) free(g);
  JS_CALL(st);
  int m = c_rule(T), panel = node / m;
  if (node < 0 || panel + 1 >= nb)
    st = JS_ERROR(JS_ERR_INTERNAL, "theory: node %d of %d", node, (nb - 1) * m);
  if (st == JS_OK) {
    double c, w;
    gl_node(q, m, bounds[panel], bounds[panel + 1], node % m, &c, &w);
    st = js_theory_conditional(q, k, nk, T, c, s, g, g + nk, g + 2 * nk);
    if (st == JS_OK) add_node(b, r, nr, nk, c, w, g, out);
  }
  free(g);
  JS_CALL(st);
  return JS_OK;
}
