/// \file fuzz_samples.c
/// libFuzzer: any bytes as a rerank sample file, CSV (or TSV) or JSON Lines by the first
/// byte's lowest bit; what reads must give finite per-question values between the oracle
/// and the worst loss.
#include <math.h>

#include "fuzz.h"
#include "rerank/samples.h"
#include "rerank/subsets.h"

/// Exact curves of one question at a few k and T: finite, at least the oracle.
static void check_question(const js_samples *smp, int q) {
  js_question one = {(int)(smp->start[q + 1] - smp->start[q]), smp->loss + smp->start[q],
                     smp->reward + smp->start[q]};
  if (one.n > 64) return;
  int k[3] = {1, one.n < 2 ? 1 : 2, one.n < 4 ? one.n : 4}, nk = 3;
  double T[4] = {0, 1e-300, 0.5, INFINITY}, out[12], oracle[3];
  if (js_subsets_delta(&one, nk, k, 4, T, out) != JS_OK) abort();
  if (js_subsets_oracle(&one, nk, k, oracle) != JS_OK) abort();
  for (int i = 0; i < 12; i++)
    if (!isfinite(out[i]) || out[i] < oracle[i % 3] - 1e-9 * (1 + fabs(oracle[i % 3]))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1 || size > (1 << 20)) return 0;
  const char *path = fuzz_file(data + 1, size - 1, data[0] & 1 ? ".jsonl" : ".csv");
  js_columns cols = {"question", "loss", "correct", "reward", 1, data[0] & 2 ? 1 : 0};
  js_samples smp;
  js_status s = js_samples_read(&path, 1, &cols, &smp);
  fuzz_expect(s, "samples");
  if (s == JS_OK) {
    for (int q = 0; q < smp.nq; q++) check_question(&smp, q);
    js_samples_free(&smp);
  }
  return 0;
}
