/// \file rerankout.h
/// judgesim rerank's outputs: the CF NetCDF cube (dimensions question, k, T, file; written
/// through store.h's tables) and the summary printed on stdout.
#ifndef JS_RERANKOUT_H
#define JS_RERANKOUT_H

#include <stdio.h>

#include "core/error.h"
#include "rerank/rerank.h"
#include "rerank/samples.h"

/// What a rerank produced and how it was asked for.
typedef struct {
  const js_rerank_opts *o;
  const js_samples *smp;
  const double *rows;            ///< [question][js_rerank_payload]
  const js_rerank_summary *sum;
  const char *columns;           ///< the columns used, as text
  const char *history;           ///< the command line with its date
} js_rerank_output;

/// Write the cube to path (atomically).
js_status js_rerank_write(const char *path, const js_rerank_output *r);
/// Print the summary (delta per k and T with standard errors, the optima, the theory's
/// terms, the best-of-k fit).
void js_rerank_print(FILE *out, const js_rerank_output *r, const char *path);

#endif
