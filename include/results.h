/// \file results.h
/// Per-trial results of every unit and their reduction to means and standard errors.
/// The reduction runs over trials in trial order, so the numbers do not depend on which
/// rank computed a unit or when it finished.
#ifndef JS_RESULTS_H
#define JS_RESULTS_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "grid.h"

typedef struct {
  int nd, nn, trials;
  size_t ncells;
  double *trial;       ///< [unit id][ncells]: per-trial means (delta_trial)
  double *ref_trial;   ///< [unit id]: per-trial mean of s^2 + (m - mu_T)^2
  unsigned char *done; ///< [unit id]
  double *mean, *se;   ///< [(id_d * nn + id_n)][ncells]
  double *ref_mean, *ref_se; ///< [(id_d * nn + id_n)]
} js_results;

/// Allocate results for a study (everything zero, nothing done).
js_status js_results_alloc(const js_config *cfg, const js_grid *grid, js_results *res);
/// Store one unit's cells and reference value.
void js_results_put(js_results *res, int unit, const double *cells, double ref);
/// Means and standard errors across trials (two-pass, in trial order).
js_status js_results_reduce(js_results *res);
/// Free results.
void js_results_free(js_results *res);

#endif
