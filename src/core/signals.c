/// \file signals.c
/// The stop flag and its handler (see signals.h).
#include "core/signals.h"

#include <string.h>

/* The one flag a signal handler sets: process-wide by necessity (docs/architecture.md). */
static volatile sig_atomic_t g_stop;

/// The handler: remember which signal asked for the stop.
static void on_signal(int signo) { g_stop = signo; }

volatile sig_atomic_t *js_signals_stop(int catch) {
  int sigs[] = {SIGTERM, SIGUSR1, SIGINT};
  for (int i = 0; i < 3; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = catch ? on_signal : SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(sigs[i], &sa, NULL);
  }
  return &g_stop;
}
