/// \file piece.h
/// Reductions over one piece [lo, hi) of a chunk of scored candidates, the selection
/// kernel's inner loops: the loss sum, the largest reward and the loss where it first
/// occurs, and the softmax weight sums for every finite temperature. On AVX-512 they run 8
/// candidates a step with the last step masked, so the short pieces of small k pay no loop
/// prologue; elsewhere they are portable vectorized loops. Each gives the same bits for the
/// same input on one binary.
#ifndef JS_PIECE_H
#define JS_PIECE_H

/// Exponents below this are clamped: exp(-700) ~ 1e-304 is negligible beside a piece's
/// largest weight, exactly 1, and keeps every exp on its fast path.
#define JS_EXP_FLOOR (-700.0)

/// Sum of l over [lo, hi).
double js_piece_sum(const double *l, int lo, int hi);
/// Largest of rr over [lo, hi) (hi > lo).
double js_piece_max(const double *rr, int lo, int hi);
/// l at the first i in [lo, hi) with rr[i] == mx (l[lo] if there is none).
double js_piece_at_first(const double *rr, const double *l, int lo, int hi, double mx);
/// For each of the nfin inverse temperatures invT[f]: A[f] = sum exp((rr - mx) invT[f]) and
/// B[f] = sum l exp((rr - mx) invT[f]) over [lo, hi), exponents clamped at JS_EXP_FLOOR (mx:
/// the piece's largest reward, so every exponent is <= 0). Three temperatures per pass.
void js_piece_weights(const double *rr, const double *l, int lo, int hi, double mx,
                      const double *invT, int nfin, double *A, double *B);
/// y[i] = exp(max(x[i], JS_EXP_FLOOR)) for n arguments x[i] <= 0 (the merge's rescaling);
/// y may be x.
void js_piece_exps(const double *x, int n, double *y);

#endif
