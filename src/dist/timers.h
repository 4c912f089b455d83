/// \file timers.h
/// Where the time goes (after CoMD's performance timers): phase timers on each rank, the
/// compute of every unit by kind (count, total, longest), gathered over the ranks, and a
/// report that `judgesim run --timings` prints and dev/scale reads. Times are seconds of
/// js_par_time() (simulated seconds under SMPI).
#ifndef JS_TIMERS_H
#define JS_TIMERS_H

#include <stdio.h>

#include "core/error.h"

typedef enum {
  JS_TM_STARTUP,  ///< MPI start to the first unit handed out (study, grid, restart)
  JS_TM_WORK,     ///< the distributed work (every unit), on the master
  JS_TM_SERVICE,  ///< a server (the master, or a group leader) answering messages
  JS_TM_REDUCE,   ///< trial means and standard errors
  JS_TM_ASSEMBLE, ///< theory assembled from its pieces
  JS_TM_WRITE,    ///< the cube written
  JS_TM_COMMIT,   ///< the final checkpoint commit (waited for)
  JS_TM_IDLE,     ///< a worker waiting for work
  JS_TM_IDLE_END, ///< a worker's last wait, ended by "no work left" (within IDLE)
  JS_TM_BLOCKS,   ///< the master's background thread beginning the cube and writing complete
                  ///< (d, n) blocks during the work (real seconds, off the service loop)
  JS_TM_COUNT
} js_timer_id;

/// Moments on rank 0's clock (absolute js_par_time(): simulated seconds from the simulation's
/// start under SMPI), so a report can show the time between the phases too.
typedef enum {
  JS_AT_INIT,     ///< MPI started
  JS_AT_WORK_END, ///< every unit's result in
  JS_AT_GATHERED, ///< every rank done with the schedule (timers gathered)
  JS_AT_EPILOG,   ///< the cube written and the final commit done
  JS_AT_COUNT
} js_mark_id;

/// Record the moment m now.
void js_timer_mark(js_mark_id m);
/// Start and stop a phase timer (time adds up over repeated use).
void js_timer_start(js_timer_id t);
void js_timer_stop(js_timer_id t);
/// Add seconds to a phase timer.
void js_timer_add(js_timer_id t, double seconds);
/// Count one unit of a kind (0 Monte Carlo, 1 theory) that took `seconds` on this rank.
void js_timer_unit(int kind, double seconds);
/// Combine every rank's unit counts and times on rank 0 (collective; js_schedule_run calls
/// it on every rank at its end).
js_status js_timers_gather(void);
/// Print the report on rank 0: one "timing KEY VALUE" line per figure (seconds, counts and
/// fractions), from the gathered unit figures and rank 0's phases.
void js_timers_print(FILE *out, int ranks);

#endif
