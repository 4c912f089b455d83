/// \file testutil.h
/// Helpers shared by the cmocka unit tests.
#ifndef JS_TESTUTIL_H
#define JS_TESTUTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

/// Fail unless |a - b| <= tol (prints both values).
#define assert_close(a, b, tol)                                                              \
  do {                                                                                       \
    double x_ = (a), y_ = (b), t_ = (tol);                                                   \
    if (!(fabs(x_ - y_) <= t_)) fail_msg("%s = %.17g, %s = %.17g, |diff| %.3g > %.3g", #a,   \
                                         x_, #b, y_, fabs(x_ - y_), t_);                     \
  } while (0)

/// Fail unless the two doubles are the same bits.
#define assert_same_bits(a, b)                                                               \
  do {                                                                                       \
    double x_ = (a), y_ = (b);                                                               \
    if (memcmp(&x_, &y_, sizeof x_) != 0) fail_msg("%s = %.17g differs from %s = %.17g", #a, \
                                                   x_, #b, y_);                              \
  } while (0)

/// Temporary files the test program made (removed when it exits).
static char g_temps[512][64];
static int g_ntemps;

/// Remove the temporary files (atexit).
static void remove_temps(void) {
  for (int i = 0; i < g_ntemps; i++) unlink(g_temps[i]);
}

/// Write text to a fresh temporary file whose name ends with suffix; returns its path
/// (static buffer). The file is removed when the test program exits.
static inline const char *write_temp_as(const char *text, const char *suffix) {
  static char path[64];
  snprintf(path, sizeof path, "/tmp/judgesim-test-XXXXXX%s", suffix);
  int fd = mkstemps(path, (int)strlen(suffix));
  if (fd < 0) fail_msg("mkstemps failed");
  if (g_ntemps == 0) atexit(remove_temps);
  if (g_ntemps < 512) memcpy(g_temps[g_ntemps++], path, sizeof path);
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) fail_msg("write failed");
  close(fd);
  return path;
}

/// Write text to a fresh temporary .yaml file; returns its path (static buffer).
static inline const char *write_temp(const char *text) { return write_temp_as(text, ".yaml"); }

/// Small deterministic generator for test inputs (xorshift64*), uniform in (0, 1).
static inline double test_uniform(uint64_t *s) {
  *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
  return ((*s * 2685821657736338717ULL) >> 11) * 0x1.0p-53 + 0x1.0p-54;
}

/// Standard normal from test_uniform (Box-Muller), independent of the code under test.
static inline double test_normal(uint64_t *s) {
  double u = test_uniform(s), v = test_uniform(s);
  return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

#endif
