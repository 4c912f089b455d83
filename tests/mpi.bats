#!/usr/bin/env bats
# The cube is bitwise identical for any rank count, layout (rank 0 computing or only
# serving, groups with leaders) and without mpirun.
load helpers

@test "cubes are bitwise identical for P = 1, 2, 3, 4 and without mpirun" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/serial.nc" --quiet
  cube_data "$TMP/serial.nc" > "$TMP/serial.txt"
  [ "$(grep -c ',' "$TMP/serial.txt")" -gt 10 ]
  for P in 1 2 3 4; do
    run $MPIRUN -np $P "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/p$P.nc" --quiet
    echo "$output"
    [ "$status" -eq 0 ]
    cube_data "$TMP/p$P.nc" | cmp - "$TMP/serial.txt"
    # the verification (results hash, k = 1 self-check) is the same line for every P
    diff <(ncdump -h "$TMP/serial.nc" | grep ':verification') \
         <(ncdump -h "$TMP/p$P.nc" | grep ':verification')
  done
  # 5 trials: too few for the self-check; 40 trials: PASS
  ncdump -h "$TMP/serial.nc" | grep -q ':verification_k1 = "not run"'
  run $MPIRUN -np 3 "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/t40.nc" \
    --set sampling.trials=40
  echo "$output"
  [[ "$output" == *"verification: results hash "*"; k = 1 self-check PASS (largest |z| "*" over 4 (d, n); limit 8)"* ]]
  ncdump -h "$TMP/t40.nc" | grep -q ':verification_k1 = "PASS"'
}

@test "bad input under mpirun: exit 2 from every rank, one message, nothing written" {
  sed 's/sigma: 0.5/sigma: 0/' "$ROOT/tests/data/small.yaml" > "$TMP/bad.yaml"
  run $MPIRUN -np 3 "$JS" run "$TMP/bad.yaml" -o "$TMP/out.nc"
  echo "$output"
  [ "$status" -eq 2 ]
  [ "$(grep -c 'model.sigma: 0 is out of range' <<< "$output")" -eq 1 ]
  [ ! -e "$TMP/out.nc" ]
}

@test "serve-only rank 0 and groups with leaders: bitwise the same cube" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/serial.nc" --quiet
  JUDGESIM_MASTER_COMPUTES=0 $MPIRUN -np 3 "$JS" run "$ROOT/tests/data/small.yaml" \
    -o "$TMP/serve.nc" --quiet
  cube_data "$TMP/serve.nc" | cmp - <(cube_data "$TMP/serial.nc")
  # root, then two groups of a leader and two workers
  run env JUDGESIM_GROUP_SIZE=3 $MPIRUN -np 7 "$JS" run \
    "$ROOT/tests/data/small.yaml" -o "$TMP/groups.nc" --timings
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"timing mc_units 20"* ]]
  # the leaders answered their workers: their busiest one's share is reported
  lbusy=$(sed -n 's/^timing leader_busy_fraction_max //p' <<< "$output")
  awk -v b="$lbusy" 'BEGIN { exit !(b > 0 && b < 1) }'
  cube_data "$TMP/groups.nc" | cmp - <(cube_data "$TMP/serial.nc")
}

@test "leaders cut messages at the root's receive size: many small units, the same cube" {
  # 12,000 units of one test point: workers' batches of up to 256 results (127 KB) go up
  # in messages of at most 48 KiB, each landing in rank 0's posted receive for its leader
  local set=(--set sampling.trials=3000 --set sampling.test_points=1)
  "$JS" run "$ROOT/tests/data/small.yaml" "${set[@]}" -o "$TMP/serial.nc" --quiet
  run env JUDGESIM_GROUP_SIZE=3 $MPIRUN -np 7 "$JS" run "$ROOT/tests/data/small.yaml" \
    "${set[@]}" -o "$TMP/groups.nc" --quiet --timings
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"timing mc_units 12000"* ]]
  cube_data "$TMP/groups.nc" | cmp - <(cube_data "$TMP/serial.nc")
}

@test "the theory is work units: judgesim theory gives the run's delta_theory bit for bit" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/run.nc" --quiet
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/th.nc" --quiet
  a=$(ncdump -p 9,17 -v delta_theory,delta_theory_kinf,bestofk_coef "$TMP/run.nc" | sed -n '/^data:/,$p')
  b=$(ncdump -p 9,17 -v delta_theory,delta_theory_kinf,bestofk_coef "$TMP/th.nc" | sed -n '/^data:/,$p')
  [ "$a" = "$b" ]
  # d/n = 8/16 and 16/32 share one ratio: their theory is computed once and is identical
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/ratio.nc" --quiet \
    --set 'grid.d=[8, 16]' --set 'grid.n=[16, 32]'
  run /usr/bin/python3 -c "
import netCDF4, numpy as np
t = netCDF4.Dataset('$TMP/ratio.nc')['delta_theory'][:]
assert np.array_equal(t[0, 0], t[1, 1]), 'same ratio, different theory'
assert not np.array_equal(t[0, 0], t[0, 1])
print('ok')"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "Open MPI on one node: only the ob1 layer is opened (no cm probes), unless OMPI_MCA_pml is set" {
  mpirun --version 2>&1 | grep -q "Open MPI" || skip "Open MPI only"
  for P in 1 2; do
    run env OMPI_MCA_pml_base_verbose=10 $MPIRUN -np $P "$JS" run "$ROOT/tests/data/small.yaml" \
      --set sampling.trials=2 -o "$TMP/p$P.nc" --quiet
    [ "$status" -eq 0 ]
    [[ "$output" == *"component ob1 selected"* ]]
    [[ "$output" != *"found loaded component cm"* ]]
  done
  run env OMPI_MCA_pml_base_verbose=10 "$JS" run "$ROOT/tests/data/small.yaml" \
    --set sampling.trials=2 -o "$TMP/alone.nc" --quiet
  [ "$status" -eq 0 ]
  [[ "$output" != *"found loaded component cm"* ]]
  # the user's choice stands
  run env OMPI_MCA_pml=ob1,cm OMPI_MCA_pml_base_verbose=10 $MPIRUN -np 2 "$JS" run \
    "$ROOT/tests/data/small.yaml" --set sampling.trials=2 -o "$TMP/user.nc" --quiet
  [ "$status" -eq 0 ]
  [[ "$output" == *"found loaded component cm"* ]]
}
