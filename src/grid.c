/// \file grid.c
/// Enumeration of work units and their cost model (used for ordering and the ETA only).
#include "grid.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/// Rough one-core seconds of a unit: posterior, test-point solves and candidate scoring.
static double unit_cost(const js_config *cfg, int d, int n) {
  double dd = d, nn = n, tp = cfg->test_points, kmax = js_config_kmax(cfg);
  int nfin = 0;
  for (int i = 0; i < cfg->nT; i++) nfin += cfg->T[i] > 0 && !isinf(cfg->T[i]);
  double fit = (nn * dd * dd + dd * dd * dd / 3.0) / 40e9 + nn * dd * 4e-9;
  double per_point = (dd * dd + 4 * dd) / 20e9 + dd * 4e-9;
  double per_cand = 4e-9 + cfg->nr * (1e-9 + 0.5e-9 * nfin);
  return fit + tp * (per_point + kmax * per_cand);
}

/// Order by descending cost, then ascending id.
static const js_unit *g_sort_units;
static int cmp_cost(const void *a, const void *b) {
  const js_unit *x = &g_sort_units[*(const int *)a], *y = &g_sort_units[*(const int *)b];
  if (x->cost != y->cost) return x->cost < y->cost ? 1 : -1;
  return (x->id > y->id) - (x->id < y->id);
}

js_status js_grid_build(const js_config *cfg, js_grid *grid) {
  double count = (double)cfg->nd * cfg->nn * cfg->trials;
  JS_CHECK(count <= INT_MAX, JS_ERR_INPUT, "the study has %.0f work units (d x n x trials); "
           "at most %d are supported", count, INT_MAX);
  grid->nunits = (int)count;
  grid->ncells = (size_t)cfg->nk * cfg->nT * cfg->nr;
  grid->units = malloc(sizeof(js_unit) * (size_t)grid->nunits);
  grid->order = malloc(sizeof(int) * (size_t)grid->nunits);
  if (!grid->units || !grid->order) js_grid_free(grid);
  JS_ALLOC_CHECK(grid->order, "work units");
  grid->total_cost = 0;
  for (int i = 0; i < grid->nunits; i++) {
    js_unit *u = &grid->units[i];
    u->id = i;
    u->trial = i % cfg->trials;
    u->id_n = (i / cfg->trials) % cfg->nn;
    u->id_d = i / (cfg->trials * cfg->nn);
    u->cost = unit_cost(cfg, cfg->d[u->id_d], cfg->n[u->id_n]);
    u->candidates = (double)cfg->test_points * js_config_kmax(cfg);
    grid->total_cost += u->cost;
    grid->order[i] = i;
  }
  g_sort_units = grid->units;
  qsort(grid->order, (size_t)grid->nunits, sizeof(int), cmp_cost);
  grid->nwork = grid->nunits;
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
  for (int p = 0; p < grid->nunits; p++) { /* stable: cost order within the shard */
    if (shard_of(p, nshards) != shard - 1) continue;
    int id = grid->order[p];
    grid->order[kept++] = id;
    grid->total_cost += grid->units[id].cost;
  }
  grid->nwork = kept;
}

void js_grid_free(js_grid *grid) {
  free(grid->units);
  free(grid->order);
  grid->units = NULL;
  grid->order = NULL;
}
