/// \file bestofk.h
/// Best-of-k without candidates (docs/model.md, "Estimators"): for one test point, the exact
/// conditional expectation of the loss of the candidate nearest the judge's target among k
/// i.i.d. N(m, s^2) draws, for every k of the grid at once. It is an integral over the
/// nearest distance, whose law is known in closed form; its cost does not depend on k
/// (k up to 2^53), and it removes the candidates' noise from the T = 0 cells.
#ifndef JS_BESTOFK_H
#define JS_BESTOFK_H

#include "core/error.h"

/// Largest k the exact estimator takes (every integer up to it is a double).
#define JS_BESTOFK_KMAX 9007199254740992.0

typedef struct {
  int nk;          ///< k values (ascending, >= 1)
  double *k;       ///< their values as doubles
  double *t, *w;   ///< quadrature nodes and weights (scratch)
  double *m1, *m2; ///< per-k moments (scratch)
  double *scratch; ///< 3 x cap: log S and the two integrands at the nodes
  int cap;         ///< capacity of t and w
} js_bestofk;

/// Set up for the ascending k values k[0..nk) (copied).
js_status js_bestofk_init(js_bestofk *b, const double *k, int nk);
/// Release the scratch.
void js_bestofk_free(js_bestofk *b);
/// Standardised moments: u ~ N(a, 1) (a >= 0), the nearest to 0 of k[j] draws, t = |u|:
/// m1[j] = E[t tanh(a t)] (= E[u] of the nearest) and m2[j] = E[t^2] (= E[u^2]).
void js_bestofk_moments(js_bestofk *b, double a, double *m1, double *m2);
/// One test point with spread s, aT = m - mu_T and aR = m - mu_R: the expected loss
/// (Y - mu_T)^2 of the best-of-k candidate for every k, times weight, added to
/// acc[j * stride].
void js_bestofk_point(js_bestofk *b, double s, double aT, double aR, double weight,
                      double *acc, size_t stride);

#endif
