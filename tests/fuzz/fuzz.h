/// \file fuzz.h
/// What the libFuzzer harnesses share: an input as a file (the readers take paths) and the
/// rule that a refusal is fine but a crash, a leak or undefined behaviour is a finding.
#ifndef JS_FUZZ_H
#define JS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

/// Write the input to a file of this process named after suffix (kept between runs, in
/// /dev/shm when it exists); returns its path (static storage of the harness).
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix) {
  static char path[256];
  const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(path, sizeof path, "%s/judgesim-fuzz-%d%s", dir, (int)getpid(), suffix);
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  if (fclose(f) != 0) abort();
  return path;
}

/// The input as a NUL-terminated text (malloc'd).
static inline char *fuzz_text(const uint8_t *data, size_t size) {
  char *t = malloc(size + 1);
  if (!t) abort();
  memcpy(t, data, size);
  t[size] = '\0';
  return t;
}

/// A status is fine when it is OK or a refusal of the input; anything else is a finding.
static inline void fuzz_expect(js_status s, const char *what) {
  if (s != JS_OK && s != JS_ERR_INPUT) {
    fprintf(stderr, "%s: status %d: %s\n", what, (int)s, js_error_message());
    abort();
  }
  js_error_clear();
}

#endif
