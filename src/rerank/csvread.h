/// \file csvread.h
/// Sample files in CSV (libcsv): a header row naming the columns, then one sample per row.
#ifndef JS_CSVREAD_H
#define JS_CSVREAD_H

#include <stdio.h>

#include "core/error.h"
#include "rerank/sink.h"

/// Read the CSV on f (the sink's file; fields separated by delim: ',' or '\t') into the sink,
/// one sample per row.
js_status js_csv_read(FILE *f, const js_columns *cols, char delim, js_sink *sink);

#endif
