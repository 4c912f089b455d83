/// \file bench-parts.c
/// make bench's breakdown of the Monte Carlo per candidate (one core): each part of a unit
/// timed alone on a study's shape, in ns per candidate, beside the bound of
/// docs/performance.md. Usage: build/bench-parts STUDY.yaml (the first d and n of the grid).
///   uniforms   SPRNG uniforms (timed as bounded integers, one uniform each)
///   transform  normals minus uniforms (the batched Box-Muller transform)
///   scores     the kernel with no finite T (losses, rewards, T = 0 and T = inf sums)
///   pairs      the kernel's extra time per scored finite (T, reward) pair, times the pairs
///   fit        a unit's posterior fit, over its test points x k_max candidates
///   points     test-point predictions (blocks of 64), over k_max candidates each
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "study/config.h"
#include "mc/kernel.h"
#include "units/grid.h"
#include "mc/posterior.h"
#include "mc/rng.h"

/// Seconds on a monotonic clock.
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/// Test points as a unit scores them: spread s, aT = m - mu_T, aR = m - mu_R per judge.
typedef struct {
  int n;
  double s[64], aT[64], *aR;
} points_t;

/// Best of 3 of the seconds per point of the kernel over the points pt, each drawing k_max
/// normals of z (each of the 3 repeats the points for at least 0.1 s).
static double kernel_time(js_kernel *kern, const double *z, const points_t *pt, double *acc) {
  double best = 1e30;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = now(), t;
    long done = 0;
    do {
      for (int p = 0; p < pt->n; p++)
        js_kernel_point(kern, pt->s[p], pt->aT[p], pt->aR + (size_t)p * kern->nr,
                        z + (size_t)p * kern->kmax);
      done += pt->n;
    } while ((t = now() - t0) < 0.1);
    best = fmin(best, t / done);
  }
  js_kernel_flush(kern, acc);
  return best;
}

/// The kernel's seconds per point with the study's T axis replaced by T (nT values).
static double kernel_with(const js_config *cfg, double *T, int nT, const double *z,
                          const points_t *pt) {
  js_config c = *cfg;
  c.T = T, c.nT = nT;
  js_kernel kern;
  if (js_kernel_init(&kern, &c, JS_KERNEL_CHUNK) != JS_OK) exit(1);
  double *acc = calloc((size_t)c.nk * nT * c.nr, sizeof(double));
  double t = kernel_time(&kern, z, pt, acc);
  free(acc);
  js_kernel_free(&kern);
  return t;
}

/// Seconds of one posterior fit of dimension d on n inputs (teacher, labels, dsyrk, solve)
/// into *fit, and of one test point's prediction (blocks of 64) into *point; the last
/// block's first pt->n points into pt.
static void fit_time(const js_config *cfg, int d, int n, js_rng *rng, double *fit,
                     double *point, points_t *pt) {
  js_posterior post;
  double *X = malloc(sizeof(double) * (size_t)d * 256), *y = malloc(sizeof(double) * n);
  double *z = malloc(sizeof(double) * 2 * (size_t)d);
  if (!X || !y || !z || js_posterior_alloc(d, cfg->sigma, &post) != JS_OK) exit(1);
  double t0 = now();
  js_rng_normals(rng, z, 2 * (size_t)d);
  js_teacher_make(&post, z, z + d, cfg->teacher == JS_TEACHER_GAUSSIAN ? cfg->teacher_scale : 0);
  js_rng_normals(rng, y, (size_t)n);
  js_posterior_begin(&post);
  for (int at = 0; at < n; at += 256) {
    int R = n - at < 256 ? n - at : 256;
    js_rng_normals(rng, X, (size_t)R * d);
    js_labels(&post, X, R, y + at);
    js_posterior_add(&post, X, R, y + at);
  }
  if (js_posterior_solve(&post, cfg->gamma, cfg->test_points / js_grid_splits(cfg), "bench") != JS_OK) exit(1);
  *fit = now() - t0;
  double *Xt = malloc(sizeof(double) * (size_t)d * 64), *w = malloc(sizeof(double) * 7 * 64);
  double t1 = now();
  for (int b = 0; b < 16; b++) {
    js_rng_normals(rng, Xt, (size_t)d * 64);
    for (size_t i = 0; i < (size_t)d * 64; i++) Xt[i] *= cfg->input_scale;
    js_posterior_predict(&post, Xt, 64, w, w + 192, w + 256, w + 320, w + 384);
  }
  *point = (now() - t1) / (16 * 64);
  for (int p = 0; p < pt->n; p++) {
    double m = w[192 + p], muT = w[320 + p];
    pt->s[p] = sqrt(w[256 + p]), pt->aT[p] = m - muT;
    for (int r = 0; r < cfg->nr; r++)
      pt->aR[(size_t)p * cfg->nr + r] = js_reward_gap(&cfg->reward[r], m, muT, w[384 + p]);
  }
  free(X), free(y), free(z), free(Xt), free(w);
  js_posterior_free(&post);
}

int main(int argc, char **argv) {
  js_config cfg;
  if (argc != 2) return fprintf(stderr, "usage: bench-parts STUDY.yaml\n"), 2;
  js_status st = js_config_load(argv[1], NULL, 0, "unused.nc", &cfg) /* nothing is written */;
  if (st != JS_OK) return js_error_report(st), 2;
  js_linalg_init();
  int kmax = js_config_kdraw(&cfg), d = cfg.d[0], n = cfg.n[0], pairs = 0;
  for (int i = 0; i < cfg.nT; i++) pairs += cfg.T[i] > 0 && !isinf(cfg.T[i]);
  pairs *= cfg.nr;
  if (kmax == 0) return fprintf(stderr, "bench-parts: the study draws no candidates\n"), 2;
  js_rng *rng;
  if (js_rng_open(cfg.seed, d, n, 0, &rng) != JS_OK) return 1;
  size_t N = 1 << 22;
  double *z = malloc(sizeof(double) * N);
  int *idx = malloc(sizeof(int) * N);
  memset(z, 0, sizeof(double) * N), memset(idx, 0, sizeof(int) * N); /* pages touched */
  /* Uniforms and normals are drawn as a unit draws them, a chunk at a time into one buffer
     that stays in cache (the kernel's chunk: k_max up to JS_KERNEL_CHUNK); N doubles in all. */
  size_t C = (size_t)(kmax < JS_KERNEL_CHUNK ? kmax : JS_KERNEL_CHUNK);
  double uni = 1e30, nor = 1e30;
  for (int rep = 0; rep < 3; rep++) { /* best of 3 */
    double t0 = now();
    for (size_t at = 0; at + C <= N; at += C) js_rng_indices(rng, idx, C, 1 << 30);
    double t1 = now();
    for (size_t at = 0; at + C <= N; at += C) js_rng_normals(rng, z, C);
    double t2 = now();
    double drawn = (double)(N / C * C);
    uni = fmin(uni, (t1 - t0) / drawn), nor = fmin(nor, (t2 - t1) / drawn);
  }
  js_rng_normals(rng, z, N); /* the kernel's parts below read N normals */
  points_t pt = {(int)(N / (size_t)kmax) < 64 ? (int)(N / (size_t)kmax) : 64, {0}, {0}, NULL};
  pt.aR = malloc(sizeof(double) * 64 * (size_t)cfg.nr);
  double fit = 1e30, per_point = 1e30;
  for (int rep = 0; rep < 3; rep++) { /* best of 3: the first pays OpenBLAS's start */
    double f, p;
    fit_time(&cfg, d, n, rng, &f, &p, &pt);
    fit = fmin(fit, f), per_point = fmin(per_point, p);
  }
  double T0[] = {0, INFINITY};
  double base = kernel_with(&cfg, T0, 2, z, &pt), full = kernel_with(&cfg, cfg.T, cfg.nT, z, &pt);
  double c = 1e9 / kmax, cand = (double)cfg.test_points * kmax;
  double parts[6] = {uni * 1e9, (nor - uni) * 1e9, base * c, (full - base) * c,
                     fit / cand * 1e9, per_point * c};
  const char *names[6] = {"uniforms", "transform", "scores", "pairs", "fit", "points"};
  double sum = 0;
  printf("breakdown (ns per candidate, one core; %s: d=%d n=%d k_max=%d, %d points, %d pairs):",
         argv[1], d, n, kmax, cfg.test_points, pairs);
  for (int i = 0; i < 6; i++) printf(" %s %.2f", names[i], parts[i]), sum += parts[i];
  printf("; sum %.2f; bound %.2f (3.7 + 0.5 x %d pairs)\n", sum, 3.7 + 0.5 * pairs, pairs);
  js_rng_close(rng);
  free(z), free(idx), free(pt.aR);
  js_config_free(&cfg);
  return 0;
}
