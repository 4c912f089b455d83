#!/usr/bin/env bats
# The real judgesim on a simulated cluster (SimGrid SMPI, bin/judgesim-smpi from make smpi):
# 64 simulated ranks in groups with leaders, and 5 ranks flat, give bitwise the same cube.
load helpers

SMPI="$ROOT/bin/judgesim-smpi"
PLATFORM="$ROOT/dev/smpi/cluster-4096.xml"

# Run the SMPI binary on $1 simulated ranks; the rest are judgesim arguments.
simulate() {
  local ranks=$1; shift
  smpirun -np "$ranks" -platform "$PLATFORM" --cfg=smpi/host-speed:1Gf \
    --cfg=smpi/iprobe:1e-6 --cfg=smpi/test:1e-6 --cfg=smpi/grow-injected-times:no \
    --cfg=smpi/reduce:binomial --cfg=smpi/finalization-barrier:yes \
    --cfg=smpi/display-timing:yes "$SMPI" "$@"
}

@test "64 simulated ranks (groups of 8 with leaders) and 5 (flat): the same cube" {
  [ -x "$SMPI" ]
  export JUDGESIM_GROUP_SIZE=8
  run simulate 64 run "$ROOT/tests/data/smpi.yaml" -o "$TMP/p64.nc" --quiet --timings
  echo "$output" | grep -v xbt_cfg | tail -30
  [ "$status" -eq 0 ]
  [[ "$output" == *"Simulated time:"* ]]
  [[ "$output" == *"timing ranks 64"* ]]
  [[ "$output" == *"timing mc_units 256"* ]]
  unset JUDGESIM_GROUP_SIZE
  run simulate 5 run "$ROOT/tests/data/smpi.yaml" -o "$TMP/p5.nc" --quiet
  [ "$status" -eq 0 ]
  [ "$(cube_data "$TMP/p5.nc" | grep -c ',')" -gt 10 ]
  cube_data "$TMP/p64.nc" | cmp - <(cube_data "$TMP/p5.nc")
}
