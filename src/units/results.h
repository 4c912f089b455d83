/// \file results.h
/// Results of every unit (per-trial cell means of the Monte Carlo units, values of the
/// theory pieces) and the reduction of the trials to means and standard errors. The
/// reduction runs over trials in trial order, so the numbers do not depend on which rank
/// computed a unit or when it finished.
#ifndef JS_RESULTS_H
#define JS_RESULTS_H

#include <stddef.h>

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"

typedef struct {
  int nd, nn, trials, nmc, nth;
  int nk;              ///< values of a theory piece (judges x k)
  size_t ncells;
  const js_grid *grid; ///< the units (not owned; outlives the results)
  double *trial;       ///< [(id_d * nn + id_n) * trials + trial][ncells]: per-trial means
                       ///< (delta_trial): the sum of the trial's splits in split order
  double *ref_trial;   ///< [the same]: per-trial mean of s^2 + (m - mu_T)^2
  double *part;        ///< [Monte Carlo unit][2 + ncells]: each split's id and result, as
                       ///< in a result message, when a trial has several (else NULL: a
                       ///< unit's result is its trial's)
  double *theory;      ///< [piece][judge][k]: each theory piece's share of delta
  unsigned char *done; ///< [unit id], theory pieces after the Monte Carlo units
  double *mean, *se;   ///< [(id_d * nn + id_n)][ncells]
  double *ref_mean, *ref_se; ///< [(id_d * nn + id_n)]
  int *block_left;     ///< [(id_d * nn + id_n)]: Monte Carlo units not yet done
  int theory_left;     ///< theory pieces not yet done
  unsigned char *reduced; ///< [(id_d * nn + id_n)]: mean and se computed
  unsigned char *flag; ///< [(id_d * nn + id_n)][ncells]: JS_FLAG_* bits of each cell, set
                       ///< with its mean: an estimate not to be trusted as it stands
} js_results;

/// A cell's largest trial holds more than half of the sum over its trials (4 trials or more):
/// the mean is one rare event's, its standard error meaningless.
#define JS_FLAG_ONE_TRIAL 1
/// A cell's standard error is above JS_FLAG_SE_SHARE of its mean (2 trials or more): its
/// two-standard-error interval reaches 0.
#define JS_FLAG_SE 2
#define JS_FLAG_SE_SHARE 0.5

/// The "block" the last theory piece completes: one past the (d, n) blocks.
#define JS_THEORY_BLOCK(res) ((res)->nd * (res)->nn)

/// Allocate results for a study (everything zero, nothing done).
js_status js_results_alloc(const js_config *cfg, const js_grid *grid, js_results *res);
/// Store unit id's result: payload as js_grid_payload() says (Monte Carlo: the reference
/// value, then the cells; theory: judges x k values). Returns the (d, n) block that this
/// unit completed, JS_THEORY_BLOCK(res) when it was the last theory piece, or -1. A trial of several splits gets its value (the sum of its splits'
/// results in split order) when its block is reduced. Another thread reading the stored
/// results (a checkpoint commit, a block task) must be started after js_results_fence().
int js_results_put(js_results *res, int id, const double *payload);
/// Store up to n units id0, id0 + 1, ... from records laid out as in a result message (each
/// unit's id, then its payload), stopping after a unit that completes a block (*block: that
/// block, else -1). Returns the units stored. Consecutive split units take one copy.
int js_results_put_run(js_results *res, int id0, int n, const double *records, int *block);
/// Copy unit id's result out in the same layout.
void js_results_get(const js_results *res, int id, double *payload);
/// Map and write once every page that Monte Carlo results will be stored into, without
/// changing them (safe while results are stored from another thread): storing a result then
/// takes no page fault (at 1,024 simulated ranks first stores cost rank 0 0.5 to 1.5 us per
/// unit).
void js_results_populate(const js_results *res);
/// Order the results stored so far before what this thread does next (a store fence).
void js_results_fence(void);
/// Means and standard errors across trials (two-pass, in trial order) of a complete block
/// and the cells' flags
/// (its trials' values summed from their splits first).
void js_results_reduce_block(js_results *res, int g);
/// The same for every block not reduced yet (all must be complete).
js_status js_results_reduce(js_results *res);
/// Free results.
void js_results_free(js_results *res);

#endif
