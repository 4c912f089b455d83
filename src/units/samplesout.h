/// \file samplesout.h
/// `judgesim run --samples-out PREFIX`: a study's own candidates written as sample files for
/// `judgesim rerank` (samples.h), one CSV per judge (PREFIX-judgeR.csv, R the judge's index
/// in the study, from 0), one question per test point ("d16-n40-t3-x17": d, n, trial, test
/// point), one row per candidate: its task loss (Y - mu_T)^2 and the judge's reward
/// -(Y - mu_R)^2. Only a run of one rank writes them (every unit is computed in this process).
#ifndef JS_SAMPLESOUT_H
#define JS_SAMPLESOUT_H

#include <stddef.h>

#include "study/config.h"
#include "core/error.h"

/// The open files (one per judge).
typedef struct js_samples_out js_samples_out;

/// Create the files (one per judge) and write their headers.
js_status js_samples_out_open(const char *prefix, const js_config *cfg, js_samples_out **out);
/// Write count more candidates of a test point (its k_max come in the kernel's chunks, in
/// order): losses l[i], rewards r[j * stride + i] of judge j.
js_status js_samples_out_point(js_samples_out *out, int d, int n, int trial, int point,
                               const double *l, const double *r, size_t stride, int count);
/// Flush and close the files and free out (NULL is fine); a write error is reported here.
js_status js_samples_out_close(js_samples_out *out);

#endif
