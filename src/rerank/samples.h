/// \file samples.h
/// Sample files for judgesim rerank: N sampled answers per question, each with a loss (or a
/// correctness, loss = 1 - correct) and a judge's reward. The readers (csvread.h for CSV,
/// jsonlread.h for JSON Lines) hand rows to a sink; js_samples_read groups them by question
/// (in order of first appearance, samples in file order) and keeps the files' provenance.
#ifndef JS_SAMPLES_H
#define JS_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/// The column names (CSV header names, JSON keys) to read. Exactly one of loss and correct
/// is used: loss when it is set, else correct; with either set (neither was named by the
/// user), loss when the file (CSV) or line (JSON) has it, else correct.
typedef struct {
  const char *question, *loss, *correct, *reward;
  int either;
} js_columns;

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

/// Where readers put rows (opaque; see samples.c).
typedef struct js_sink js_sink;

/// Add n samples of question qid read at file:line (n = 1 for a row of one sample).
js_status js_sink_add(js_sink *s, const char *qid, const double *loss, const double *reward,
                      int n, long line);
/// The file being read (for messages): its path.
const char *js_sink_path(const js_sink *s);

/// Parse a value of a loss, correctness or reward column: a finite number (or true/false for
/// a correctness); 0 when it is not one.
int js_parse_value(const char *text, int correctness, double *v);

/// Read sample files (CSV, or JSON Lines when the name ends .jsonl, .ndjson or .json, or the
/// first character is '{'). Bad input: JS_ERR_INPUT naming the file, line and column.
js_status js_samples_read(const char *const *paths, int npaths, const js_columns *cols,
                          js_samples *out);
/// Free what js_samples_read allocated.
void js_samples_free(js_samples *s);

#endif
