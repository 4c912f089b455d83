/// \file rng.h
/// Random streams (the only user of SPRNG). A stream belongs to one work unit and is
/// numbered from the unit's identity (d, n, trial) and the study seed, never from the rank.
/// It yields standard normals in a fixed sequence, however the requests are sliced.
#ifndef JS_RNG_H
#define JS_RNG_H

#include <stddef.h>

#include "core/error.h"

typedef struct js_rng js_rng;

/// The SPRNG seed of the streams of pair (d, n): a 31-bit mix of (study seed, d, n). Unit
/// (d, n, trial) uses stream number `trial` of this seed, so two pairs with one seed would
/// draw the same numbers: js_rng_check_pairs refuses such a study.
int js_rng_seed(long seed, int d, int n);
/// Refuse (input error, before any work) a study in which two (d, n) pairs share a seed.
js_status js_rng_check_pairs(long seed, const int *d, int nd, const int *n, int nn);
/// Open the stream of unit (d, n, trial) for a study seed.
js_status js_rng_open(long seed, int d, int n, int trial, js_rng **rng);
/// First stream number of the test-point splits (grid.h): a trial's split s >= 1 of nsplit
/// draws its test points from stream JS_RNG_SPLIT_BASE + trial x (nsplit - 1) + s - 1 of the
/// pair's seed (split 0 continues the trial's own stream). Trial streams, and the bootstrap's
/// stream number `trials` (analysis.h), stay below it (trials <= 10^8 < 2^27).
#define JS_RNG_SPLIT_BASE (1 << 27)
/// Open the test-point stream of split `split` (>= 1) of nsplit of unit (d, n, trial); an
/// input error when the stream number would pass SPRNG's 2^31 - 1 streams.
js_status js_rng_open_split(long seed, int d, int n, int trial, int split, int nsplit,
                            js_rng **rng);
/// Fill out[0..count) with the next standard normal variates of the stream.
js_status js_rng_normals(js_rng *rng, double *out, size_t count);
/// Fill out[0..count) with uniform integers in [0, bound) (bootstrap resampling).
js_status js_rng_indices(js_rng *rng, int *out, size_t count, int bound);
/// Close a stream (NULL is fine).
void js_rng_close(js_rng *rng);

#endif
