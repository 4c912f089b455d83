#!/usr/bin/env bats
# The cube is bitwise identical for any rank count and without mpirun.
load helpers

@test "cubes are bitwise identical for P = 1, 2, 3, 4 and without mpirun" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/serial.nc" --quiet
  cube_data "$TMP/serial.nc" > "$TMP/serial.txt"
  [ "$(grep -c ',' "$TMP/serial.txt")" -gt 10 ]
  for P in 1 2 3 4; do
    run mpirun --oversubscribe -np $P "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/p$P.nc" --quiet
    echo "$output"
    [ "$status" -eq 0 ]
    cube_data "$TMP/p$P.nc" | cmp - "$TMP/serial.txt"
  done
}

@test "bad input under mpirun: exit 2 from every rank, one message, nothing written" {
  sed 's/sigma: 0.5/sigma: 0/' "$ROOT/tests/data/small.yaml" > "$TMP/bad.yaml"
  run mpirun --oversubscribe -np 3 "$JS" run "$TMP/bad.yaml" -o "$TMP/out.nc"
  echo "$output"
  [ "$status" -eq 2 ]
  [ "$(grep -c 'model.sigma: 0 is out of range' <<< "$output")" -eq 1 ]
  [ ! -e "$TMP/out.nc" ]
}
