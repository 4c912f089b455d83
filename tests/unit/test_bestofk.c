/// \file test_bestofk.c
/// The exact best-of-k estimator against independent numerics: the theory's order-statistics
/// quadrature (another method: density form, fixed panels) from k = 1 to 2^40 and |a| up to
/// 200, brute-force Monte Carlo of one test point (fixed seed, 5 standard errors), the
/// closed form at k = 1, the exponential limit at k = 2^53, and the sign convention.
#include "testutil.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "mc/bestofk.h"
#include "theory/theory.h"
#include "theorycache.h"

static const double g_k[] = {1, 2, 3, 4, 16, 100, 1024, 4096, 1048576, 1073741824.0,
                             1099511627776.0};
enum { NK = 11 };

/// m1 and m2 agree with the theory's conditional problem within 2e-9 relative.
static void moments_match_theory(void **state) {
  js_theory_cache *q = *state;
  js_bestofk b;
  assert_int_equal(js_bestofk_init(&b, g_k, NK), JS_OK);
  const double as[] = {0, 1e-3, 0.1, 0.5, 1, 1.7, 2.5, 3, 5, 8, 15, 30, 200};
  for (size_t i = 0; i < sizeof as / sizeof *as; i++) {
    double m1[NK], m2[NK], g0[NK], g1[NK], g2[NK];
    js_bestofk_moments(&b, as[i], m1, m2);
    assert_int_equal(js_theory_conditional(q, g_k, NK, 0, as[i], 1.0, g0, g1, g2), JS_OK);
    for (int j = 0; j < NK; j++) {
      assert_close(m2[j], g2[j], 2e-9 * g2[j]);
      assert_close(m1[j], g1[j], 2e-9 * g1[j] + 1e-300);
      assert_true(m2[j] > 0 && m1[j] >= 0);
    }
  }
  js_bestofk_free(&b);
}

/// The point's expected loss against brute force: the nearest of k draws, many times.
static void point_matches_brute_force(void **state) {
  (void)state;
  const double k[] = {2, 5, 20};
  js_bestofk b;
  assert_int_equal(js_bestofk_init(&b, k, 3), JS_OK);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  const double cases[][3] = {{0.8, 0.3, -0.5}, {1.3, -0.2, 0.9}, {0.6, 1.1, 1.1}}; /* s aT aR */
  for (int c = 0; c < 3; c++) {
    double s = cases[c][0], aT = cases[c][1], aR = cases[c][2];
    double exact[3] = {0, 0, 0};
    js_bestofk_point(&b, s, aT, aR, 1.0, exact, 1);
    for (int j = 0; j < 3; j++) {
      int N = 200000;
      double sum = 0, sum2 = 0;
      for (int rep = 0; rep < N; rep++) { /* Y = m + s z; Y - mu_R = aR - ... */
        double best = INFINITY, loss = 0;
        for (int i = 0; i < (int)k[j]; i++) {
          double z = gsl_ran_gaussian_ziggurat(rng, 1.0);
          double r = (s * z + aR) * (s * z + aR), l = (s * z + aT) * (s * z + aT);
          if (r < best) best = r, loss = l;
        }
        sum += loss, sum2 += loss * loss;
      }
      double mean = sum / N, se = sqrt((sum2 / N - mean * mean) / N);
      assert_close(exact[j], mean, 5 * se);
    }
  }
  gsl_rng_free(rng);
  js_bestofk_free(&b);
}

/// k = 1: s^2 + aT^2 exactly (up to rounding); the sign of aR matters only through b.
static void one_candidate_and_signs(void **state) {
  js_theory_cache *q = *state;
  const double k[] = {1, 7};
  js_bestofk b;
  assert_int_equal(js_bestofk_init(&b, k, 2), JS_OK);
  double x[2] = {0, 0}, y[2] = {0, 0};
  js_bestofk_point(&b, 0.7, 0.4, -1.3, 1.0, x, 1);
  assert_close(x[0], 0.49 + 0.16, 1e-14);
  /* mirror everything (Y -> -Y about m): the loss is the same */
  js_bestofk_point(&b, 0.7, -0.4, 1.3, 1.0, y, 1);
  assert_close(x[1], y[1], 1e-14 * x[1]);
  /* against the theory's conditional with c = m - mu_R: E[(y + b)^2], b = mu_R - mu_T */
  double g0[2], g1[2], g2[2], bb = 0.4 - (-1.3);
  assert_int_equal(js_theory_conditional(q, k, 2, 0, -1.3, 0.7, g0, g1, g2), JS_OK);
  assert_close(x[1], g2[1] + 2 * bb * g1[1] + bb * bb * g0[1], 1e-9 * x[1]);
  js_bestofk_free(&b);
}

/// k = 2^53: the nearest distance is exponential with rate k f(0), f(0) = 2 phi(a), so
/// E[t^2] = 2 / (k f(0))^2; no cancellation at distances ~1e-16.
static void exponential_limit(void **state) {
  (void)state;
  const double k[] = {JS_BESTOFK_KMAX};
  js_bestofk b;
  assert_int_equal(js_bestofk_init(&b, k, 1), JS_OK);
  for (double a = 0; a <= 6; a += 1.5) {
    double m1, m2, f0 = 2 * exp(-0.5 * a * a) / sqrt(2 * M_PI), rate = k[0] * f0;
    js_bestofk_moments(&b, a, &m1, &m2);
    assert_close(m2, 2 / (rate * rate), 1e-9 * m2);
    assert_close(m1, a * m2, 1e-9 * m2 + 1e-300); /* t tanh(a t) ~ a t^2 */
  }
  js_bestofk_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(moments_match_theory),
      cmocka_unit_test(point_matches_brute_force),
      cmocka_unit_test(one_candidate_and_signs),
      cmocka_unit_test(exponential_limit),
  };
  return cmocka_run_group_tests(tests, cache_up, cache_down);
}
