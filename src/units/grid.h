/// \file grid.h
/// Work units of a study. A Monte Carlo unit is one split of one trial of one (d, n): ids
/// 0 .. nmc-1, d-major, then n, then trial, then split. A trial's test points are split into
/// nsplit units of consecutive points (js_grid_splits); every split fits the trial's
/// posterior from the trial's stream (a rank computing several splits of one trial in a row
/// fits it once: trial.h), split
/// 0 then draws its points from that stream and split s >= 1 from a stream of its own
/// (rng.h), so the units of a trial can run on different ranks at once. Theory pieces
/// follow: ids nmc .. nunits-1 in the theory plan's order (theoryplan.h). Every unit has an
/// estimated cost; the master hands out the theory pieces first (cheap, they ride in the
/// large early batches instead of costing one message each at the end), then the Monte
/// Carlo units most expensive first. A unit is computed from the study alone, so any rank
/// can run it.
#ifndef JS_GRID_H
#define JS_GRID_H

#include <stddef.h>

#include "study/config.h"
#include "core/error.h"
#include "theory/theoryplan.h"

/// Test points per block (fixed: the draw order depends on it, so results do too).
#define JS_TEST_BLOCK 64
/// The automatic split (sampling.unit_points not set): about this many candidates per unit
/// (2 ms of one core at 8 ns each), ...
#define JS_SPLIT_CANDIDATES 262144.0
/// ... at most this many units per trial (a split's result is kept until its trial is
/// reduced: rank 0 holds JS_SPLIT_MAX times delta_trial at most) ...
#define JS_SPLIT_MAX 4
/// ... and at least this many test points per unit.
#define JS_SPLIT_MIN_POINTS 256

typedef enum { JS_UNIT_MC = 0, JS_UNIT_THEORY = 1 } js_unit_kind;

typedef struct {
  int id;
  js_unit_kind kind;
  int id_d, id_n, trial; ///< Monte Carlo: (d, n) indices and trial
  int split, nsplit;     ///< Monte Carlo: which of the trial's test-point splits
  int first, points;     ///< Monte Carlo: the split's test points [first, first + points)
  int piece;             ///< theory: index in the plan
} js_unit;

typedef struct {
  const js_config *cfg;  ///< the study (not owned)
  int nmc, nth, nunits;  ///< Monte Carlo units, theory pieces, both
  size_t ncells;         ///< nk * nT * nr cells per Monte Carlo unit
  js_theory_plan plan;
  double *mc_cost;       ///< [id_d * nn + id_n] estimated seconds of one Monte Carlo unit
  int nsplit;            ///< units per trial (test-point splits, js_grid_splits)
  int per_pair;          ///< Monte Carlo units per (d, n) pair: trials x nsplit
  double *split_count;   ///< [split] what a unit of that split counts (js_grid_count)
  double th_cost[2];     ///< estimated seconds of a theory piece at T = 0 and at finite T
  double candidates;     ///< candidates scored per test point (1 when the study draws none:
                         ///< it then counts test points, js_grid_counts)
  int *order;            ///< js_grid_order: ids to compute (order[0..nwork)), theory pieces
                         ///< first, then the costliest first
  int nwork;             ///< units this run computes (all, or one shard's)
  int nwork_mc;          ///< of which Monte Carlo units
  double total_cost;     ///< estimated seconds of the nwork units
} js_grid;

/// Units and their costs for a study (every rank; no order yet).
js_status js_grid_build(const js_config *cfg, js_grid *grid);
/// The master's order: theory pieces, then Monte Carlo units, each kind by estimated cost,
/// most expensive first, ties by id.
js_status js_grid_order(js_grid *grid);
/// Keep only shard i of n (1-based) in order[0..nwork): the cost-sorted units are dealt
/// to the shards in a snake (1..n, n..1, ...), so shards are deterministic and balanced.
void js_grid_shard(js_grid *grid, int shard, int nshards);
/// Test-point splits per trial (the same on every rank and in every extension of the study):
/// floor(test_points / sampling.unit_points), at least 1. When the study does not set
/// unit_points: test_points x k_max / JS_SPLIT_CANDIDATES rounded, at most JS_SPLIT_MAX and
/// test_points / JS_SPLIT_MIN_POINTS, at least 1. It reads only what an extension may not
/// change (test_points, the largest k), so extended studies keep their draws.
int js_grid_splits(const js_config *cfg);
/// What unit id is.
js_unit js_grid_unit(const js_grid *grid, int id);
/// The (d, n) pair (id_d * nn + id_n) of Monte Carlo unit id.
int js_grid_pair(const js_grid *grid, int id);
/// What unit id adds to progress: its candidates (test points when the study draws none).
double js_grid_count(const js_grid *grid, int id);
/// Estimated seconds of one core for unit id.
double js_grid_cost(const js_grid *grid, int id);
/// Doubles in unit id's result: 1 + ncells (reference value, cells) or nr x nk (theory).
int js_grid_payload(const js_grid *grid, int id);
/// Free a grid.
void js_grid_free(js_grid *grid);

/// What a unit's count is: "candidates", or "test points" when the study draws none.
const char *js_grid_counts(const js_grid *grid);

#endif
