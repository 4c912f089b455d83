# Shared by run.sbatch and array.sbatch (sourced): launch one judgesim step under srun,
# forward the time-limit signal to it, and requeue the job when it stopped with a
# checkpoint (exit code 3). Settings (environment, all optional):
#   JUDGESIM             the judgesim binary (default: $JUDGESIM_HOME/bin/judgesim)
#   JUDGESIM_HOME        the judgesim checkout (default: the submit directory)
#   JUDGESIM_MAX_REQUEUE requeues allowed per job (default 20)
#   JUDGESIM_LAUNCH      "srun" (default: srun --mpi=pmix) or "mpirun"

JUDGESIM_HOME=${JUDGESIM_HOME:-$SLURM_SUBMIT_DIR}
JUDGESIM=${JUDGESIM:-$JUDGESIM_HOME/bin/judgesim}
JUDGESIM_MAX_REQUEUE=${JUDGESIM_MAX_REQUEUE:-20}
export OPENBLAS_NUM_THREADS=1
if [[ $(id -u) == 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi

js_log() { echo "[$(date -u +%Y-%m-%dT%H:%M:%SZ) job ${SLURM_JOB_ID:-?}] $*"; }

# Forward a signal caught by the batch shell to the running step.
js_forward() {
  js_signalled=$1
  js_log "caught SIG$1: forwarding it to the step (pid ${js_step:-none}) to checkpoint"
  [[ -n ${js_step:-} ]] && kill -s "$1" "$js_step" 2>/dev/null
}

# Run `judgesim ARGS...` as one step; on exit code 3 requeue the job (capped).
js_launch() {
  js_signalled=
  trap 'js_forward USR1' USR1
  trap 'js_forward TERM' TERM
  local restarts=${SLURM_RESTART_COUNT:-0}
  js_log "start (restart $restarts) on ${SLURM_JOB_NODELIST:-?} with ${SLURM_NTASKS:-1} ranks:" \
         "judgesim $*"
  if [[ ${JUDGESIM_LAUNCH:-srun} == mpirun ]]; then
    mpirun -np "${SLURM_NTASKS:-1}" "$JUDGESIM" "$@" &
  else
    srun --mpi=pmix --kill-on-bad-exit=1 "$JUDGESIM" "$@" &
  fi
  js_step=$!
  wait "$js_step"
  local rc=$?
  # a trapped signal ends the first wait early: the second one collects the step's exit code
  if [[ -n $js_signalled ]]; then wait "$js_step"; rc=$?; fi
  js_step=
  case $rc in
    0) js_log "finished" ;;
    3)
      if (( restarts < JUDGESIM_MAX_REQUEUE )); then
        js_log "checkpointed, not finished (exit 3): requeue $((restarts + 1)) of" \
               "at most $JUDGESIM_MAX_REQUEUE"
        scontrol requeue "$SLURM_JOB_ID" || { js_log "scontrol requeue failed"; exit 3; }
        sleep 30 # the requeue ends this script; do not report an exit before it does
      else
        js_log "checkpointed, not finished, and $JUDGESIM_MAX_REQUEUE requeues used:" \
               "resubmit the same command to continue"
      fi ;;
    2) js_log "bad input (exit 2): nothing was run or overwritten" ;;
    4) js_log "the output is locked by another run (exit 4): not started, not requeued" ;;
    *) js_log "failed with exit code $rc" ;;
  esac
  return "$rc"
}
