#!/usr/bin/env bats
# make install PREFIX=...: the installed binary, tools and job scripts work from outside
# the checkout, without it; make uninstall removes them.
load helpers

@test "make install into a prefix; the installed tools work without the checkout" {
  prefix="$TMP/prefix"
  run make -C "$ROOT" install PREFIX="$prefix"
  echo "$output"
  [ "$status" -eq 0 ]
  cd "$TMP"
  run "$prefix/bin/judgesim" --version
  [ "$status" -eq 0 ]
  [[ "$output" == *"MPI: "* && "$output" == *"BLAS/LAPACK: "* && "$output" == *"NetCDF: "* ]]
  "$prefix/share/judgesim/tools/make-samples" --questions 30 --samples 8 > s.csv
  "$prefix/bin/judgesim" rerank s.csv --boot 50 -q
  run "$prefix/share/judgesim/tools/plot" s.rerank.nc
  echo "$output"
  [ "$status" -eq 0 ]
  [ -s s.rerank_k.png ]
  "$prefix/bin/judgesim" run "$prefix/share/judgesim/inputs/default.yaml" --set sampling.trials=2 \
    --set sampling.test_points=5 --set 'grid.d=[8]' --set 'grid.n=[16]' -o c.nc --quiet
  run "$prefix/share/judgesim/tools/table" c.nc
  [ "$status" -eq 0 ]
  run "$prefix/bin/judgesim-submit" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Submit a judgesim study to SLURM"* ]]
  [ "$(readlink -f "$prefix/share/judgesim/bin/judgesim")" = "$(readlink -f "$prefix/bin/judgesim")" ]
  [ -s "$prefix/share/man/man1/judgesim.1" ]
  run make -C "$ROOT" uninstall PREFIX="$prefix"
  [ "$status" -eq 0 ]
  [ ! -e "$prefix/bin/judgesim" ] && [ ! -e "$prefix/share/judgesim" ]
}

@test "dev/check-build names the library that does not link and what to install" {
  run "$ROOT/dev/check-build" "${MPICC:-mpicc}" "" "GSL=-lgsl -lm" "YAML=-ljs_no_such_lib"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"YAML: cannot link with '-ljs_no_such_lib': install libyaml-dev"* ]]
  [[ "$output" != *"GSL:"* && "$output" != *"unbound variable"* ]]
  run "$ROOT/dev/check-build" "${MPICC:-mpicc}" "" "GSL=-lgsl -lm"
  [ "$status" -eq 0 ]
  [[ "$output" == *"every library's header and link test passed"* ]]
}
