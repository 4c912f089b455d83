/// \file posterior.h
/// Linear algebra of one trial (the only user of BLAS/LAPACK): teacher directions, labels,
/// the Bayesian-linear-regression posterior and its predictions at blocks of test inputs.
/// Matrices are column-major.
#ifndef JS_POSTERIOR_H
#define JS_POSTERIOR_H

#include "core/error.h"

typedef struct {
  int d;
  double sigma;
  double *L; ///< d x d: P = X^T X/(d sigma^2) + I/gamma^2 accumulates here while the fit
             ///< runs; after it, P's lower Cholesky factor L, or L^-1 when inverted
  int inverted; ///< L holds L^-1
  double *W; ///< d x 3: columns mu_w, w_T, w_perp
} js_posterior;

/// Pin BLAS to one thread per rank (results then do not depend on threading).
void js_linalg_init(void);
/// The BLAS kernel in use (OpenBLAS chooses one for the CPU at run time).
const char *js_linalg_core(void);
/// The BLAS/LAPACK library the build uses, with its version where it reports one.
const char *js_linalg_library(void);
/// Allocate a posterior for dimension d and label noise sigma (64-byte aligned).
js_status js_posterior_alloc(int d, double sigma, js_posterior *post);
/// Free a posterior's arrays.
void js_posterior_free(js_posterior *post);
/// From normals z1, z2 (length d) set w_T = sqrt(d) z1/|z1| (tau = 0: the sphere) or
/// w_T = tau z1 (tau > 0: w_T ~ N(0, tau^2 I)), and w_perp orthogonal to it with |w_T|'s norm,
/// into columns 1 and 2 of post->W.
js_status js_teacher_make(js_posterior *post, const double *z1, const double *z2, double tau);
/// Start the fit: zero the accumulated precision and X^T y.
void js_posterior_begin(js_posterior *post);
/// Labels of R training inputs (columns of Xb, d x R): y = Xb^T w_T / sqrt(d) + sigma eta,
/// where y holds the noise eta on entry.
void js_labels(const js_posterior *post, const double *Xb, int R, double *y);
/// Add R training inputs (columns of Xb, d x R) and their labels y to the fit: the precision
/// gains Xb Xb^T / (d sigma^2) (dsyrk), X^T y gains Xb y / (sqrt(d) sigma^2).
void js_posterior_add(js_posterior *post, const double *Xb, int R, const double *y);
/// Finish the fit: add I/gamma^2, factor the precision, solve for the posterior mean, and
/// invert the factor in place when the fit will predict points >= d test points (the
/// inversion costs about what d points cost without it); ctx names the unit on failure.
js_status js_posterior_solve(js_posterior *post, double gamma, int points, const char *ctx);
/// Importance-sample B test inputs (columns of Xt, d x B, drawn N(0, S^2 I)): scale each
/// one's component along the posterior error mu_w - w_T by tilt and set weight[j] to its
/// likelihood ratio tilt exp(-y^2 (1 - 1 / tilt^2) / 2), y = the new component / S, so that
/// weighted means are unbiased. e is d scratch.
void js_posterior_tilt(const js_posterior *post, double *Xt, int B, double S, double tilt,
                       double *e, double *weight);
/// For B test inputs (columns of Xt, d x B, overwritten): predictive mean m, variance s2,
/// teacher mean muT and orthogonal projection p = w_perp.x/sqrt(d); proj is 3*B scratch.
js_status js_posterior_predict(const js_posterior *post, double *Xt, int B, double *proj,
                               double *m, double *s2, double *muT, double *p);

#endif
