/// \file theoryplan.c
/// Pieces of the theory (one per ratio, T < inf and node of the outer integral), their
/// lookup by value, and the assembly of delta_theory and the closed forms (theoryplan.h).
#include "theory/theoryplan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "theory/theory.h"

/// Greatest common divisor of two positive integers.
static int gcd(int a, int b) {
  while (b) {
    int t = a % b;
    a = b, b = t;
  }
  return a;
}

/// Order of ratios p/q by value (exact, in 64-bit integers).
static int cmp_ratio(long long p1, long long q1, long long p2, long long q2) {
  long long l = p1 * q2, r = p2 * q1;
  return (l > r) - (l < r);
}

/// qsort comparison of (p, q) pairs by value.
static int cmp_pair(const void *a, const void *b) {
  const int *x = a, *y = b;
  return cmp_ratio(x[0], x[1], y[0], y[1]);
}

/// Index of ratio p/q (lowest terms) in the plan's ascending list, or -1.
static int find_ratio(const js_theory_plan *plan, int p, int q) {
  int lo = 0, hi = plan->nratio - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2, c = cmp_ratio(plan->p[mid], plan->q[mid], p, q);
    if (c == 0) return plan->p[mid] == p && plan->q[mid] == q ? mid : -1;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/// The distinct ratios of the study's (d, n) pairs, ascending.
static js_status plan_ratios(const js_config *cfg, js_theory_plan *plan) {
  int blocks = cfg->nd * cfg->nn, *pairs = malloc(sizeof(int) * 2 * (size_t)blocks);
  JS_ALLOC_CHECK(pairs, "theory plan");
  for (int b = 0; b < blocks; b++) {
    int d = cfg->d[b / cfg->nn], n = cfg->n[b % cfg->nn], g = gcd(d, n);
    pairs[2 * b] = d / g, pairs[2 * b + 1] = n / g;
  }
  qsort(pairs, (size_t)blocks, 2 * sizeof(int), cmp_pair);
  plan->p = malloc(sizeof(int) * (size_t)blocks);
  plan->q = malloc(sizeof(int) * (size_t)blocks);
  plan->ratio_of = malloc(sizeof(int) * (size_t)blocks);
  if (!plan->p || !plan->q || !plan->ratio_of) free(pairs);
  JS_CHECK(plan->p && plan->q && plan->ratio_of, JS_ERR_SYS, "out of memory for the theory plan");
  for (int b = 0; b < blocks; b++)
    if (b == 0 || cmp_pair(pairs + 2 * b, pairs + 2 * b - 2) != 0)
      plan->p[plan->nratio] = pairs[2 * b], plan->q[plan->nratio++] = pairs[2 * b + 1];
  free(pairs);
  for (int b = 0; b < blocks; b++) {
    int d = cfg->d[b / cfg->nn], n = cfg->n[b % cfg->nn], g = gcd(d, n);
    plan->ratio_of[b] = find_ratio(plan, d / g, n / g);
  }
  return JS_OK;
}

/// The limit's scalars at a ratio of the plan.
static js_theory_base base_of(const js_config *cfg, const js_theory_plan *plan, int ratio) {
  double tau = cfg->teacher == JS_TEACHER_GAUSSIAN ? cfg->teacher_scale : 1; /* |w_T| / sqrt(d) -> tau, */
  return js_theory_base_at((double)plan->p[ratio] / plan->q[ratio], cfg->sigma, /* which */
                           cfg->gamma / tau, cfg->input_scale * tau); /* maps onto gamma, S */
}

/// Nodes per (ratio, T) slot and the first piece of each.
static js_status plan_nodes(js_theory_cache *q, const js_config *cfg, js_theory_plan *plan) {
  size_t nslot = (size_t)plan->nratio * plan->nfin;
  plan->nnode = malloc(sizeof(int) * (nslot + 1));
  plan->first = malloc(sizeof(long) * (nslot + 1));
  JS_CHECK(plan->nnode && plan->first, JS_ERR_SYS, "out of memory for the theory plan");
  long total = 0;
  for (size_t i = 0; i < nslot; i++) {
    js_theory_base b = base_of(cfg, plan, (int)(i / plan->nfin));
    double T = cfg->T[plan->fin[i % plan->nfin]];
    JS_CALL(js_theory_node_count(q, &b, T, cfg->reward, cfg->nr, &plan->nnode[i]));
    plan->first[i] = total;
    total += plan->nnode[i];
  }
  plan->first[nslot] = total;
  JS_CHECK(total < (1L << 30), JS_ERR_INPUT, "the theory of this study has %ld pieces; at "
           "most 2^30 are supported (fewer d/n ratios or temperatures)", total);
  plan->npieces = (int)total;
  return JS_OK;
}

js_status js_theory_plan_build(const js_config *cfg, js_theory_plan *plan) {
  memset(plan, 0, sizeof *plan);
  plan->fin = malloc(sizeof(int) * (size_t)cfg->nT);
  JS_ALLOC_CHECK(plan->fin, "theory plan");
  for (int i = 0; i < cfg->nT; i++)
    if (!isinf(cfg->T[i])) plan->fin[plan->nfin++] = i;
  js_theory_cache *q = NULL;
  js_status s = JS_OK;
  JS_TRY(s, plan_ratios(cfg, plan));
  JS_TRY(s, js_theory_cache_create(&q));
  JS_TRY(s, plan_nodes(q, cfg, plan));
  js_theory_cache_free(q);
  if (s != JS_OK) js_theory_plan_free(plan);
  return s;
}

void js_theory_plan_free(js_theory_plan *plan) {
  free(plan->p);
  free(plan->q);
  free(plan->ratio_of);
  free(plan->fin);
  free(plan->nnode);
  free(plan->first);
  memset(plan, 0, sizeof *plan);
}

js_theory_piece_id js_theory_plan_piece(const js_config *cfg, const js_theory_plan *plan,
                                        int i) {
  (void)cfg;
  int lo = 0, hi = plan->nratio * plan->nfin - 1; /* the last slot whose first piece is <= i */
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (plan->first[mid] <= i) lo = mid;
    else hi = mid - 1;
  }
  js_theory_piece_id id = {lo / plan->nfin, plan->fin[lo % plan->nfin], (int)(i - plan->first[lo])};
  return id;
}

int js_theory_plan_find(const js_config *cfg, const js_theory_plan *plan, int p, int q,
                        double T, int node) {
  int ratio = find_ratio(plan, p, q), f = -1;
  for (int i = 0; i < plan->nfin; i++)
    if (cfg->T[plan->fin[i]] == T) f = i;
  if (ratio < 0 || f < 0) return -1;
  int slot = ratio * plan->nfin + f;
  if (node < 0 || node >= plan->nnode[slot]) return -1;
  return (int)(plan->first[slot] + node);
}

js_status js_theory_plan_run(js_theory_cache *q, const js_config *cfg,
                             const js_theory_plan *plan, int i, double *out) {
  js_theory_piece_id id = js_theory_plan_piece(cfg, plan, i);
  js_theory_base b = base_of(cfg, plan, id.ratio);
  double *k = malloc(sizeof(double) * (size_t)cfg->nk);
  JS_ALLOC_CHECK(k, "theory k values");
  for (int j = 0; j < cfg->nk; j++) k[j] = cfg->k[j];
  js_status s = js_theory_piece(q, &b, cfg->T[id.iT], cfg->reward, cfg->nr, k, cfg->nk,
                                id.node, out);
  free(k);
  JS_CALL(s);
  return JS_OK;
}

/// Allocate the arrays of an assembled theory.
static js_status theory_alloc(const js_config *cfg, js_theory *th) {
  size_t blocks = (size_t)cfg->nd * cfg->nn, ncells = (size_t)cfg->nk * cfg->nT * cfg->nr;
  memset(th, 0, sizeof *th);
  th->delta = malloc(sizeof(double) * blocks * ncells);
  th->kinf = malloc(sizeof(double) * blocks * (size_t)(cfg->nT * cfg->nr));
  th->coef = malloc(sizeof(double) * blocks);
  th->v = malloc(sizeof(double) * blocks);
  th->invT = malloc(sizeof(double) * blocks * (size_t)cfg->nr);
  th->alpha_opt = malloc(sizeof(double) * blocks * (size_t)cfg->nT);
  th->expansion = malloc(sizeof(double) * 3 * blocks * ncells);
  int ok = th->delta && th->kinf && th->coef && th->v && th->invT && th->alpha_opt && th->expansion;
  if (!ok) js_theory_free(th);
  JS_CHECK(ok, JS_ERR_SYS, "out of memory for the theory");
  return JS_OK;
}

/// delta of cell (ik, iT, ir) at a ratio: the sum of its nodes in order (finite T), the
/// closed form at k = 1 and T = inf.
static double cell_value(const js_config *cfg, const js_theory_plan *plan, const double *vals,
                         const js_theory_base *b, int ratio, int ik, int iT, int ir) {
  if (isinf(cfg->T[iT]) || cfg->k[ik] == 1) return js_theory_k1(b);
  int f = 0;
  while (plan->fin[f] != iT) f++;
  int slot = ratio * plan->nfin + f;
  size_t stride = (size_t)cfg->nr * cfg->nk, at = (size_t)ir * cfg->nk + ik;
  double sum = 0;
  for (int p = 0; p < plan->nnode[slot]; p++)
    sum += vals[(size_t)(plan->first[slot] + p) * stride + at];
  return sum;
}

/// The large-T expansion of one (d, n) block: every cell's three orders.
static js_status expansion_block(const js_config *cfg, const js_theory_base *b, size_t at,
                                 js_theory *th) {
  size_t ncells = (size_t)cfg->nk * cfg->nT * cfg->nr, blocks = (size_t)cfg->nd * cfg->nn;
  for (int r = 0; r < cfg->nr; r++) {
    double mom[4], e[3];
    JS_CALL(js_theory_expansion_moments(b, cfg->reward[r], mom));
    for (int iT = 0; iT < cfg->nT; iT++)
      for (int ik = 0; ik < cfg->nk; ik++) {
        js_theory_expansion(b, mom, (double)cfg->k[ik], cfg->T[iT], e);
        for (int o = 0; o < 3; o++)
          th->expansion[(o * blocks + at) * ncells + js_cell(cfg, ik, iT, r)] = e[o];
      }
  }
  return JS_OK;
}

/// Fill one (d, n) block of an assembled theory.
static js_status assemble_block(const js_config *cfg, const js_theory_plan *plan,
                                const double *vals, size_t at, js_theory *th) {
  int ratio = plan->ratio_of[at];
  js_theory_base b = base_of(cfg, plan, ratio);
  size_t ncells = (size_t)cfg->nk * cfg->nT * cfg->nr;
  th->v[at] = js_theory_bestofk_v(&b);
  th->coef[at] = js_theory_bestofk_coef(&b);
  for (int r = 0; r < cfg->nr; r++) th->invT[at * cfg->nr + r] = js_theory_invT(&b, cfg->reward[r]);
  for (int iT = 0; iT < cfg->nT; iT++) {
    th->alpha_opt[at * cfg->nT + iT] = js_theory_alpha_opt(&b, cfg->T[iT]);
    for (int r = 0; r < cfg->nr; r++) {
      th->kinf[(at * cfg->nT + iT) * cfg->nr + r] = js_theory_kinf(&b, cfg->T[iT], cfg->reward[r]);
      for (int ik = 0; ik < cfg->nk; ik++)
        th->delta[at * ncells + js_cell(cfg, ik, iT, r)] =
            cell_value(cfg, plan, vals, &b, ratio, ik, iT, r);
    }
  }
  return expansion_block(cfg, &b, at, th);
}

js_status js_theory_assemble(const js_config *cfg, const js_theory_plan *plan,
                             const double *vals, js_theory *th) {
  JS_CALL(theory_alloc(cfg, th));
  for (size_t at = 0; at < (size_t)cfg->nd * cfg->nn; at++) {
    js_status s = assemble_block(cfg, plan, vals, at, th);
    if (s != JS_OK) js_theory_free(th);
    JS_CALL(s);
  }
  return JS_OK;
}

js_status js_theory_study(const js_config *cfg, js_theory *th) {
  js_theory_plan plan;
  JS_CALL(js_theory_plan_build(cfg, &plan));
  size_t per = (size_t)cfg->nr * cfg->nk;
  double *vals = malloc(sizeof(double) * ((size_t)plan.npieces * per + 1));
  js_theory_cache *q = NULL;
  js_status s = JS_OK;
  if (!vals) s = JS_ERROR(JS_ERR_SYS, "out of memory for %d theory pieces", plan.npieces);
  JS_TRY(s, js_theory_cache_create(&q));
  for (int i = 0; s == JS_OK && i < plan.npieces; i++)
    JS_TRY(s, js_theory_plan_run(q, cfg, &plan, i, vals + (size_t)i * per));
  JS_TRY(s, js_theory_assemble(cfg, &plan, vals, th));
  js_theory_cache_free(q);
  free(vals);
  js_theory_plan_free(&plan);
  return s;
}

void js_theory_free(js_theory *th) {
  free(th->delta);
  free(th->kinf);
  free(th->coef);
  free(th->v);
  free(th->invT);
  free(th->alpha_opt);
  free(th->expansion);
  memset(th, 0, sizeof *th);
}
