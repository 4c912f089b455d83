/// \file theorycache.h
/// A cmocka group fixture: one theory quadrature cache, passed to every test as its state.
#ifndef JS_THEORYCACHE_H
#define JS_THEORYCACHE_H

#include "theory/theory.h"

/// The group's cache (group setup).
static int cache_up(void **state) {
  js_theory_cache *q = NULL;
  int bad = js_theory_cache_create(&q) != JS_OK;
  *state = q;
  return bad;
}

/// Free the group's cache (group teardown).
static int cache_down(void **state) {
  js_theory_cache_free(*state);
  return 0;
}

#endif
