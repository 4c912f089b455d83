/// \file rng.c
/// SPRNG MLFG streams and a batched Box-Muller transform (exact Gaussian variates).
#include "mc/rng.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sprng/sprng.h>

#include "core/simdmath.h"

#define JS_NORMAL_BLOCK 1024 /* normals made per transform; fixes the sequence */
#define JS_RNG_TOTAL_STREAMS 2147483647

struct js_rng {
  int *stream;
  size_t left;                             /* unused normals at the end of buf */
  double buf[JS_NORMAL_BLOCK] __attribute__((aligned(64)));
  double u[JS_NORMAL_BLOCK] __attribute__((aligned(64)));
};

/// 64-bit finaliser (splitmix64) used to mix the unit identity into a stream seed.
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int js_rng_seed(long seed, int d, int n) {
  uint64_t h = mix64(mix64(mix64((uint64_t)seed) ^ (uint64_t)d) ^ ((uint64_t)n << 1));
  return (int)(h & 0x7fffffffu);
}

/// A pair's seed and where it is in the grid (for sorting).
typedef struct {
  int seed, d, n;
} pair_seed;

/// Order by seed.
static int by_seed(const void *a, const void *b) {
  const pair_seed *x = a, *y = b;
  return (x->seed > y->seed) - (x->seed < y->seed);
}

js_status js_rng_check_pairs(long seed, const int *d, int nd, const int *n, int nn) {
  size_t count = (size_t)nd * (size_t)nn;
  pair_seed *p = malloc(sizeof *p * (count ? count : 1));
  JS_ALLOC_CHECK(p, "stream seeds");
  for (int i = 0; i < nd; i++)
    for (int j = 0; j < nn; j++)
      p[(size_t)i * nn + j] = (pair_seed){js_rng_seed(seed, d[i], n[j]), d[i], n[j]};
  qsort(p, count, sizeof *p, by_seed);
  for (size_t i = 1; i < count; i++) {
    if (p[i].seed != p[i - 1].seed) continue;
    pair_seed a = p[i - 1], b = p[i];
    free(p);
    JS_FAIL(JS_ERR_INPUT, "sampling.seed %ld: (d, n) = (%d, %d) and (%d, %d) would draw the "
            "same random numbers (their SPRNG streams share seed %d); choose another "
            "sampling.seed", seed, a.d, a.n, b.d, b.n, a.seed);
  }
  free(p);
  return JS_OK;
}

/// Open stream number `stream` of the pair (d, n)'s seed (what: the unit, for messages).
static js_status open_stream(long seed, int d, int n, int stream, const char *what,
                             js_rng **rng) {
  js_rng *r = aligned_alloc(64, sizeof *r);
  JS_ALLOC_CHECK(r, "random stream");
  int sprng_seed = js_rng_seed(seed, d, n);
  js_clear_upper();
  r->stream = init_rng(SPRNG_MLFG, stream, JS_RNG_TOTAL_STREAMS, sprng_seed, SPRNG_DEFAULT);
  r->left = 0;
  if (!r->stream) {
    free(r);
    JS_FAIL(JS_ERR_RNG, "SPRNG could not create the MLFG stream for d=%d n=%d %s", d, n,
            what);
  }
  *rng = r;
  return JS_OK;
}

js_status js_rng_open(long seed, int d, int n, int trial, js_rng **rng) {
  char what[48];
  snprintf(what, sizeof what, "trial=%d", trial);
  JS_CALL(open_stream(seed, d, n, trial, what, rng));
  return JS_OK;
}

js_status js_rng_open_split(long seed, int d, int n, int trial, int split, int nsplit,
                            js_rng **rng) {
  char what[80];
  snprintf(what, sizeof what, "trial=%d test-point split %d of %d", trial, split, nsplit);
  int64_t stream = JS_RNG_SPLIT_BASE + (int64_t)trial * (nsplit - 1) + (split - 1);
  JS_CHECK(split >= 1 && split < nsplit && stream < JS_RNG_TOTAL_STREAMS, JS_ERR_INPUT,
           "d=%d n=%d %s: needs SPRNG stream %lld, beyond its %d streams (fewer trials, or a "
           "larger sampling.unit_points)", d, n, what, (long long)stream, JS_RNG_TOTAL_STREAMS);
  JS_CALL(open_stream(seed, d, n, (int)stream, what, rng));
  return JS_OK;
}

/// Fill out[0..count) with the next SPRNG uniforms in [0, 1).
static void uniforms(js_rng *rng, double *out, size_t count) {
  js_clear_upper();
  for (size_t i = 0; i < count; i++) out[i] = get_rn_dbl(rng->stream);
}

/// Make one block of JS_NORMAL_BLOCK normals into z: radii from the first half of the
/// uniforms, angles from the second (Box-Muller). AVX-512: js_cossin_2pi8 and js_sqrt8
/// (src/core/simdmath.h); elsewhere libmvec's cos and sin in separate loops (both vectorize).
static void normal_block(js_rng *rng, double *restrict zbuf) {
  double *restrict u = __builtin_assume_aligned(rng->u, 64);
  double *restrict z = __builtin_assume_aligned(zbuf, 64);
  const int h = JS_NORMAL_BLOCK / 2;
  uniforms(rng, u, JS_NORMAL_BLOCK);
#ifdef __AVX512F__
#pragma omp simd
  for (int i = 0; i < h; i++) u[i] = -2.0 * log(1.0 - u[i]);
  for (int i = 0; i < h; i += 8) {
    __m512d r = js_sqrt8(_mm512_load_pd(u + i)), c, s;
    js_cossin_2pi8(_mm512_load_pd(u + h + i), &c, &s);
    _mm512_store_pd(z + i, _mm512_mul_pd(r, c));
    _mm512_store_pd(z + h + i, _mm512_mul_pd(r, s));
  }
#else
#pragma omp simd
  for (int i = 0; i < h; i++) u[i] = sqrt(-2.0 * log(1.0 - u[i]));
#pragma omp simd
  for (int i = 0; i < h; i++) z[i] = u[i] * cos(6.283185307179586 * u[h + i]);
#pragma omp simd
  for (int i = 0; i < h; i++) z[h + i] = u[i] * sin(6.283185307179586 * u[h + i]);
#endif
}

js_status js_rng_normals(js_rng *rng, double *out, size_t count) {
  while (count > 0) {
    if (rng->left == 0) {
      normal_block(rng, rng->buf); /* always the aligned buffer: same code path every time */
      rng->left = JS_NORMAL_BLOCK;
    }
    size_t take = rng->left < count ? rng->left : count;
    memcpy(out, rng->buf + (JS_NORMAL_BLOCK - rng->left), take * sizeof *out);
    rng->left -= take;
    out += take;
    count -= take;
  }
  return JS_OK;
}

js_status js_rng_indices(js_rng *rng, int *out, size_t count, int bound) {
  for (size_t i = 0; i < count; i++) {
    js_clear_upper();
    int v = (int)(get_rn_dbl(rng->stream) * bound);
    out[i] = v < bound ? v : bound - 1;
  }
  return JS_OK;
}

void js_rng_close(js_rng *rng) {
  if (!rng) return;
  js_clear_upper();
  free_rng(rng->stream);
  free(rng);
}
