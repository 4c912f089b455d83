/// \file bestofk.c
/// The exact best-of-k estimator of one test point (see bestofk.h).
///
/// Standardise a candidate as u = (Y - mu_R) / s ~ N(a, 1); the judge keeps the u nearest 0.
/// The distance t = |u| has survival S(t) = P(|u| > t) and, given t, E[u | t] = t tanh(a t),
/// E[u^2 | t] = t^2. The nearest of k has survival S^k, so for g(0) = 0
/// E[g(t_min)] = int_0^inf g'(t) S(t)^k dt. Both moments come from one set of 8-node
/// Gauss-Legendre panels whose ends sit where -log S(t) = y for y spaced by factors of 2
/// (from 1 / (8 k_max) to 48 / k_min) and of 8 below, plus the scales of tanh(a t) (whose
/// poles lie at a t = i pi / 2) up to a t = 20: every k sees panels over which its
/// integrand varies smoothly. log S is computed without
/// cancellation at every t (a series for small t, erfc tails otherwise), so the nearest
/// candidate can lie 1e-15 of s away.
#include "mc/bestofk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/numutil.h"
#include "core/simdmath.h"

#define BK_HALF 4          /* Gauss-Legendre 8-point rule: 4 symmetric pairs */
#define BK_BELOW 7         /* breaks below 1 / (8 k_max), by factors of 8 */
#define BK_TOP 48.0        /* last break: S^k_min = e^-48 */
#define BK_MAXBREAKS 256   /* enough for k from 2 to 2^53 */

static const double g_x[BK_HALF] = {0.18343464249564980494, 0.52553240991632898582,
                                    0.79666647741362673959, 0.96028985649753623168};
static const double g_w[BK_HALF] = {0.36268378337836198297, 0.31370664587788728734,
                                    0.22238103445337447054, 0.10122853629037625915};

/// The law of u ~ N(a, 1), a >= 0, with its density at 0 (times sqrt(2 pi) / sqrt(2 pi)).
typedef struct {
  double a, pa; ///< a and phi(a)
} law;

/// Upper tail of the standard normal.
static double Q(double x) { return 0.5 * erfc(x * M_SQRT1_2); }

/// Standard normal density.
static double phi(double x) { return 0.39894228040143267794 * exp(-0.5 * x * x); }

/// log S(t) = log P(|u| > t), without cancellation at any t.
static double log_surv(const law *L, double t) {
  double a = L->a;
  if (t <= 0.5 && a * t <= 0.25) { /* F = 2 phi(a) sum_{n even} He_n(a) t^(n+1) / (n+1)! */
    double h0 = 1, h1 = a, p = t, sum = 0;
    for (int n = 0; n < 24; n += 2) {
      sum += h0 * p;
      double h2 = a * h1 - (n + 1) * h0; /* He_{n+2} */
      h1 = a * h2 - (n + 2) * h1;        /* He_{n+3} */
      h0 = h2;
      p *= t * t / ((n + 2) * (n + 3));
    }
    return log1p(-2 * L->pa * sum);
  }
  if (t >= a) return log(Q(t - a) + Q(t + a));
  return log1p(-(Q(a - t) - Q(a + t)));
}

/// Density of t = |u|.
static double dens(const law *L, double t) { return phi(t - L->a) + phi(t + L->a); }

/// A t in (lo, hi) where -log S(t) is within 20% of y (safeguarded Newton from guess; panel
/// ends need not be exact).
static double solve(const law *L, double y, double lo, double hi, double guess) {
  double t = guess;
  if (!(t > lo && t < hi)) t = lo > 0 ? sqrt(lo * hi) : hi / 64;
  for (int it = 0; it < 200; it++) {
    double lS = log_surv(L, t), G = -lS;
    if (fabs(G - y) <= 0.2 * y) break;
    if (G < y) lo = t;
    else hi = t;
    double tn = t - (G - y) * exp(lS) / dens(L, t);
    t = tn > lo && tn < hi ? tn : lo > 0 ? sqrt(lo * hi) : hi / 64;
  }
  return t;
}

/// Where -log S reaches y from t (at which it is G): one Newton step (hazard f / S).
static double next_guess(const law *L, double t, double G, double y) {
  return t + (y - G) * exp(-G) / dens(L, t);
}

/// Panel ends for the law: returns their count (sorted, distinct, from 0).
static int breaks(const law *L, double kmin, double kmax, double *x) {
  int nb = 0;
  x[nb++] = 0;
  double y = 1 / (8 * kmax), hi = L->a + 40, lo = 0, yj = y / pow(8, BK_BELOW);
  double guess = L->pa > 0 ? yj / (2 * L->pa) : L->a;
  for (int j = BK_BELOW; j > 0; j--, yj *= 8) { /* y / 8^j, ..., y / 8 */
    x[nb++] = lo = solve(L, yj, lo, hi, guess);
    guess = next_guess(L, lo, -log_surv(L, lo), 8 * yj);
  }
  for (; y <= BK_TOP / kmin && nb < BK_MAXBREAKS - 8; y *= 2) {
    x[nb++] = lo = solve(L, y, lo, hi, guess);
    guess = next_guess(L, lo, -log_surv(L, lo), 2 * y);
  }
  double top = x[nb - 1];
  static const double at[] = {0.125, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 20};
  for (size_t j = 0; j < sizeof at / sizeof *at && L->a > 0; j++) {
    double t = at[j] / L->a; /* tanh(a t) has poles at a t = i pi / 2 */
    if (t < top) x[nb++] = t;
  }
  qsort(x, (size_t)nb, sizeof *x, js_cmp_double);
  int u = 1;
  for (int i = 1; i < nb; i++)
    if (x[i] > x[u - 1]) x[u++] = x[i];
  return u;
}

js_status js_bestofk_init(js_bestofk *b, const double *k, int nk) {
  memset(b, 0, sizeof *b);
  b->nk = nk;
  b->cap = 8 * BK_MAXBREAKS;
  b->k = malloc(sizeof(double) * (size_t)nk);
  b->m1 = malloc(sizeof(double) * (size_t)nk), b->m2 = malloc(sizeof(double) * (size_t)nk);
  b->t = js_alloc_doubles((size_t)b->cap), b->w = js_alloc_doubles((size_t)b->cap);
  b->scratch = js_alloc_doubles(3 * (size_t)b->cap);
  if (!b->k || !b->m1 || !b->m2 || !b->t || !b->w || !b->scratch) {
    js_bestofk_free(b);
    JS_FAIL(JS_ERR_SYS, "out of memory for the best-of-k estimator");
  }
  memcpy(b->k, k, sizeof(double) * (size_t)nk);
  return JS_OK;
}

void js_bestofk_free(js_bestofk *b) {
  free(b->k), free(b->m1), free(b->m2), free(b->t), free(b->w), free(b->scratch);
  b->k = b->m1 = b->m2 = b->t = b->w = b->scratch = NULL;
}

/// Quadrature nodes over the panels, in ascending t: returns their count.
static int nodes(js_bestofk *b, const law *L, double kmin, double kmax) {
  double x[BK_MAXBREAKS + 8];
  int nb = breaks(L, kmin, kmax, x), n = 0;
  for (int p = 0; p + 1 < nb; p++) {
    double c = 0.5 * (x[p] + x[p + 1]), h = 0.5 * (x[p + 1] - x[p]);
    for (int i = BK_HALF - 1; i >= 0; i--) b->t[n] = c - h * g_x[i], b->w[n++] = h * g_w[i];
    for (int i = 0; i < BK_HALF; i++) b->t[n] = c + h * g_x[i], b->w[n++] = h * g_w[i];
  }
  return n;
}

/// log S and the weighted integrands w g1'(t), w g2'(t) at every node (vectorized: each
/// branch of log_surv is computed in every lane and the right one kept).
static void integrands(const js_bestofk *b, const law *L, int n, double *lS, double *d1,
                       double *d2) {
  const double *restrict t = b->t, *restrict w = b->w;
  double a = L->a, c2 = 2 * L->pa;
#pragma omp simd
  for (int i = 0; i < n; i++) {
    double ti = t[i], e1 = 0.5 * erfc(fabs(ti - a) * M_SQRT1_2); /* Q(|t - a|) */
    double q2 = 0.5 * erfc((ti + a) * M_SQRT1_2);                /* Q(t + a) */
    double h0 = 1, h1 = a, p = ti, sum = 0, tt = ti * ti;
    for (int m = 0; m < 24; m += 2) { /* the small-t series of log_surv */
      sum += h0 * p;
      double h2 = a * h1 - (m + 1) * h0;
      h1 = a * h2 - (m + 2) * h1;
      h0 = h2;
      p *= tt / ((m + 2) * (m + 3));
    }
    double big = log(e1 + q2), small = log1p(ti <= 0.5 && a * ti <= 0.25 ? -c2 * sum : q2 - e1);
    lS[i] = ti >= a && !(ti <= 0.5 && a * ti <= 0.25) ? big : small;
    double em = expm1(-2 * a * ti), e = 1 + em; /* tanh = -em / (1 + e), no cancellation */
    d1[i] = w[i] * (-em / (1 + e) + a * ti * 4 * e / ((1 + e) * (1 + e)));
    d2[i] = w[i] * 2 * ti;
  }
  js_clear_upper();
}

void js_bestofk_moments(js_bestofk *b, double a, double *m1, double *m2) {
  law L = {a, phi(a)};
  int first = 0;
  while (first < b->nk && b->k[first] == 1) { /* one candidate: exact */
    m1[first] = a, m2[first] = 1 + a * a;
    first++;
  }
  if (first == b->nk) return;
  int n = nodes(b, &L, b->k[first], b->k[b->nk - 1]);
  double *lS = b->scratch, *d1 = lS + b->cap, *d2 = d1 + b->cap;
  integrands(b, &L, n, lS, d1, d2);
  double floor = js_exp_floor(-745);
  for (int j = first, end = n; j < b->nk; j++) {
    double kj = b->k[j], s1 = 0, s2 = 0;
    while (end > 0 && kj * lS[end - 1] < -745) end--; /* beyond, S^k underflows */
#pragma omp simd reduction(+ : s1, s2)
    for (int i = 0; i < end; i++) {
      double sk = exp(js_floored(kj * lS[i], floor));
      s1 += d1[i] * sk, s2 += d2[i] * sk;
    }
    m1[j] = s1, m2[j] = s2;
  }
  js_clear_upper();
}

void js_bestofk_point(js_bestofk *b, double s, double aT, double aR, double weight,
                      double *acc, size_t stride) {
  double alpha = aR / s, bb = aT - aR; /* u's mean (m - mu_R) / s; mu_R - mu_T */
  js_bestofk_moments(b, fabs(alpha), b->m1, b->m2);
  double sg = alpha < 0 ? -1 : 1;
  for (int j = 0; j < b->nk; j++)
    acc[(size_t)j * stride] += weight * (s * s * b->m2[j] + 2 * bb * s * sg * b->m1[j] + bb * bb);
}
