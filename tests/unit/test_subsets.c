/// \file test_subsets.c
/// The k-subset estimators of judgesim rerank against brute-force enumeration of every
/// subset: best of k with ties, softmax at finite T (also with rewards spread over thousands
/// of T), the oracle; all-equal rewards; order invariance; the large-T expansion.
#include "testutil.h"

#include "rerank/subsets.h"

enum { MAXN = 12 };

/// The judge's pick's expected loss over every k-subset, by enumeration.
static double brute_delta(int n, const double *l, const double *r, int k, double T) {
  double sum = 0;
  long count = 0;
  for (unsigned mask = 0; mask < (1u << n); mask++) {
    if (__builtin_popcount(mask) != k) continue;
    double top = -INFINITY, num = 0, den = 0;
    for (int i = 0; i < n; i++)
      if (mask >> i & 1) top = fmax(top, r[i]);
    for (int i = 0; i < n; i++) {
      if (!(mask >> i & 1)) continue;
      double w = T == 0 ? (r[i] == top) : isinf(T) ? 1 : exp((r[i] - top) / T);
      num += w * l[i], den += w;
    }
    sum += num / den, count++;
  }
  return sum / count;
}

/// The smallest loss's expectation over every k-subset, by enumeration.
static double brute_oracle(int n, const double *l, int k) {
  double sum = 0;
  long count = 0;
  for (unsigned mask = 0; mask < (1u << n); mask++) {
    if (__builtin_popcount(mask) != k) continue;
    double best = INFINITY;
    for (int i = 0; i < n; i++)
      if (mask >> i & 1) best = fmin(best, l[i]);
    sum += best, count++;
  }
  return sum / count;
}

/// Deterministic pseudo-random numbers in [0, 1).
static double uniform(unsigned *x) {
  *x = *x * 1664525u + 1013904223u;
  return (*x >> 8) / 16777216.0;
}

/// Compare every (k, T) and the oracle with enumeration, within tol relative to max |l|.
static void check_against_brute(int n, const double *l, const double *r, const double *T,
                                int nT, double tol) {
  int k[MAXN], nk = 0;
  for (int kk = 1; kk <= n; kk++) k[nk++] = kk;
  double out[8 * MAXN], orc[MAXN];
  js_question q = {n, l, r};
  assert_int_equal(js_subsets_delta(&q, nk, k, nT, T, out), JS_OK);
  assert_int_equal(js_subsets_oracle(&q, nk, k, orc), JS_OK);
  for (int iT = 0; iT < nT; iT++)
    for (int ik = 0; ik < nk; ik++)
      assert_close(out[iT * nk + ik], brute_delta(n, l, r, k[ik], T[iT]), tol);
  for (int ik = 0; ik < nk; ik++) assert_close(orc[ik], brute_oracle(n, l, k[ik]), 1e-13);
}

/// Judge scores with ties (small integers), 0/1 correctness and continuous losses.
static void matches_enumeration(void **state) {
  (void)state;
  double T[] = {0, 0.05, 0.3, 1, 7, INFINITY};
  unsigned x = 12345;
  for (int trial = 0; trial < 6; trial++) {
    int n = 6 + trial; /* 6..11 samples */
    double l[MAXN], r[MAXN];
    for (int i = 0; i < n; i++) {
      r[i] = trial % 2 ? floor(5 * uniform(&x)) : 3 * uniform(&x) - 1;
      l[i] = trial % 3 == 0 ? (uniform(&x) < 0.4) : 2 * uniform(&x) - 0.5;
    }
    check_against_brute(n, l, r, T, 6, 1e-9);
  }
}

/// Rewards spread over thousands of T (and equal to a tie): still exact, and T -> 0 meets
/// best of k.
static void wide_spread(void **state) {
  (void)state;
  double l[] = {0.9, 0.1, 0.5, 0.7, 0.3, 0.2, 0.8, 0.6};
  double r[] = {-3000, 12, 0.25, 0.5, 0.5, 900, 40, -1e4};
  double T[] = {0, 1e-3, 0.2, 2, 1e3};
  check_against_brute(8, l, r, T, 5, 1e-9);
}

/// All-equal rewards: the pick is uniform, so every k and T give the mean loss.
static void equal_rewards(void **state) {
  (void)state;
  double l[] = {1, 0, 0, 1, 1, 0, 1}, r[] = {2, 2, 2, 2, 2, 2, 2}, T[] = {0, 0.1, 10, INFINITY};
  int k[] = {1, 2, 5, 7};
  double out[16];
  js_question q = {7, l, r};
  assert_int_equal(js_subsets_delta(&q, 4, k, 4, T, out), JS_OK);
  for (int i = 0; i < 16; i++) assert_close(out[i], 4.0 / 7, 1e-9);
}

/// The same samples in another order give the same bits.
static void order_invariant(void **state) {
  (void)state;
  double l[] = {0.3, 0.9, 0.1, 0.5, 0.5, 0.2}, r[] = {1, 3, 2, 2, 0, 3};
  double l2[] = {0.5, 0.2, 0.9, 0.3, 0.5, 0.1}, r2[] = {0, 3, 3, 1, 2, 2};
  double T[] = {0, 0.4, INFINITY}, a[18], b[18];
  int k[] = {1, 2, 3, 4, 5, 6};
  js_question q = {6, l, r}, q2 = {6, l2, r2};
  assert_int_equal(js_subsets_delta(&q, 6, k, 3, T, a), JS_OK);
  assert_int_equal(js_subsets_delta(&q2, 6, k, 3, T, b), JS_OK);
  for (int i = 0; i < 18; i++) assert_same_bits(a[i], b[i]);
}

/// At large T the exact curve meets the expansion: the first-order error shrinks like 1/T^2,
/// the second-order one like 1/T^3.
static void large_T_expansion(void **state) {
  (void)state;
  enum { N = 400 };
  double l[N], r[N];
  unsigned x = 99;
  for (int i = 0; i < N; i++) {
    r[i] = 2 * uniform(&x);
    l[i] = 1 - r[i] / 2 + 0.5 * (r[i] - 1) * (r[i] - 1) + 0.3 * uniform(&x);
  }
  js_question q = {N, l, r};
  js_moments m = js_subsets_moments(&q);
  assert_true(m.cov_lr < 0 && m.cov_lr2 > 0);
  int k[] = {16};
  double T[] = {20, 40}, out[2];
  assert_int_equal(js_subsets_delta(&q, 1, k, 2, T, out), JS_OK);
  double e1[2], e2[2];
  for (int i = 0; i < 2; i++) {
    e1[i] = fabs(out[i] - js_subsets_expansion(&m, 16, T[i], 1));
    e2[i] = fabs(out[i] - js_subsets_expansion(&m, 16, T[i], 2));
  }
  assert_true(e2[0] < e1[0] && e2[1] < e1[1]);
  assert_true(e1[0] / e1[1] > 3.0 && e1[0] / e1[1] < 5.0);   /* about 4 = 2^2 */
  assert_true(e2[0] / e2[1] > 6.0 && e2[0] / e2[1] < 10.0);  /* about 8 = 2^3 */
}

/// A k above the question's sample count, or a negative T, is an input error.
static void bad_arguments(void **state) {
  (void)state;
  double l[] = {0, 1}, r[] = {0, 1}, T0[] = {0}, Tneg[] = {-1}, out[2];
  int k3[] = {3}, k1[] = {1};
  js_question q = {2, l, r};
  assert_int_equal(js_subsets_delta(&q, 1, k3, 1, T0, out), JS_ERR_INPUT);
  assert_int_equal(js_subsets_delta(&q, 1, k1, 1, Tneg, out), JS_ERR_INPUT);
  js_error_clear();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(matches_enumeration), cmocka_unit_test(wide_spread),
      cmocka_unit_test(equal_rewards),      cmocka_unit_test(order_invariant),
      cmocka_unit_test(large_T_expansion),  cmocka_unit_test(bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
