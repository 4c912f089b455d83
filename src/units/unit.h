/// \file trial.h
/// One work unit end to end. A Monte Carlo unit draws the teacher, the training set, the
/// posterior and the test points of one trial of one (d, n) from the unit's own stream and
/// evaluates every (k, T, reward) cell; a theory piece integrates its panel.
#ifndef JS_TRIAL_H
#define JS_TRIAL_H

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "dist/work.h"

/// Training inputs per block of the streamed fit (fixed: the fit's summation order
/// depends on it; the draws do not).
#define JS_TRAIN_BLOCK 256

/// Run unit id into payload[js_grid_payload(grid, id)]: for a Monte Carlo unit the mean over
/// test points of E[loss | x] = s^2 + (m - mu_T)^2, then the per-trial mean of each cell's
/// reranked loss; for a theory piece its values. poll may be NULL. A Monte Carlo unit's
/// workspace is kept for the next unit of the same grid and (d, n), and a split s >= 1 of
/// the trial whose fit it holds skips the fit (the same bits: the fit is deterministic);
/// not thread-safe.
js_status js_unit_run(const js_config *cfg, const js_grid *grid, int id, double *payload,
                      const js_poll *poll);
/// Free the workspace js_unit_run keeps.
void js_trial_release(void);
/// The study's units as schedulable work (ctx: the grid, which must outlive it).
void js_trial_work(const js_grid *grid, js_work *w);

#endif
