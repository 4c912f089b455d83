/// \file unit.c
/// One work unit. A Monte Carlo unit from draws to cell means; draw order from the trial's
/// stream: w_T and w_perp normals (2d), label noise (n), the n training inputs (d each, one
/// after another, fitted in blocks of JS_TRAIN_BLOCK); then, from the same stream for the
/// trial's first test-point split and from the split's own stream for the others (grid.h),
/// per block of JS_TEST_BLOCK of the split's test points: their inputs (d each), then k_max
/// candidate normals per point (drawn and scored in the kernel's chunks: the same normals
/// whatever the chunk).
#include "units/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc/bestofk.h"
#include "core/fault.h"
#include "mc/kernel.h"
#include "mc/posterior.h"
#include "mc/rng.h"
#include "units/cost.h"
#include "units/samplesout.h"
#include "theory/theoryplan.h"
#include "core/numutil.h"

/// The poll hook and the compute done since it was last asked.
typedef struct {
  const js_poll *hook;
  double seconds;
} poller;

/// Count seconds of estimated compute (cost.h); ask the hook when enough has accumulated.
static int stop_wanted(poller *p, double seconds) {
  p->seconds += seconds;
  if (!p->hook || !p->hook->fn || p->seconds < p->hook->every) return 0;
  p->seconds = 0;
  return p->hook->fn(p->hook->ctx);
}

typedef struct {
  js_rng *rng;
  js_posterior post;
  js_kernel kern;
  js_bestofk bok; ///< the exact estimator (k >= 2 of the grid) when the study uses it
  int k1;         ///< k index of the grid's first k >= 2 (the exact cells from there)
  int exact;      ///< js_config_exact: the exact estimator serves T = 0, T = inf, k = 1
  int kdraw;      ///< js_config_kdraw: candidates per test point (0: none)
  double *X, *y, *z, *Xt, *proj, *m, *s2, *muT, *p, *aR, *acc, *wt;
  js_samples_out *sout; ///< where the candidates go (--samples-out), or NULL
} workspace;

/// Release a workspace.
static void ws_free(workspace *w) {
  js_rng_close(w->rng);
  js_posterior_free(&w->post);
  js_kernel_free(&w->kern);
  js_bestofk_free(&w->bok);
  double *arrays[] = {w->X,  w->y, w->z,   w->Xt, w->proj, w->m,
                      w->s2, w->muT, w->p, w->aR, w->acc,  w->wt};
  for (size_t i = 0; i < sizeof arrays / sizeof *arrays; i++) free(arrays[i]);
}

/// The exact estimator for the grid's k >= 2, when the study uses it.
static js_status bestofk_init(workspace *w, const js_config *cfg) {
  if (!w->exact) return JS_OK;
  while (w->k1 < cfg->nk && cfg->k[w->k1] == 1) w->k1++;
  if (w->k1 == cfg->nk) return JS_OK; /* k = 1 only: every cell is exact without it */
  double *k = malloc(sizeof(double) * (size_t)cfg->nk); /* heap: the axis may be long */
  JS_ALLOC_CHECK(k, "the k axis");
  for (int i = w->k1; i < cfg->nk; i++) k[i - w->k1] = (double)cfg->k[i];
  js_status s = js_bestofk_init(&w->bok, k, cfg->nk - w->k1);
  free(k);
  return s;
}

double js_unit_bytes(const js_config *cfg, int d, int n) {
  double B = JS_TEST_BLOCK, dd = d;
  return 8.0 * (2 * dd * dd + (JS_TRAIN_BLOCK + B + 8) * dd + n + 8 * B + cfg->nk + cfg->nr) +
         8.0 * (double)cfg->nk * cfg->nT * cfg->nr + (4 << 20); /* cells; kernel and RNG */
}

/// Allocate the arrays of one unit: O(d^2 + n + d + chunk), independent of test_points and
/// k_max.
static js_status ws_alloc(workspace *w, const js_config *cfg, int d, int n, size_t ncells,
                          int kernel_chunk) {
  size_t B = JS_TEST_BLOCK;
  w->exact = js_config_exact(cfg), w->kdraw = js_config_kdraw(cfg);
  if (w->kdraw > 0) JS_CALL(js_kernel_init(&w->kern, cfg, kernel_chunk));
  JS_CALL(bestofk_init(w, cfg));
  size_t chunk = w->kdraw > 0 ? (size_t)js_kernel_chunk(&w->kern) : 0;
  w->X = js_alloc_doubles((size_t)JS_TRAIN_BLOCK * d);
  w->y = js_alloc_doubles((size_t)n);
  w->z = js_alloc_doubles(chunk > 2 * (size_t)d ? chunk : 2 * (size_t)d);
  w->Xt = js_alloc_doubles((size_t)d * B);
  w->proj = js_alloc_doubles(3 * B);
  w->m = js_alloc_doubles(B), w->s2 = js_alloc_doubles(B), w->muT = js_alloc_doubles(B);
  w->p = js_alloc_doubles(B), w->aR = js_alloc_doubles((size_t)cfg->nr);
  w->wt = js_alloc_doubles(B);
  w->acc = js_alloc_doubles(ncells);
  JS_CHECK(w->X && w->y && w->z && w->Xt && w->proj && w->m && w->s2 && w->muT && w->p &&
           w->aR && w->acc && w->wt, JS_ERR_SYS, "out of memory for a unit with d=%d n=%d", d, n);
  memset(w->acc, 0, ncells * sizeof(double));
  JS_CALL(js_posterior_alloc(d, cfg->sigma, &w->post));
  return JS_OK;
}

/// Multiply count doubles by a scale.
static void scale(double *a, size_t count, double f) {
  for (size_t i = 0; i < count; i++) a[i] *= f;
}

/// Teacher, training set (streamed in blocks) and posterior of the unit, which will predict
/// `points` test points per split.
static js_status fit(workspace *w, const js_config *cfg, int d, int n, int points,
                     const char *ctx, poller *pl) {
  JS_CALL(js_rng_normals(w->rng, w->z, 2 * (size_t)d));
  JS_CALL(js_teacher_make(&w->post, w->z, w->z + d,
                          cfg->teacher == JS_TEACHER_GAUSSIAN ? cfg->teacher_scale : 0));
  JS_CALL(js_rng_normals(w->rng, w->y, (size_t)n));
  js_posterior_begin(&w->post);
  for (int at = 0, R; at < n; at += R) {
    R = n - at < JS_TRAIN_BLOCK ? n - at : JS_TRAIN_BLOCK;
    JS_CALL(js_rng_normals(w->rng, w->X, (size_t)R * d));
    scale(w->X, (size_t)R * d, cfg->input_scale);
    js_labels(&w->post, w->X, R, w->y + at);
    js_posterior_add(&w->post, w->X, R, w->y + at);
    JS_CHECK(!stop_wanted(pl, js_cost_train_rows(d, R)), JS_INTERRUPTED, "interrupted");
  }
  JS_CALL(js_posterior_solve(&w->post, cfg->gamma, points, ctx));
  JS_CHECK(!stop_wanted(pl, js_cost_solve(d)), JS_INTERRUPTED, "interrupted");
  return JS_OK;
}

/// With --samples-out: write the chunk's count candidates of test point `point` of unit u.
static js_status sample_out(const workspace *w, const js_config *cfg, js_unit u, int point,
                            int count) {
  if (!w->sout) return JS_OK;
  return js_samples_out_point(w->sout, cfg->d[u.id_d], cfg->n[u.id_n], u.trial, point,
                              js_kernel_losses(&w->kern), js_kernel_rewards(&w->kern),
                              js_kernel_stride(&w->kern), count);
}

/// One test point's candidates (its cells added with weight wt), chunk by chunk (asking the
/// poll hook after each).
static js_status candidates(workspace *w, const js_config *cfg, js_unit u, int point,
                            double s, double aT, double wt, poller *pl, double candidate_s) {
  int kmax = w->kdraw;
  if (kmax == 0) return JS_OK;
  int chunk = js_kernel_chunk(&w->kern);
  js_kernel_begin(&w->kern, s, aT, w->aR);
  js_kernel_weight(&w->kern, wt);
  for (int at = 0, count; at < kmax; at += count) { /* at + count <= kmax: no overflow */
    count = kmax - at < chunk ? kmax - at : chunk;
    JS_CALL(js_rng_normals(w->rng, w->z, (size_t)count));
    js_kernel_feed(&w->kern, w->z, count);
    JS_CALL(sample_out(w, cfg, u, point, count));
    JS_CHECK(!stop_wanted(pl, count * candidate_s), JS_INTERRUPTED, "interrupted");
  }
  return JS_OK;
}

/// With the exact estimator: the point's k = 1 and T = inf cells (s2 + aT^2 exactly) and
/// its T = 0 cells for k >= 2 (the exact best-of-k loss).
static void exact_cells(workspace *w, const js_config *cfg, double s2, double aT, double wt) {
  if (!w->exact) return;
  double ref = wt * (s2 + aT * aT), s = sqrt(s2); /* ref: bit for bit the reference's term */
  int nr = cfg->nr;
  for (int iT = 0; iT < cfg->nT; iT++)
    for (int r = 0; r < nr; r++) {
      for (int ik = 0; ik < w->k1; ik++) w->acc[js_cell(cfg, ik, iT, r)] += ref;
      if (isinf(cfg->T[iT]))
        for (int ik = w->k1; ik < cfg->nk; ik++) w->acc[js_cell(cfg, ik, iT, r)] += ref;
      else if (cfg->T[iT] == 0 && w->k1 < cfg->nk)
        js_bestofk_point(&w->bok, s, aT, w->aR[r], wt, w->acc + js_cell(cfg, w->k1, iT, r),
                         (size_t)cfg->nT * nr);
    }
}

/// One block of B test points (the first numbered first): inputs, predictions, candidates,
/// kernel; returns sum of refs.
static js_status test_block(workspace *w, const js_config *cfg, js_unit u, int first, int B,
                            double *ref_sum, poller *pl, double candidate_s) {
  int d = cfg->d[u.id_d];
  JS_CALL(js_rng_normals(w->rng, w->Xt, (size_t)d * B));
  scale(w->Xt, (size_t)d * B, cfg->input_scale);
  for (int j = 0; j < B; j++) w->wt[j] = 1;
  if (cfg->tilt > 1) /* w->z is free until the candidates: the tilt's d scratch */
    js_posterior_tilt(&w->post, w->Xt, B, cfg->input_scale, cfg->tilt, w->z, w->wt);
  JS_CALL(js_posterior_predict(&w->post, w->Xt, B, w->proj, w->m, w->s2, w->muT, w->p));
  for (int j = 0; j < B; j++) {
    double aT = w->m[j] - w->muT[j];
    for (int r = 0; r < cfg->nr; r++)
      w->aR[r] = js_reward_gap(&cfg->reward[r], w->m[j], w->muT[j], w->p[j]);
    double wt = w->wt[j];
    JS_CALL(candidates(w, cfg, u, first + j, sqrt(w->s2[j]), aT, wt, pl, candidate_s));
    exact_cells(w, cfg, w->s2[j], aT, wt);
    JS_CHECK(!stop_wanted(pl, js_cost_exact_point(cfg)), JS_INTERRUPTED, "interrupted");
    *ref_sum += wt * (w->s2[j] + aT * aT);
  }
  JS_CHECK(!stop_wanted(pl, js_cost_points(d, B)), JS_INTERRUPTED, "interrupted");
  return JS_OK;
}

/// The unit's test-point stream: split 0 continues the trial's stream after the fit, split
/// s >= 1 opens its own (rng.h).
static js_status point_stream(workspace *w, const js_config *cfg, js_unit u) {
  if (u.split == 0) return JS_OK;
  js_rng_close(w->rng);
  w->rng = NULL;
  JS_CALL(js_rng_open_split(cfg->seed, cfg->d[u.id_d], cfg->n[u.id_n], u.trial, u.split,
                            u.nsplit, &w->rng));
  return JS_OK;
}

/// A Monte Carlo unit on an allocated workspace: the trial's fit (unless *fitted says the
/// workspace holds it and the split draws its points from a stream of its own), then the
/// split's test points, whose sums are divided by the trial's test_points (the trial's value
/// is the sum of its splits' values, in split order; one split: the mean itself). *fitted is
/// the trial whose fit the workspace holds afterwards (-1: none).
static js_status run(workspace *w, const js_config *cfg, js_unit u, double *payload,
                     poller *pl, size_t ncells, int *fitted) {
  int d = cfg->d[u.id_d], n = cfg->n[u.id_n];
  char ctx[128];
  int at = snprintf(ctx, sizeof ctx, "unit d=%d n=%d trial=%d", d, n, u.trial);
  if (u.nsplit > 1)
    snprintf(ctx + at, sizeof ctx - (size_t)at, " (test points %d-%d)", u.first,
             u.first + u.points - 1);
  if (*fitted != u.trial || u.split == 0) { /* split 0 continues the fit's stream */
    *fitted = -1;
    JS_CALL(js_rng_open(cfg->seed, d, n, u.trial, &w->rng));
    JS_CALL(fit(w, cfg, d, n, cfg->test_points / u.nsplit, ctx, pl)); /* the same for every split */
    *fitted = u.trial;
  }
  JS_CHECK(!js_fault_hit(JS_FAULT_TRIAL), JS_ERR_NUMERIC,
           "%s: Cholesky factorization of the posterior precision failed (injected fault)", ctx);
  JS_CALL(point_stream(w, cfg, u));
  double ref_sum = 0.0, candidate_s = js_cost_candidate(cfg);
  if (w->kdraw > 0) js_kernel_clear(&w->kern); /* an interrupted unit left sums behind */
  for (int done = 0, B; done < u.points; done += B) {
    B = u.points - done < JS_TEST_BLOCK ? u.points - done : JS_TEST_BLOCK;
    JS_CALL(test_block(w, cfg, u, u.first + done, B, &ref_sum, pl, candidate_s));
  }
  if (w->kdraw > 0) js_kernel_flush(&w->kern, w->acc);
  for (size_t c = 0; c < ncells; c++) payload[1 + c] = w->acc[c] / cfg->test_points;
  payload[0] = ref_sum / cfg->test_points;
  return JS_OK;
}

struct js_unit_runner {
  const js_grid *grid;
  int chunk;       /* the kernel's chunk */
  js_samples_out *sout; /* --samples-out, or NULL */
  workspace w;     /* the last Monte Carlo unit's, kept for the next unit of its (d, n) */
  int kept;        /* w is allocated */
  int id_d, id_n;  /* for this (d, n) */
  int fitted;      /* the trial whose fit w holds, or -1 */
  js_theory_cache *theory; /* the theory pieces' quadrature, made at the first piece */
};

js_status js_unit_runner_create(const js_grid *grid, int chunk, js_samples_out *sout,
                                js_unit_runner **runner) {
  *runner = calloc(1, sizeof **runner);
  JS_ALLOC_CHECK(*runner, "a unit runner");
  (*runner)->grid = grid, (*runner)->chunk = chunk, (*runner)->sout = sout;
  (*runner)->fitted = -1;
  return JS_OK;
}

/// Let go of the kept workspace.
static void forget(js_unit_runner *r) {
  if (r->kept) ws_free(&r->w);
  memset(&r->w, 0, sizeof r->w);
  r->kept = 0, r->fitted = -1;
}

void js_unit_runner_free(js_unit_runner *runner) {
  if (!runner) return;
  forget(runner);
  js_theory_cache_free(runner->theory);
  free(runner);
}

/// The kept workspace, made ready for a unit of (d, n) (allocated anew if the kept one is
/// another's).
static js_status kept_workspace(js_unit_runner *r, js_unit u) {
  const js_config *cfg = r->grid->cfg;
  if (r->kept && r->id_d == u.id_d && r->id_n == u.id_n) {
    memset(r->w.acc, 0, r->grid->ncells * sizeof(double));
    return JS_OK;
  }
  forget(r);
  r->kept = 1, r->id_d = u.id_d, r->id_n = u.id_n;
  js_status s = ws_alloc(&r->w, cfg, cfg->d[u.id_d], cfg->n[u.id_n], r->grid->ncells, r->chunk);
  r->w.sout = r->sout;
  if (s != JS_OK) forget(r);
  return s;
}

js_status js_unit_run(js_unit_runner *r, int id, double *payload, const js_poll *poll) {
  const js_grid *grid = r->grid;
  js_unit u = js_grid_unit(grid, id);
  if (u.kind == JS_UNIT_THEORY) {
    if (!r->theory) JS_CALL(js_theory_cache_create(&r->theory));
    JS_CALL(js_theory_plan_run(r->theory, grid->cfg, &grid->plan, u.piece, payload));
    return JS_OK;
  }
  JS_CALL(kept_workspace(r, u));
  poller pl = {poll, 0};
  js_status s = run(&r->w, grid->cfg, u, payload, &pl, grid->ncells, &r->fitted);
  js_rng_close(r->w.rng);
  r->w.rng = NULL;
  if (s != JS_OK) forget(r); /* after a failure or a stop nothing is kept */
  return JS_TRACE(s);
}

/// The work interface's cost of unit id (ctx: the runner).
static double work_cost(const void *ctx, int id) {
  return js_grid_cost(((const js_unit_runner *)ctx)->grid, id);
}

/// The work interface's payload length of unit id.
static int work_payload(const void *ctx, int id) {
  return js_grid_payload(((const js_unit_runner *)ctx)->grid, id);
}

/// 0 for a Monte Carlo unit, 1 for a theory piece.
static int work_kind(const void *ctx, int id) {
  return id >= ((const js_unit_runner *)ctx)->grid->nmc;
}

/// Candidates a unit scores (progress).
static double work_count(const void *ctx, int id) {
  return js_grid_count(((const js_unit_runner *)ctx)->grid, id);
}

/// Run unit id of the runner's study.
static js_status work_run(void *ctx, int id, double *payload, const js_poll *poll) {
  return js_unit_run(ctx, id, payload, poll);
}

void js_unit_work(js_unit_runner *runner, js_work *w) {
  const js_grid *grid = runner->grid;
  const js_config *cfg = grid->cfg;
  int theory = cfg->nr * cfg->nk, mc = (int)grid->ncells + 1;
  *w = (js_work){.nunits = grid->nunits, .nwork = grid->nwork, .order = grid->order,
                 .max_payload = mc > theory ? mc : theory, .ctx = runner, .cost = work_cost,
                 .payload = work_payload, .kind = work_kind, .count = work_count,
                 .run = work_run, .total_cost = grid->total_cost};
}
