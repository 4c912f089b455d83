/// \file posterior.c
/// BLAS/LAPACK (OpenBLAS, LAPACKE) for the posterior: dsyrk and dgemv accumulated over
/// blocks of training inputs, then dpotrf + dpotrs (+ dtrtri) to fit; dgemm + dtrmm (or
/// dtrsm) to predict blocks of test points. Every LAPACK info is checked.
#include "mc/posterior.h"
#include "core/numutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>

#ifdef JS_BLAS_OPENBLAS
void js_linalg_init(void) { openblas_set_num_threads(1); }

const char *js_linalg_core(void) { return openblas_get_corename(); }

const char *js_linalg_library(void) { return openblas_get_config(); }
#else
void js_linalg_init(void) {} /* BLIS, reference and custom BLAS: threads as their environment says */

#if defined JS_BLAS_BLIS
const char *js_linalg_core(void) { return "blis"; }

const char *js_linalg_library(void) { return "BLIS with LAPACK (liblapack)"; }
#elif defined JS_BLAS_CUSTOM
const char *js_linalg_core(void) { return "custom"; }

const char *js_linalg_library(void) { return "the BLAS and LAPACK of BLAS_LIBS (see the build)"; }
#else
const char *js_linalg_core(void) { return "generic"; }

const char *js_linalg_library(void) { return "reference BLAS and LAPACK"; }
#endif
#endif

js_status js_posterior_alloc(int d, double sigma, js_posterior *post) {
  memset(post, 0, sizeof *post);
  post->d = d;
  post->sigma = sigma;
  post->L = js_alloc_doubles((size_t)d * (size_t)d);
  post->W = js_alloc_doubles((size_t)d * 3);
  if (!post->L || !post->W) js_posterior_free(post);
  JS_CHECK(post->L && post->W, JS_ERR_SYS, "out of memory for the posterior of d=%d", d);
  return JS_OK;
}

void js_posterior_free(js_posterior *post) {
  free(post->L);
  free(post->W);
  post->L = post->W = NULL;
}

js_status js_teacher_make(js_posterior *post, const double *z1, const double *z2, double tau) {
  int d = post->d;
  double *wT = post->W + d, *wP = post->W + 2 * (size_t)d;
  double n1 = cblas_dnrm2(d, z1, 1);
  JS_CHECK(n1 > 0, JS_ERR_NUMERIC, "degenerate teacher draw (zero vector)");
  memcpy(wT, z1, sizeof(double) * (size_t)d);
  double norm = tau > 0 ? tau * n1 : sqrt((double)d); /* |w_T|, given to w_perp too */
  cblas_dscal(d, tau > 0 ? tau : sqrt((double)d) / n1, wT, 1);
  memcpy(wP, z2, sizeof(double) * (size_t)d);
  if (d == 1) { /* no orthogonal direction exists: w_perp = 0 */
    wP[0] = 0.0;
    return JS_OK;
  }
  double n2T = tau > 0 ? norm * norm : (double)d; /* |w_T|^2 */
  cblas_daxpy(d, -cblas_ddot(d, wT, 1, wP, 1) / n2T, wT, 1, wP, 1);
  double n2 = cblas_dnrm2(d, wP, 1);
  JS_CHECK(n2 > 0, JS_ERR_NUMERIC, "degenerate orthogonal direction draw");
  cblas_dscal(d, norm / n2, wP, 1);
  return JS_OK;
}

void js_posterior_begin(js_posterior *post) {
  post->inverted = 0;
  memset(post->L, 0, sizeof(double) * (size_t)post->d * (size_t)post->d);
  memset(post->W, 0, sizeof(double) * (size_t)post->d); /* X^T y accumulates in mu's column */
}

void js_labels(const js_posterior *post, const double *Xb, int R, double *y) {
  int d = post->d;
  cblas_dscal(R, post->sigma, y, 1);
  cblas_dgemv(CblasColMajor, CblasTrans, d, R, 1.0 / sqrt((double)d), Xb, d, post->W + d, 1,
              1.0, y, 1);
}

void js_posterior_add(js_posterior *post, const double *Xb, int R, const double *y) {
  int d = post->d;
  double s2 = post->sigma * post->sigma;
  cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, d, R, 1.0 / ((double)d * s2), Xb, d,
              1.0, post->L, d);
  cblas_dgemv(CblasColMajor, CblasNoTrans, d, R, 1.0 / (sqrt((double)d) * s2), Xb, d, y, 1,
              1.0, post->W, 1);
}

js_status js_posterior_solve(js_posterior *post, double gamma, int points, const char *ctx) {
  int d = post->d;
  for (int i = 0; i < d; i++) post->L[(size_t)i * d + i] += 1.0 / (gamma * gamma);
  lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', d, post->L, d);
  JS_CHECK(info == 0, JS_ERR_NUMERIC, "LAPACK dpotrf failed (info=%d%s) for %s", (int)info,
           info > 0 ? ": precision matrix not positive definite" : ": bad argument", ctx);
  for (int i = 0; i < d; i++) /* LAPACK passes NaN through: refuse it here */
    JS_CHECK(isfinite(post->L[(size_t)i * d + i]), JS_ERR_NUMERIC,
             "non-finite posterior precision (Cholesky pivot %d) for %s", i + 1, ctx);
  info = LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', d, 1, post->L, d, post->W, d);
  JS_CHECK(info == 0, JS_ERR_NUMERIC, "LAPACK dpotrs failed (info=%d) for %s", (int)info, ctx);
  post->inverted = points >= d;
  if (!post->inverted) return JS_OK;
  /* L^-1 in place: a test point's s^2 is then a dtrmm, not a dtrsm (2.8x faster at d = 200,
     docs/performance.md); the inversion costs about what d dtrsm points cost, once a fit. */
  info = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'N', d, post->L, d);
  JS_CHECK(info == 0, JS_ERR_NUMERIC, "LAPACK dtrtri failed (info=%d) for %s", (int)info, ctx);
  return JS_OK;
}

void js_posterior_tilt(const js_posterior *post, double *Xt, int B, double S, double tilt,
                       double *e, double *weight) {
  int d = post->d;
  cblas_dcopy(d, post->W, 1, e, 1);
  cblas_daxpy(d, -1.0, post->W + d, 1, e, 1);
  double norm = cblas_dnrm2(d, e, 1);
  for (int j = 0; j < B; j++) weight[j] = 1;
  if (!(norm > 0)) return; /* no error direction: plain sampling */
  cblas_dscal(d, 1 / norm, e, 1);
  for (int j = 0; j < B; j++) {
    double *x = Xt + (size_t)j * d, c = cblas_ddot(d, e, 1, x, 1), y = tilt * c / S;
    cblas_daxpy(d, (tilt - 1) * c, e, 1, x, 1);
    weight[j] = tilt * exp(-0.5 * y * y * (1 - 1 / (tilt * tilt)));
  }
}

js_status js_posterior_predict(const js_posterior *post, double *Xt, int B, double *proj,
                               double *m, double *s2, double *muT, double *p) {
  int d = post->d;
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, 3, B, d, 1.0 / sqrt((double)d), post->W,
              d, Xt, d, 0.0, proj, 3);
  if (post->inverted) /* L^-1 x */
    cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, d, B, 1.0,
                post->L, d, Xt, d);
  else
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, d, B, 1.0,
                post->L, d, Xt, d);
  double var0 = post->sigma * post->sigma;
  for (int j = 0; j < B; j++) {
    const double *v = Xt + (size_t)j * d;
    s2[j] = var0 + cblas_ddot(d, v, 1, v, 1) / (double)d;
    m[j] = proj[3 * j];
    muT[j] = proj[3 * j + 1];
    p[j] = proj[3 * j + 2];
  }
  return JS_OK;
}
