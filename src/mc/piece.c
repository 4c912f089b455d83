/// \file piece.c
/// Reductions over a piece of scored candidates (see piece.h): AVX-512 with masked steps
/// where the compiler targets it, portable loops elsewhere.
#include "mc/piece.h"

#include <math.h>

#include "core/numutil.h"
#include "core/simdmath.h"

void js_marks_set(js_marks *mk, const int *len, int n) {
  mk->n = n, mk->nblk = 0;
  for (int t = 0; t < n; t++) {
    int q = (len[t] - 1) / 8, lane = (len[t] - 1) % 8;
    if (mk->nblk == 0 || mk->blk[mk->nblk - 1] != q) mk->blk[mk->nblk] = q, mk->lanes[mk->nblk++] = 0;
    mk->lanes[mk->nblk - 1] |= (unsigned char)(1u << lane);
  }
}

/// The next marked block after the one numbered at (-1: none).
static inline int next_mark(const js_marks *mk, int at) { return at < mk->nblk ? mk->blk[at] : -1; }

/* weights(rr, l, lo, hi, mx, invT, nt, mk, stride, A, B, Atot, Btot): js_piece_weights for
   nt = 1, 2 or 3 temperatures in one pass (the piece is read once; nt is a constant where
   it is inlined, so unused lanes fold away). */
#ifdef __AVX512F__

/// The lanes of the step of 8 from i that lie before hi.
static inline __mmask8 lanes(int i, int hi) {
  return hi - i >= 8 ? 0xff : (__mmask8)((1u << (hi - i)) - 1);
}

/// Running sums of the 8 lanes of x: lane j holds x_0 + ... + x_j.
static inline __m512d scan8(__m512d x) {
  const __m512i z = _mm512_setzero_si512();
  x = _mm512_add_pd(x, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), z, 7)));
  x = _mm512_add_pd(x, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), z, 6)));
  return _mm512_add_pd(x, _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(x), z, 4)));
}

/// The sum of the 8 lanes of x in every lane (a butterfly: each step adds lanes in pairs,
/// and a + b == b + a, so every lane holds the same bits).
static inline __m512d sum8(__m512d x) {
  x = _mm512_add_pd(x, _mm512_shuffle_f64x2(x, x, _MM_SHUFFLE(1, 0, 3, 2)));
  x = _mm512_add_pd(x, _mm512_shuffle_f64x2(x, x, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm512_add_pd(x, _mm512_permute_pd(x, 0x55));
}

/// The prefixes ending in the lanes sel of a block v, after blocks summing lane-wise to
/// acc: their sums, stored one after another from dst (8 values written).
static inline __attribute__((always_inline)) void mark_out(__m512d acc, __m512d v,
                                                           __mmask8 sel, double *dst) {
  __m512d s = _mm512_add_pd(scan8(v), sum8(acc));
  _mm512_storeu_pd(dst, sel == 0xff ? s : _mm512_maskz_compress_pd(sel, s)); /* dense: all */
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

int js_piece_first(const double *rr, int lo, int hi, double mx) {
  const __m512d m = _mm512_set1_pd(mx);
  int i = lo;
  for (; i + 32 <= hi; i += 32) { /* find the step of 32, then its first 8 */
    __mmask8 e0 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i), m, _CMP_EQ_OQ);
    __mmask8 e1 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 8), m, _CMP_EQ_OQ);
    __mmask8 e2 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 16), m, _CMP_EQ_OQ);
    __mmask8 e3 = _mm512_cmp_pd_mask(_mm512_loadu_pd(rr + i + 24), m, _CMP_EQ_OQ);
    unsigned all = e0 | (unsigned)e1 << 8 | (unsigned)e2 << 16 | (unsigned)e3 << 24;
    if (all) return i + __builtin_ctz(all);
  }
  for (; i < hi; i += 8) {
    __mmask8 in = lanes(i, hi);
    __mmask8 eq = _mm512_mask_cmp_pd_mask(in, _mm512_maskz_loadu_pd(in, rr + i), m, _CMP_EQ_OQ);
    if (eq) return i + __builtin_ctz(eq);
  }
  return lo;
}

double js_piece_sums(const double *l, int lo, int hi, const js_marks *mk, double *out) {
  __m512d a = _mm512_setzero_pd();
  int nb = 0, next = next_mark(mk, 0);
  for (int q = 0, i = lo; i < hi; q++, i += 8) {
    __m512d v = _mm512_maskz_loadu_pd(lanes(i, hi), l + i);
    if (q == next) {
      __mmask8 sel = mk->lanes[nb];
      mark_out(a, v, sel, out);
      out += __builtin_popcount(sel), next = next_mark(mk, ++nb);
    }
    a = _mm512_add_pd(a, v);
  }
  return _mm512_reduce_add_pd(a);
}

/// One temperature's weights of a block: exp(max(d invT, floor)) in the lanes `in`, else 0.
static inline __attribute__((always_inline)) __m512d block_weights(__m512d d, __m512d invT,
                                                                   __m512d floor,
                                                                   __mmask8 in) {
  return _mm512_maskz_mov_pd(in, js_exp_neg8(_mm512_max_pd(_mm512_mul_pd(d, invT), floor)));
}

/// Weight sums, a block of 8 a step with js_exp_neg8.
static inline __attribute__((always_inline)) void weights(const double *restrict rr,
                                                          const double *restrict l, int lo,
                                                          int hi, double mx,
                                                          const double *invT, int nt,
                                                          const js_marks *mk, size_t stride,
                                                          double *A, double *B,
                                                          double *Atot, double *Btot) {
  const __m512d m = _mm512_set1_pd(mx), floor = _mm512_set1_pd(js_exp_floor(JS_EXP_FLOOR));
  const __m512d i0 = _mm512_set1_pd(invT[0]), i1 = _mm512_set1_pd(invT[nt > 1]),
                i2 = _mm512_set1_pd(invT[nt > 2 ? 2 : 0]);
  __m512d a0 = _mm512_setzero_pd(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, w1 = a0, w2 = a0;
  int nb = 0, next = next_mark(mk, 0);
  for (int q = 0, i = lo; i < hi; q++, i += 8) {
    __mmask8 in = lanes(i, hi);
    __m512d d = _mm512_sub_pd(_mm512_mask_loadu_pd(m, in, rr + i), m); /* 0 past hi */
    __m512d li = _mm512_maskz_loadu_pd(in, l + i);
    __m512d w0 = block_weights(d, i0, floor, in);
    if (nt > 1) w1 = block_weights(d, i1, floor, in);
    if (nt > 2) w2 = block_weights(d, i2, floor, in);
    if (q == next) {
      __mmask8 sel = mk->lanes[nb];
      mark_out(a0, w0, sel, A), mark_out(b0, _mm512_mul_pd(w0, li), sel, B);
      if (nt > 1) mark_out(a1, w1, sel, A + stride), mark_out(b1, _mm512_mul_pd(w1, li), sel, B + stride);
      if (nt > 2)
        mark_out(a2, w2, sel, A + 2 * stride), mark_out(b2, _mm512_mul_pd(w2, li), sel, B + 2 * stride);
      int c = __builtin_popcount(sel);
      A += c, B += c, next = next_mark(mk, ++nb);
    }
    a0 = _mm512_add_pd(a0, w0), b0 = _mm512_fmadd_pd(w0, li, b0);
    if (nt > 1) a1 = _mm512_add_pd(a1, w1), b1 = _mm512_fmadd_pd(w1, li, b1);
    if (nt > 2) a2 = _mm512_add_pd(a2, w2), b2 = _mm512_fmadd_pd(w2, li, b2);
  }
  Atot[0] = _mm512_reduce_add_pd(a0), Btot[0] = _mm512_reduce_add_pd(b0);
  if (nt > 1) Atot[1] = _mm512_reduce_add_pd(a1), Btot[1] = _mm512_reduce_add_pd(b1);
  if (nt > 2) Atot[2] = _mm512_reduce_add_pd(a2), Btot[2] = _mm512_reduce_add_pd(b2);
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

/// Sum of the 8 lanes of a block accumulator, in a fixed order.
static inline double lanes_sum(const double *a) {
  return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

/// The prefixes ending in the lanes sel of a block v, after blocks summing lane-wise to
/// acc: their sums, stored one after another from dst; returns how many.
static int mark_out(const double *acc, const double *v, unsigned sel, double *dst) {
  double run = lanes_sum(acc);
  int c = 0;
  for (int j = 0; j < 8; j++) {
    run += v[j];
    if (sel >> j & 1) dst[c++] = run;
  }
  return c;
}

double js_piece_max(const double *restrict rr, int lo, int hi) {
  double mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int i = lo; i < hi; i++) mx = rr[i] > mx ? rr[i] : mx;
  return mx;
}

int js_piece_first(const double *rr, int lo, int hi, double mx) {
  for (int i = lo; i < hi; i++)
    if (rr[i] == mx) return i;
  return lo;
}

double js_piece_sums(const double *l, int lo, int hi, const js_marks *mk, double *out) {
  double a[8] = {0}, v[8];
  int nb = 0, next = next_mark(mk, 0);
  for (int q = 0, i = lo; i < hi; q++, i += 8) {
    for (int j = 0; j < 8; j++) v[j] = i + j < hi ? l[i + j] : 0.0;
    if (q == next) out += mark_out(a, v, mk->lanes[nb], out), next = next_mark(mk, ++nb);
    for (int j = 0; j < 8; j++) a[j] += v[j];
  }
  return lanes_sum(a);
}

/// Weight sums, a block of 8 a step with js_exp_neg.
static inline __attribute__((always_inline)) void weights(const double *restrict rr,
                                                          const double *restrict l, int lo,
                                                          int hi, double mx,
                                                          const double *invT, int nt,
                                                          const js_marks *mk, size_t stride,
                                                          double *A, double *B,
                                                          double *Atot, double *Btot) {
  double a[3][8] = {{0}}, b[3][8] = {{0}}, w[3][8], wl[3][8], li[8];
  double floor = js_exp_floor(JS_EXP_FLOOR);
  int nb = 0, next = next_mark(mk, 0);
  for (int q = 0, i = lo; i < hi; q++, i += 8) {
    for (int j = 0; j < 8; j++) li[j] = i + j < hi ? l[i + j] : 0.0;
    for (int f = 0; f < nt; f++) {
#pragma omp simd
      for (int j = 0; j < 8; j++) {
        double x = (i + j < hi ? rr[i + j] - mx : 0.0) * invT[f]; /* <= 0 */
        double e = js_exp_neg(x > floor ? x : floor);
        w[f][j] = i + j < hi ? e : 0.0, wl[f][j] = w[f][j] * li[j];
      }
    }
    if (q == next) {
      int c = 0;
      for (int f = 0; f < nt; f++)
        c = mark_out(a[f], w[f], mk->lanes[nb], A + f * stride),
        mark_out(b[f], wl[f], mk->lanes[nb], B + f * stride);
      A += c, B += c, next = next_mark(mk, ++nb);
    }
    for (int f = 0; f < nt; f++)
      for (int j = 0; j < 8; j++) a[f][j] += w[f][j], b[f][j] += wl[f][j];
  }
  for (int f = 0; f < nt; f++) Atot[f] = lanes_sum(a[f]), Btot[f] = lanes_sum(b[f]);
}

void js_piece_exps(const double *x, int n, double *y) {
  for (int i = 0; i < n; i++) y[i] = exp(fmax(x[i], JS_EXP_FLOOR));
}

#endif

void js_piece_weights(const double *rr, const double *l, int lo, int hi, double mx,
                      const double *invT, int nfin, const js_marks *mk, size_t stride,
                      double *A, double *B, double *Atot, double *Btot) {
  for (int f = 0; f < nfin; f += 3) {
    int nt = nfin - f < 3 ? nfin - f : 3;
    size_t at = (size_t)f * stride;
    if (nt == 3) weights(rr, l, lo, hi, mx, invT + f, 3, mk, stride, A + at, B + at, Atot + f, Btot + f);
    else if (nt == 2) weights(rr, l, lo, hi, mx, invT + f, 2, mk, stride, A + at, B + at, Atot + f, Btot + f);
    else weights(rr, l, lo, hi, mx, invT + f, 1, mk, stride, A + at, B + at, Atot + f, Btot + f);
  }
}
