/// \file signals.h
/// The stop request of a run: SIGTERM, SIGUSR1 and SIGINT set one process-wide flag (a
/// signal handler can reach nothing else), which the caller hands to the scheduler
/// (js_master_hooks.stop). Nothing here knows what a stop does.
#ifndef JS_SIGNALS_H
#define JS_SIGNALS_H

#include <signal.h>

/// Catch SIGTERM, SIGUSR1 and SIGINT into the stop flag (catch = 1), or ignore them
/// (catch = 0: a rank other than 0, whose stop is rank 0's to take). Returns the flag: 0
/// until a signal arrives, then the signal's number.
volatile sig_atomic_t *js_signals_stop(int catch);

#endif
