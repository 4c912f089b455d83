/// \file env.c
/// Environment knobs (see env.h).
#include "core/env.h"

#include <unistd.h>

#include <errno.h>
#include <stdlib.h>

js_status js_env_int(const char *name, long lo, long hi, long multiple, long *value) {
  const char *text = getenv(name);
  if (!text || !*text) return JS_OK;
  char *end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  int whole = end != text && *end == '\0' && errno == 0;
  if (whole && v >= lo && v <= hi && (multiple <= 0 || v % multiple == 0)) {
    *value = v;
    return JS_OK;
  }
  if (multiple > 0)
    JS_FAIL(JS_ERR_INPUT, "environment variable %s=%s: give a multiple of %ld from %ld to %ld",
            name, text, multiple, lo, hi);
  JS_FAIL(JS_ERR_INPUT, "environment variable %s=%s: give a whole number from %ld to %ld", name,
          text, lo, hi);
}

double js_env_memory_bytes(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (double)pages * (double)size : 0;
}
