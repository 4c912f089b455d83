/// \file hash.c
/// FNV-1a and the lane hash of doubles (see hash.h).
#include "core/hash.h"

#include <string.h>

#define FNV_PRIME 0x100000001b3ULL

uint64_t js_fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) h = (h ^ p[i]) * FNV_PRIME;
  return h;
}

uint64_t js_hash_doubles(uint64_t h, const double *x, size_t n) {
  uint64_t lane[4] = {h, h ^ 1, h ^ 2, h ^ 3}, w;
  size_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++) memcpy(&w, x + i + j, 8), lane[j] = (lane[j] ^ w) * FNV_PRIME;
  for (; i < n; i++) memcpy(&w, x + i, 8), lane[0] = (lane[0] ^ w) * FNV_PRIME;
  h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7) ^ (uint64_t)n;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}
