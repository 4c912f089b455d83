/// \file samples.h
/// Sample files for judgesim rerank: N sampled answers per question, each with a loss (or a
/// correctness, loss = 1 - correct) and a judge's reward. The readers (csvread.h for CSV,
/// jsonlread.h for JSON Lines) hand rows to a sink (sink.h); js_samples_read groups them by
/// question (in order of first appearance, samples in file order) and keeps the files'
/// provenance.
#ifndef JS_SAMPLES_H
#define JS_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "rerank/sink.h"

/// Samples grouped by question.
typedef struct {
  int nq;              ///< questions
  size_t ns;           ///< samples
  size_t *start;       ///< [nq + 1]: question q's samples are start[q] .. start[q+1]-1
  double *loss, *reward; ///< [ns]
  char **qid;          ///< [nq] question ids as written in the files
  int *qfile;          ///< [nq] file of the question's first sample
  long *qline;         ///< [nq] line of the question's first sample
  int nfiles;
  char **file;         ///< [nfiles] paths as given
  size_t *bytes;       ///< [nfiles] sizes
  uint64_t *checksum;  ///< [nfiles] FNV-1a 64 of the bytes
  size_t *fsamples;    ///< [nfiles] samples read from each
} js_samples;

/// Read sample files (CSV, or JSON Lines when the name ends .jsonl, .ndjson or .json, or the
/// first character is '{'). Bad input: JS_ERR_INPUT naming the file, line and column.
js_status js_samples_read(const char *const *paths, int npaths, const js_columns *cols,
                          js_samples *out);
/// Free what js_samples_read allocated.
void js_samples_free(js_samples *s);

#endif
