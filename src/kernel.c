/// \file kernel.c
/// Softmax reranking of k_max candidates for all (k, T, reward) cells at once.
/// The k axis cuts the candidates into segments (k_{j-1}, k_j]; each segment is reduced
/// with its own reward maximum as the shift (so its weight sum is >= 1), and segments are
/// merged log-sum-exp style. Each candidate costs one exp per finite (T, reward) pair.
#include "kernel.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "simdmath.h"
#include "numutil.h"

/// Exponents below this are clamped: exp(-700) ~ 1e-304 is negligible beside the segment's
/// largest weight, exactly 1, and keeps libmvec off its slow scalar path for underflow.
#define JS_EXP_FLOOR (-700.0)

/// Round a count of doubles up to a whole number of 64-byte lines.
static size_t pad8(size_t n) { return (n + 7) / 8 * 8; }

/// Per-reward running state: [0] shift M, [1] argmax loss, then (A, B) per finite T.
static int state_stride(const js_kernel *kern) { return 2 + 2 * kern->nfin; }

js_status js_kernel_init(js_kernel *kern, const js_config *cfg) {
  memset(kern, 0, sizeof *kern);
  kern->nk = cfg->nk, kern->nT = cfg->nT, kern->nr = cfg->nr;
  kern->k = cfg->k;
  kern->kmax = js_config_kmax(cfg);
  kern->iT0 = kern->iTinf = -1;
  kern->fin = malloc(sizeof(int) * (size_t)cfg->nT);
  kern->invT = malloc(sizeof(double) * (size_t)cfg->nT);
  size_t kp = pad8((size_t)kern->kmax);
  kern->l = js_alloc_doubles(kp);
  kern->r = js_alloc_doubles(kp * (size_t)cfg->nr);
  kern->state = malloc(sizeof(double) * (size_t)cfg->nr * (2 + 2 * (size_t)cfg->nT));
  if (!kern->fin || !kern->invT || !kern->l || !kern->r || !kern->state) js_kernel_free(kern);
  JS_CHECK(kern->l != NULL, JS_ERR_SYS, "out of memory for the selection kernel (k_max=%d)",
           kern->kmax);
  for (int i = 0; i < cfg->nT; i++) {
    double t = cfg->T[i];
    if (t == 0) kern->iT0 = i;
    else if (isinf(t)) kern->iTinf = i;
    else {
      double inv = 1.0 / t;
      kern->invT[kern->nfin] = inv > DBL_MAX ? DBL_MAX : inv; /* denormal T: stay finite */
      kern->fin[kern->nfin++] = i;
    }
  }
  return JS_OK;
}

void js_kernel_free(js_kernel *kern) {
  free(kern->fin);
  free(kern->invT);
  free(kern->l);
  free(kern->r);
  free(kern->state);
  kern->fin = NULL, kern->invT = NULL, kern->l = kern->r = kern->state = NULL;
}

/// Task losses and rewards of all candidates.
static void score(js_kernel *kern, double s, double aT, const double *aR,
                  const double *restrict z) {
  int kmax = kern->kmax;
  size_t kp = pad8((size_t)kmax);
  double *restrict l = kern->l;
#pragma omp simd
  for (int i = 0; i < kmax; i++) {
    double e = s * z[i] + aT;
    l[i] = e * e;
  }
  for (int r = 0; r < kern->nr; r++) {
    double *restrict rr = kern->r + (size_t)r * kp;
    double a = aR[r];
#pragma omp simd
    for (int i = 0; i < kmax; i++) {
      double e = s * z[i] + a;
      rr[i] = -(e * e);
    }
  }
}

/// Sum of l over [lo, hi).
static double segment_sum(const double *restrict l, int lo, int hi) {
  double sum = 0.0;
#pragma omp simd reduction(+ : sum)
  for (int i = lo; i < hi; i++) sum += l[i];
  return sum;
}

/// Maximum of rr over [lo, hi).
static double segment_max(const double *restrict rr, int lo, int hi) {
  double mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int i = lo; i < hi; i++) mx = rr[i] > mx ? rr[i] : mx;
  return mx;
}

/// Loss of the first candidate in [lo, hi) whose reward equals mx.
static double loss_at_first(const double *rr, const double *l, int lo, int hi, double mx) {
  for (int i = lo; i < hi; i++)
    if (rr[i] == mx) return l[i];
  return l[lo];
}

/// Weight sums A = sum exp((rr - mx)/T) and B = sum l exp((rr - mx)/T) over [lo, hi).
static void segment_weights(const double *restrict rr, const double *restrict l, int lo, int hi,
                            double mx, double invT, double *A, double *B) {
  double a = 0.0, b = 0.0, floor = js_exp_floor(JS_EXP_FLOOR);
#pragma omp simd reduction(+ : a, b)
  for (int i = lo; i < hi; i++) {
    double x = (rr[i] - mx) * invT;
    double w = exp(x > floor ? x : floor);
    a += w;
    b += w * l[i];
  }
  *A = a, *B = b;
}

/// Merge one segment of one reward into its running state; add the cells of prefix k_j.
static void merge_segment(js_kernel *kern, int r, int lo, int hi, int first, double *cell) {
  size_t kp = pad8((size_t)kern->kmax);
  const double *rr = kern->r + (size_t)r * kp, *l = kern->l;
  double *st = kern->state + (size_t)r * state_stride(kern);
  int nr = kern->nr;
  double mx = segment_max(rr, lo, hi);
  double Mold = st[0], Mnew = first || mx > Mold ? mx : Mold;
  if (kern->iT0 >= 0) {
    if (first || mx > Mold) st[1] = loss_at_first(rr, l, lo, hi, mx);
    cell[kern->iT0 * nr + r] += st[1];
  }
  for (int f = 0; f < kern->nfin; f++) {
    double A, B, invT = kern->invT[f];
    segment_weights(rr, l, lo, hi, mx, invT, &A, &B);
    if (first) {
      st[2 + 2 * f] = A, st[3 + 2 * f] = B;
    } else {
      double c_old = exp(fmax((Mold - Mnew) * invT, JS_EXP_FLOOR));
      double c_new = exp(fmax((mx - Mnew) * invT, JS_EXP_FLOOR));
      st[2 + 2 * f] = st[2 + 2 * f] * c_old + A * c_new;
      st[3 + 2 * f] = st[3 + 2 * f] * c_old + B * c_new;
    }
    cell[kern->fin[f] * nr + r] += st[3 + 2 * f] / st[2 + 2 * f];
  }
  st[0] = Mnew;
}

void js_kernel_point(js_kernel *kern, double s, double aT, const double *aR, const double *z,
                     double *acc) {
  score(kern, s, aT, aR, z);
  int nr = kern->nr, nT = kern->nT, lo = 0;
  double suml = 0.0;
  for (int ik = 0; ik < kern->nk; ik++) {
    int hi = kern->k[ik];
    double *cell = acc + (size_t)ik * nT * nr;
    suml += segment_sum(kern->l, lo, hi);
    if (kern->iTinf >= 0)
      for (int r = 0; r < nr; r++) cell[kern->iTinf * nr + r] += suml / hi;
    for (int r = 0; r < nr; r++) merge_segment(kern, r, lo, hi, ik == 0, cell);
    lo = hi;
  }
}

const double *js_kernel_losses(const js_kernel *kern) { return kern->l; }

const double *js_kernel_rewards(const js_kernel *kern) { return kern->r; }

size_t js_kernel_stride(const js_kernel *kern) { return pad8((size_t)kern->kmax); }
