#!/usr/bin/env bats
# tools/plot writes readable PNGs for a Monte Carlo cube and for a theory-only cube.
load helpers

@test "tools/plot: PNGs for every (d, n) plus best-of-k and k_opt, for MC and theory cubes" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/c.nc" --quiet
  run "$ROOT/tools/plot" "$TMP/c.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  for f in c_k_d8_n12 c_k_d16_n40 c_T_d8_n12 c_bestofk c_kopt; do
    [ "$(head -c 8 "$TMP/$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
    [ "$(stat -c %s "$TMP/$f.png")" -gt 10000 ]
  done
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/t.nc" --quiet
  run "$ROOT/tools/plot" "$TMP/t.nc" --out "$TMP/plots"
  [ "$status" -eq 0 ]
  [ -s "$TMP/plots/t_bestofk.png" ]
  run "$ROOT/tools/plot" "$ROOT/tests/data/small.yaml"
  [ "$status" -ne 0 ]
}

@test "tools/plot: each judge's k panel fills its own scale, so a misaligned judge's U shows" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/c.nc" --quiet
  run "$ROOT/tools/plot" "$TMP/c.nc" --describe
  echo "$output"
  [ "$status" -eq 0 ]
  # every panel: the data span at least 70% of its axis (in log units on a log axis), and
  # a k_opt for each finite T of the grid (0, 0.1, 1)
  run python3 -c "
import math, sys
lines = [l for l in sys.stdin.read().splitlines() if l.startswith('k-panel')]
assert len(lines) == 12, len(lines)
for l in lines:
    f = dict(w.split('=', 1) for w in l.split() if '=' in w and not w.startswith('T='))
    lo, hi = map(float, f['ylim'].split(',')); a, b = map(float, f['data'].split(','))
    g = math.log if f['yscale'] == 'log' else (lambda x: x)
    frac = (g(b) - g(a)) / (g(hi) - g(lo))
    assert frac > 0.7, (l, frac)
    assert l.count(' T=') == 3, l
u = [l for l in lines if 'd=16 n=40 judge=(1,1)' in l][0]
assert 'yscale=linear' in u and float(u.split('data=')[1].split(',')[1].split()[0]) > 1.2, u
print('ok', len(lines))" <<< "$output"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "ok 12" ]
}

@test "tools/plot: a rerank cube gives delta against k and T, the fit and the expansion" {
  cd "$TMP"
  "$ROOT/tools/make-samples" --questions 40 --samples 16 > s.csv
  "$JS" rerank s.csv --boot 100 -q
  run "$ROOT/tools/plot" s.rerank.nc
  echo "$output"
  [ "$status" -eq 0 ]
  for f in s.rerank_k s.rerank_T s.rerank_fit s.rerank_expansion; do
    [ "$(head -c 8 "$f.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
    [ "$(stat -c %s "$f.png")" -gt 10000 ]
  done
}
