#!/usr/bin/env bats
# AddressSanitizer and UndefinedBehaviorSanitizer (make asan): the unit tests, a short study
# on one and two ranks, and a study with 500 judges (whose theory once overflowed a stack
# buffer) run clean, and give the numbers of the optimized build. Leak checking is off:
# Open MPI and SPRNG keep allocations to exit.
load helpers

ASAN="$ROOT/bin/judgesim-asan"
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# A status and output that a sanitizer would have spoiled.
clean() {
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" != *"AddressSanitizer"* && "$output" != *"runtime error:"* ]]
}

@test "sanitizers: every unit test" {
  for t in "$ROOT"/build/asan/tests/test_*; do
    run "$t"
    clean
  done
}

@test "sanitizers: a short study on 1 and 2 ranks equals the optimized build's to 1e-9" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/ref.nc" --quiet
  run "$ASAN" run "$ROOT/tests/data/small.yaml" -o "$TMP/one.nc" --quiet
  clean
  run $MPIRUN -np 2 "$ASAN" run "$ROOT/tests/data/small.yaml" -o "$TMP/two.nc" --quiet
  clean
  cube_data "$TMP/one.nc" | cmp - <(cube_data "$TMP/two.nc")   # one binary: bitwise
  /usr/bin/python3 - "$TMP/ref.nc" "$TMP/one.nc" <<'EOF'
import sys, numpy as np, netCDF4
a, b = (netCDF4.Dataset(p) for p in sys.argv[1:])
for v in ("delta", "delta_se", "delta_theory"):
    x, y = a[v][:].filled(np.nan), b[v][:].filled(np.nan)
    assert np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True), v
EOF
}

@test "sanitizers: 500 judges (Monte Carlo and theory)" {
  {
    echo "model: {sigma: 0.5, gamma: 1.0}"
    printf 'grid:\n  d: [8]\n  n: [16]\n  k: [1, 4]\n  T: [0, .inf]\n  reward:\n'
    for i in $(seq 0 499); do
      echo "    - {alpha: $(awk -v i="$i" 'BEGIN { print 1 + 0.002 * (i % 50) }'), beta: $(awk -v i="$i" 'BEGIN { print 0.05 * int(i / 50) }')}"
    done
    echo "sampling: {trials: 2, test_points: 20, seed: 5}"
  } > "$TMP/judges.yaml"
  run "$ASAN" run "$TMP/judges.yaml" -o "$TMP/judges.nc" --quiet
  clean
  [ "$(ncdump -h "$TMP/judges.nc" | grep -cE '^\s+reward = 500 ;')" -eq 1 ]
  /usr/bin/python3 - "$TMP/judges.nc" <<'EOF'
import sys, numpy as np, netCDF4
f = netCDF4.Dataset(sys.argv[1])
th = f["delta_theory"][:]
assert th.shape[-1] == 500 and np.all(np.isfinite(th)) and np.all(th > 0), th.shape
EOF
}
