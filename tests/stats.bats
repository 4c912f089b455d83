#!/usr/bin/env bats
# Statistical facts of the model (docs/model.md, "Judges (reward vectors) and the estimand") on a small study with fixed seeds
# (tests/check_stats.py states each check and its tolerance in standard errors).
load helpers

@test "the model's facts: k=1/T=inf reference, k^-2 decay, U shape in k, interior T minimum" {
  $MPIRUN -np 2 "$JS" run "$ROOT/tests/data/stats.yaml" -o "$TMP/stats.nc" --quiet
  run /usr/bin/python3 "$ROOT/tests/check_stats.py" "$TMP/stats.nc"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(grep -c '^PASS' <<< "$output")" -eq 6 ]
}

@test "the authors' judges {c} and a Gaussian teacher: the Monte Carlo at d = 200 within 4 SE of the theory" {
  "$JS" run "$ROOT/tests/data/cjudge.yaml" -o "$TMP/c.nc" --quiet
  "$JS" run "$ROOT/tests/data/cjudge-gauss.yaml" -o "$TMP/g.nc" --quiet
  run /usr/bin/python3 - "$TMP/c.nc" "$TMP/g.nc" <<'PY'
import sys, netCDF4, numpy as np
c, g = (netCDF4.Dataset(p) for p in sys.argv[1:])
assert np.isnan(c["reward_alpha"][:3]).all() and list(c["reward_c"][:3]) == [2, -0.5, 0]
assert np.isnan(c["reward_c"][3]) and c["reward_alpha"][3] == 1
for f in (c, g):
    z = (f["delta"][:] - f["delta_theory"][:]) / f["delta_se"][:]
    print(f.filepath(), "largest |MC - theory| / SE:", float(np.abs(z).max()))
    assert np.abs(z).max() < 4
    # c = 0 is the perfect judge: the same candidates, the same bits
    assert (f["delta_trial"][..., 2] == f["delta_trial"][..., 3]).all()
    # and c = 2 is not (k = 16, T = 0.3), by more than 4 paired standard errors
    dt = f["delta_trial"][0, 0, :, 2, 1, 0] - f["delta_trial"][0, 0, :, 2, 1, 2]
    assert abs(dt.mean()) > 4 * dt.std(ddof=1) / np.sqrt(len(dt)), dt.mean()
# the Gaussian teacher's theory is not the sphere's (S x 1.5, gamma / 1.5), and the
# Monte Carlo tells them apart at k = 1
gs, cs = g["delta_theory"][0, 0, 0, 0, 0], c["delta_theory"][0, 0, 0, 0, 0]
mc, se = g["delta"][0, 0, 0, 0, 0], g["delta_se"][0, 0, 0, 0, 0]
print("k = 1: MC", mc, "+-", se, "gaussian theory", gs, "sphere theory", cs)
assert abs(mc - gs) < 4 * se and abs(mc - cs) > 4 * se
assert g.teacher == "gaussian" and g.teacher_scale == 1.5
print("ok")
PY
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *ok ]]
}
