/// \file rng.h
/// Random streams (the only user of SPRNG). A stream belongs to one work unit and is
/// numbered from the unit's identity (d, n, trial) and the study seed, never from the rank.
/// It yields standard normals in a fixed sequence, however the requests are sliced.
#ifndef JS_RNG_H
#define JS_RNG_H

#include <stddef.h>

#include "error.h"

typedef struct js_rng js_rng;

/// The SPRNG seed of the streams of pair (d, n): a 31-bit mix of (study seed, d, n). Unit
/// (d, n, trial) uses stream number `trial` of this seed, so two pairs with one seed would
/// draw the same numbers: js_rng_check_pairs refuses such a study.
int js_rng_seed(long seed, int d, int n);
/// Refuse (input error, before any work) a study in which two (d, n) pairs share a seed.
js_status js_rng_check_pairs(long seed, const int *d, int nd, const int *n, int nn);
/// Open the stream of unit (d, n, trial) for a study seed.
js_status js_rng_open(long seed, int d, int n, int trial, js_rng **rng);
/// Fill out[0..count) with the next standard normal variates of the stream.
js_status js_rng_normals(js_rng *rng, double *out, size_t count);
/// Fill out[0..count) with uniform integers in [0, bound) (bootstrap resampling).
js_status js_rng_indices(js_rng *rng, int *out, size_t count, int bound);
/// Close a stream (NULL is fine).
void js_rng_close(js_rng *rng);

#endif
