/// \file env.h
/// The one parser of the environment knobs (JUDGESIM_*; docs/architecture.md lists them):
/// a knob is a whole number in a range, or unset. Junk is never a silent default.
#ifndef JS_ENV_H
#define JS_ENV_H

#include "core/error.h"

/// Read environment variable `name` into *value when it is set and not empty: a whole
/// number in [lo, hi] and, when multiple > 0, a multiple of it. Unset or empty leaves
/// *value as it is (the caller's default). Anything else is an input error naming the
/// variable, its value and what it takes.
js_status js_env_int(const char *name, long lo, long hi, long multiple, long *value);

/// This machine's physical memory in bytes (0 when unknown).
double js_env_memory_bytes(void);

#endif
