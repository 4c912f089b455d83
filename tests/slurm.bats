#!/usr/bin/env bats
# The jobs/ scripts on a real one-node SLURM (tests/slurm/cluster: munged, slurmctld and
# slurmd from Debian in a temporary folder): a time limit forces a signal, a checkpoint and
# a requeue, and the cube still equals an uninterrupted local run; an array of shards plus
# the merge job equals a single run. Needs root and the slurm packages (.ci/run installs them).

load helpers

setup_file() {
  [ "$(id -u)" -eq 0 ] || { echo "the SLURM tests need root (SlurmUser=root)" >&2; return 1; }
  SLURM_DIR="$(mktemp -d /tmp/judgesim-slurm.XXXXXX)"
  export SLURM_DIR
  export SLURM_CONF="$("$BATS_TEST_DIRNAME/slurm/cluster" up "$SLURM_DIR")"
}

teardown_file() {
  "$BATS_TEST_DIRNAME/slurm/cluster" down "$SLURM_DIR"
  rm -rf "$SLURM_DIR"
}

# State of a job (COMPLETED, PENDING, ...); for an array, of task $2.
job_state() {
  scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1
}

# Wait up to $2 seconds until job $1 has ended; prints its final state.
job_wait() {
  local state
  for ((i = 0; i < $2; i++)); do
    state=$(job_state "$1")
    case $state in
      COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)
        echo "$state"; return 0 ;;
    esac
    sleep 1
  done
  echo "still $state after $2 s"
}

@test "sbatch jobs/run.sbatch: a time-limit signal checkpoints and requeues; cube equals a local run" {
  $MPIRUN -np 2 "$JS" run "$ROOT/tests/data/slurm.yaml" -o "$TMP/local.nc" -q
  run "$ROOT/jobs/submit" "$ROOT/tests/data/slurm.yaml" --ranks 2 --time 2 --margin 110 \
      -o "$TMP/cluster.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"cube: $TMP/cluster.nc"* ]]
  id=$(sed -n 's/^job: \([0-9]*\).*/\1/p' <<<"$output")
  [ -n "$id" ]
  state=$(job_wait "$id" 600)
  cat "$TMP/judgesim-$id.log"
  [ "$state" = COMPLETED ]
  log="$TMP/judgesim-$id.log"
  grep -q "caught SIGUSR1: forwarding it to the step" "$log"
  grep -q "stopped by signal 10: checkpoint committed" "$log"
  grep -q "checkpointed, not finished (exit 3): requeue 1 of" "$log"
  grep -q "start (restart 1)" "$log"
  grep -q "resuming from $TMP/cluster.nc.ckpt" "$log"
  grep -q "finished" "$log"
  restarts=$(scontrol show job "$id" | sed -n 's/.*Restarts=\([0-9]*\).*/\1/p')
  [ "$restarts" -ge 1 ]
  diff <(cube_data "$TMP/local.nc") <(cube_data "$TMP/cluster.nc")
  [ -z "$(ls "$TMP" | grep -E '\.tmp\.|\.lock$')" ]
}

@test "jobs/submit --array: shards plus the merge job equal a single run" {
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/single.nc" -q
  # margin 60 s: the default 300 s equals the 5-minute limit, and SLURM then signalled a
  # shard as it started (one was killed before judgesim had its handler: exit 138)
  run "$ROOT/jobs/submit" "$ROOT/tests/data/small.yaml" --array 3 --time 5 --margin 60 \
      -o "$TMP/sharded.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  merge_id=$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' <<<"$output")
  [ -n "$merge_id" ]
  state=$(job_wait "$merge_id" 300)
  cat "$TMP"/judgesim-*.log
  [ "$state" = COMPLETED ]
  for i in 1 2 3; do [ -f "$TMP/sharded.part-$i-of-3.nc.ckpt" ]; done
  diff <(cube_data "$TMP/single.nc") <(cube_data "$TMP/sharded.nc")
}

@test "a failed rank under SLURM ends the job fast with its message; a resubmission resumes" {
  sed -e 's/test_points: 70/test_points: 12000/' -e 's/k: \[1, 2, 4, 8, 32\]/k: [1, 2, 4, 8, 512]/' \
      -e 's|output: {path: outputs/small.nc}|output: {path: outputs/small.nc, checkpoint_every: 0.05}|' \
      "$ROOT/tests/data/small.yaml" > "$TMP/slow.yaml"
  grep -q "test_points: 12000" "$TMP/slow.yaml" && grep -q "checkpoint_every" "$TMP/slow.yaml"
  "$JS" run "$TMP/slow.yaml" -o "$TMP/local.nc" -q
  # rank 1's second Monte Carlo unit fails (fault injection, exported to the job by sbatch)
  run env JUDGESIM_FAULT=trial:1:2 "$ROOT/jobs/submit" "$TMP/slow.yaml" --ranks 2 --time 5 \
      -o "$TMP/cluster.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  id=$(sed -n 's/^job: \([0-9]*\).*/\1/p' <<<"$output")
  [ -n "$id" ]
  t0=$(date +%s)
  state=$(job_wait "$id" 120)
  log="$TMP/judgesim-$id.log"
  cat "$log"
  echo "# the failed job ended $(( $(date +%s) - t0 )) s after submission ($state)" >&3
  [ "$state" = FAILED ]
  grep -q "rank 1 failed: unit d=.*(injected fault)" "$log"
  grep -q "  at run (src/units/unit.c" "$log"              # the failed rank's own traceback
  grep -q "failed with exit code 1" "$log"
  ! grep -q "requeue" "$log"
  [ ! -e "$TMP/cluster.nc.lock" ]
  run "$ROOT/jobs/submit" "$TMP/slow.yaml" --ranks 2 --time 5 -o "$TMP/cluster.nc"
  id=$(sed -n 's/^job: \([0-9]*\).*/\1/p' <<<"$output")
  state=$(job_wait "$id" 120)
  cat "$TMP/judgesim-$id.log"
  [ "$state" = COMPLETED ]
  grep -q "resuming from" "$TMP/judgesim-$id.log"
  diff <(cube_data "$TMP/local.nc") <(cube_data "$TMP/cluster.nc")
}

@test "jobs/submit refuses a bad study before queueing anything" {
  printf 'model: {sigma: 0.5, gamma: 1}\ngrid: {d: [4], n: [8], k: [1], T: [0], reward: [{alpha: 1, beta: 0}]}\nsampling: {trials: 2, test_points: 1, seed: 1, colour: red}\noutput: {path: x.nc}\n' > "$TMP/bad.yaml"
  before=$(squeue -h | wc -l)
  run "$ROOT/jobs/submit" "$TMP/bad.yaml"
  [ "$status" -eq 2 ]
  [[ "$output" == *"bad.yaml:3"*"colour"* ]]
  [ "$(squeue -h | wc -l)" -eq "$before" ]
}
