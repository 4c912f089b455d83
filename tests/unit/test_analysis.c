/// \file test_analysis.c
/// The analysis on synthetic cubes with known optima: k_opt, T_opt, best judge, edge flags,
/// the best-of-k exponent with its interval, theory's rate, and the MC-theory gap.
#include "testutil.h"

#include "analysis/analysis.h"
#include "units/grid.h"

static int64_t ks[] = {1, 2, 4, 8, 16, 32, 64};
static double Ts[] = {0, 0.1, 1, INFINITY};
static js_reward rw[] = {{1, 0, 0, 0}, {1, 1, 0, 0}};
enum { NK = 7, NT = 4, NR = 2, TRIALS = 24 };

/// The synthetic truth: perfect judge falls like k^-2 (T=0) and is flat in T beyond; the
/// misaligned judge has its minimum at k = 8 and at T = 0.1.
static double truth(int ik, int iT, int r) {
  double k = ks[ik], lk = log2(k);
  if (r == 0) return iT == 0 ? 1 / (k * k) : 1 / (k * k) + 0.1 * iT;
  double dT = iT == 1 ? 0 : iT == 0 ? 0.05 : 0.1 * iT;
  return 1 + 0.05 * (lk - 3) * (lk - 3) + dT;
}

/// Deterministic multiplicative noise of a few percent.
static double noise(int t, size_t c) {
  unsigned x = (unsigned)(t * 2654435761u) ^ (unsigned)(c * 40503u + 17u);
  x ^= x >> 13, x *= 0x5bd1e995u, x ^= x >> 15;
  return 0.03 * ((x % 2001) / 1000.0 - 1.0);
}

static void known_optima(void **state) {
  (void)state;
  js_config cfg = {0};
  int d[] = {10}, n[] = {20};
  cfg.nd = cfg.nn = 1, cfg.nk = NK, cfg.nT = NT, cfg.nr = NR;
  cfg.d = d, cfg.n = n, cfg.k = ks, cfg.T = Ts, cfg.reward = rw;
  cfg.trials = TRIALS, cfg.seed = 7;
  size_t nc = (size_t)NK * NT * NR;
  double trial[TRIALS * NK * NT * NR], mean[NK * NT * NR], se[NK * NT * NR], th[NK * NT * NR];
  double v[1] = {0.3};
  for (int ik = 0; ik < NK; ik++)
    for (int iT = 0; iT < NT; iT++)
      for (int r = 0; r < NR; r++) {
        size_t c = js_cell(&cfg, ik, iT, r);
        double s = 0, s2 = 0;
        for (int t = 0; t < TRIALS; t++) {
          double x = truth(ik, iT, r) * (1 + noise(t, c));
          trial[t * nc + c] = x, s += x, s2 += x * x;
        }
        mean[c] = s / TRIALS;
        se[c] = sqrt((s2 / TRIALS - mean[c] * mean[c]) * TRIALS / (TRIALS - 1) / TRIALS);
        th[c] = truth(ik, iT, r);
      }
  js_analysis_input in = {&cfg, mean, se, trial, th, v};
  js_analysis a;
  assert_int_equal(js_analyze(&in, 400, &a), JS_OK);
  /* misaligned judge: k_opt = 8 at every finite T, inside the grid, interval around it */
  for (int iT = 0; iT < NT - 1; iT++) {
    size_t at = (size_t)iT * NR + 1;
    assert_close(a.k_opt[at], 8, 0);
    assert_int_equal(a.k_edge[at], 0);
    assert_true(a.k_opt_lo[at] <= 8 && a.k_opt_hi[at] >= 8);
  }
  /* perfect judge: the minimum is at the last k, flagged as the grid's edge */
  assert_close(a.k_opt[0 * NR + 0], 64, 0);
  assert_int_equal(a.k_edge[0], 1);
  /* T_opt of the misaligned judge is 0.1 (interior) at every k */
  for (int ik = 0; ik < NK; ik++) {
    size_t at = (size_t)ik * NR + 1;
    assert_close(a.T_opt[at], 0.1, 0);
    assert_int_equal(a.T_edge[at], 0);
  }
  /* the perfect judge is the best reward everywhere, always */
  for (int j = 0; j < NK * NT; j++) {
    assert_int_equal(a.best[j], 0);
    assert_close(a.best_prob[j], 1, 0);
    assert_true(a.best_lo[j] <= a.best_hi[j]);
  }
  /* exponent: 2 within a small interval, beside theory's 2 (v < 1/2) */
  assert_close(a.expo[0], 2, 0.02);
  assert_true(a.expo_lo[0] <= a.expo[0] && a.expo[0] <= a.expo_hi[0]);
  assert_true(a.expo_hi[0] - a.expo_lo[0] < 0.05);
  assert_close(a.expo_theory[0], 2, 0);
  /* the gap against an exact theory is pure noise: a few SE at most */
  for (size_t c = 0; c < nc; c++) assert_true(fabs(a.gap_se[c]) < 4);
  js_analysis_free(&a);
  /* a hard task: theory's rate is 1/v; a biased theory shows up in the gap */
  v[0] = 0.8;
  for (size_t c = 0; c < nc; c++) th[c] *= 1.2;
  assert_int_equal(js_analyze(&in, 100, &a), JS_OK);
  assert_close(a.expo_theory[0], 1.25, 1e-15);
  int far = 0;
  for (size_t c = 0; c < nc; c++) far += fabs(a.gap_se[c]) > 4;
  assert_true(far > (int)nc / 2);
  js_analysis_free(&a);
  assert_int_equal(js_analyze(&in, 5, &a), JS_ERR_INPUT); /* too few resamples */
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(known_optima)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
