/// \file test_rng.c
/// Gaussian generator: moments within stated standard errors (fixed seeds), a sequence that
/// does not depend on how requests are sliced, and streams fixed by the unit's identity; on
/// AVX-512, Box-Muller's cos, sin and sqrt against long double and glibc.
#include "testutil.h"

#include "mc/rng.h"
#include "core/simdmath.h"

enum { NDRAW = 2000000 };

static void test_moments(void **state) {
  (void)state;
  js_rng *rng;
  assert_int_equal(js_rng_open(12345, 100, 200, 0, &rng), JS_OK);
  double *z = malloc(sizeof(double) * NDRAW);
  assert_int_equal(js_rng_normals(rng, z, NDRAW), JS_OK);
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0, tail = 0;
  for (int i = 0; i < NDRAW; i++) {
    double x = z[i];
    m1 += x, m2 += x * x, m3 += x * x * x, m4 += x * x * x * x, tail += fabs(x) > 3;
  }
  m1 /= NDRAW, m2 /= NDRAW, m3 /= NDRAW, m4 /= NDRAW, tail /= NDRAW;
  double n = NDRAW; /* standard errors of each sample moment of N(0,1), 5 of them allowed */
  assert_close(m1, 0, 5 * sqrt(1 / n));
  assert_close(m2, 1, 5 * sqrt(2 / n));
  assert_close(m3, 0, 5 * sqrt(15 / n));
  assert_close(m4, 3, 5 * sqrt(96 / n));
  double p3 = 0.0026997960632601866; /* P(|Z| > 3) */
  assert_close(tail, p3, 5 * sqrt(p3 * (1 - p3) / n));
  free(z);
  js_rng_close(rng);
}

static void test_slicing_independent(void **state) {
  (void)state;
  js_rng *a, *b;
  assert_int_equal(js_rng_open(1, 10, 20, 3, &a), JS_OK);
  assert_int_equal(js_rng_open(1, 10, 20, 3, &b), JS_OK);
  double x[5000], y[5000];
  assert_int_equal(js_rng_normals(a, x, 5000), JS_OK);
  int at = 0, step[] = {1, 7, 1023, 1024, 1025, 3, 919};
  for (int i = 0; at < 5000; i++) {
    int c = step[i % 7] < 5000 - at ? step[i % 7] : 5000 - at;
    assert_int_equal(js_rng_normals(b, y + at, (size_t)c), JS_OK);
    at += c;
  }
  assert_memory_equal(x, y, sizeof x);
  js_rng_close(a), js_rng_close(b);
}

static void test_stream_identity(void **state) {
  (void)state;
  double first[6][4];
  int ids[6][4] = {{1, 10, 20, 0}, {1, 10, 20, 1}, {1, 10, 21, 0}, {1, 11, 20, 0},
                   {2, 10, 20, 0}, {1, 10, 20, 0}};
  for (int i = 0; i < 6; i++) {
    js_rng *r;
    assert_int_equal(js_rng_open(ids[i][0], ids[i][1], ids[i][2], ids[i][3], &r), JS_OK);
    assert_int_equal(js_rng_normals(r, first[i], 4), JS_OK);
    js_rng_close(r);
  }
  for (int i = 0; i < 5; i++)
    for (int j = i + 1; j < 5; j++)
      assert_memory_not_equal(first[i], first[j], sizeof first[i]);
  assert_memory_equal(first[0], first[5], sizeof first[0]); /* same identity, same draws */
}

/// js_cossin_2pi8 within 2.5e-16 of cos and sin of the exact 2 pi v (long double) over
/// [0, 1), quarter turns and ends included; js_sqrt8 within 1 ulp of sqrt, and 0 at 0.
static void test_box_muller_math(void **state) {
  (void)state;
#ifdef __AVX512F__
  const long double twopi = 6.283185307179586476925286766559005768L;
  double worst = 0;
  for (int i = 0; i < 2000000; i += 8) {
    double v[8], c[8], s[8];
    for (int j = 0; j < 8; j++) v[j] = (i + j) / 2000000.0 + (j % 3) * 0x1p-40;
    v[0] = i == 0 ? 0x1.fffffffffffffp-1 : v[0]; /* the largest uniform below 1 */
    __m512d C, S;
    js_cossin_2pi8(_mm512_loadu_pd(v), &C, &S);
    _mm512_storeu_pd(c, C), _mm512_storeu_pd(s, S);
    for (int j = 0; j < 8; j++) {
      long double a = twopi * v[j];
      worst = fmax(worst, fmax(fabs(c[j] - (double)cosl(a)), fabs(s[j] - (double)sinl(a))));
    }
  }
  assert_true(worst < 2.5e-16);
  double ulps = 0;
  for (int i = 0; i < 1000000; i += 8) {
    double y[8], r[8];
    for (int j = 0; j < 8; j++) y[j] = (i + j) * 7.4e-5 * (1 + j % 3) + 0x1p-60 * (j == 7);
    _mm512_storeu_pd(r, js_sqrt8(_mm512_loadu_pd(y)));
    for (int j = 0; j < 8; j++) {
      double e = sqrt(y[j]);
      ulps = fmax(ulps, e > 0 ? fabs(r[j] - e) / (nextafter(e, INFINITY) - e) : fabs(r[j]) * 1e300);
    }
  }
  assert_true(ulps <= 1.0);
#else
  skip();
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_moments),
      cmocka_unit_test(test_slicing_independent),
      cmocka_unit_test(test_stream_identity),
      cmocka_unit_test(test_box_muller_math),
  };
  return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
