#!/usr/bin/env bats
# tools/paper's PASS/FAIL logic on synthetic analysed cubes (tests/paper_cube.py): all seven
# claims pass on the planted truth, and each planted counterexample fails its claim.
load helpers

@test "tools/paper: six PASS lines on a cube where every claim holds, seven with claim 7's" {
  "$ROOT/tests/paper_cube.py" "$TMP/ok.nc"
  run "$ROOT/tools/paper" "$TMP/ok.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^PASS' <<< "$output")" -eq 6 ]
  [[ "$output" == *"6 of 6 claims pass"* ]]
  "$ROOT/tests/paper_cube.py" "$TMP/scaling.nc" --scaling
  run "$ROOT/tools/paper" "$TMP/ok.nc" "$TMP/scaling.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"7 of 7 claims pass"* ]]
  [[ "$output" == *"Not at n=40 (near d)"* ]]
}

@test "tools/paper: claim 7 fails when doubling k does not beat doubling n" {
  "$ROOT/tests/paper_cube.py" "$TMP/ok.nc"
  "$ROOT/tests/paper_cube.py" "$TMP/bad7.nc" --scaling --break 7
  run "$ROOT/tools/paper" "$TMP/ok.nc" "$TMP/bad7.nc"
  echo "$output"
  [ "$status" -eq 1 ]
  grep -q "^FAIL  7 " <<< "$output"
  [ "$(grep -c '^FAIL' <<< "$output")" -eq 1 ]
}

@test "tools/paper: each planted counterexample fails its claim (exit 1)" {
  for claim in 1 2 3 4 5 6; do
    "$ROOT/tests/paper_cube.py" "$TMP/bad$claim.nc" --break "$claim"
    run "$ROOT/tools/paper" "$TMP/bad$claim.nc"
    echo "claim $claim: $output"
    [ "$status" -eq 1 ]
    grep -q "^FAIL  $claim " <<< "$output"
  done
  # the planted change touches only its own claim (4 also breaks the 1/T law, by design)
  for claim in 1 2 3 5 6; do
    run "$ROOT/tools/paper" "$TMP/bad$claim.nc"
    [ "$(grep -c '^FAIL' <<< "$output")" -eq 1 ]
  done
}

@test "tools/paper refuses a cube without the analysis" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/c.nc" --quiet --set 'grid.T=[0,.inf]'
  run "$ROOT/tools/paper" "$TMP/c.nc"
  [ "$status" -ne 0 ]
  [[ "$output" == *"judgesim analyze"* ]]
}

@test "tools/paper: claims 8 and 9 on the authors' own settings (reduced), and 9 fails off the k^-2 law" {
  "$JS" run "$ROOT/inputs/authors-finite-T.yaml" -o "$TMP/f.nc" --quiet \
    --set sampling.trials=8 --set sampling.test_points=2000
  "$JS" run "$ROOT/inputs/authors-best-of-k.yaml" -o "$TMP/b.nc" --quiet \
    --set sampling.trials=8 --set sampling.test_points=2000 --set 'grid.n=[10000]'
  "$JS" run "$ROOT/inputs/authors-best-of-k.yaml" -o "$TMP/off.nc" --quiet \
    --set sampling.trials=8 --set sampling.test_points=2000 --set 'grid.n=[10000]' \
    --set 'grid.reward=[{alpha: 1, beta: 0.002}]'
  "$ROOT/tests/paper_cube.py" "$TMP/ok.nc"
  run "$ROOT/tools/paper" "$TMP/ok.nc" --authors-finite-T "$TMP/f.nc" --authors-best-of-k "$TMP/b.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"PASS  8 the authors' finite-T judges"*"best c = 10 (theory: 10)"* ]]
  [[ "$output" == *"PASS  9 the authors' best-of-k"* ]]
  [[ "$output" == *"8 of 8 claims pass"* ]]
  run "$ROOT/tools/paper" "$TMP/ok.nc" --authors-best-of-k "$TMP/off.nc"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"FAIL  9 the authors' best-of-k"* ]]
}
