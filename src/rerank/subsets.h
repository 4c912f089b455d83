/// \file subsets.h
/// Exact expectations over the k-subsets of one question's samples (judgesim rerank).
/// A question has N samples, each with a loss l and a judge's reward r. Drawing k of them
/// uniformly without replacement and letting the judge select one (softmax of r / T) gives
/// the selected sample's loss; these functions return its expectation over all C(N, k)
/// subsets, in closed form, with no sampling noise:
///  - T = 0: best of k, ties in r broken uniformly: a sum over the tie groups of r;
///  - T = inf, or k = 1: the mean loss;
///  - finite T: 1/W = integral of e^(-tW) dt turns the softmax ratio into products over the
///    subset, whose sums over all subsets are elementary symmetric polynomials (a dynamic
///    programme over the samples in order of r); the integral runs on a uniform grid in
///    log t, split by the subset's top sample so any spread of r / T stays in range
///    (relative error below 1e-9, see docs/model.md);
///  - the oracle: the expected smallest loss in the subset (like pass@k).
/// Results depend only on the samples as a multiset (not on their order in the input).
#ifndef JS_SUBSETS_H
#define JS_SUBSETS_H

#include "core/error.h"

/// One question's samples (n >= 1; loss and reward finite).
typedef struct {
  int n;
  const double *loss, *reward;
} js_question;

/// The per-question moments of the large-T expansion: mean loss, mean reward, Cov(l, r)
/// and Cov(l, (r - mu_r)^2) = E[(l - mu_l)(r - mu_r)^2], as unbiased estimates from the N
/// samples (factors N/(N-1) and N^2/((N-1)(N-2)) on the plug-in moments; NaN below 2 and
/// 3 samples). With these the expansion agrees with the exact k-subset curve to order 1/T^2.
typedef struct {
  double mu_l, mu_r, cov_lr, cov_lr2;
} js_moments;

/// Expected loss of the judge's pick over uniform k-subsets: out[iT * nk + ik] for every
/// k[ik] (1 <= k <= n) and T[iT] (0, positive, or INFINITY).
js_status js_subsets_delta(const js_question *q, int nk, const int *k, int nT, const double *T,
                           double *out);
/// Expected smallest loss over uniform k-subsets (the oracle): out[ik].
js_status js_subsets_oracle(const js_question *q, int nk, const int *k, double *out);
/// The moments of the large-T expansion.
js_moments js_subsets_moments(const js_question *q);
/// The expansion to second order in 1/T: mu_l + ((k-1)/k) Cov(l,r)/T
/// + ((k-1)(k-2)/(2k^2)) Cov(l,(r-mu_r)^2)/T^2 (order 1 or 2).
double js_subsets_expansion(const js_moments *m, int k, double T, int order);

#endif
