/// \file trial.h
/// One work unit: draw teacher, training set, posterior and test points of one trial of
/// one (d, n) from the unit's own stream, and evaluate every (k, T, reward) cell.
#ifndef JS_TRIAL_H
#define JS_TRIAL_H

#include "config.h"
#include "error.h"
#include "grid.h"

/// Called between blocks of test points (the master services messages there); a non-zero
/// return abandons the unit with JS_INTERRUPTED.
typedef int (*js_poll_fn)(void *ctx);

/// Run unit u. cells[ncells] receives the per-trial mean over test points of each cell's
/// reranked loss; *ref the mean of E[loss | x] = s^2 + (m - mu_T)^2 over the same points.
js_status js_trial_run(const js_config *cfg, const js_unit *u, double *cells, double *ref,
                       js_poll_fn poll, void *poll_ctx);

#endif
