/// \file trial.h
/// One work unit end to end. A Monte Carlo unit draws the teacher, the training set, the
/// posterior and the test points of one trial of one (d, n) from the unit's own stream and
/// evaluates every (k, T, reward) cell; a theory piece integrates its panel.
#ifndef JS_TRIAL_H
#define JS_TRIAL_H

#include "config.h"
#include "error.h"
#include "grid.h"
#include "work.h"

/// Training inputs per block of the streamed fit (fixed: the fit's summation order
/// depends on it; the draws do not).
#define JS_TRAIN_BLOCK 256

/// Run unit id into payload[js_grid_payload(grid, id)]: for a Monte Carlo unit the mean over
/// test points of E[loss | x] = s^2 + (m - mu_T)^2, then the per-trial mean of each cell's
/// reranked loss; for a theory piece its values. poll may be NULL.
js_status js_unit_run(const js_config *cfg, const js_grid *grid, int id, double *payload,
                      const js_poll *poll);
/// The study's units as schedulable work (ctx: the grid, which must outlive it).
void js_trial_work(const js_grid *grid, js_work *w);

#endif
