/// \file jsonlread.h
/// Sample files in JSON Lines (jansson): one object per line, either one sample
/// ({"question": "q1", "correct": 1, "reward": 7}) or one question with arrays
/// ({"question": "q1", "correct": [1, 0], "reward": [7, 3]}).
#ifndef JS_JSONLREAD_H
#define JS_JSONLREAD_H

#include <stdio.h>

#include "core/error.h"
#include "rerank/sink.h"

/// Read the JSON Lines on f (the sink's file) into the sink.
js_status js_jsonl_read(FILE *f, const js_columns *cols, js_sink *sink);

#endif
