/// \file fault.h
/// Fault injection for tests: JUDGESIM_FAULT=KIND:RANK:N makes rank RANK fail at its N-th
/// event of KIND (N from 1), as a real failure of that kind would:
///   alloc   an allocation outside a trial (a worker's N-th batch, the root's N-th result);
///   trial   inside a Monte Carlo trial (the rank's N-th unit, after the posterior fit);
///   mpi     an MPI send (a worker's N-th result message, the root's N-th batch sent);
///   commit  checkpoint commits on rank RANK from the N-th on (a full file system).
/// Unset (the normal case), nothing fires. Parsing never touches MPI: the rank is given.
#ifndef JS_FAULT_H
#define JS_FAULT_H

#include "core/error.h"

typedef enum { JS_FAULT_ALLOC, JS_FAULT_TRIAL, JS_FAULT_MPI, JS_FAULT_COMMIT } js_fault_kind;

/// Read JUDGESIM_FAULT for this rank; a malformed value is an input error naming it.
js_status js_fault_init(int rank);
/// Count one event of this kind on this rank; is it the one to fail? (Thread-safe for
/// commits, which run one at a time on the writer thread.)
int js_fault_hit(js_fault_kind kind);

#endif
