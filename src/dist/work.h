/// \file work.h
/// What the schedule (schedule.h) distributes: units 0..nunits-1, of which order[0..nwork)
/// are to be computed, costliest first. Each unit has an estimated cost and a result of
/// payload(id) doubles that any rank computes from what every rank holds. A study's grid
/// (units/unit.h: Monte Carlo units and theory pieces) and a rerank's questions provide one.
#ifndef JS_WORK_H
#define JS_WORK_H

#include "core/error.h"

/// Asked about every `every` seconds of estimated compute inside a unit; a non-zero return
/// abandons the unit with JS_INTERRUPTED.
typedef int (*js_poll_fn)(void *ctx);

/// A unit's poll hook: the function, its context and how often to ask it.
typedef struct {
  js_poll_fn fn;
  void *ctx;
  double every; ///< seconds of estimated compute between two questions
} js_poll;

/// A set of work units and how to compute one.
typedef struct {
  int nunits, nwork;
  const int *order;   ///< the units to compute, costliest first (ties by id)
  int max_payload;    ///< the largest payload(id)
  void *ctx;          ///< what the functions below read (and run may change)
  double (*cost)(const void *ctx, int id);  ///< estimated seconds of one core
  int (*payload)(const void *ctx, int id);  ///< doubles in the unit's result
  int (*kind)(const void *ctx, int id);     ///< 0 or 1: timed apart (e.g. Monte Carlo, theory)
  double (*count)(const void *ctx, int id); ///< what the unit adds to progress (candidates)
  /// Compute unit id into payload (poll may be NULL).
  js_status (*run)(void *ctx, int id, double *payload, const js_poll *poll);
  /// The estimated cost of order[0..nwork) when known (0: the queue adds it up), so that
  /// starting a queue costs one byte test per unit, not a cost() call.
  double total_cost;
} js_work;

#endif
