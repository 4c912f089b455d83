#!/usr/bin/env bats
# Command line: help, version, exit codes, bad input rejected with file, line and key,
# nothing written or overwritten, and a complete self-describing cube on success.
load helpers

# Write the small study with one text replacement into $TMP/bad.yaml.
variant() {
  sed "s|$1|$2|" "$ROOT/tests/data/small.yaml" > "$TMP/bad.yaml"
  grep -qF -- "$2" "$TMP/bad.yaml" || { echo "fixture replacement failed: $1"; return 1; }
}

# Expect exit 2, a message with the given fragment, and no output written.
expect_rejected() {
  echo precious > "$TMP/out.nc"
  run "$JS" run "$TMP/bad.yaml" -o "$TMP/out.nc"
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"$1"* ]]
  [[ "$output" == *"bad.yaml"* ]]
  [ "$(cat "$TMP/out.nc")" = precious ]
  [ "$(ls "$TMP" | wc -l)" -eq 2 ]
}

@test "--help and --version exit 0" {
  run "$JS" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: judgesim run CONFIG.yaml"* ]]
  run "$JS" --version
  [ "$status" -eq 0 ]
  [[ "$output" == *"judgesim "*"(commit "* ]]
}

@test "unknown command and option exit 2 naming them" {
  run "$JS" frobnicate
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown command 'frobnicate'"* ]]
  run "$JS" run "$ROOT/tests/data/small.yaml" --bogus
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option '--bogus'"* ]]
  run "$JS" run "$ROOT/tests/data/small.yaml" --dry-run=3
  [ "$status" -eq 2 ]
  [[ "$output" == *"option '--dry-run' takes no value (in '--dry-run=3')"* ]]
  run "$JS" run "$ROOT/tests/data/small.yaml" -qx
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown option '-x'"* ]]
  run "$JS" run
  [ "$status" -eq 2 ]
}

@test "typo in a key: line, key and suggestion" {
  variant "sigma: 0.5" "sigam: 0.5"
  expect_rejected "bad.yaml:2: model.sigam: unknown key (did you mean 'sigma'?)"
}

@test "wrong type" {
  variant "trials: 5" "trials: many"
  expect_rejected "bad.yaml:9: sampling.trials: expected a number"
}

@test "missing section" {
  grep -v '^output' "$ROOT/tests/data/small.yaml" | grep -v '^sampling' > "$TMP/bad.yaml"
  expect_rejected "sampling: missing section"
}

@test "out-of-range values" {
  for case in "d: \[8, 16\]|d: [0, 16]|grid.d: 0 is out of range" \
              "n: \[12, 40\]|n: [12, -40]|grid.n: -40 is out of range" \
              "k: \[1, 2,|k: [0, 2,|grid.k: 0 is out of range" \
              "test_points: 70|test_points: 0|sampling.test_points: 0 is out of range" \
              "trials: 5|trials: 1|sampling.trials: 1 is out of range" \
              "sigma: 0.5|sigma: -0.5|model.sigma: -0.5 is out of range" \
              "gamma: 1.0|gamma: .inf|model.gamma: .inf is out of range" \
              "input_scale: 1.3|input_scale: 0|model.input_scale: 0 is out of range" \
              "T: \[0, 0.1|T: [-1, 0.1|grid.T: -1 is out of range" \
              "T: \[0, 0.1|T: [.nan, 0.1|grid.T: .nan is out of range"; do
    IFS='|' read -r from to msg <<< "$case"
    variant "$from" "$to"
    expect_rejected "$msg"
  done
}

@test "empty axis and duplicate values" {
  variant "d: \[8, 16\]" "d: []"
  expect_rejected "bad.yaml:4: grid.d: the axis is empty"
  variant "k: \[1, 2, 4, 8, 32\]" "k: [1, 2, 4, 4, 32]"
  expect_rejected "bad.yaml:6: grid.k: duplicate value 4"
}

@test "bad --set value names the option" {
  echo precious > "$TMP/out.nc"
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --set grid.k=[1,0]
  [ "$status" -eq 2 ]
  [[ "$output" == *"--set grid.k=[1,0]: grid.k: 0 is out of range"* ]]
  [ "$(cat "$TMP/out.nc")" = precious ]
}

@test "two (d, n) pairs whose streams would share a seed are refused before any work" {
  # with seed 7, pairs (3, 373) and (71, 395) hash to one 31-bit SPRNG seed (found by search)
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --set sampling.seed=7 --quiet
  rm "$TMP/out.nc.ckpt"
  cp "$TMP/out.nc" "$TMP/precious"
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --set sampling.seed=7 \
    --set 'grid.d=[3, 71]' --set 'grid.n=[373, 395]' --force
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"sampling.seed 7: (d, n) = (3, 373) and (71, 395) would draw the same random numbers"*"choose another sampling.seed"* ]]
  cmp "$TMP/out.nc" "$TMP/precious"
  [ -z "$(ls "$TMP" | grep -v -e '^out.nc$' -e '^precious$')" ]
  # another seed separates them
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/ok.nc" --set sampling.seed=8 \
    --set 'grid.d=[3, 71]' --set 'grid.n=[373, 395]' --dry-run
  [ "$status" -eq 0 ]
}

@test "options parse as --opt VAL, --opt=VAL, -o VAL and -oVAL in every subcommand" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o"$TMP/a.nc" --set=sampling.trials=2 -q
  "$JS" run "$ROOT/tests/data/small.yaml" --output="$TMP/b.nc" --set sampling.trials=2 --quiet
  diff <(cube_data "$TMP/a.nc") <(cube_data "$TMP/b.nc")
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/s.nc" --set=sampling.trials=2 -q --shard=1/2
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/s.nc" --set=sampling.trials=2 -q --shard 2/2
  "$JS" merge "$TMP/s.part-1-of-2.nc" "$TMP/s.part-2-of-2.nc" --output="$TMP/m.nc" -q
  diff <(cube_data "$TMP/a.nc") <(cube_data "$TMP/m.nc")
  "$JS" analyze "$TMP/a.nc" --boot=50 -q
  "$JS" theory "$ROOT/tests/data/small.yaml" -o"$TMP/t.nc" --set=grid.d=[8]
  [ -s "$TMP/t.nc" ]
  run "$JS" analyze "$TMP/a.nc" --boot
  [ "$status" -eq 2 ]
  [[ "$output" == *"option --boot needs a number of resamples"* ]]
  run "$JS" merge "$TMP/s.part-1-of-2.nc" -o
  [ "$status" -eq 2 ]
  [[ "$output" == *"option -o needs a file name"* ]]
}

@test "missing output folder is bad input" {
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/nowhere/out.nc"
  [ "$status" -eq 2 ]
  [[ "$output" == *"cannot write into folder"* ]]
}

@test "a run without mpirun writes a complete CF cube and no temporary files" {
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --set sampling.trials=3
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"wrote $TMP/out.nc"* ]]
  [ "$(ls "$TMP" | tr '\n' ' ')" = "out.nc out.nc.ckpt " ]
  run ncdump -h "$TMP/out.nc"
  for want in "d = 2" "n = 2" "k = 5" "T = 4" "reward = 3" "trial = 3" \
              "double delta(d, n, k, T, reward)" "double delta_se(d, n, k, T, reward)" \
              "double delta_trial(d, n, trial, k, T, reward)" "reward_cos(reward)" \
              ":Conventions = \"CF-1.8\"" ":history" ":source = \"judgesim" ":config" \
              ":date_created" ":seed = 99" ":sigma = 0.5" "trials: 3"; do
    [[ "$output" == *"$want"* ]] || { echo "missing: $want"; false; }
  done
  run ncdump -v T "$TMP/out.nc"
  [[ "$output" == *"T = 0, 0.1, 1, Infinity"* ]]
}

@test "--quiet prints nothing; a finished study reruns to the same cube" {
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --quiet
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  cube_data "$TMP/out.nc" > "$TMP/a.txt"
  rm "$TMP/out.nc"
  run "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc"
  [ "$status" -eq 0 ]
  [[ "$output" == *"resuming from $TMP/out.nc.ckpt: 20 of 20 units and "*" theory pieces done"* ]]
  cube_data "$TMP/out.nc" | cmp - "$TMP/a.txt"
}

@test "k = 1 cells are identical for every T and reward" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --quiet
  run /usr/bin/python3 -c "
import netCDF4, numpy as np
x = netCDF4.Dataset('$TMP/out.nc')['delta_trial'][:]
k1 = x[:, :, :, 0, :, :]
assert np.all(k1 == k1[..., :1, :1]), 'k=1 differs across T or reward'
assert not np.all(x == x[:, :, :, :1]), 'all k equal: the test would be vacuous'
print('ok')"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "the README's xarray example reads the cube" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/out.nc" --quiet
  run /usr/bin/python3 -c "
import xarray as xr
ds = xr.open_dataset('$TMP/out.nc')
curve = ds.delta.sel(d=16, n=40, T=0).isel(reward=0)
assert curve.sizes['k'] == 5 and float(curve.sel(k=32)) < float(curve.sel(k=1))
print(ds.delta.sel(d=16, n=40, k=8).isel(reward=-1).to_series())
print(float(ds.T[-1]), ds.attrs['Conventions'])"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"inf CF-1.8"* ]]
}
