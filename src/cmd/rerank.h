/// \file rerankcmd.h
/// The `judgesim rerank` command: rank 0 reads and checks the sample files (samples.h) and
/// shares them; the questions are work units on the same master/worker schedule as a
/// study's units (schedule.h; each question's exact curves: rerank.h); rank 0 summarises
/// them and writes the cube and the table (rerankout.h).
#ifndef JS_RERANKCMD_H
#define JS_RERANKCMD_H

#include "cmd/cli.h"
#include "core/error.h"

/// Run `judgesim rerank` on every rank (collective; argv for the cube's history).
js_status js_rerank_command(const js_args *args, int argc, char **argv);

#endif
