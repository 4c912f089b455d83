# Shared set-up for the bats tests: paths, MPI as root, a scratch folder per test.
ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
JS="${JUDGESIM_BIN:-$ROOT/bin}/judgesim"   # JUDGESIM_BIN: another build's bin folder
# Open MPI needs --oversubscribe for more ranks than cores; MPICH's mpirun has no such flag.
if mpirun --version 2>&1 | grep -q "Open MPI"; then MPIRUN="mpirun --oversubscribe"; else MPIRUN="mpirun"; fi
export OPENBLAS_NUM_THREADS=1
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

setup() {
  TMP="$(mktemp -d)"
}

teardown() {
  rm -rf "$TMP"
}

# The data section of a cube's result variables at full precision (no dates, no history):
# the Monte Carlo results and the theory.
cube_data() {
  ncdump -p 9,17 -v delta,delta_se,delta_trial,delta_ref,delta_ref_se,delta_ref_trial,delta_theory,delta_theory_kinf "$1" |
    sed -n '/^data:/,$p'
}
