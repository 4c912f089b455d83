#!/usr/bin/env bats
# Statistical facts of the model (docs/model.md, "Judges (reward vectors) and the estimand") on a small study with fixed seeds
# (tests/check_stats.py states each check and its tolerance in standard errors).
load helpers

@test "the model's facts: k=1/T=inf reference, k^-2 decay, U shape in k, interior T minimum" {
  $MPIRUN -np 2 "$JS" run "$ROOT/tests/data/stats.yaml" -o "$TMP/stats.nc" --quiet
  run /usr/bin/python3 "$ROOT/tests/check_stats.py" "$TMP/stats.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^PASS' <<< "$output")" -eq 6 ]
}
