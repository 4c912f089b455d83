/// \file unit.h
/// One work unit end to end. A Monte Carlo unit draws the teacher, the training set, the
/// posterior and the test points of one trial of one (d, n) from the unit's own stream and
/// evaluates every (k, T, reward) cell; a theory piece integrates its panel.
#ifndef JS_UNIT_H
#define JS_UNIT_H

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "units/samplesout.h"
#include "dist/work.h"

/// Training inputs per block of the streamed fit (fixed: the fit's summation order
/// depends on it; the draws do not).
#define JS_TRAIN_BLOCK 256

/// What computes a study's units on one rank: the grid, the kernel's chunk and the
/// workspace kept between units (not thread-safe; one per rank).
typedef struct js_unit_runner js_unit_runner;

/// A runner for the grid's units (the grid must outlive it); chunk: the kernel's
/// (js_kernel_chunk_knob); sout: where --samples-out writes the candidates (NULL: nowhere).
/// Bytes one unit of (d, n) holds while it runs (its workspace and posterior, about
/// 16 d^2 + 2,600 d + 8 n + the cells, plus 4 MB for the kernel and the generator).
double js_unit_bytes(const js_config *cfg, int d, int n);
js_status js_unit_runner_create(const js_grid *grid, int chunk, js_samples_out *sout,
                                js_unit_runner **runner);
/// Free a runner and the workspace it keeps (NULL is fine).
void js_unit_runner_free(js_unit_runner *runner);
/// Run unit id into payload[js_grid_payload(grid, id)]: for a Monte Carlo unit the mean over
/// test points of E[loss | x] = s^2 + (m - mu_T)^2, then the per-trial mean of each cell's
/// reranked loss; for a theory piece its values. poll may be NULL. A Monte Carlo unit's
/// workspace is kept for the next unit of the same (d, n), and a split s >= 1 of the trial
/// whose fit it holds skips the fit (the same bits: the fit is deterministic).
js_status js_unit_run(js_unit_runner *runner, int id, double *payload, const js_poll *poll);
/// The study's units as schedulable work (ctx: the runner, which must outlive it).
void js_unit_work(js_unit_runner *runner, js_work *w);

#endif
