/// \file output.h
/// The output a command is about to write, checked before any work: a file name that is not
/// a folder, device, FIFO, socket or one of the command's inputs, in a writable folder; and
/// if a file is there, a judgesim cube of this command and study (any other judgesim cube
/// only with --force; a file judgesim did not write never).
#ifndef JS_OUTPUT_H
#define JS_OUTPUT_H

#include "io/store.h"
#include "study/config.h"

typedef struct {
  const char *path;          ///< the cube to write
  const char *label;         ///< how the user named it: "-o" or "output.path"
  const char *const *inputs; ///< the command's inputs, never written (NULL entries skipped)
  int ninputs;
  js_cube_kind kind;         ///< what this command writes: run (also merge), theory, rerank
  const js_config *study;    ///< run and theory: the study being written
  const char *files;         ///< rerank: the sample files as given, one per line
  int force;                 ///< --force: replace a judgesim cube of another study or command
} js_output;

/// Check an output before any work (input error, exit code 2, naming the path and why).
js_status js_output_check(const js_output *o);

#endif
