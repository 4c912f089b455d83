/// \file error.c
/// Storage and printing of the current failure and its traceback. The failure is per thread
/// (the checkpoint writer thread has its own), except under SimGrid's SMPI, whose simulated
/// ranks share one thread and get their own copy of every global instead.
#include "core/error.h"

#include <stdio.h>
#include <string.h>

#define JS_MAX_FRAMES 32

#ifdef JS_SMPI
#define JS_PER_THREAD
#else
#define JS_PER_THREAD _Thread_local
#endif

static JS_PER_THREAD char g_message[2048];
static JS_PER_THREAD struct {
  const char *file, *func;
  int line;
} g_frames[JS_MAX_FRAMES];
static JS_PER_THREAD int g_nframes;
static JS_PER_THREAD int g_held; /* js_error_hold: the failure recorded is kept */

/// Push one frame, dropping frames beyond the maximum depth.
static void push_frame(const char *file, int line, const char *func) {
  if (g_held || g_nframes >= JS_MAX_FRAMES) return;
  g_frames[g_nframes].file = file;
  g_frames[g_nframes].line = line;
  g_frames[g_nframes].func = func;
  g_nframes++;
}

js_status js_fail(js_status code, const char *file, int line, const char *func,
                  const char *fmt, ...) {
  if (g_held) return code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_message, sizeof g_message, fmt, ap);
  va_end(ap);
  g_nframes = 0;
  push_frame(file, line, func);
  return code;
}

js_status js_trace(js_status code, const char *file, int line, const char *func) {
  push_frame(file, line, func);
  return code;
}

const char *js_error_message(void) { return g_message; }

void js_error_hold(int hold) { g_held += hold; }

void js_error_clear(void) {
  g_message[0] = '\0';
  g_nframes = 0;
}

void js_error_text(char *buf, size_t size) {
  size_t at = (size_t)snprintf(buf, size, "%s", g_message[0] ? g_message : "unknown failure");
  for (int i = 0; i < g_nframes && at < size; i++)
    at += (size_t)snprintf(buf + at, size - at, "\n  at %s (%s:%d)", g_frames[i].func,
                           g_frames[i].file, g_frames[i].line);
}

void js_error_report(js_status code) {
  if (code == JS_OK) return;
  fprintf(stderr, "judgesim: %s: %s\n",
          code == JS_ERR_INTERNAL ? "internal error (a bug in judgesim: please report it with "
                                    "this message and traceback)" : "error",
          g_message[0] ? g_message : "unknown failure");
  if (code == JS_ERR_INPUT || code == JS_INTERRUPTED) return;
  for (int i = 0; i < g_nframes; i++)
    fprintf(stderr, "  at %s (%s:%d)\n", g_frames[i].func, g_frames[i].file, g_frames[i].line);
}

int js_exit_code(js_status code) {
  if (code == JS_OK) return 0;
  if (code == JS_INTERRUPTED) return 3;
  if (code == JS_ERR_LOCKED) return 4;
  return code == JS_ERR_INPUT ? 2 : 1;
}
