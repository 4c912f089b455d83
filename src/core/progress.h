/// \file progress.h
/// The master's progress line on stderr: units done/total, candidates/s, ETA. Redrawn in
/// place on a terminal, a plain line every few seconds otherwise, nothing when quiet.
#ifndef JS_PROGRESS_H
#define JS_PROGRESS_H

typedef struct {
  int quiet, tty, total_units, done_units, resumed_units, drawn;
  double start, last, total_cost, done_cost, candidates;
  const char *what; ///< what `candidates` counts ("candidates" unless set after init)
} js_progress;

/// Monotonic wall-clock seconds.
double js_now(void);
/// Start reporting on a study of total_units units of total_cost estimated seconds.
void js_progress_init(js_progress *prog, int quiet, int total_units, double total_cost);
/// Count units finished before this run (resumed): shown as done, left out of the ETA.
void js_progress_resumed(js_progress *prog, int units, double cost);
/// Count finished units (their estimated cost and candidates) and redraw when due.
void js_progress_units(js_progress *prog, int units, double cost, double candidates);
/// Finish the line (on a terminal) before the summary is printed.
void js_progress_end(js_progress *prog);

#endif
