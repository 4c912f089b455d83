/// \file grid.h
/// Work units: one trial of one (d, n). Units have a canonical id (d-major, then n, then
/// trial), an estimated cost, and an order for handing them out (most expensive first).
#ifndef JS_GRID_H
#define JS_GRID_H

#include <stddef.h>

#include "config.h"
#include "error.h"

/// Test points per block (fixed: the draw order depends on it, so results do too).
#define JS_TEST_BLOCK 64

typedef struct {
  int id;       ///< canonical id = (id_d * nn + id_n) * trials + trial
  int id_d, id_n, trial;
  double cost;  ///< estimated seconds of one core
  double candidates; ///< test_points * k_max
} js_unit;

typedef struct {
  int nunits;
  js_unit *units;     ///< indexed by canonical id
  int *order;         ///< ids to compute first (order[0..nwork)), most expensive first
  int nwork;          ///< units this run computes (all, or one shard's)
  size_t ncells;      ///< nk * nT * nr cells per unit
  double total_cost;  ///< estimated cost of the nwork units
} js_grid;

/// Enumerate the units of a study and sort them by estimated cost.
js_status js_grid_build(const js_config *cfg, js_grid *grid);
/// Keep only shard i of n (1-based) in order[0..nwork): the cost-sorted units are dealt
/// to the shards in a snake (1..n, n..1, ...), so shards are deterministic and balanced.
void js_grid_shard(js_grid *grid, int shard, int nshards);
/// Free a grid.
void js_grid_free(js_grid *grid);
/// Index of cell (k, T, reward) within a unit's cells.
static inline size_t js_cell(const js_config *cfg, int ik, int iT, int ir) {
  return ((size_t)ik * (size_t)cfg->nT + (size_t)iT) * (size_t)cfg->nr + (size_t)ir;
}

#endif
