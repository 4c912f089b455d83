/// \file grid.c
/// Enumeration of work units and their costs (cost.h: used for ordering, batching and the
/// ETA; never for results).
#include "units/grid.h"

#include <limits.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mc/rng.h"
#include "units/cost.h"

int js_grid_splits(const js_config *cfg) {
  if (cfg->unit_points > 0) {
    int s = cfg->test_points / cfg->unit_points;
    return s < 1 ? 1 : s;
  }
  double per_trial = (double)cfg->test_points * (double)js_config_kmax(cfg);
  double s = floor(per_trial / JS_SPLIT_CANDIDATES + 0.5);
  s = fmin(s, fmin(JS_SPLIT_MAX, cfg->test_points / JS_SPLIT_MIN_POINTS));
  return s < 1 ? 1 : (int)s;
}

/// Splits, unit costs of every (d, n) pair and nmc.
static js_status mc_units(const js_config *cfg, js_grid *grid) {
  int pairs = cfg->nd * cfg->nn;
  grid->nsplit = js_grid_splits(cfg);
  double count = (double)pairs * cfg->trials * grid->nsplit;
  JS_CHECK(count <= INT_MAX / 2, JS_ERR_INPUT, "the study has %.0f Monte Carlo units (d x n x "
           "trials x %d test-point splits); at most %d are supported: set a larger "
           "sampling.unit_points or fewer trials", count, grid->nsplit, INT_MAX / 2);
  grid->nmc = (int)count;
  grid->per_pair = cfg->trials * grid->nsplit;
  grid->mc_cost = malloc(sizeof(double) * (size_t)pairs);
  grid->split_count = malloc(sizeof(double) * (size_t)grid->nsplit);
  JS_ALLOC_CHECK(grid->mc_cost && grid->split_count ? grid : NULL, "unit costs");
  double points = (double)cfg->test_points / grid->nsplit;
  for (int g = 0; g < pairs; g++)
    grid->mc_cost[g] = js_cost_mc_unit(cfg, cfg->d[g / cfg->nn], cfg->n[g % cfg->nn], points);
  return JS_OK;
}

js_status js_grid_build(const js_config *cfg, js_grid *grid) {
  memset(grid, 0, sizeof *grid);
  grid->cfg = cfg;
  JS_CALL(js_rng_check_pairs(cfg->seed, cfg->d, cfg->nd, cfg->n, cfg->nn));
  JS_CALL(mc_units(cfg, grid));
  JS_CALL(js_theory_plan_build(cfg, &grid->plan));
  grid->nth = grid->plan.npieces;
  JS_CHECK((double)grid->nmc + grid->nth <= INT_MAX / 2, JS_ERR_INPUT, "the study has %d "
           "Monte Carlo units and %d theory pieces; at most %d units are supported",
           grid->nmc, grid->nth, INT_MAX / 2);
  grid->nunits = grid->nmc + grid->nth;
  grid->ncells = (size_t)cfg->nk * cfg->nT * cfg->nr;
  int kdraw = js_config_kdraw(cfg); /* the exact estimator alone: count test points */
  grid->candidates = kdraw > 0 ? kdraw : 1;
  for (int split = 0; split < grid->nsplit; split++) /* unit `split` is that split's */
    grid->split_count[split] = js_grid_unit(grid, split).points * grid->candidates;
  grid->th_cost[0] = js_cost_theory_piece(cfg, 0);
  grid->th_cost[1] = js_cost_theory_piece(cfg, 1);
  return JS_OK;
}

int js_grid_pair(const js_grid *grid, int id) { return id / grid->per_pair; }

js_unit js_grid_unit(const js_grid *grid, int id) {
  const js_config *cfg = grid->cfg;
  js_unit u = {id, JS_UNIT_MC, 0, 0, 0, 0, 1, 0, cfg->test_points, -1};
  if (id >= grid->nmc) {
    u.kind = JS_UNIT_THEORY;
    u.piece = id - grid->nmc;
    return u;
  }
  int g = js_grid_pair(grid, id), r = id - g * cfg->trials * grid->nsplit;
  u.id_d = g / cfg->nn, u.id_n = g % cfg->nn;
  u.nsplit = grid->nsplit;
  u.trial = r / u.nsplit, u.split = r % u.nsplit;
  int64_t tp = cfg->test_points;
  u.first = (int)(tp * u.split / u.nsplit);
  u.points = (int)(tp * (u.split + 1) / u.nsplit) - u.first;
  return u;
}

double js_grid_count(const js_grid *grid, int id) {
  return id < grid->nmc ? grid->split_count[id % grid->nsplit] : 0; /* rank 0, per result */
}

double js_grid_cost(const js_grid *grid, int id) {
  const js_config *cfg = grid->cfg;
  if (id < grid->nmc) return grid->mc_cost[js_grid_pair(grid, id)];
  js_theory_piece_id p = js_theory_plan_piece(cfg, &grid->plan, id - grid->nmc);
  return grid->th_cost[cfg->T[p.iT] > 0];
}

int js_grid_payload(const js_grid *grid, int id) {
  return id < grid->nmc ? 1 + (int)grid->ncells : grid->cfg->nr * grid->cfg->nk;
}

/// A cost class (a (d, n) pair's Monte Carlo units, or the theory pieces at T = 0 or at
/// finite T), its cost and whether it goes first (theory), for sorting.
typedef struct {
  double cost;
  int cls, first;
} costed;

/// Theory first, then descending cost, then ascending class.
static int cmp_costed(const void *a, const void *b) {
  const costed *x = a, *y = b;
  if (x->first != y->first) return y->first - x->first;
  if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
  return (x->cls > y->cls) - (x->cls < y->cls);
}

/// The cost class of unit id: its (d, n) pair, or npairs + (finite T) for a theory piece.
static int cost_class(const js_grid *grid, int id) {
  const js_config *cfg = grid->cfg;
  if (id < grid->nmc) return js_grid_pair(grid, id);
  js_theory_piece_id p = js_theory_plan_piece(cfg, &grid->plan, id - grid->nmc);
  return cfg->nd * cfg->nn + (cfg->T[p.iT] > 0);
}

/// Rank of every cost class, theory first, then in descending cost (classes of equal cost
/// and kind share a rank) into rank[]; c: scratch of nclass.
static void class_ranks(const js_grid *grid, int nclass, costed *c, int *rank) {
  for (int k = 0; k < nclass; k++)
    c[k] = (costed){k < nclass - 2 ? grid->mc_cost[k] : grid->th_cost[k - (nclass - 2)], k,
                    k >= nclass - 2};
  qsort(c, (size_t)nclass, sizeof *c, cmp_costed);
  for (int k = 0, r = -1; k < nclass; k++) {
    if (k == 0 || c[k].cost != c[k - 1].cost || c[k].first != c[k - 1].first) r++;
    rank[c[k].cls] = r;
  }
}

/// Theory pieces first, then most expensive first, ties by id: a counting sort over the
/// class ranks, the same order as sorting the units themselves. A (d, n) pair's Monte Carlo
/// units are one range of ids, so they are placed (and costed) range by range, in pair
/// order; only the theory pieces are classed one by one (O(pairs + pieces), not O(units):
/// every rank orders the work at start-up).
js_status js_grid_order(js_grid *grid) {
  const js_config *cfg = grid->cfg;
  int pairs = cfg->nd * cfg->nn, nclass = pairs + 2, per_pair = cfg->trials * grid->nsplit;
  int *rank = malloc(sizeof(int) * (size_t)nclass);
  costed *c = malloc(sizeof(costed) * (size_t)nclass); /* heap: a big (d, n) grid */
  int *start = calloc((size_t)nclass + 1, sizeof(int));
  free(grid->order);
  grid->order = malloc(sizeof(int) * (size_t)grid->nunits + 1);
  if (!rank || !c || !start || !grid->order) free(rank), free(c), free(start);
  JS_CHECK(rank && c && start && grid->order, JS_ERR_SYS, "out of memory ordering %d units",
           grid->nunits);
  class_ranks(grid, nclass, c, rank);
  free(c);
  grid->total_cost = 0;
  for (int g = 0; g < pairs; g++) {
    start[rank[g] + 1] += per_pair;
    grid->total_cost += grid->mc_cost[g] * per_pair;
  }
  for (int i = grid->nmc; i < grid->nunits; i++) {
    start[rank[cost_class(grid, i)] + 1]++;
    grid->total_cost += js_grid_cost(grid, i);
  }
  for (int r = 0; r < nclass; r++) start[r + 1] += start[r];
  for (int g = 0; g < pairs; g++) /* pairs in id order: ties between pairs stay by id */
    for (int i = 0, id = g * per_pair; i < per_pair; i++) grid->order[start[rank[g]]++] = id + i;
  for (int i = grid->nmc; i < grid->nunits; i++)
    grid->order[start[rank[cost_class(grid, i)]]++] = i;
  free(rank), free(start);
  grid->nwork = grid->nunits;
  grid->nwork_mc = grid->nmc;
  return JS_OK;
}

/// The shard (0-based) that the p-th unit in cost order belongs to.
static int shard_of(int p, int nshards) {
  int round = p / nshards, at = p % nshards;
  return round % 2 == 0 ? at : nshards - 1 - at;
}

void js_grid_shard(js_grid *grid, int shard, int nshards) {
  int kept = 0;
  grid->total_cost = 0;
  grid->nwork_mc = 0;
  for (int p = 0; p < grid->nwork; p++) { /* stable: cost order within the shard */
    if (shard_of(p, nshards) != shard - 1) continue;
    int id = grid->order[p];
    grid->order[kept++] = id;
    grid->total_cost += js_grid_cost(grid, id);
    grid->nwork_mc += id < grid->nmc;
  }
  grid->nwork = kept;
}

void js_grid_free(js_grid *grid) {
  js_theory_plan_free(&grid->plan);
  free(grid->mc_cost);
  free(grid->split_count);
  free(grid->order);
  grid->mc_cost = NULL;
  grid->split_count = NULL;
  grid->order = NULL;
}

const char *js_grid_counts(const js_grid *grid) {
  return js_config_kdraw(grid->cfg) > 0 ? "candidates" : "test points";
}
