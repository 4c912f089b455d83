#!/usr/bin/env bats
# dev/numpy-peer, the NumPy yardstick of make bench, estimates what judgesim estimates: every
# cell within 4 combined standard errors (independent random numbers: PCG64 against SPRNG).
load helpers

@test "numpy-peer agrees with judgesim in every cell within 4 SE" {
  cd "$TMP"
  cat > s.yaml <<'Y'
model: {sigma: 0.5, gamma: 1.0}
grid:
  d: [20]
  n: [40]
  k: [1, 2, 8, 64, 256]
  T: [0, 0.05, 1, .inf]
  reward: [{alpha: 1.0, beta: 0.0}, {alpha: 1.0, beta: 1.0}]
sampling: {trials: 64, test_points: 200, seed: 3}
Y
  run "$ROOT/dev/numpy-peer" s.yaml -o peer.npz
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"numpy-peer: done in"* ]]
  $MPIRUN -np 2 "$JS" run s.yaml -o js.nc --quiet
  run /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
p, j = np.load("peer.npz"), netCDF4.Dataset("js.nc")
a, sa = p["delta"][0, 0], p["delta_se"][0, 0]
b, sb = np.asarray(j["delta"][0, 0]), np.asarray(j["delta_se"][0, 0])
z = np.abs(a - b) / np.sqrt(sa**2 + sb**2)
print(f"largest |z| over {z.size} cells: {z.max():.2f}")
assert a.shape == b.shape and z.max() <= 4
assert not np.allclose(a, b, rtol=1e-12), "independent draws cannot agree to the last bits"
PY
  echo "$output"
  [ "$status" -eq 0 ]
}
