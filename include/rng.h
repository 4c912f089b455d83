/// \file rng.h
/// Random streams (the only user of SPRNG). A stream belongs to one work unit and is
/// numbered from the unit's identity (d, n, trial) and the study seed, never from the rank.
/// It yields standard normals in a fixed sequence, however the requests are sliced.
#ifndef JS_RNG_H
#define JS_RNG_H

#include <stddef.h>

#include "error.h"

typedef struct js_rng js_rng;

/// Open the stream of unit (d, n, trial) for a study seed.
js_status js_rng_open(long seed, int d, int n, int trial, js_rng **rng);
/// Fill out[0..count) with the next standard normal variates of the stream.
js_status js_rng_normals(js_rng *rng, double *out, size_t count);
/// Fill out[0..count) with uniform integers in [0, bound) (bootstrap resampling).
js_status js_rng_indices(js_rng *rng, int *out, size_t count, int bound);
/// Close a stream (NULL is fine).
void js_rng_close(js_rng *rng);

#endif
