/// \file test_kernel.c
/// Selection kernel against direct formulas: T = 0 exact argmax, T = inf exact mean, finite T
/// against a long-double softmax, tiny and denormal T equal to the argmax, k = 1 the same
/// bits for every T and reward; k beyond one piece: the same bits for every chunk size; the
/// AVX-512 exp against glibc's; every k from 1 to 9,000 against running long-double sums, and
/// a cell's bits independent of the other k values.
#include "testutil.h"

#include "study/config.h"
#include "mc/kernel.h"
#include "core/simdmath.h"

static int64_t K[] = {1, 2, 3, 5, 8, 13, 40, 100, 257};
static double TT[] = {0, 5e-324, 1e-300, 1e-6, 0.01, 0.3, 1, 100, 1e12, INFINITY};
static js_reward R[] = {{1, 0, 0, 0}, {1, 1, 0, 0}, {0.5, -2, 0, 0}};
enum { NK = 9, NT = 10, NR = 3, KMAX = 257 };

/// A study with the axes above.
static js_config make_cfg(void) {
  js_config c;
  memset(&c, 0, sizeof c);
  c.nk = NK, c.nT = NT, c.nr = NR;
  c.k = K, c.T = TT, c.reward = R;
  return c;
}

/// Direct reranked loss for the first k candidates (long double, global max shift).
static double direct(const double *z, int k, double T, double s, double aT, double aR) {
  long double best = -INFINITY, lbest = 0, sum_l = 0, A = 0, B = 0;
  for (int i = 0; i < k; i++) {
    long double e = (long double)s * z[i] + aT, er = (long double)s * z[i] + aR;
    long double l = e * e, r = -(er * er);
    sum_l += l;
    if (r > best) best = r, lbest = l;
  }
  if (T == 0) return (double)lbest;
  if (isinf(T)) return (double)(sum_l / k);
  for (int i = 0; i < k; i++) {
    long double e = (long double)s * z[i] + aT, er = (long double)s * z[i] + aR;
    long double w = expl((-(er * er) - best) / T);
    A += w, B += w * e * e;
  }
  return (double)(B / A);
}

/// Run the kernel for one point and return the accumulated cells.
static double *run_point(js_kernel *kern, const double *z, double s, double aT, const double *aR) {
  double *acc = calloc(NK * NT * NR, sizeof(double));
  js_kernel_point(kern, s, aT, aR, z);
  js_kernel_flush(kern, acc);
  return acc;
}

static void test_against_direct(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_kernel kern;
  assert_int_equal(js_kernel_init(&kern, &cfg, JS_KERNEL_CHUNK), JS_OK);
  uint64_t seed = 42;
  for (int rep = 0; rep < 20; rep++) {
    double z[KMAX], s = 0.3 + test_uniform(&seed), aT = test_normal(&seed), aR[NR];
    for (int i = 0; i < KMAX; i++) z[i] = test_normal(&seed);
    for (int r = 0; r < NR; r++) aR[r] = aT + 0.5 * test_normal(&seed);
    double *acc = run_point(&kern, z, s, aT, aR);
    for (int ik = 0; ik < NK; ik++)
      for (int iT = 0; iT < NT; iT++)
        for (int r = 0; r < NR; r++) {
          double got = acc[(ik * NT + iT) * NR + r];
          double want = direct(z, K[ik], TT[iT], s, aT, aR[r]);
          assert_close(got, want, 1e-12 * (fabs(want) + 1e-300) + 1e-300);
          if (TT[iT] > 0 && TT[iT] < 1e-299) /* tiny T: exactly the argmax, no 0/0 */
            assert_same_bits(got, acc[(ik * NT + 0) * NR + r]);
        }
    free(acc);
  }
  js_kernel_free(&kern);
}

static void test_k1_same_bits(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_kernel kern;
  assert_int_equal(js_kernel_init(&kern, &cfg, JS_KERNEL_CHUNK), JS_OK);
  uint64_t seed = 7;
  for (int rep = 0; rep < 50; rep++) {
    double z[KMAX], aR[NR], s = 0.1 + 2 * test_uniform(&seed), aT = test_normal(&seed);
    for (int i = 0; i < KMAX; i++) z[i] = test_normal(&seed);
    for (int r = 0; r < NR; r++) aR[r] = 3 * test_normal(&seed);
    double *acc = run_point(&kern, z, s, aT, aR);
    double l1 = (s * z[0] + aT) * (s * z[0] + aT);
    for (int c = 0; c < NT * NR; c++) assert_same_bits(acc[c], l1);
    free(acc);
  }
  js_kernel_free(&kern);
}

static void test_extreme_rewards_finite(void **state) {
  (void)state;
  js_config cfg = make_cfg();
  js_kernel kern;
  assert_int_equal(js_kernel_init(&kern, &cfg, JS_KERNEL_CHUNK), JS_OK);
  uint64_t seed = 9;
  double z[KMAX], aR[NR] = {1e6, -1e8, 0};
  for (int i = 0; i < KMAX; i++) z[i] = test_normal(&seed);
  double *acc = run_point(&kern, z, 1e-3, 1e5, aR);
  for (int c = 0; c < NK * NT * NR; c++)
    if (!isfinite(acc[c])) fail_msg("cell %d is %g", c, acc[c]);
  free(acc);
  js_kernel_free(&kern);
}

static int64_t BK[] = {1, 3000, 4096, 5000, 12289, 20000};
enum { BNK = 6, BKMAX = 20000 };

/// Cells of one point with k up to 20,000 (several pieces) for a chunk size ("" default),
/// given as JUDGESIM_KERNEL_CHUNK.
static double *big_point(const char *chunk, const double *z, const double *aR) {
  setenv("JUDGESIM_KERNEL_CHUNK", chunk, 1);
  js_config cfg = make_cfg();
  cfg.nk = BNK, cfg.k = BK;
  js_kernel kern;
  int c = 0;
  assert_int_equal(js_kernel_chunk_knob(&c), JS_OK);
  assert_int_equal(js_kernel_init(&kern, &cfg, c), JS_OK);
  double *acc = calloc(BNK * NT * NR, sizeof(double));
  js_kernel_point(&kern, 0.7, 0.2, aR, z);
  js_kernel_flush(&kern, acc);
  js_kernel_free(&kern);
  unsetenv("JUDGESIM_KERNEL_CHUNK");
  return acc;
}

static void test_chunks_same_bits(void **state) {
  (void)state;
  uint64_t seed = 11;
  double *z = malloc(sizeof(double) * BKMAX), aR[NR] = {0.3, -0.4, 1.1};
  for (int i = 0; i < BKMAX; i++) z[i] = test_normal(&seed);
  double *ref = big_point("4096", z, aR);
  const char *chunks[] = {"8192", "16384", "", "1048576"};
  for (int c = 0; c < 4; c++) {
    double *acc = big_point(chunks[c], z, aR);
    for (int i = 0; i < BNK * NT * NR; i++) assert_same_bits(acc[i], ref[i]);
    free(acc);
  }
  for (int ik = 0; ik < BNK; ik++)
    for (int iT = 0; iT < NT; iT++)
      for (int r = 0; r < NR; r++) {
        double want = direct(z, BK[ik], TT[iT], 0.7, 0.2, aR[r]);
        assert_close(ref[(ik * NT + iT) * NR + r], want, 1e-11 * fabs(want) + 1e-300);
      }
  const char *bad[] = {"1000", "abc", "8192x", "0", "-4096", "33554432"}; /* not a multiple of
     the piece, not a number, junk after it, zero, negative, beyond JS_KERNEL_CHUNK_MAX */
  for (int b = 0; b < 6; b++) {
    setenv("JUDGESIM_KERNEL_CHUNK", bad[b], 1);
    int c = 0;
    assert_int_equal(js_kernel_chunk_knob(&c), JS_ERR_INPUT);
  }
  unsetenv("JUDGESIM_KERNEL_CHUNK");
  free(ref);
  free(z);
}

enum { DKMAX = 9000 };

/// Every prefix's reranked loss at once, from candidate 1 to k_max, for one T: running sums
/// in long double against a running maximum, rescaled when it moves (the paper's authors'
/// algorithm); out[k - 1] for every k.
static void direct_all(const double *z, int kmax, double T, double s, double aT, double aR,
                       double *out) {
  long double best = -INFINITY, lbest = 0, sum_l = 0, A = 0, B = 0;
  for (int i = 0; i < kmax; i++) {
    long double e = (long double)s * z[i] + aT, er = (long double)s * z[i] + aR;
    long double l = e * e, r = -(er * er);
    sum_l += l;
    if (T > 0 && !isinf(T)) {
      if (r > best) A *= expl((best - r) / T), B *= expl((best - r) / T);
      long double w = expl((r - (r > best ? r : best)) / T);
      A += w, B += w * l;
    }
    if (r > best) best = r, lbest = l;
    out[i] = T == 0 ? (double)lbest : isinf(T) ? (double)(sum_l / (i + 1)) : (double)(B / A);
  }
}

/// Cells of one point for a k axis of nk values up to DKMAX (chunk: the default).
static double *axis_point(int64_t *k, int nk, const double *z, double s, double aT,
                          const double *aR) {
  js_config cfg = make_cfg();
  cfg.nk = nk, cfg.k = k;
  js_kernel kern;
  assert_int_equal(js_kernel_init(&kern, &cfg, JS_KERNEL_CHUNK), JS_OK);
  double *acc = calloc((size_t)nk * NT * NR, sizeof(double));
  js_kernel_point(&kern, s, aT, aR, z);
  js_kernel_flush(&kern, acc);
  js_kernel_free(&kern);
  return acc;
}

/// Every k from 1 to 9,000 (three pieces, tiny to huge T, rewards far apart so that at small
/// T most prefixes are summed again against closer shifts): each cell against the running
/// long-double sums; tiny T exactly the argmax; and each cell of a sparse axis the same bits
/// as the same k on the dense one (a cell does not depend on the other k values).
static void test_dense_k(void **state) {
  (void)state;
  uint64_t seed = 13;
  int64_t *dk = malloc(sizeof(int64_t) * DKMAX), sk[] = {1, 7, 8, 9, 99, 4096, 4097, 8999, 9000};
  double *z = malloc(sizeof(double) * DKMAX), *want = malloc(sizeof(double) * DKMAX);
  for (int i = 0; i < DKMAX; i++) dk[i] = i + 1, z[i] = test_normal(&seed);
  for (int rep = 0; rep < 2; rep++) {
    double s = rep ? 30.0 : 0.6, aT = 0.2, aR[NR] = {0.3, -0.4, 1.1};
    double *acc = axis_point(dk, DKMAX, z, s, aT, aR);
    double *sparse = axis_point(sk, 9, z, s, aT, aR);
    for (int iT = 0; iT < NT; iT++)
      for (int r = 0; r < NR; r++) {
        direct_all(z, DKMAX, TT[iT], s, aT, aR[r], want);
        for (int ik = 0; ik < DKMAX; ik++) {
          double got = acc[((size_t)ik * NT + iT) * NR + r];
          if (!(fabs(got - want[ik]) <= 1e-11 * fabs(want[ik]) + 1e-300))
            fail_msg("k=%d T=%g reward %d: %.17g, want %.17g", ik + 1, TT[iT], r, got, want[ik]);
          if (TT[iT] > 0 && TT[iT] < 1e-299)
            assert_same_bits(got, acc[((size_t)ik * NT + 0) * NR + r]);
        }
        for (int j = 0; j < 9; j++)
          assert_same_bits(sparse[(j * NT + iT) * NR + r],
                           acc[((size_t)(sk[j] - 1) * NT + iT) * NR + r]);
      }
    free(acc), free(sparse);
  }
  free(dk), free(z), free(want);
}

/// js_exp_neg8 (the kernel's exp on AVX-512): within 2.5e-16 relative of glibc's exp over
/// [-707, 0] (a million points, each table entry and both ends of the reduced range), and
/// exactly 1 at 0, the weight of a piece's best candidate.
static void test_exp_neg8(void **state) {
  (void)state;
#ifdef __AVX512F__
  double worst = 0;
  for (int i = 0; i <= 1000000; i++) {
    double x[8];
    for (int j = 0; j < 8; j++) x[j] = -707.0 * (i * 8 + j) / 8000007.0;
    double y[8];
    _mm512_storeu_pd(y, js_exp_neg8(_mm512_loadu_pd(x)));
    for (int j = 0; j < 8; j++) {
      double e = fabs(y[j] / exp(x[j]) - 1);
      worst = e > worst ? e : worst;
    }
  }
  assert_true(worst < 2.5e-16);
  double y[8];
  _mm512_storeu_pd(y, js_exp_neg8(_mm512_setzero_pd()));
  for (int j = 0; j < 8; j++) assert_true(y[j] == 1.0);
#else
  skip();
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_direct),
      cmocka_unit_test(test_k1_same_bits),
      cmocka_unit_test(test_extreme_rewards_finite),
      cmocka_unit_test(test_chunks_same_bits),
      cmocka_unit_test(test_dense_k),
      cmocka_unit_test(test_exp_neg8),
  };
  return cmocka_run_group_tests_name("kernel", tests, NULL, NULL);
}
