/// \file cost.h
/// The one cost model of a study's work, in estimated seconds of one core (measured on the
/// reference machine; it orders and batches the work, paces the progress line and the
/// units' stop polls, and never touches a result). A Monte Carlo unit is its fit (training
/// rows, then the posterior solve) plus its test points (inputs and predictions, the exact
/// best-of-k cells, candidates); a theory piece is one node of the outer integral.
#ifndef JS_COST_H
#define JS_COST_H

#include "study/config.h"

/// Streaming `rows` training inputs of dimension d into the posterior.
double js_cost_train_rows(int d, double rows);
/// The posterior solve (Cholesky factor and mean) at dimension d.
double js_cost_solve(int d);
/// Drawing and predicting `points` test points of dimension d.
double js_cost_points(int d, double points);
/// One test point's exact cells (the exact best-of-k estimator), when the study has them.
double js_cost_exact_point(const js_config *cfg);
/// One candidate: its normal and its scores for every judge and finite T.
double js_cost_candidate(const js_config *cfg);
/// A Monte Carlo unit of `points` test points at (d, n).
double js_cost_mc_unit(const js_config *cfg, int d, int n, double points);
/// A theory piece at T = 0 (finite = 0) or at finite T (finite = 1).
double js_cost_theory_piece(const js_config *cfg, int finite);

#endif
