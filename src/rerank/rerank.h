/// \file rerank.h
/// judgesim rerank's estimates: one question's exact curves (a work unit: subsets.h), and
/// their summary over questions, each question weighted equally: means with standard errors
/// and 95% bootstrap intervals (resampling questions), the optimal k per T and T per k, the
/// theory's covariance terms and large-T expansion, and the best-of-k law fitted at T = 0.
#ifndef JS_RERANK_H
#define JS_RERANK_H

#include <stdint.h>

#include "core/error.h"
#include "rerank/subsets.h"

/// What to estimate.
typedef struct {
  int nk, nT;
  const int *k;      ///< ascending, >= 1
  const double *T;   ///< ascending: 0, positive, INFINITY
  int boot;          ///< bootstrap resamples (>= 20)
  long seed;         ///< of the bootstrap stream
  int fit_lo, fit_hi; ///< k window of the best-of-k fit (inclusive)
} js_rerank_opts;

/// Doubles in one question's result (see js_rerank_question).
int js_rerank_payload(const js_rerank_opts *o);
/// One question's result: delta[T][k], then oracle[k], then mu_l, mu_r, Cov(l, r),
/// Cov(l, (r - mu_r)^2), and 1 when its samples' losses differ (the choice can matter).
js_status js_rerank_question(const js_rerank_opts *o, const js_question *q, double *payload);

/// The summary over questions (intervals: 95% bootstrap percentiles; edge: the estimate is
/// at an end of its axis, so the optimum may lie beyond it).
typedef struct {
  int nq, nk, nT, boot;
  double *delta, *delta_se, *delta_lo, *delta_hi;     ///< [T][k]
  double *oracle, *oracle_se, *oracle_lo, *oracle_hi; ///< [k]
  double *expand1, *expand2;                          ///< [T][k] large-T expansion, orders 1, 2
  double *k_opt, *k_lo, *k_hi;                        ///< [T]
  signed char *k_edge;
  double *T_opt, *T_lo, *T_hi;                        ///< [k]
  signed char *T_edge;
  double mom[4], mom_se[4];   ///< means over questions of mu_l, mu_r, Cov(l,r), Cov(l,(r-mu_r)^2)
  double help_share;          ///< of the questions where the choice can matter, the share
                              ///< with Cov(l, r) < 0 (the judge helps to first order in 1/T)
  int nmatter;                ///< questions whose samples' losses differ
  double *gain, *gain_lo, *gain_hi; ///< [T][k] delta - mu_l: against a uniform pick, paired
                                    ///< (one resample of the questions for both), 95% interval
  int *helps, *hurts;         ///< [T][k] questions where the pick beats / loses to a uniform one
  int fit_n;                  ///< k values in the fit (0: no fit)
  double expo, expo_lo, expo_hi; ///< delta(T = 0) ~ A k^-expo over the window
  double beta, beta_lo, beta_hi; ///< 2 / expo - 1
  double A, A_lo, A_hi;
} js_rerank_summary;

/// Summarise nq questions' results (payload rows as js_rerank_question writes them).
js_status js_rerank_summarize(const js_rerank_opts *o, int nq, const double *rows,
                              js_rerank_summary *s);
/// Free a summary.
void js_rerank_summary_free(js_rerank_summary *s);

#endif
