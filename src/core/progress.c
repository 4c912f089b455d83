/// \file progress.c
/// Progress line of the master rank.
#include "core/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define JS_PLAIN_EVERY 5.0 /* seconds between plain lines when stderr is not a terminal */
#define JS_TTY_EVERY 0.2

double js_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void js_progress_init(js_progress *prog, int quiet, int total_units, double total_cost) {
  prog->quiet = quiet;
  prog->tty = isatty(STDERR_FILENO);
  prog->total_units = total_units;
  prog->total_cost = total_cost;
  prog->done_units = prog->resumed_units = 0;
  prog->done_cost = prog->candidates = 0;
  prog->drawn = 0;
  prog->what = "candidates";
  prog->start = prog->last = js_now();
}

/// Format seconds as h:mm:ss.
static void hms(double s, char *buf, size_t size) {
  long t = (long)(s + 0.5);
  snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
}

/// Print the line now.
static void draw(js_progress *prog, double now) {
  double el = now - prog->start;
  double rate = el > 0 ? prog->candidates / el : 0;
  char eta[32] = "?";
  if (prog->done_cost > 0)
    hms(el * (prog->total_cost - prog->done_cost) / prog->done_cost, eta, sizeof eta);
  int done = prog->done_units + prog->resumed_units;
  fprintf(stderr, "%sunits %d/%d (%.1f%%)  %.3g %s/s  ETA %s%s", prog->tty ? "\r\033[K" : "",
          done, prog->total_units, 100.0 * done / prog->total_units, rate, prog->what, eta,
          prog->tty ? "" : "\n");
  fflush(stderr);
  prog->drawn = 1;
  prog->last = now;
}

void js_progress_units(js_progress *prog, int units, double cost, double candidates) {
  prog->done_units += units;
  prog->done_cost += cost;
  prog->candidates += candidates;
  if (prog->quiet) return;
  double now = js_now();
  if (now - prog->last >= (prog->tty ? JS_TTY_EVERY : JS_PLAIN_EVERY)) draw(prog, now);
}

void js_progress_end(js_progress *prog) {
  if (prog->quiet) return;
  if (prog->tty) {
    draw(prog, js_now());
    fputc('\n', stderr);
  }
}

void js_progress_resumed(js_progress *prog, int units, double cost) {
  prog->resumed_units = units;
  prog->total_cost -= cost;
}
