/// \file numutil.h
/// Small numeric helpers used in several files: the qsort order of doubles, the argmin and
/// 95% percentile interval of bootstrap analyses, 64-byte aligned arrays of doubles, and exp
/// arguments clamped at a floor that the compiler cannot see.
#ifndef JS_NUMUTIL_H
#define JS_NUMUTIL_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

/// Ascending order of doubles for qsort (infinities at the ends).
static inline int js_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/// Index of the smallest of n values spaced by stride (the first one on ties).
static inline int js_argmin(const double *x, int n, size_t stride) {
  int best = 0;
  for (int i = 1; i < n; i++)
    if (x[i * stride] < x[best * stride]) best = i;
  return best;
}

/// 2.5% and 97.5% percentiles of n values (sorted in place; nearest rank).
static inline void js_interval95(double *x, int n, double *lo, double *hi) {
  qsort(x, (size_t)n, sizeof *x, js_cmp_double);
  *lo = x[(int)floor(0.025 * (n - 1) + 0.5)];
  *hi = x[(int)floor(0.975 * (n - 1) + 0.5)];
}

/// How many of n temperatures are finite and positive (a softmax, neither the argmax at 0
/// nor the uniform pick at inf).
static inline int js_count_finite_positive(const double *T, int n) {
  int c = 0;
  for (int i = 0; i < n; i++) c += T[i] > 0 && isfinite(T[i]);
  return c;
}

/// A 64-byte aligned array of count doubles (whole cache lines, as aligned_alloc wants);
/// NULL when out of memory. Release with free().
static inline double *js_alloc_doubles(size_t count) {
  return aligned_alloc(64, (count * sizeof(double) + 63) / 64 * 64);
}

/// A clamp value for exp arguments as a run-time value: with a compile-time constant GCC
/// rewrites exp(max(x, C)) into a blend of exp(x) and exp(C), calling libmvec on the raw
/// argument, whose underflowing lanes take glibc's slow scalar path.
static inline double js_exp_floor(double c) {
  volatile double v = c;
  return v;
}

/// x clamped from below at floor (an exp argument; floor from js_exp_floor).
static inline double js_floored(double x, double floor) { return x < floor ? floor : x; }

#endif
