#!/usr/bin/env bats
# The libFuzzer harnesses (tests/fuzz/fuzz_*.c, built by make check): every seed and every
# input that ever crashed one runs clean, and each harness then fuzzes for
# JUDGESIM_FUZZ_SECONDS (default 30) without a crash, a leak or a timeout.
load helpers

export LSAN_OPTIONS="suppressions=$ROOT/tests/fuzz/lsan.supp"

harnesses() {
  for f in "$ROOT"/tests/fuzz/fuzz_*.c; do n=${f##*/fuzz_}; echo "${n%.c}"; done
}

@test "fuzz: every harness replays its seed corpus and every input that ever crashed" {
  [ "$(harnesses | wc -l)" -eq 4 ]
  for n in $(harnesses); do
    # artifact_prefix: a reading child that HDF5 crashes writes its input there, not in "."
    run "$ROOT/bin/fuzz-$n" -runs=0 -artifact_prefix="$TMP/" "$ROOT/tests/fuzz/corpus/$n" \
      "$ROOT/tests/fuzz/crashes/$n"
    [ "$status" -eq 0 ] || { echo "fuzz-$n:"; echo "$output" | tail -30; false; }
    [[ "$output" == *"INITED"* ]]
  done
}

@test "fuzz: each harness runs ${JUDGESIM_FUZZ_SECONDS:-30} s without a finding" {
  FUZZ_SECONDS=${JUDGESIM_FUZZ_SECONDS:-30} FUZZ_WORK="$TMP/work" FUZZ_CRASHES="$TMP/crashes" \
    run "$ROOT/dev/fuzz"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c ' exec/s, cov: [0-9]' <<< "$output")" -eq 4 ]
}
