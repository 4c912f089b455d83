/// \file queue.h
/// The units not yet handed out, in cost order (work->order, skipping units already done),
/// and how batches are cut from it: guided self-scheduling, a batch being about the
/// remaining estimated cost / (JS_GUIDED x the ranks that share it), at most a cap, at
/// least one unit. Every rank builds the same queue from the same work and done flags, so a batch can be implied instead of sent (the first round).
#ifndef JS_QUEUE_H
#define JS_QUEUE_H

#include "dist/work.h"

#define JS_GUIDED 4.0 /* a batch is about the remaining cost / (JS_GUIDED x sharers) */

typedef struct {
  const js_work *work;
  const unsigned char *done; ///< units already done (not handed out)
  int next;                  ///< position in work->order
  int left_units;            ///< units neither done nor handed out
  double left_cost;          ///< their estimated cost
} js_queue;

/// Start a queue over work->order[0..nwork), skipping units marked in done.
void js_queue_init(js_queue *q, const js_work *work, const unsigned char *done);
/// Cut the next batch for one of `sharers` ranks into ids: about the remaining cost /
/// (JS_GUIDED x sharers), at most cap estimated seconds and max units, at least one unit,
/// and at least min_units and min_cost estimated seconds while they fit in the remaining
/// cost / sharers (a group's chunk has one unit per worker of the group near the end, when
/// guided chunks would leave most of them waiting; min_cost keeps a server's message rate
/// within what it can answer, js_layout_floor); returns its length (0 when nothing is left).
int js_queue_take(js_queue *q, int sharers, double cap, int max, int min_units,
                  double min_cost, int *ids);

#endif
