#!/usr/bin/env bats
# Inputs that used to crash judgesim or destroy data: each must end with exit 2 and one
# message naming the file (or option), the key and the value, and write nothing.
load helpers

# expect_bad ARGS...: judgesim ARGS exits 2 with one "error:" line and no traceback of a crash
expect_bad() {
  run "$JS" "$@"
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"judgesim: error: "* ]]
  [[ "$output" != *"Signal"* && "$output" != *"double free"* ]]
}

@test "safety: a non-numeric or empty-map grid.T is bad input in run, --dry-run and theory" {
  for v in '[0, abc]' '[0, nan]' '[0, ~]' '[0, true]' '[1_000]' '{}' '[[1]]' '[{}]' \
           '{logspace: 3}' '{logspace: {start: 1, stop: 2}}'; do
    for cmd in "run --dry-run" run theory; do
      expect_bad $cmd "$ROOT/tests/data/small.yaml" --set "grid.T=$v" -o "$TMP/x.nc" --quiet
      [[ "$output" == *"grid.T"* ]]
    done
  done
  [ -z "$(ls "$TMP")" ]
}

@test "safety: k = 2^31 - 1, the documented maximum, runs (no overflow at the last chunk)" {
  cat > "$TMP/k.yaml" <<YAML
model: {sigma: 0.5, gamma: 1.0}
grid: {d: [4], n: [8], k: [1, 2147483647], T: [0.5], reward: [{alpha: 1, beta: 0}]}
sampling: {trials: 2, test_points: 1, seed: 1}
output: {path: $TMP/k.nc}
YAML
  run "$JS" run "$TMP/k.yaml" --quiet
  echo "$output"
  [ "$status" -eq 0 ]
  [ -s "$TMP/k.nc" ]
  [ ! -e "$TMP/k.nc.lock" ]
}
