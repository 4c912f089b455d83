/// \file kernel.h
/// The selection kernel: for one test point, score the same k_max candidates for every
/// (k, T, reward) cell and add each cell's reranked loss sum_i p_i l_i to an accumulator.
/// Candidates come in chunks, so memory does not grow with k_max.
/// T = 0 is exactly the argmax, T = inf exactly the mean; finite T uses a per-piece
/// shift (and closer ones where it must) so tiny T neither overflows nor divides 0 by 0.
/// A point's cost hardly depends on how many k values there are. With the exact best-of-k estimator
/// (js_config_exact) the kernel leaves the T = 0, T = inf and k = 1 cells to the caller.
#ifndef JS_KERNEL_H
#define JS_KERNEL_H

#include "study/config.h"
#include "core/error.h"

/// Candidates are reduced in pieces that end at multiples of JS_KERNEL_PIECE (and at k_max):
/// the pieces fix the summation order, so the results do not depend on the chunk.
#define JS_KERNEL_PIECE 4096
/// Candidates scored per chunk by default (a multiple of JS_KERNEL_PIECE; scratch stays in
/// cache); JUDGESIM_KERNEL_CHUNK=C sets another multiple (same results, other memory).
#define JS_KERNEL_CHUNK 16384

typedef struct {
  int nk, nT, nr, kmax; ///< kmax: candidates per test point (js_config_kdraw)
  int nkd;              ///< k values up to kmax (the others are not the kernel's)
  int *k;               ///< ascending k values
  double *kd;           ///< the same as doubles
  int exact;            ///< the exact estimator serves T = 0, T = inf and k = 1
  int iT0, iTinf;       ///< index of T = 0 and T = inf in the T axis, or -1
  int nfin;             ///< number of finite positive T
  int *fin;             ///< their indices in the T axis
  double *invT;         ///< their 1/T
  int chunk;            ///< candidates per chunk, at most
  double *l;            ///< chunk task losses (scratch)
  double *r;            ///< nr x chunk rewards (scratch)
  double *state;        ///< running per-reward state (scratch)
  double *sums;         ///< a piece's weight sums and merge factors per finite T (scratch)
  int *len;             ///< each k's length within its piece
  int nmk, *mpiece, *mblk; ///< the k values' marks (piece.h): entries; piece and block of each
  unsigned char *mlanes;///< and its lanes
  size_t stride;        ///< room per row of prefix sums: min(nk, JS_KERNEL_PIECE) + 8, padded
  double *pa, *pb;      ///< prefix weight sums A and B per finite T (+ a row of loss sums)
  double *lvm;          ///< the piece's levels (kernel.c): largest reward,
  int *lvp, nlv;        ///< where it first occurs, and how many are known
  int *todo, *tlen, *tidx, *tblk; ///< prefixes to sum again, and their marks (scratch)
  unsigned char *tlanes;
  double s, aT, *aR;    ///< the point in progress: spread, m - mu_T, m - mu_R per reward
  int at, ik, im;       ///< candidates fed so far; the next k value and its marks' entry
  double suml;          ///< sum of the losses fed so far (with a T = inf cell)
  double weight;        ///< the point's weight (importance-sampled test inputs; else 1)
  double *acc;          ///< the cells' sums since the last flush, k fastest (js_kernel_flush)
} js_kernel;

/// Largest chunk JUDGESIM_KERNEL_CHUNK may set.
#define JS_KERNEL_CHUNK_MAX (1L << 24)

/// Set up a kernel for a study's k, T and reward axes, drawing and scoring candidates in
/// chunks of min(k_max, chunk) (a positive multiple of JS_KERNEL_PIECE; scratch of
/// O(nr x chunk)); only for studies that draw candidates (js_config_kdraw > 0).
js_status js_kernel_init(js_kernel *kern, const js_config *cfg, int chunk);
/// The chunk: JUDGESIM_KERNEL_CHUNK (a multiple of JS_KERNEL_PIECE up to
/// JS_KERNEL_CHUNK_MAX), else JS_KERNEL_CHUNK; a malformed value is an input error.
js_status js_kernel_chunk_knob(int *chunk);
/// Free a kernel's scratch.
void js_kernel_free(js_kernel *kern);
/// Candidates per chunk (what js_kernel_feed takes at most).
int js_kernel_chunk(const js_kernel *kern);
/// Start a test point: candidates Y_i = m + s z_i; aT = m - mu_T, aR[r] = m - mu_R for
/// each reward; its cells are added with weight 1.
void js_kernel_begin(js_kernel *kern, double s, double aT, const double *aR);
/// Add the point's cells times weight instead (after js_kernel_begin).
void js_kernel_weight(js_kernel *kern, double weight);
/// Score the point's next count (<= chunk) candidates from their standard normals z and add
/// each cell whose k they complete, its reranked loss times the point's weight, to the
/// kernel's own sums.
void js_kernel_feed(js_kernel *kern, const double *z, int count);
/// A whole point at once (z: k_max standard normals): begin, then feed chunk by chunk.
void js_kernel_point(js_kernel *kern, double s, double aT, const double *aR, const double *z);
/// Add the kernel's sums to acc[(ik * nT + iT) * nr + r] and zero them. Each cell's sum is
/// the points' terms added in order from 0, so flushing into zeros gives the same bits as
/// adding each term to acc.
void js_kernel_flush(js_kernel *kern, double *acc);
/// Zero the kernel's sums (a unit starting again).
void js_kernel_clear(js_kernel *kern);

/// After js_kernel_feed: the chunk's task losses, and the rewards of judge r at
/// rewards[r * js_kernel_stride(kern) + i].
const double *js_kernel_losses(const js_kernel *kern);
const double *js_kernel_rewards(const js_kernel *kern);
size_t js_kernel_stride(const js_kernel *kern);

#endif
