#!/usr/bin/env bats
# The exact best-of-k estimator (sampling.best_of_k) and tilted test inputs (sampling.tilt):
# against the candidates within standard errors, against the theory up to k = 2^40, unbiased
# under the tilt, and bad input refused (docs/model.md, "Estimators").
load helpers

# A small study with a T = 0 / T = inf / finite T grid and two judges; $1 = extra sampling keys.
small_study() {
  cat <<EOF
model: {sigma: 0.5, gamma: 1.0}
grid:
  d: [16]
  n: [32]
  k: [1, 2, 8, 64, 512, 4096]
  T: [0, 0.1, .inf]
  reward: [{alpha: 1.0, beta: 0.0}, {alpha: 1.0, beta: 1.0}]
sampling: {trials: 64, test_points: 100, seed: 31$1}
EOF
}

@test "exact best-of-k: the candidates' values within 4 paired SE at every k <= 4096; finite T unchanged" {
  cd "$TMP"
  small_study ", best_of_k: exact" > exact.yaml
  small_study ", best_of_k: candidates" > cand.yaml
  $MPIRUN -np 2 "$JS" run exact.yaml -o exact.nc --quiet
  $MPIRUN -np 2 "$JS" run cand.yaml -o cand.nc --quiet
  run /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
e, c = netCDF4.Dataset("exact.nc"), netCDF4.Dataset("cand.nc")
assert e.best_of_k == "exact" and c.best_of_k == "candidates", (e.best_of_k, c.best_of_k)
x, y = np.asarray(e["delta_trial"][0, 0]), np.asarray(c["delta_trial"][0, 0])  # trial k T r
ref = np.asarray(e["delta_ref_trial"][0, 0])
k, T = e["k"][:], e["T"][:]
worst = 0.0
for iT in (0, 2):                      # T = 0 and T = inf: other estimators, same draws
    for ik in range(len(k)):
        for r in range(2):
            d = x[:, ik, iT, r] - y[:, ik, iT, r]
            z = abs(d.mean()) / (d.std(ddof=1) / np.sqrt(len(d)))
            worst = max(worst, z)
print(f"largest paired |z| = {worst:.2f}")
assert worst <= 4, worst
assert np.array_equal(x[:, 1:, 1], y[:, 1:, 1]), "finite T, k >= 2 must not change"
assert np.array_equal(x[:, 0], np.repeat(ref[:, None], 3 * 2, axis=1).reshape(x[:, 0].shape)), \
    "k = 1 is the reference s^2 + (m - mu_T)^2 exactly"
assert np.all(x[:, :, 2] == x[:, :1, 2]), "T = inf is the same at every k"
v = [y[:, 4, 0, 0].var(ddof=1) / x[:, 4, 0, 0].var(ddof=1)]
print(f"variance ratio candidates / exact, perfect judge, T = 0, k = 512: {v[0]:.2f}")
PY
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "exact best-of-k to k = 2^40 (no candidates drawn) agrees with the theory on an easy task" {
  cd "$TMP"
  cat > huge.yaml <<'EOF'
model: {sigma: 0.5, gamma: 1.0}
grid:
  d: [100]
  n: [400]
  k: {logspace: {start: 1, stop: 1099511627776, num: 41}}
  T: [0, .inf]
  reward: [{alpha: 1.0, beta: 0.0}, {alpha: 1.0, beta: 1.0}]
sampling: {trials: 16, test_points: 200, seed: 5}
EOF
  $MPIRUN -np 2 "$JS" run huge.yaml -o huge.nc --quiet
  run /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
a = netCDF4.Dataset("huge.nc")
k = np.asarray(a["k"][:], dtype=float)
assert a["k"].dtype == np.int64 and k[-1] == 2.0**40 and a.best_of_k == "exact"
v = float(a["bestofk_v"][0, 0])
mc, se, th = (np.asarray(a[n][0, 0])[:, 0, 0] for n in ("delta", "delta_se", "delta_theory"))
z = np.abs(mc - th) / (4 * se + 0.03 * th)   # 4 SE plus a 3% finite-d allowance (d = 100)
print(f"v = {v:.3f} (< 1/2: easy); worst |MC - theory| / (4 SE + 3%) = {z.max():.2f}")
assert v < 0.5 and z.max() <= 1, z
slope = np.polyfit(np.log(k[-11:]), np.log(mc[-11:]), 1)[0]
print(f"log-log slope over k = 2^30..2^40: {slope:.4f} (k^-2)")
assert abs(slope + 2) < 0.01
mis = np.asarray(a["delta"][0, 0])[:, 0, 1]   # judge (1, 1): delta -> Var(mu_R - mu_T) = 1
assert abs(mis[-1] - 1) < 0.1 and mis[-1] > mis.min()
PY
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "tilted test inputs: every cell agrees with plain sampling within 4 SE" {
  cd "$TMP"
  small_study ", best_of_k: exact" > plain.yaml
  small_study ", best_of_k: exact, tilt: 3" > tilted.yaml
  $MPIRUN -np 2 "$JS" run plain.yaml -o plain.nc --quiet
  $MPIRUN -np 2 "$JS" run tilted.yaml -o tilted.nc --quiet
  run /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
p, t = netCDF4.Dataset("plain.nc"), netCDF4.Dataset("tilted.nc")
a, sa = np.asarray(p["delta"][0, 0]), np.asarray(p["delta_se"][0, 0])
b, sb = np.asarray(t["delta"][0, 0]), np.asarray(t["delta_se"][0, 0])
z = np.abs(a - b) / np.sqrt(sa**2 + sb**2)
print(f"largest |z| over {z.size} cells = {z.max():.2f}")
assert z.max() <= 4
assert not np.array_equal(a, b), "the tilt must change the draws' weights"
assert "tilt: 3" in t.config
PY
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "bad best-of-k input: unknown estimator, k beyond the candidates, tilt with --samples-out (exit 2)" {
  cd "$TMP"
  small_study ", best_of_k: maybe" > bad.yaml
  run "$JS" run bad.yaml -o bad.nc --quiet
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"bad.yaml:8: sampling.best_of_k: expected auto, exact or candidates, got 'maybe'"* ]]
  small_study | sed 's/k: \[1, 2, 8, 64, 512, 4096\]/k: [1, 8589934592]/' > big.yaml
  run "$JS" run big.yaml -o big.nc --quiet
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"big.yaml:5: grid.k: k = 8589934592 needs more candidates"* ]]
  small_study ", tilt: 2" > tilt.yaml
  run "$JS" run tilt.yaml -o tilt.nc --samples-out s --quiet
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"sampling.tilt"* ]]
  [ ! -e tilt.nc ] && [ ! -e s-judge0.csv ]
  small_study ", best_of_k: exact" > ex.yaml
  run "$JS" run ex.yaml -o ex.nc --samples-out s --quiet
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"sampling.best_of_k: candidates"* ]]
  [ ! -e ex.nc ] && [ ! -e s-judge0.csv ]
  small_study ", tilt: 0.5" > low.yaml
  run "$JS" run low.yaml -o low.nc --quiet
  [ "$status" -eq 2 ]
  [[ "$output" == *"low.yaml:8: sampling.tilt: 0.5 is out of range"* ]]
}
