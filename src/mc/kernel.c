/// \file kernel.c
/// Softmax reranking of k_max candidates for all (k, T, reward) cells at once.
/// Multiples of JS_KERNEL_PIECE cut a point's candidates into pieces. A piece is reduced
/// with its own largest reward as the shift (so its weight sum is >= 1), its sums are merged
/// log-sum-exp style into a running state, and each k value falling in the piece is a marked
/// prefix of it (piece.h): its cells combine the state with the prefix's sums, so a point
/// costs about the same with one k value or with every k. A prefix whose sums the piece's
/// shift leaves too small (tiny T: its own largest reward lies far below the piece's) is
/// summed again against the largest reward of the candidates before the piece's first
/// maximum, and so on down ("levels"). Candidates arrive in chunks (a multiple of the piece),
/// so the pieces, hence the results, depend neither on the chunk nor on the other k values.
/// Each candidate costs one exp per finite (T, reward) pair.
#include "mc/kernel.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/numutil.h"
#include "mc/piece.h"

/// A combined weight sum below this (relative to the largest weight in it) may have lost its
/// digits to the exp's floor: such a prefix is summed again against a closer shift.
#define SUM_MIN 1e-260

/// Round a count of doubles up to a whole number of 64-byte lines.
static size_t pad8(size_t n) { return (n + 7) / 8 * 8; }

/// Per-reward running state: [0] shift M, [1] argmax loss, then (A, B) per finite T.
static int state_stride(const js_kernel *kern) { return 2 + 2 * kern->nfin; }

js_status js_kernel_chunk_knob(int *chunk) {
  long c = JS_KERNEL_CHUNK;
  JS_CALL(js_env_int("JUDGESIM_KERNEL_CHUNK", JS_KERNEL_PIECE, JS_KERNEL_CHUNK_MAX,
                     JS_KERNEL_PIECE, &c));
  *chunk = (int)c;
  return JS_OK;
}

/// The temperatures: which index is T = 0 and T = inf (unless the exact estimator serves
/// them), and the finite ones' indices and 1/T.
static void temperatures(js_kernel *kern, const js_config *cfg) {
  for (int i = 0; i < cfg->nT; i++) {
    double t = cfg->T[i];
    if (t == 0) kern->iT0 = kern->exact ? -1 : i; /* exact: the caller adds T = 0 and */
    else if (isinf(t)) kern->iTinf = kern->exact ? -1 : i; /* T = inf cells */
    else {
      double inv = 1.0 / t;
      kern->invT[kern->nfin] = inv > DBL_MAX ? DBL_MAX : inv; /* denormal T: stay finite */
      kern->fin[kern->nfin++] = i;
    }
  }
}

/// The k values' marks, piece after piece: per block of 8 holding a prefix's end, its piece,
/// its number in the piece and its lanes; and each k's length within its piece.
static void marks_make(js_kernel *kern) {
  int n = 0;
  for (int t = 0; t < kern->nkd; t++) {
    int g = kern->k[t] - 1, p = g / JS_KERNEL_PIECE, q = g % JS_KERNEL_PIECE / 8;
    kern->len[t] = g % JS_KERNEL_PIECE + 1;
    if (n == 0 || kern->mpiece[n - 1] != p || kern->mblk[n - 1] != q)
      kern->mpiece[n] = p, kern->mblk[n] = q, kern->mlanes[n++] = 0;
    kern->mlanes[n - 1] |= (unsigned char)(1u << (g % 8));
  }
  kern->nmk = n;
}

js_status js_kernel_init(js_kernel *kern, const js_config *cfg, int chunk) {
  memset(kern, 0, sizeof *kern);
  kern->nk = cfg->nk, kern->nT = cfg->nT, kern->nr = cfg->nr;
  kern->kmax = js_config_kdraw(cfg);
  kern->exact = js_config_exact(cfg);
  kern->iT0 = kern->iTinf = -1;
  JS_CHECK(kern->kmax > 0, JS_ERR_INTERNAL, "a kernel for a study that draws no candidates");
  JS_CHECK(chunk > 0 && chunk % JS_KERNEL_PIECE == 0, JS_ERR_INTERNAL,
           "kernel chunk %d is not a positive multiple of %d", chunk, JS_KERNEL_PIECE);
  kern->chunk = chunk < kern->kmax ? chunk : kern->kmax;
  while (kern->nkd < cfg->nk && cfg->k[kern->nkd] <= kern->kmax) kern->nkd++;
  size_t nk = (size_t)cfg->nk, nT = (size_t)cfg->nT, nr = (size_t)cfg->nr;
  kern->stride = pad8((nk < JS_KERNEL_PIECE ? nk : JS_KERNEL_PIECE) + 8);
  size_t kp = pad8((size_t)kern->chunk);
  kern->k = malloc(sizeof(int) * nk);
  kern->kd = malloc(sizeof(double) * nk);
  kern->acc = calloc(nk * nT * nr, sizeof(double));
  kern->len = malloc(sizeof(int) * nk);
  kern->mpiece = malloc(sizeof(int) * nk);
  kern->mblk = malloc(sizeof(int) * nk);
  kern->mlanes = malloc(nk);
  kern->fin = malloc(sizeof(int) * nT);
  kern->invT = malloc(sizeof(double) * nT);
  kern->l = js_alloc_doubles(kp);
  kern->r = js_alloc_doubles(kp * nr);
  kern->state = calloc(nr * (2 + 2 * nT), sizeof(double));
  kern->aR = malloc(sizeof(double) * nr);
  kern->sums = malloc(sizeof(double) * 5 * nT);
  kern->pa = js_alloc_doubles(kern->stride * (nT + 1));
  kern->pb = js_alloc_doubles(kern->stride * nT);
  kern->lvm = malloc(sizeof(double) * (JS_KERNEL_PIECE + 1));
  kern->lvp = malloc(sizeof(int) * (JS_KERNEL_PIECE + 1));
  kern->todo = malloc(sizeof(int) * kern->stride);
  kern->tlen = malloc(sizeof(int) * kern->stride);
  kern->tidx = malloc(sizeof(int) * kern->stride);
  kern->tblk = malloc(sizeof(int) * JS_PIECE_BLOCKS);
  kern->tlanes = malloc(JS_PIECE_BLOCKS);
  if (!kern->k || !kern->kd || !kern->acc || !kern->len || !kern->mpiece || !kern->mblk || !kern->mlanes || !kern->fin ||
      !kern->invT || !kern->l || !kern->r || !kern->state || !kern->aR || !kern->sums ||
      !kern->pa || !kern->pb || !kern->lvm || !kern->lvp || !kern->todo || !kern->tlen || !kern->tidx ||
      !kern->tblk || !kern->tlanes) {
    js_kernel_free(kern);
    JS_FAIL(JS_ERR_SYS, "out of memory for the selection kernel (chunk=%d, %d k values)",
            chunk, cfg->nk);
  }
  for (int i = 0; i < cfg->nk; i++) /* <= k_max for i < nkd */
    kern->k[i] = (int)cfg->k[i], kern->kd[i] = (double)cfg->k[i];
  marks_make(kern);
  temperatures(kern, cfg);
  return JS_OK;
}

void js_kernel_free(js_kernel *kern) {
  void *p[] = {kern->sums, kern->k, kern->kd, kern->acc, kern->len, kern->mpiece, kern->mblk, kern->mlanes,
               kern->fin, kern->invT, kern->l, kern->r, kern->state, kern->aR, kern->pa,
               kern->pb, kern->lvm, kern->lvp, kern->todo, kern->tlen, kern->tidx, kern->tblk,
               kern->tlanes};
  for (size_t i = 0; i < sizeof p / sizeof *p; i++) free(p[i]);
  memset(kern, 0, sizeof *kern);
}

int js_kernel_chunk(const js_kernel *kern) { return kern->chunk; }

/// Task losses and rewards of the chunk's count candidates.
static void score(js_kernel *kern, const double *restrict z, int count) {
  size_t kp = pad8((size_t)kern->chunk);
  double *restrict l = kern->l, s = kern->s, aT = kern->aT;
#pragma omp simd
  for (int i = 0; i < count; i++) {
    double e = s * z[i] + aT;
    l[i] = e * e;
  }
  for (int r = 0; r < kern->nr; r++) {
    double *restrict rr = kern->r + (size_t)r * kp;
    double a = kern->aR[r];
#pragma omp simd
    for (int i = 0; i < count; i++) {
      double e = s * z[i] + a;
      rr[i] = -(e * e);
    }
  }
}

/// The piece in progress: its candidates [lo, hi) of the chunk, whether it is the point's
/// first, its k values k[ik0 .. ik0 + nb) and their marks.
typedef struct {
  int lo, hi, first, ik0, nb;
  js_marks mk;
} piece_t;

/// Level j of reward rr's piece (computed now if need be): the largest reward of the
/// candidates before level j - 1's first maximum (level 0: the whole piece), and where it
/// first occurs.
static int level(js_kernel *kern, const double *rr, const piece_t *pc, int j) {
  while (kern->nlv <= j) {
    int end = kern->nlv ? kern->lvp[kern->nlv - 1] : pc->hi; /* > lo: see the callers */
    double m = kern->nlv ? js_piece_max(rr, pc->lo, end) : kern->lvm[0]; /* lvm[0]: known */
    kern->lvm[kern->nlv] = m, kern->lvp[kern->nlv++] = js_piece_first(rr, pc->lo, end, m);
  }
  return j;
}

/// The kernel's own sum of cell (k index ik, T index iT, reward r): ik runs fastest.
static inline double *own_cell(const js_kernel *kern, int ik, int iT, int r) {
  return kern->acc + ((size_t)r * kern->nT + iT) * kern->nk + ik;
}

/// Add value v times the point's weight to cell (ik, iT, r).
static inline void add_cell(const js_kernel *kern, int ik, int iT, int r, double v) {
  *own_cell(kern, ik, iT, r) += kern->weight * v;
}

/// The T = 0 cells of the piece's k values: the loss at the first maximum of each prefix
/// (the state's when the state's maximum is at least the prefix's). Dense k values: one pass
/// keeping the running maximum; sparse ones: the levels (a few vector passes).
static void argmax_cells(js_kernel *kern, int r, const piece_t *pc) {
  const double *rr = kern->r + (size_t)r * pad8((size_t)kern->chunk);
  const double *st = kern->state + (size_t)r * state_stride(kern);
  const int *len = kern->len + pc->ik0;
  if (pc->nb * 16 >= pc->hi - pc->lo) {
    double m = pc->first ? -INFINITY : st[0], lm = st[1];
    for (int t = 0, i = pc->lo; t < pc->nb; t++) {
      for (int end = pc->lo + len[t]; i < end; i++)
        if (rr[i] > m) m = rr[i], lm = kern->l[i];
      add_cell(kern, pc->ik0 + t, kern->iT0, r, lm);
    }
    return;
  }
  int j = level(kern, rr, pc, 0);
  for (int t = pc->nb - 1; t >= 0; t--) { /* prefixes shrink: the level only goes down */
    int last = pc->lo + len[t] - 1;
    while (last < kern->lvp[j]) level(kern, rr, pc, ++j); /* lvp[j] > last >= lo */
    double v = pc->first || kern->lvm[j] > st[0] ? kern->l[kern->lvp[j]] : st[1];
    add_cell(kern, pc->ik0 + t, kern->iT0, r, v);
  }
}

/// Factors that put the state (shift M) and sums against shift m on a common shift, per
/// finite T f < nfin from f0: c_old[f], c_new[f] (one is 1; the state's is 0 on a first
/// piece).
static void factors(js_kernel *kern, double M, double m, int first, int f0, int nfin,
                    double *c_old, double *c_new) {
  double *c = kern->sums + 4 * kern->nT;
  if (first) {
    for (int f = 0; f < nfin; f++) c_old[f] = 0.0, c_new[f] = 1.0;
    return;
  }
  for (int f = 0; f < nfin; f++) c[f] = (fmin(M, m) - fmax(M, m)) * kern->invT[f0 + f];
  js_piece_exps(c, nfin, c);
  for (int f = 0; f < nfin; f++) {
    int up = first || m > M;
    c_old[f] = first ? 0.0 : up ? c[f] : 1.0, c_new[f] = up ? 1.0 : c[f];
  }
}

/// Add finite T f's cells for the n prefixes whose sums A[t], B[t] (against a shift with
/// factors co, cn) are trusted; the others' numbers (from idx[t], or t) go to the to-do list,
/// and their count is returned.
static int softmax_add(js_kernel *kern, int r, int f, const piece_t *pc, double co, double cn,
                       const double *restrict A, const double *restrict B, int n,
                       const int *idx) {
  const double *st = kern->state + (size_t)r * state_stride(kern) + 2 + 2 * f;
  double sA = pc->first ? 0.0 : st[0], sB = pc->first ? 0.0 : st[1], w = kern->weight;
  double *cell = own_cell(kern, pc->ik0, kern->fin[f], r);
  int left = 0, t0 = 0;
  if (!idx && n > 0 && kern->k[pc->ik0] == 1) { /* k = 1: the first loss, exactly */
    if (!kern->exact) cell[0] += w * kern->l[pc->lo]; /* exact: the caller adds k = 1 */
    t0 = 1;
  }
  if (!idx) { /* the first pass: prefixes t = t0 .. n - 1 */
    int bad = 0;
    if (pc->first) { /* no state: the prefix's own sums (co = 0, cn = 1) */
#pragma omp simd reduction(+ : bad)
      for (int t = t0; t < n; t++) {
        int ok = A[t] >= SUM_MIN;
        cell[t] += ok ? w * (B[t] / A[t]) : 0.0, bad += !ok; /* + 0: the same bits */
      }
    } else {
#pragma omp simd reduction(+ : bad)
      for (int t = t0; t < n; t++) {
        double D = sA * co + A[t] * cn, v = (sB * co + B[t] * cn) / D;
        int ok = D >= SUM_MIN;
        cell[t] += ok ? w * v : 0.0, bad += !ok; /* + 0: the same bits */
      }
    }
    for (int t = t0; bad && t < n; t++)
      if (!(sA * co + A[t] * cn >= SUM_MIN)) kern->todo[left++] = t;
    return left;
  }
  for (int t = t0; t < n; t++) {
    double D = sA * co + A[t] * cn;
    if (D >= SUM_MIN) cell[idx[t]] += w * ((sB * co + B[t] * cn) / D);
    else kern->todo[left++] = idx[t];
  }
  return left;
}

/// Finite T f's prefixes left on its to-do list, level after level: each summed again
/// against the largest reward before the previous level's first maximum.
static void softmax_levels(js_kernel *kern, int r, int f, const piece_t *pc, int left) {
  const double *rr = kern->r + (size_t)r * pad8((size_t)kern->chunk);
  double M = kern->state[(size_t)r * state_stride(kern)], Atot, Btot, co, cn;
  double *A = kern->pa + (size_t)kern->nT * kern->stride, *B = kern->pb + (size_t)f * kern->stride;
  for (int j = 1; left > 0; j++) { /* a prefix left out ends before level j - 1's maximum */
    level(kern, rr, pc, j);
    for (int t = 0; t < left; t++) kern->tlen[t] = kern->len[pc->ik0 + kern->todo[t]];
    js_marks mk = {0, 0, kern->tblk, kern->tlanes};
    js_marks_set(&mk, kern->tlen, left);
    int *idx = kern->tidx; /* the to-do list's numbers, kept while the list is refilled */
    memcpy(idx, kern->todo, sizeof(int) * (size_t)left);
    js_piece_weights(rr, kern->l, pc->lo, pc->lo + kern->len[pc->ik0 + idx[left - 1]],
                     kern->lvm[j], kern->invT + f, 1, &mk, kern->stride, A, B, &Atot, &Btot);
    factors(kern, M, kern->lvm[j], pc->first, f, 1, &co, &cn);
    left = softmax_add(kern, r, f, pc, co, cn, A, B, left, idx);
  }
}

/// The finite-T cells of the piece's k values, and the piece's sums merged into the state.
static void softmax_cells(js_kernel *kern, int r, const piece_t *pc) {
  const double *rr = kern->r + (size_t)r * pad8((size_t)kern->chunk);
  double *st = kern->state + (size_t)r * state_stride(kern);
  int nfin = kern->nfin, nT = kern->nT;
  double *Atot = kern->sums, *Btot = Atot + nT, *co = Btot + nT, *cn = co + nT;
  js_piece_weights(rr, kern->l, pc->lo, pc->hi, kern->lvm[0], kern->invT, nfin, &pc->mk,
                   kern->stride, kern->pa, kern->pb, Atot, Btot);
  factors(kern, st[0], kern->lvm[0], pc->first, 0, nfin, co, cn);
  for (int f = 0; f < nfin; f++) {
    size_t at = (size_t)f * kern->stride;
    int left = softmax_add(kern, r, f, pc, co[f], cn[f], kern->pa + at, kern->pb + at,
                           pc->nb, NULL);
    if (left) softmax_levels(kern, r, f, pc, left);
  }
  for (int f = 0; f < nfin; f++) {
    double *s = st + 2 + 2 * f;
    s[0] = pc->first ? Atot[f] : s[0] * co[f] + Atot[f] * cn[f];
    s[1] = pc->first ? Btot[f] : s[1] * co[f] + Btot[f] * cn[f];
  }
}

/// Reward r's cells of the piece's k values, then its running state.
static void reward_piece(js_kernel *kern, int r, const piece_t *pc) {
  const double *rr = kern->r + (size_t)r * pad8((size_t)kern->chunk);
  double *st = kern->state + (size_t)r * state_stride(kern);
  double mx = js_piece_max(rr, pc->lo, pc->hi);
  kern->nlv = 0, kern->lvm[0] = mx; /* where it first occurs: when asked (level) */
  if (kern->iT0 >= 0) argmax_cells(kern, r, pc);
  if (kern->nfin > 0) softmax_cells(kern, r, pc);
  if (pc->first || mx > st[0]) {
    st[0] = mx;
    if (kern->iT0 >= 0) st[1] = kern->l[kern->lvp[level(kern, rr, pc, 0)]];
  }
}

/// The T = inf cells of the piece's k values: the mean loss of each prefix.
static void mean_cells(js_kernel *kern, const piece_t *pc) {
  double *restrict ps = kern->pa + (size_t)kern->nT * kern->stride, suml = kern->suml;
  double tot = js_piece_sums(kern->l, pc->lo, pc->hi, &pc->mk, ps);
  const double *restrict kd = kern->kd + pc->ik0;
#pragma omp simd
  for (int t = 0; t < pc->nb; t++) ps[t] = (suml + ps[t]) / kd[t];
  for (int t = 0; t < pc->nb; t++)
    for (int r = 0; r < kern->nr; r++) add_cell(kern, pc->ik0 + t, kern->iTinf, r, ps[t]);
  kern->suml += tot;
}

void js_kernel_begin(js_kernel *kern, double s, double aT, const double *aR) {
  kern->s = s, kern->aT = aT;
  memcpy(kern->aR, aR, sizeof(double) * (size_t)kern->nr);
  kern->at = 0, kern->ik = 0, kern->im = 0, kern->suml = 0.0, kern->weight = 1.0;
}

void js_kernel_weight(js_kernel *kern, double weight) { kern->weight = weight; }

/// How many of the n ascending values v are at most x (a binary search).
static int count_upto(const int *v, int n, long long x) {
  int lo = 0, hi = n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (v[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void js_kernel_feed(js_kernel *kern, const double *z, int count) {
  score(kern, z, count);
  for (int lo = 0; lo < count;) {
    int from = kern->at + lo, p = from / JS_KERNEL_PIECE;
    long long to = (p + 1LL) * JS_KERNEL_PIECE; /* the piece ends at the next multiple */
    if (to > kern->at + count) to = kern->at + count; /* or at the chunk's end */
    piece_t pc = {lo, (int)(to - kern->at), from == 0, kern->ik, 0, {0, 0, NULL, NULL}};
    pc.nb = count_upto(kern->k + kern->ik, kern->nkd - kern->ik, to); /* its k values */
    int m0 = kern->im;
    kern->im += count_upto(kern->mpiece + m0, kern->nmk - m0, p); /* and their marks */
    pc.mk = (js_marks){pc.nb, kern->im - m0, kern->mblk + m0, kern->mlanes + m0};
    if (kern->iTinf >= 0) mean_cells(kern, &pc);
    for (int r = 0; r < kern->nr; r++) reward_piece(kern, r, &pc);
    kern->ik += pc.nb;
    lo = pc.hi;
  }
  kern->at += count;
}

void js_kernel_point(js_kernel *kern, double s, double aT, const double *aR, const double *z) {
  js_kernel_begin(kern, s, aT, aR);
  for (int at = 0, count; at < kern->kmax; at += count) {
    count = kern->kmax - at < kern->chunk ? kern->kmax - at : kern->chunk;
    js_kernel_feed(kern, z + at, count);
  }
}

void js_kernel_clear(js_kernel *kern) {
  memset(kern->acc, 0, sizeof(double) * (size_t)kern->nk * kern->nT * kern->nr);
}

void js_kernel_flush(js_kernel *kern, double *acc) {
  int nk = kern->nk, nT = kern->nT, nr = kern->nr;
  for (int r = 0; r < nr; r++)
    for (int iT = 0; iT < nT; iT++)
      for (int ik = 0; ik < nk; ik++)
        acc[((size_t)ik * nT + iT) * nr + r] += *own_cell(kern, ik, iT, r);
  js_kernel_clear(kern);
}

const double *js_kernel_losses(const js_kernel *kern) { return kern->l; }

const double *js_kernel_rewards(const js_kernel *kern) { return kern->r; }

size_t js_kernel_stride(const js_kernel *kern) { return pad8((size_t)kern->chunk); }
