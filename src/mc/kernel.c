/// \file kernel.c
/// Softmax reranking of k_max candidates for all (k, T, reward) cells at once.
/// The k axis cuts the candidates into segments (k_{j-1}, k_j], and multiples of
/// JS_KERNEL_PIECE cut them further into pieces; each piece is reduced with its own reward
/// maximum as the shift (so its weight sum is >= 1), pieces are merged log-sum-exp style into
/// a running state, and a cell is added when its segment is complete. Candidates arrive in
/// chunks (a multiple of the piece), so the pieces, hence the results, do not depend on the
/// chunk. Each candidate costs one exp per finite (T, reward) pair.
#include "mc/kernel.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/env.h"
#include "core/numutil.h"
#include "mc/piece.h"

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
  kern->k = malloc(sizeof(int) * (size_t)cfg->nk);
  if (kern->k)
    for (int i = 0; i < cfg->nk; i++) kern->k[i] = (int)cfg->k[i]; /* <= k_max here */
  kern->fin = malloc(sizeof(int) * (size_t)cfg->nT);
  kern->invT = malloc(sizeof(double) * (size_t)cfg->nT);
  size_t kp = pad8((size_t)kern->chunk);
  kern->l = js_alloc_doubles(kp);
  kern->r = js_alloc_doubles(kp * (size_t)cfg->nr);
  kern->state = malloc(sizeof(double) * (size_t)cfg->nr * (2 + 2 * (size_t)cfg->nT));
  kern->aR = malloc(sizeof(double) * (size_t)cfg->nr);
  kern->sums = malloc(sizeof(double) * 3 * (size_t)cfg->nT);
  if (!kern->sums || !kern->k || !kern->fin || !kern->invT || !kern->l || !kern->r || !kern->state || !kern->aR)
    js_kernel_free(kern);
  JS_CHECK(kern->l != NULL, JS_ERR_SYS, "out of memory for the selection kernel (chunk=%d)",
           kern->chunk);
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
  return JS_OK;
}

void js_kernel_free(js_kernel *kern) {
  free(kern->sums);
  free(kern->k);
  free(kern->fin);
  free(kern->invT);
  free(kern->l);
  free(kern->r);
  free(kern->state);
  free(kern->aR);
  kern->sums = NULL, kern->k = NULL, kern->fin = NULL, kern->invT = NULL, kern->l = kern->r = kern->state = kern->aR = NULL;
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

/// Merge piece [lo, hi) of the chunk (first: the point's first piece) into reward r's
/// running state.
static void merge_piece(js_kernel *kern, int r, int lo, int hi, int first) {
  size_t kp = pad8((size_t)kern->chunk);
  const double *rr = kern->r + (size_t)r * kp, *l = kern->l;
  double *st = kern->state + (size_t)r * state_stride(kern);
  double mx = js_piece_max(rr, lo, hi);
  double Mold = st[0], Mnew = first || mx > Mold ? mx : Mold;
  if (kern->iT0 >= 0 && (first || mx > Mold)) st[1] = js_piece_at_first(rr, l, lo, hi, mx);
  int nfin = kern->nfin;
  double *A = kern->sums, *B = A + nfin, *c = B + nfin;
  js_piece_weights(rr, l, lo, hi, mx, kern->invT, nfin, A, B);
  if (first) {
    for (int f = 0; f < nfin; f++) st[2 + 2 * f] = A[f], st[3 + 2 * f] = B[f];
  } else { /* Mnew is Mold or mx, so one factor is exp(0) = 1 exactly: one exp per T */
    int up = mx > Mold;
    for (int f = 0; f < nfin; f++) c[f] = ((up ? Mold : mx) - Mnew) * kern->invT[f];
    js_piece_exps(c, nfin, c);
    for (int f = 0; f < nfin; f++) {
      double c_old = up ? c[f] : 1.0, c_new = up ? 1.0 : c[f];
      st[2 + 2 * f] = st[2 + 2 * f] * c_old + A[f] * c_new;
      st[3 + 2 * f] = st[3 + 2 * f] * c_old + B[f] * c_new;
    }
  }
  st[0] = Mnew;
}

/// The candidates fed so far complete prefix k_ik: add its cells.
static void emit(const js_kernel *kern, double *acc) {
  int nr = kern->nr, hi = kern->k[kern->ik];
  if (hi == 1 && kern->exact) return; /* exact: the caller adds the k = 1 cells */
  double *cell = acc + (size_t)kern->ik * kern->nT * nr, w = kern->weight; /* w x: exact */
  for (int r = 0; r < nr; r++) { /* for w = 1 */
    const double *st = kern->state + (size_t)r * state_stride(kern);
    if (kern->iTinf >= 0) cell[kern->iTinf * nr + r] += w * (kern->suml / hi);
    if (kern->iT0 >= 0) cell[kern->iT0 * nr + r] += w * st[1];
    for (int f = 0; f < kern->nfin; f++)
      cell[kern->fin[f] * nr + r] += w * (st[3 + 2 * f] / st[2 + 2 * f]);
  }
}

void js_kernel_begin(js_kernel *kern, double s, double aT, const double *aR) {
  kern->s = s, kern->aT = aT;
  memcpy(kern->aR, aR, sizeof(double) * (size_t)kern->nr);
  kern->at = 0, kern->ik = 0, kern->suml = 0.0, kern->weight = 1.0;
}

void js_kernel_weight(js_kernel *kern, double weight) { kern->weight = weight; }

void js_kernel_feed(js_kernel *kern, const double *z, int count, double *acc) {
  score(kern, z, count);
  for (int lo = 0; lo < count && kern->ik < kern->nk;) {
    int from = kern->at + lo, seg = kern->k[kern->ik];
    long long to = (from / JS_KERNEL_PIECE + 1LL) * JS_KERNEL_PIECE; /* the piece ends at */
    if (to > seg) to = seg;                           /* the next multiple, the segment's */
    if (to > kern->at + count) to = kern->at + count; /* end or the chunk's end */
    int hi = (int)(to - kern->at);
    if (kern->iTinf >= 0) kern->suml += js_piece_sum(kern->l, lo, hi); /* T = inf only */
    for (int r = 0; r < kern->nr; r++) merge_piece(kern, r, lo, hi, from == 0);
    if (to == seg) emit(kern, acc), kern->ik++;
    lo = hi;
  }
  kern->at += count;
}

void js_kernel_point(js_kernel *kern, double s, double aT, const double *aR, const double *z,
                     double *acc) {
  js_kernel_begin(kern, s, aT, aR);
  for (int at = 0, count; at < kern->kmax; at += count) {
    count = kern->kmax - at < kern->chunk ? kern->kmax - at : kern->chunk;
    js_kernel_feed(kern, z + at, count, acc);
  }
}

const double *js_kernel_losses(const js_kernel *kern) { return kern->l; }

const double *js_kernel_rewards(const js_kernel *kern) { return kern->r; }

size_t js_kernel_stride(const js_kernel *kern) { return pad8((size_t)kern->chunk); }
