#!/usr/bin/env bats
# Any failure ends the job, fast and clearly (JUDGESIM_FAULT=KIND:RANK:N injects one, see
# src/core/fault.h): under mpirun -np 3 a failed worker or root exits 1 within seconds with
# the failed rank's own message and traceback; the checkpoint stays valid, and the rerun
# resumes to the cube of an uninterrupted run. The same under SLURM is in slurm.bats.
load helpers

STUDY="$ROOT/tests/data/small.yaml"
slow() { echo --set sampling.test_points=12000 --set 'grid.k=[1,2,4,8,512]' --set output.checkpoint_every=0.05; }

# fault_case SPEC WANT: inject SPEC under mpirun -np 3; expect exit 1 within 30 s and WANT in
# the message with a traceback; then resume without the fault to the reference cube.
fault_case() {
  local spec=$1 want=$2 out="$TMP/out-${1//:/-}.nc"
  [ -e "$TMP/ref.nc" ] || "$JS" run "$STUDY" -o "$TMP/ref.nc" --quiet $(slow)
  local t0=$(date +%s%N)
  run env JUDGESIM_FAULT="$spec" $MPIRUN -np "${RANKS:-3}" "$JS" run "$STUDY" -o "$out" \
    --quiet $(slow)
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$output" | tee "$TMP/fault.log"
  echo "# $spec: exit $status after $((ms / 1000)).$(printf %03d $((ms % 1000))) s" >&3
  [ "$status" -eq 1 ]
  [ "$ms" -lt 30000 ]
  [[ "$output" == *"error: $want"*"(injected fault)"* ]]
  [[ "$output" == *"  at "* ]]                       # the failed rank's traceback
  [ ! -e "$out.lock" ]
  [ -z "$(ls "$TMP" | grep -F "$(basename "$out").tmp.")" ]  # no half-written cube left
  if [ -e "$out.ckpt" ]; then "$JS" info "$out.ckpt" > /dev/null; fi   # valid if there
  run $MPIRUN -np 3 "$JS" run "$STUDY" -o "$out" $(slow)
  echo "$output"
  [ "$status" -eq 0 ]
  diff <(cube_data "$TMP/ref.nc") <(cube_data "$out")
  [ -z "$(ls "$TMP" | grep -E '\.tmp\.|\.lock$')" ]
}

@test "fault: a trial fails on a worker" {
  fault_case trial:1:2 "rank 1 failed: unit d="
}

@test "fault: an allocation fails on a worker, outside any trial" {
  fault_case alloc:2:2 "rank 2 failed: out of memory"
}

@test "fault: an MPI send fails on a worker" {
  fault_case mpi:1:1 "rank 1 failed: MPI_Isend of results"
}

@test "fault: an allocation fails on rank 0" {
  fault_case alloc:0:3 "out of memory allocating result message"
}

@test "fault: an MPI send fails on rank 0" {
  fault_case mpi:0:2 "MPI_Isend of a batch"
}

@test "fault: checkpoint commits fail from the third on: warnings, then the final one is fatal" {
  fault_case commit:0:3 "checkpoint commit failed"
  grep -q "warning: checkpoint commit failed.*(injected fault)" "$TMP/fault.log"
  grep -q "failure 1 in a row: retrying in" "$TMP/fault.log"
}

@test "fault: a malformed JUDGESIM_FAULT is bad input (exit 2)" {
  run env JUDGESIM_FAULT=disk:1 "$JS" run "$STUDY" -o "$TMP/x.nc"
  [ "$status" -eq 2 ]
  [[ "$output" == *"JUDGESIM_FAULT=disk:1: expected KIND:RANK:N"* ]]
  [ ! -e "$TMP/x.nc" ]
}

@test "fault: a worker under a group leader fails; the leader passes its message up" {
  # 7 ranks in groups of 3: rank 0, leaders 1 and 4, rank 5 a worker of leader 4
  export JUDGESIM_GROUP_SIZE=3 JUDGESIM_MASTER_COMPUTES=0
  RANKS=7 fault_case trial:5:1 "rank 5 failed: unit d="
}
