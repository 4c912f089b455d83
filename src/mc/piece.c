/// \file piece.c
/// Reductions over a piece of scored candidates (see piece.h): AVX-512 with masked steps
/// where the compiler targets it, portable vectorized loops elsewhere.
#include "mc/piece.h"

#include <math.h>

#include "core/numutil.h"
#include "core/simdmath.h"

/* weights(rr, l, lo, hi, mx, invT, nt, A, B): A[f] = sum exp((rr - mx) invT[f]) and B[f] =
   sum l exp((rr - mx) invT[f]) over [lo, hi) for nt = 1, 2 or 3 temperatures in one pass
   (the piece is read once; nt is a constant where it is inlined, so unused lanes fold away). */
#ifdef __AVX512F__

/// The lanes of the step of 8 from i that lie before hi.
static inline __mmask8 lanes(int i, int hi) {
  return hi - i >= 8 ? 0xff : (__mmask8)((1u << (hi - i)) - 1);
}

/* Four accumulators a 32-candidate step: one max or add every cycle, not one per
   latency (4 cycles), then masked steps of 8 to the end. */
double js_piece_sum(const double *l, int lo, int hi) {
  __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
  int i = lo;
  for (; i + 32 <= hi; i += 32) {
    s0 = _mm512_add_pd(s0, _mm512_loadu_pd(l + i));
    s1 = _mm512_add_pd(s1, _mm512_loadu_pd(l + i + 8));
    s2 = _mm512_add_pd(s2, _mm512_loadu_pd(l + i + 16));
    s3 = _mm512_add_pd(s3, _mm512_loadu_pd(l + i + 24));
  }
  for (; i < hi; i += 8) s0 = _mm512_add_pd(s0, _mm512_maskz_loadu_pd(lanes(i, hi), l + i));
  return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
}

double js_piece_max(const double *rr, int lo, int hi) {
  __m512d m0 = _mm512_set1_pd(-INFINITY), m1 = m0, m2 = m0, m3 = m0;
  int i = lo;
  for (; i + 32 <= hi; i += 32) {
    m0 = _mm512_max_pd(_mm512_loadu_pd(rr + i), m0);
    m1 = _mm512_max_pd(_mm512_loadu_pd(rr + i + 8), m1);
    m2 = _mm512_max_pd(_mm512_loadu_pd(rr + i + 16), m2);
    m3 = _mm512_max_pd(_mm512_loadu_pd(rr + i + 24), m3);
  }
  for (; i < hi; i += 8) {
    __mmask8 in = lanes(i, hi);
    m0 = _mm512_mask_max_pd(m0, in, _mm512_maskz_loadu_pd(in, rr + i), m0);
  }
  return _mm512_reduce_max_pd(_mm512_max_pd(_mm512_max_pd(m0, m1), _mm512_max_pd(m2, m3)));
}

double js_piece_at_first(const double *rr, const double *l, int lo, int hi, double mx) {
  const __m512d m = _mm512_set1_pd(mx);
  int i = lo;
  for (; i + 32 <= hi; i += 32) { /* find the step of 32, then its first 8 */
    __mmask8 e0 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i), m, _CMP_EQ_OQ);
    __mmask8 e1 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 8), m, _CMP_EQ_OQ);
    __mmask8 e2 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 16), m, _CMP_EQ_OQ);
    __mmask8 e3 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 24), m, _CMP_EQ_OQ);
    unsigned all = e0 | (unsigned)e1 << 8 | (unsigned)e2 << 16 | (unsigned)e3 << 24;
    if (all) return l[i + __builtin_ctz(all)];
  }
  for (; i < hi; i += 8) {
    __mmask8 in = lanes(i, hi);
    __mmask8 eq = _mm512_mask_cmp_pd_mask(in, _mm512_maskz_loadu_pd(in, rr + i), m, _CMP_EQ_OQ);
    if (eq) return l[i + __builtin_ctz(eq)];
  }
  return l[lo];
}

/// Add one temperature's weights of a step to its sums: w = exp(max(d invT, floor)) in the
/// lanes `in`, a += w, b += w l.
static inline __attribute__((always_inline)) void add_weights(__m512d d, __m512d invT,
                                                              __m512d floor, __mmask8 in,
                                                              __m512d l, __m512d *a,
                                                              __m512d *b) {
  __m512d w = _mm512_maskz_mov_pd(in, js_exp_neg8(_mm512_max_pd(_mm512_mul_pd(d, invT), floor)));
  *a = _mm512_add_pd(*a, w), *b = _mm512_fmadd_pd(w, l, *b);
}

/// Weight sums, 8 candidates a step with js_exp_neg8.
static inline __attribute__((always_inline)) void weights(const double *restrict rr,
                                                          const double *restrict l, int lo,
                                                          int hi, double mx,
                                                          const double *invT, int nt,
                                                          double *A, double *B) {
  const __m512d m = _mm512_set1_pd(mx), floor = _mm512_set1_pd(js_exp_floor(JS_EXP_FLOOR));
  const __m512d i0 = _mm512_set1_pd(invT[0]), i1 = _mm512_set1_pd(invT[nt > 1]),
                i2 = _mm512_set1_pd(invT[nt > 2 ? 2 : 0]);
  __m512d a0 = _mm512_setzero_pd(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
  for (int i = lo; i < hi; i += 8) {
    __mmask8 in = lanes(i, hi);
    __m512d d = _mm512_sub_pd(_mm512_mask_loadu_pd(m, in, rr + i), m); /* 0 past hi */
    __m512d li = _mm512_maskz_loadu_pd(in, l + i);
    add_weights(d, i0, floor, in, li, &a0, &b0);
    if (nt > 1) add_weights(d, i1, floor, in, li, &a1, &b1);
    if (nt > 2) add_weights(d, i2, floor, in, li, &a2, &b2);
  }
  A[0] = _mm512_reduce_add_pd(a0), B[0] = _mm512_reduce_add_pd(b0);
  if (nt > 1) A[1] = _mm512_reduce_add_pd(a1), B[1] = _mm512_reduce_add_pd(b1);
  if (nt > 2) A[2] = _mm512_reduce_add_pd(a2), B[2] = _mm512_reduce_add_pd(b2);
}

void js_piece_exps(const double *x, int n, double *y) {
  const __m512d floor = _mm512_set1_pd(js_exp_floor(JS_EXP_FLOOR));
  for (int i = 0; i < n; i += 8) {
    __mmask8 in = lanes(i, n);
    __m512d v = _mm512_max_pd(_mm512_maskz_loadu_pd(in, x + i), floor);
    _mm512_mask_storeu_pd(y + i, in, js_exp_neg8(v));
  }
}

#else

double js_piece_sum(const double *restrict l, int lo, int hi) {
  double sum = 0.0;
#pragma omp simd reduction(+ : sum)
  for (int i = lo; i < hi; i++) sum += l[i];
  return sum;
}

double js_piece_max(const double *restrict rr, int lo, int hi) {
  double mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int i = lo; i < hi; i++) mx = rr[i] > mx ? rr[i] : mx;
  return mx;
}

double js_piece_at_first(const double *rr, const double *l, int lo, int hi, double mx) {
  for (int i = lo; i < hi; i++)
    if (rr[i] == mx) return l[i];
  return l[lo];
}

/// Weight sums, a vectorized loop with js_exp_neg.
static inline __attribute__((always_inline)) void weights(const double *restrict rr,
                                                          const double *restrict l, int lo,
                                                          int hi, double mx,
                                                          const double *invT, int nt,
                                                          double *A, double *B) {
  double i0 = invT[0], i1 = invT[nt > 1], i2 = invT[nt > 2 ? 2 : 0];
  double a0 = 0, b0 = 0, a1 = 0, b1 = 0, a2 = 0, b2 = 0, floor = js_exp_floor(JS_EXP_FLOOR);
#pragma omp simd reduction(+ : a0, b0, a1, b1, a2, b2)
  for (int i = lo; i < hi; i++) {
    double d = rr[i] - mx; /* <= 0: mx is the piece's largest reward */
    double x0 = d * i0, w0 = js_exp_neg(x0 > floor ? x0 : floor);
    a0 += w0, b0 += w0 * l[i];
    if (nt > 1) {
      double x1 = d * i1, w1 = js_exp_neg(x1 > floor ? x1 : floor);
      a1 += w1, b1 += w1 * l[i];
    }
    if (nt > 2) {
      double x2 = d * i2, w2 = js_exp_neg(x2 > floor ? x2 : floor);
      a2 += w2, b2 += w2 * l[i];
    }
  }
  A[0] = a0, B[0] = b0;
  if (nt > 1) A[1] = a1, B[1] = b1;
  if (nt > 2) A[2] = a2, B[2] = b2;
}

void js_piece_exps(const double *x, int n, double *y) {
  for (int i = 0; i < n; i++) y[i] = exp(fmax(x[i], JS_EXP_FLOOR));
}

#endif

void js_piece_weights(const double *rr, const double *l, int lo, int hi, double mx,
                      const double *invT, int nfin, double *A, double *B) {
  for (int f = 0; f < nfin; f += 3) {
    int nt = nfin - f < 3 ? nfin - f : 3;
    if (nt == 3) weights(rr, l, lo, hi, mx, invT + f, 3, A + f, B + f);
    else if (nt == 2) weights(rr, l, lo, hi, mx, invT + f, 2, A + f, B + f);
    else weights(rr, l, lo, hi, mx, invT + f, 1, A + f, B + f);
  }
}
