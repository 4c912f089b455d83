/// \file sink.h
/// Where the sample readers (csvread.h, jsonlread.h) put rows: per sample its loss, reward
/// and run (consecutive samples of one question id in one file). samples.c groups a filled
/// sink by question; the readers know only this header, so nothing calls back into them.
#ifndef JS_SINK_H
#define JS_SINK_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/// The column names (CSV header names, JSON keys) to read. Exactly one of loss and correct
/// is used: loss when it is set, else correct; with either set (neither was named by the
/// user), loss when the file (CSV) or line (JSON) has it, else correct.
typedef struct {
  const char *question, *loss, *correct, *reward;
  int either;
  int graded; ///< a correctness may be any value in [0, 1] (else 0 or 1)
} js_columns;

/// Rows as read, over all files.
typedef struct js_sink {
  const char *path;      ///< the file being read (for messages)
  int file;              ///< its index
  size_t n, cap;         ///< samples
  size_t *run;           ///< [n] run of each sample
  double *loss, *reward; ///< [n]
  size_t nruns, runcap;  ///< runs
  char **rid;            ///< [nruns] question id of each run
  int *rfile;            ///< [nruns] file of each run
  long *rline;           ///< [nruns] line of each run's first sample
} js_sink;

/// Add n samples of question qid read at the current file's line (n = 1 for a row).
js_status js_sink_add(js_sink *s, const char *qid, const double *loss, const double *reward,
                      int n, long line);
/// The file being read (for messages): its path.
const char *js_sink_path(const js_sink *s);
/// Free what the sink holds (the struct itself is the caller's).
void js_sink_free(js_sink *s);

/// Parse a value of a loss, correctness or reward column: a finite number (or true/false for
/// a correctness); 0 when it is not one.
int js_parse_value(const char *text, int correctness, double *v);

/// Length of a UTF-8 byte-order mark at f's start (3 or 0); f is left at its start.
size_t js_bom_length(FILE *f);

/// Largest loss magnitude taken: sums over a question's subsets stay finite.
#define JS_LOSS_MAX 1e150

/// What is wrong with a parsed value of a column (NULL when it may be used): a correctness
/// outside {0, 1} ([0, 1] when graded), a loss beyond +-JS_LOSS_MAX. Rewards: any finite.
const char *js_value_problem(double v, int correctness, int graded, int reward);

#endif
