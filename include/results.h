/// \file results.h
/// Results of every unit (per-trial cell means of the Monte Carlo units, values of the
/// theory pieces) and the reduction of the trials to means and standard errors. The
/// reduction runs over trials in trial order, so the numbers do not depend on which rank
/// computed a unit or when it finished.
#ifndef JS_RESULTS_H
#define JS_RESULTS_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "grid.h"

typedef struct {
  int nd, nn, trials, nmc, nth;
  int nk;              ///< values of a theory piece (judges x k)
  size_t ncells;
  double *trial;       ///< [Monte Carlo unit][ncells]: per-trial means (delta_trial)
  double *ref_trial;   ///< [Monte Carlo unit]: per-trial mean of s^2 + (m - mu_T)^2
  double *theory;      ///< [piece][judge][k]: each theory piece's share of delta
  unsigned char *done; ///< [unit id], theory pieces after the Monte Carlo units
  double *mean, *se;   ///< [(id_d * nn + id_n)][ncells]
  double *ref_mean, *ref_se; ///< [(id_d * nn + id_n)]
  int *block_left;     ///< [(id_d * nn + id_n)]: trials not yet done
  unsigned char *reduced; ///< [(id_d * nn + id_n)]: mean and se computed
} js_results;

/// Allocate results for a study (everything zero, nothing done).
js_status js_results_alloc(const js_config *cfg, const js_grid *grid, js_results *res);
/// Store unit id's result: payload as js_grid_payload() says (Monte Carlo: the reference
/// value, then the cells; theory: judges x k values). Returns the (d, n) block that this unit
/// completed, or -1.
int js_results_put(js_results *res, int id, const double *payload);
/// Copy unit id's result out in the same layout.
void js_results_get(const js_results *res, int id, double *payload);
/// Units done: Monte Carlo units and theory pieces.
void js_results_count(const js_results *res, int *mc, int *theory);
/// Means and standard errors across trials (two-pass, in trial order) of a complete block.
void js_results_reduce_block(js_results *res, int g);
/// The same for every block not reduced yet (all must be complete).
js_status js_results_reduce(js_results *res);
/// Free results.
void js_results_free(js_results *res);

#endif
