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

/// Zero the upper halves of the vector registers before scalar library calls.
static inline void js_clear_upper(void) {
#ifdef __AVX__
  _mm256_zeroupper();
#endif
}

#endif
