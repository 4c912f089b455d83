/// \file fault.c
/// Fault injection for tests (see fault.h).
#include "core/fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const g_kinds[] = {"alloc", "trial", "mpi", "commit"};

static struct {
  int armed;          /* a fault is set for this rank */
  js_fault_kind kind; /* of this kind */
  long at;            /* at this event (from 1) */
  long seen;          /* events of that kind so far */
} g_fault;

js_status js_fault_init(int rank) {
  memset(&g_fault, 0, sizeof g_fault);
  const char *env = getenv("JUDGESIM_FAULT");
  if (!env || !*env) return JS_OK;
  char kind[16] = "";
  int frank = -1, used = 0;
  long at = 0;
  int got = sscanf(env, "%15[a-z]:%d:%ld%n", kind, &frank, &at, &used);
  int k = -1;
  for (int i = 0; i < 4; i++)
    if (strcmp(kind, g_kinds[i]) == 0) k = i;
  JS_CHECK(got == 3 && env[used] == '\0' && k >= 0 && frank >= 0 && at >= 1, JS_ERR_INPUT,
           "JUDGESIM_FAULT=%s: expected KIND:RANK:N with KIND alloc, trial, mpi or commit, "
           "RANK >= 0 and N >= 1", env);
  if (frank == rank) g_fault.armed = 1, g_fault.kind = (js_fault_kind)k, g_fault.at = at;
  return JS_OK;
}

int js_fault_hit(js_fault_kind kind) {
  if (!g_fault.armed || kind != g_fault.kind) return 0;
  long n = ++g_fault.seen;
  return kind == JS_FAULT_COMMIT ? n >= g_fault.at : n == g_fault.at;
}
