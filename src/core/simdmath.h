/// \file simdmath.h
/// Declares glibc's vector math (libmvec) variants so loops calling exp/log/sin/cos
/// vectorize without -ffast-math (docs/performance.md, pitfall 2); build with -fopenmp-simd
/// -fno-math-errno. js_clear_upper() avoids the AVX-SSE transition penalty before
/// calling SSE-compiled libraries (docs/performance.md, pitfall 1).
#ifndef JS_SIMDMATH_H
#define JS_SIMDMATH_H

#include <math.h>
#include <stdint.h>
#ifdef __AVX__
#include <immintrin.h>
#endif

#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double log(double);
#pragma omp declare simd notinbranch
double sin(double);
#pragma omp declare simd notinbranch
double cos(double);
#pragma omp declare simd notinbranch
double erfc(double);
#pragma omp declare simd notinbranch
double log1p(double);
#pragma omp declare simd notinbranch
double expm1(double);

/// Cody-Waite reduction for the inlined exps below: x = n ln2 + r with |r| <= ln2 / 2.
static inline double js_exp_reduce(double x, double *n) {
  const double log2e = 1.4426950408889634074, shifter = 0x1.8p52;
  const double ln2hi = 0x1.62e42fefa39efp-1, ln2lo = 0x1.abc9e3b39803fp-56;
  double t = x * log2e + shifter;
  *n = t - shifter; /* round(x / ln 2) */
  return fma(-*n, ln2lo, fma(-*n, ln2hi, x));
}

/// 2^n for an integer-valued n in [-1022, 1023], built in the exponent bits.
static inline double js_exp_pow2(double n) {
  union {
    int64_t i;
    double d;
  } scale = {.i = ((int64_t)n + 1023) << 52};
  return scale.d;
}

/// e^x for x in [-708, 0] (callers clamp at a floor), inlined so loops vectorize without a
/// library call: Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, a degree-12 Taylor
/// polynomial in r (truncation < 2e-16) and the scale 2^n built in the exponent bits.
/// Within 3.4e-16 relative of glibc's exp over the range, exactly 1 at x = 0, and 30% faster
/// than libmvec's AVX-512 exp in the kernel's loop (docs/performance.md).
static inline double js_exp_neg(double x) {
  double n, r = js_exp_reduce(x, &n);
  double p = 1.0 / 479001600;
  p = fma(p, r, 1.0 / 39916800), p = fma(p, r, 1.0 / 3628800), p = fma(p, r, 1.0 / 362880);
  p = fma(p, r, 1.0 / 40320), p = fma(p, r, 1.0 / 5040), p = fma(p, r, 1.0 / 720);
  p = fma(p, r, 1.0 / 120), p = fma(p, r, 1.0 / 24), p = fma(p, r, 1.0 / 6);
  p = fma(p, r, 0.5), p = fma(p, r, 1.0), p = fma(p, r, 1.0);
  return p * js_exp_pow2(n);
}

/// e^x for x in [-708, 709] to 3e-13 relative: the same reduction with a degree-10
/// polynomial (truncation 2.2e-13), for the theory's inner loop, whose quadrature is good to
/// about 1e-8 and needs no more.
static inline double js_exp_e13(double x) {
  double n, r = js_exp_reduce(x, &n);
  double p = 1.0 / 3628800;
  p = fma(p, r, 1.0 / 362880), p = fma(p, r, 1.0 / 40320), p = fma(p, r, 1.0 / 5040);
  p = fma(p, r, 1.0 / 720), p = fma(p, r, 1.0 / 120), p = fma(p, r, 1.0 / 24);
  p = fma(p, r, 1.0 / 6), p = fma(p, r, 0.5), p = fma(p, r, 1.0), p = fma(p, r, 1.0);
  return p * js_exp_pow2(n);
}

#ifdef __AVX512F__
/// e^x in the 8 lanes of x for x in [-707, 0] (callers clamp at a floor), the kernel's exp
/// on AVX-512: x = (16n + j) ln2 / 16 + r with |r| <= ln2 / 32, 2^(j / 16) from a table of
/// 16 held in two registers (vpermt2pd takes j from the rounded value's low bits), a
/// degree-7 Taylor polynomial in r (truncation < 2e-18) and 2^n added to the exponent bits.
/// Five operations fewer than js_exp_neg per lane; within 2.3e-16 relative of glibc's exp
/// over the range, exactly 1 at x = 0 (docs/performance.md).
static inline __m512d js_exp_neg8(__m512d x) {
  const __m512d lo = _mm512_setr_pd(0x1p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
                                    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0,
                                    0x1.3dea64c123422p+0, 0x1.4bfdad5362a27p+0,
                                    0x1.5ab07dd485429p+0);
  const __m512d hi = _mm512_setr_pd(0x1.6a09e667f3bcdp+0, 0x1.7a11473eb0187p+0,
                                    0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
                                    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0,
                                    0x1.d5818dcfba487p+0, 0x1.ea4afa2a490dap+0);
  /* 2^(j/16), j = 0..15, correctly rounded */
  const __m512d shifter = _mm512_set1_pd(0x1.8p52);
  __m512d t = _mm512_fmadd_pd(x, _mm512_set1_pd(16 * 1.4426950408889634074), shifter);
  __m512d n = _mm512_sub_pd(t, shifter); /* round(16 x / ln 2) = 16n + j */
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0x1.62e42fefa39efp-1 / 16), x);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0x1.abc9e3b39803fp-56 / 16), r);
  __m512i bits = _mm512_castpd_si512(t); /* 16n + j in the low bits */
  __m512d tj = _mm512_permutex2var_pd(lo, bits, hi);
  __m512i scale = _mm512_slli_epi64(_mm512_srai_epi64(bits, 4), 52);
  __m512d p = _mm512_set1_pd(1.0 / 5040);
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  __m512d v = _mm512_fmadd_pd(_mm512_mul_pd(tj, r), p, tj); /* 2^(j/16) (1 + r p) */
  return _mm512_castsi512_pd(_mm512_add_epi64(_mm512_castpd_si512(v), scale));
}

/// cos and sin of 2 pi v in the 8 lanes of v in [0, 1), Box-Muller's angle: v = q/4 + f
/// exactly with |f| <= 1/8, Taylor polynomials in 2 pi f (degrees 16 and 15, truncation
/// < 1e-17), then the quarter turn q by a swap and signs. Within 2.5e-16 of the exact
/// cos and sin of 2 pi v (glibc's, given 2 pi v rounded to a double first, are off by up to
/// 7e-16 near v = 1).
static inline void js_cossin_2pi8(__m512d v, __m512d *c, __m512d *s) {
  const __m512d shifter = _mm512_set1_pd(0x1.8p52);
  __m512d t = _mm512_fmadd_pd(v, _mm512_set1_pd(4.0), shifter);
  __m512d q = _mm512_sub_pd(t, shifter); /* round(4 v) */
  __m512d f = _mm512_fnmadd_pd(q, _mm512_set1_pd(0.25), v);
  __m512d th = _mm512_fmadd_pd(f, _mm512_set1_pd(0x1.921fb54442d18p+2),
                               _mm512_mul_pd(f, _mm512_set1_pd(0x1.1a62633145c07p-52)));
  __m512d t2 = _mm512_mul_pd(th, th);
  __m512d ps = _mm512_set1_pd(-1.0 / 1307674368000);
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(1.0 / 6227020800));
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(-1.0 / 39916800));
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(1.0 / 362880));
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(-1.0 / 5040));
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(1.0 / 120));
  ps = _mm512_fmadd_pd(ps, t2, _mm512_set1_pd(-1.0 / 6));
  __m512d sn = _mm512_fmadd_pd(_mm512_mul_pd(th, t2), ps, th);
  __m512d pc = _mm512_set1_pd(1.0 / 20922789888000);
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(-1.0 / 87178291200));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(1.0 / 479001600));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(-1.0 / 3628800));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(1.0 / 40320));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(-1.0 / 720));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(1.0 / 24));
  pc = _mm512_fmadd_pd(pc, t2, _mm512_set1_pd(-0.5));
  __m512d cs = _mm512_fmadd_pd(t2, pc, _mm512_set1_pd(1.0));
  __m512i qi = _mm512_castpd_si512(t); /* q in the low bits */
  __mmask8 odd = _mm512_test_epi64_mask(qi, _mm512_set1_epi64(1));
  __m512i cneg = _mm512_slli_epi64(_mm512_and_si512(_mm512_add_epi64(qi, _mm512_set1_epi64(1)),
                                                    _mm512_set1_epi64(2)), 62);
  __m512i sneg = _mm512_slli_epi64(_mm512_and_si512(qi, _mm512_set1_epi64(2)), 62);
  __m512d c0 = _mm512_mask_blend_pd(odd, cs, sn), s0 = _mm512_mask_blend_pd(odd, sn, cs);
  *c = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(c0), cneg));
  *s = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(s0), sneg));
}

/// sqrt(y) in 8 lanes for finite y >= 0, without the slow divider: a 14-bit reciprocal
/// square root, two Newton steps, then one correction of the root; within 1 ulp.
static inline __m512d js_sqrt8(__m512d y) {
  const __m512d half = _mm512_set1_pd(0.5);
  __m512d g = _mm512_rsqrt14_pd(y), h = _mm512_mul_pd(half, y);
  g = _mm512_fmadd_pd(g, _mm512_fnmadd_pd(_mm512_mul_pd(h, g), g, half), g);
  g = _mm512_fmadd_pd(g, _mm512_fnmadd_pd(_mm512_mul_pd(h, g), g, half), g);
  __m512d r = _mm512_mul_pd(y, g); /* then r += (y - r^2) g / 2 */
  r = _mm512_fmadd_pd(_mm512_fnmadd_pd(r, r, y), _mm512_mul_pd(half, g), r);
  return _mm512_mask_mov_pd(r, _mm512_cmp_pd_mask(y, _mm512_setzero_pd(), _CMP_EQ_OQ),
                            _mm512_setzero_pd()); /* sqrt(0) = 0, not 0 x inf */
}
#endif

/// Zero the upper halves of the vector registers before scalar library calls.
static inline void js_clear_upper(void) {
#ifdef __AVX__
  _mm256_zeroupper();
#endif
}

#endif
