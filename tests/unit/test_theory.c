/// \file test_theory.c
/// The theory against independent numerics: the Marchenko-Pastur scalars against a
/// numerical derivative and the n >> d limit; the Laplace-transform integral against
/// closed forms (k = 1), a direct 2-D adaptive quadrature (GSL qagi, k = 2), brute-force
/// Monte Carlo of the conditional problem (fixed seed, 5 standard errors), the tilted
/// Gaussian (k = 1e9) and the large-T expansion; order statistics against Monte Carlo and
/// extreme-value asymptotics at k = 1e9.
#include "testutil.h"

#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "theory/theory.h"
#include "theorycache.h"
#include "theory/theoryplan.h"

/// Relative closeness (absolute 1e-9 x tol near zero).
#define assert_rel(a, b, tol) assert_close((a), (b), (tol) * fmax(fabs((double)(b)), 1e-9))

static void mp_scalars(void **state) {
  (void)state;
  js_theory_base b = js_theory_base_at(0.5, 0.5, 1.0, 1.3);
  double h = 1e-5;
  js_theory_base lo = js_theory_base_at(0.5, 0.5 * sqrt(1 - h / b.lam), 1.0, 1.3);
  js_theory_base hi = js_theory_base_at(0.5, 0.5 * sqrt(1 + h / b.lam), 1.0, 1.3);
  /* lam = sigma^2 / gamma^2 moves by -h and +h: tau2 = -d tau1 / d lam */
  assert_rel(b.tau2, -(hi.tau1 - lo.tau1) / (2 * h), 1e-8);
  assert_rel(b.tauF, b.tau1 - b.lam * b.tau2, 1e-14);
  /* n >> d: F = X^T X / d ~ (n / d) S^2 I, so tau1 ~ 1 / (S^2 / c + lam) */
  js_theory_base t = js_theory_base_at(1e-6, 0.5, 1.0, 1.3);
  assert_rel(t.tau1, 1 / (1.69 / 1e-6 + 0.25), 1e-5);
  assert_rel(js_theory_k1(&t), 0.25, 1e-5);
}

static const double ks[] = {1, 2, 3, 8, 64, 1e3, 1e6, 1e9};
enum { NK = 8 };

static void k1_is_closed_form(void **state) {
  js_theory_cache *q = *state;
  const double Ts[] = {1e-6, 1e-3, 0.05, 1, 30, 1e4};
  for (int i = 0; i < 6; i++) {
    double g0[NK], g1[NK], g2[NK];
    assert_int_equal(js_theory_conditional(q, ks, NK, Ts[i], 0.4, 0.7, g0, g1, g2),
                     JS_OK);
    assert_rel(g0[0], 1, 1e-6);
    assert_rel(g1[0], 0.4, 1e-6);
    assert_rel(g2[0], 0.49 + 0.16, 1e-6);
    for (int j = 0; j < NK; j++) assert_rel(g0[j], 1, 2e-6); /* selection weights sum to 1 */
  }
}

/* k = 2 directly: E[y1^2 w1 / (w1 + w2)] * 2 as a 2-D integral (nested GSL qagi). */
typedef struct {
  double T, c, s, y1;
  int power;
  gsl_integration_workspace *ws;
} k2_ctx;

static double k2_inner(double y2, void *p) {
  k2_ctx *x = p;
  double z = (y2 - x->c) / x->s, d = exp(-0.5 * z * z) / (x->s * sqrt(2 * M_PI));
  double r = (x->y1 * x->y1 - y2 * y2) / x->T; /* w2 / w1 = exp(r) */
  return d / (1 + exp(r));
}

static double k2_outer(double y1, void *p) {
  k2_ctx *x = p;
  x->y1 = y1;
  gsl_function f = {k2_inner, x};
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  double v, err;
  gsl_integration_qagi(&f, 1e-13, 1e-11, 2000, w, &v, &err);
  gsl_integration_workspace_free(w);
  double z = (y1 - x->c) / x->s, d = exp(-0.5 * z * z) / (x->s * sqrt(2 * M_PI));
  return 2 * d * pow(y1, x->power) * v;
}

static double k2_direct(double T, double c, double s, int power) {
  k2_ctx x = {T, c, s, 0, power, NULL};
  gsl_function f = {k2_outer, &x};
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  double v, err;
  gsl_integration_qagi(&f, 1e-12, 1e-10, 2000, w, &v, &err);
  gsl_integration_workspace_free(w);
  return v;
}

static void k2_against_direct_quadrature(void **state) {
  js_theory_cache *q = *state;
  const double pts[][3] = {{1.0, 0.3, 0.55}, {0.05, -0.8, 0.6}, {0.01, 1.5, 0.5}, {3, 0, 1.2}};
  double k = 2, g0, g1, g2;
  for (int i = 0; i < 4; i++) {
    double T = pts[i][0], c = pts[i][1], s = pts[i][2];
    assert_int_equal(js_theory_conditional(q, &k, 1, T, c, s, &g0, &g1, &g2), JS_OK);
    assert_rel(g1 / g0, k2_direct(T, c, s, 1), 1e-6);
    assert_rel(g2 / g0, k2_direct(T, c, s, 2), 1e-6);
  }
}

/// Monte Carlo of the conditional problem: mean and standard error of the selected y^2.
static void mc_conditional(double T, double c, double s, int k, int reps, double *mean,
                           double *se) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 20261122);
  double *y = malloc(sizeof(double) * (size_t)k), sum = 0, sum2 = 0;
  for (int t = 0; t < reps; t++) {
    double best = INFINITY, num = 0, den = 0, mx = -INFINITY, v;
    for (int i = 0; i < k; i++) y[i] = c + gsl_ran_gaussian(r, s);
    for (int i = 0; i < k; i++) mx = fmax(mx, -y[i] * y[i]);
    if (T == 0) {
      for (int i = 0; i < k; i++) if (y[i] * y[i] < best) best = y[i] * y[i];
      v = best;
    } else {
      for (int i = 0; i < k; i++) {
        double w = exp((-y[i] * y[i] - mx) / T);
        num += w * y[i] * y[i];
        den += w;
      }
      v = num / den;
    }
    sum += v;
    sum2 += v * v;
  }
  *mean = sum / reps;
  *se = sqrt((sum2 / reps - *mean * *mean) / (reps - 1));
  free(y);
  gsl_rng_free(r);
}

static void conditional_against_monte_carlo(void **state) {
  js_theory_cache *q = *state;
  /* the last three: the judge's target 1,000 and 3,000 predictive widths away (c / s), where
     fixed quadrature caps once cut the integrals short */
  const double pts[][4] = {{0, 0.3, 0.55, 16},  {0, 1.2, 0.5, 200}, {0.02, 0.5, 0.7, 50},
                           {0.3, -0.4, 0.6, 8}, {1e-6, 0.2, 0.5, 1000}, {0, 10, 0.01, 8},
                           {0.5, 30, 0.01, 8},  {0.05, -30, 0.01, 4}};
  for (int i = 0; i < 8; i++) {
    double k = pts[i][3], g0, g1, g2, mean, se;
    assert_int_equal(js_theory_conditional(q, &k, 1, pts[i][0], pts[i][1], pts[i][2], &g0,
                                           &g1, &g2),
                     JS_OK);
    mc_conditional(pts[i][0], pts[i][1], pts[i][2], (int)k, 40000, &mean, &se);
    assert_close(g2 / g0, mean, 5 * se);
  }
}

static void extreme_k_and_T(void **state) {
  js_theory_cache *q = *state;
  double g0[NK], g1[NK], g2[NK];
  /* T = 0, k = 1e9: E[xi^2] = 1 / (2 k^2 phi(a)^2) (1 + O(1/k)), E[y] = a E[y^2] / s ... */
  double c = 0.3, s = 0.55, a = c / s, ph = exp(-0.5 * a * a) / sqrt(2 * M_PI);
  assert_int_equal(js_theory_conditional(q, ks, NK, 0, c, s, g0, g1, g2), JS_OK);
  double asym = s * s / (2 * 1e18 * ph * ph);
  assert_rel(g2[NK - 1], asym, 1e-6);
  assert_rel(g1[NK - 1], asym * c / (s * s), 1e-5);
  /* finite T, k = 1e9: the tilted Gaussian N(c, s^2) exp(-y^2 / T) */
  const double Ts[] = {1e-6, 0.01, 1, 50};
  for (int i = 0; i < 4; i++) {
    double T = Ts[i], P = 1 / (s * s) + 2 / T, m = (c / (s * s)) / P;
    assert_int_equal(js_theory_conditional(q, ks, NK, T, c, s, g0, g1, g2), JS_OK);
    assert_rel(g2[NK - 1] / g0[NK - 1], 1 / P + m * m, 2e-6);
    assert_rel(g1[NK - 1] / g0[NK - 1], m, 2e-6);
  }
  /* large T: E[l] + ((k-1)/k) Cov(l, r) / T + O(1/T^2), here l = y^2 = -r */
  double T = 1e4, k = 8, varl = 2 * s * s * s * s + 4 * c * c * s * s, kk[1] = {k};
  assert_int_equal(js_theory_conditional(q, kk, 1, T, c, s, g0, g1, g2), JS_OK);
  double first = s * s + c * c - (k - 1) / k * varl / T;
  assert_close(g2[0] / g0[0], first, 20 * varl / (T * T) + 1e-9);
  assert_true(fabs(g2[0] / g0[0] - first) < 0.01 * fabs(s * s + c * c - first));
}

static void kinf_and_bestofk_coef(void **state) {
  (void)state;
  js_theory_base b = js_theory_base_at(0.1, 0.5, 1.0, 1.0);
  js_reward perfect = {1, 0, 0, 0}, off = {1, 1, 0, 0};
  assert_rel(js_theory_kinf(&b, INFINITY, off), js_theory_k1(&b), 1e-15);
  assert_close(js_theory_kinf(&b, 0, perfect), 0, 1e-15);
  assert_rel(js_theory_kinf(&b, 0, off), 1.0, 1e-15); /* Var(beta p) = beta^2 S^2 */
  double v = js_theory_bestofk_v(&b);
  assert_true(v < 0.5);
  assert_rel(js_theory_bestofk_coef(&b), M_PI * b.s2 / sqrt(1 - 2 * v), 1e-15);
  for (double T = 0.05; T < 20; T *= 3) { /* alpha_opt minimises kinf over alpha (scan) */
    double best = 0, bestv = INFINITY;
    for (double al = 0.5; al < 3; al += 1e-4) {
      js_reward w = {al, 0, 0, 0};
      double v2 = js_theory_kinf(&b, T, w);
      if (v2 < bestv) bestv = v2, best = al;
    }
    assert_close(js_theory_alpha_opt(&b, T), best, 2e-4);
    assert_true(js_theory_alpha_opt(&b, T) > 1);
  }
  js_theory_base hard = js_theory_base_at(4.0, 0.1, 1.0, 1.0);
  assert_true(js_theory_bestofk_v(&hard) > 0.5);
  assert_true(isnan(js_theory_bestofk_coef(&hard)));
}

/// The study-level theory at large T against the poster's first-order coefficient.
static void large_T_expansion_of_the_study(void **state) {
  (void)state;
  int d[] = {50}, n[] = {100};
  int64_t k[] = {1, 4, 64};
  double T[] = {100, 1000, INFINITY};
  js_reward r[] = {{1.2, 0.5, 0, 0}};
  js_config cfg = {0};
  cfg.sigma = 0.5, cfg.gamma = 1, cfg.input_scale = 1.1;
  cfg.nd = cfg.nn = 1, cfg.nk = 3, cfg.nT = 3, cfg.nr = 1;
  cfg.d = d, cfg.n = n, cfg.k = k, cfg.T = T, cfg.reward = r;
  js_theory th;
  assert_int_equal(js_theory_study(&cfg, &th), JS_OK);
  js_theory_base b = js_theory_base_at(0.5, 0.5, 1, 1.1);
  double c1 = js_theory_invT(&b, r[0]);
  for (int ik = 1; ik < 3; ik++) {
    double kk = k[ik], inf = th.delta[ik * 3 + 2];
    assert_rel(inf, js_theory_k1(&b), 1e-14);
    for (int it = 0; it < 2; it++) {
      double first = (kk - 1) / kk * c1 / T[it];
      /* the remainder is O(1/T^2): relative error of the first-order term below 30 / T */
      assert_close(th.delta[ik * 3 + it] - inf, first, 30 / T[it] * fabs(first));
    }
  }
  js_theory_free(&th);
}

/// The large-T expansion (orders 1, 2, 3) against the exact theory of a study, for judges
/// {alpha, beta} and {c}: its first moment is the closed-form E[Cov(l, r)]; at T = 100 each
/// order is nearer than the one before, and from T = 30 to 100 the error of orders 1 and 2
/// falls like T^-(j+1) (below twice (30/100)^(j+1)).
static void expansion_against_exact(void **state) {
  (void)state;
  int d[] = {50}, n[] = {100};
  int64_t k[] = {8, 64};
  double T[] = {30, 100, INFINITY};
  js_reward r[] = {{1.2, 0.5, 0, 0}, {1, 0, 0, 0}, {NAN, NAN, 1, 5}, {NAN, NAN, 1, -0.5}};
  enum { NKE = 2, NTE = 3, NRE = 4 };
  js_config cfg = {0};
  cfg.sigma = 0.5, cfg.gamma = 1, cfg.input_scale = 1.1;
  cfg.nd = cfg.nn = 1, cfg.nk = NKE, cfg.nT = NTE, cfg.nr = NRE;
  cfg.d = d, cfg.n = n, cfg.k = k, cfg.T = T, cfg.reward = r;
  js_theory th;
  assert_int_equal(js_theory_study(&cfg, &th), JS_OK);
  js_theory_base b = js_theory_base_at(0.5, 0.5, 1, 1.1);
  size_t nc = NKE * NTE * NRE;
  for (int ir = 0; ir < NRE; ir++) {
    double mom[4];
    assert_int_equal(js_theory_expansion_moments(&b, r[ir], mom), JS_OK);
    assert_rel(mom[0], js_theory_invT(&b, r[ir]), 1e-12);
    for (int ik = 0; ik < NKE; ik++) {
      double err[2][3];
      for (int it = 0; it < 2; it++)
        for (int o = 0; o < 3; o++) {
          size_t c = ((size_t)ik * NTE + it) * NRE + ir;
          err[it][o] = fabs(th.expansion[o * nc + c] - th.delta[c]);
        }
      assert_true(err[1][2] < err[1][1] && err[1][1] < err[1][0]);
      for (int o = 0; o < 2; o++) /* order 3: its error changes sign near T = 30 for c = 5 */
        if (!(err[1][o] < 2 * pow(0.3, o + 2) * err[0][o]))
          fail_msg("judge %d k=%lld order %d: error %.3g at T=30, %.3g at T=100", ir,
                   (long long)k[ik], o + 1, err[0][o], err[1][o]);
      size_t cinf = ((size_t)ik * NTE + 2) * NRE + ir; /* T = inf: the k = 1 value */
      for (int o = 0; o < 3; o++) assert_rel(th.expansion[o * nc + cinf], js_theory_k1(&b), 1e-15);
    }
  }
  js_theory_free(&th);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mp_scalars),
      cmocka_unit_test(k1_is_closed_form),
      cmocka_unit_test(k2_against_direct_quadrature),
      cmocka_unit_test(conditional_against_monte_carlo),
      cmocka_unit_test(extreme_k_and_T),
      cmocka_unit_test(kinf_and_bestofk_coef),
      cmocka_unit_test(large_T_expansion_of_the_study),
      cmocka_unit_test(expansion_against_exact),
  };
  return cmocka_run_group_tests(tests, cache_up, cache_down);
}
