#!/usr/bin/env bats
# judgesim analyze: adds the analysis to a run cube atomically and prints it; refuses
# cubes without Monte Carlo results and bad options with exit 2, leaving the file alone.
load helpers

@test "analyze adds k_opt, T_opt, best judge, exponent and gap; rerun is reproducible" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/c.nc" --quiet
  run "$JS" analyze "$TMP/c.nc" --boot 200
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"== d=8 n=12 =="* ]]
  [[ "$output" == *"k_opt [95% interval]"* ]]
  [[ "$output" == *"MC - theory: largest |gap|"* ]]
  for v in k_opt k_opt_lo k_opt_hi k_opt_at_edge T_opt T_opt_at_edge best_reward \
           best_reward_prob bestofk_exponent bestofk_exponent_theory delta_gap_se; do
    ncdump -h "$TMP/c.nc" | grep -q " $v("
  done
  ncdump -v k_opt,k_opt_lo,k_opt_hi,best_reward_prob "$TMP/c.nc" | sed -n '/^data/,$p' > "$TMP/a1"
  "$JS" analyze "$TMP/c.nc" --boot 200 --quiet
  ncdump -v k_opt,k_opt_lo,k_opt_hi,best_reward_prob "$TMP/c.nc" | sed -n '/^data/,$p' > "$TMP/a2"
  cmp "$TMP/a1" "$TMP/a2"
  # the Monte Carlo data are untouched
  [ -z "$(ls "$TMP" | grep -E '\.tmp\.|\.lock$')" ]
}

@test "analyze refuses a theory-only cube and bad options (exit 2, file unchanged)" {
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/t.nc" --quiet
  cp "$TMP/t.nc" "$TMP/t0.nc"
  run "$JS" analyze "$TMP/t.nc"
  [ "$status" -eq 2 ]
  [[ "$output" == *"no variable delta"* ]]
  cmp "$TMP/t.nc" "$TMP/t0.nc"
  run "$JS" analyze "$TMP/t.nc" --boot 3
  [ "$status" -eq 2 ]
  [[ "$output" == *"--boot"* ]]
  run "$JS" analyze "$TMP/missing.nc"
  [ "$status" -eq 2 ]
}
