/// \file piece.h
/// Reductions over one piece [lo, hi) of a chunk of scored candidates, the selection
/// kernel's inner loops: the largest reward and where it first occurs, and the loss sums and
/// softmax weight sums of the piece and of its marked prefixes [lo, lo + len) (the k values
/// falling in the piece). Candidates are taken in blocks of 8 from lo; a prefix's sum is the
/// sum of the blocks before its last block, summed lane by lane and then across the lanes,
/// plus the running sum of its last block up to its end. So a prefix's value depends only on
/// the candidates and its length, not on which other prefixes are marked, and a piece costs
/// about the same with one mark or with every candidate marked. On AVX-512 a block is one
/// register (the last one masked); elsewhere portable loops. Each gives the same bits for the
/// same input on one binary.
#ifndef JS_PIECE_H
#define JS_PIECE_H

#include <stddef.h>

/// Exponents below this are clamped: exp(-700) ~ 1e-304 is negligible beside a piece's
/// largest weight, exactly 1, and keeps every exp on its fast path.
#define JS_EXP_FLOOR (-700.0)

/// The marked prefixes of a piece, as the blocks of 8 holding their last candidates.
typedef struct {
  int n;                ///< marked prefixes
  int nblk;             ///< blocks holding the end of at least one
  int *blk;             ///< those blocks' numbers from lo, ascending (room: JS_PIECE_BLOCKS)
  unsigned char *lanes; ///< per such block, the lanes that end a prefix (bit j: lane j)
} js_marks;

/// Blocks of 8 in the longest piece (the kernel's JS_KERNEL_PIECE / 8).
#define JS_PIECE_BLOCKS 512

/// Mark the n prefixes of lengths len[0] < len[1] < ... (each in 1..8 x JS_PIECE_BLOCKS).
void js_marks_set(js_marks *mk, const int *len, int n);

/// Largest of rr over [lo, hi) (hi > lo).
double js_piece_max(const double *rr, int lo, int hi);
/// The first i in [lo, hi) with rr[i] == mx (lo if there is none).
int js_piece_first(const double *rr, int lo, int hi, double mx);
/// Sum of l over [lo, hi), returned, and over each marked prefix into out[t] (out has room
/// for mk->n + 8 values).
double js_piece_sums(const double *l, int lo, int hi, const js_marks *mk, double *out);
/// For each of the nfin inverse temperatures invT[f]: with w = exp(max((rr - mx) invT[f],
/// JS_EXP_FLOOR)) (mx at least every reward of the piece, so w <= 1), A = sum w and B = sum
/// l w over [lo, hi) into Atot[f], Btot[f] and over each marked prefix t into
/// A[f * stride + t], B[f * stride + t] (stride >= mk->n + 8). Three temperatures a pass.
void js_piece_weights(const double *rr, const double *l, int lo, int hi, double mx,
                      const double *invT, int nfin, const js_marks *mk, size_t stride,
                      double *A, double *B, double *Atot, double *Btot);
/// y[i] = exp(max(x[i], JS_EXP_FLOOR)) for n arguments x[i] <= 0 (the merge's rescaling);
/// y may be x.
void js_piece_exps(const double *x, int n, double *y);

#endif
