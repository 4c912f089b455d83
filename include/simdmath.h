/// \file simdmath.h
/// Declares glibc's vector math (libmvec) variants so loops calling exp/log/sin/cos
/// vectorize without -ffast-math (docs/performance.md, pitfall 2); build with -fopenmp-simd
/// -fno-math-errno. js_clear_upper() avoids the AVX-SSE transition penalty before
/// calling SSE-compiled libraries (docs/performance.md, pitfall 1).
#ifndef JS_SIMDMATH_H
#define JS_SIMDMATH_H

#include <math.h>
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

/// Zero the upper halves of the vector registers before scalar library calls.
static inline void js_clear_upper(void) {
#ifdef __AVX__
  _mm256_zeroupper();
#endif
}

#endif
