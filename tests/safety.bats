#!/usr/bin/env bats
# Inputs that used to crash judgesim or destroy data: each must end with exit 2 and one
# message naming the file (or option), the key and the value, and write nothing.
load helpers

teardown() {
  if mountpoint -q "$TMP/fs" 2>/dev/null; then umount "$TMP/fs"; fi
  rm -rf "$TMP"
}

# expect_bad ARGS...: judgesim ARGS exits 2 with one "error:" line and no traceback of a crash
expect_bad() {
  run "$JS" "$@"
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"judgesim: error: "* ]]
  [[ "$output" != *"Signal"* && "$output" != *"double free"* ]]
}

@test "safety: a non-numeric or empty-map grid.T is bad input in run, --dry-run and theory" {
  for v in '[0, abc]' '[0, nan]' '[0, ~]' '[0, true]' '[1_000]' '{}' '[[1]]' '[{}]' \
           '{logspace: 3}' '{logspace: {start: 1, stop: 2}}'; do
    for cmd in "run --dry-run" run theory; do
      expect_bad $cmd "$ROOT/tests/data/small.yaml" --set "grid.T=$v" -o "$TMP/x.nc" --quiet
      [[ "$output" == *"grid.T"* ]]
    done
  done
  [ -z "$(ls "$TMP")" ]
}

@test "safety: k = 2^31 - 1, the documented maximum, runs (no overflow at the last chunk)" {
  cat > "$TMP/k.yaml" <<YAML
model: {sigma: 0.5, gamma: 1.0}
grid: {d: [4], n: [8], k: [1, 2147483647], T: [0.5], reward: [{alpha: 1, beta: 0}]}
sampling: {trials: 2, test_points: 1, seed: 1}
output: {path: $TMP/k.nc}
YAML
  run "$JS" run "$TMP/k.yaml" --quiet
  echo "$output"
  [ "$status" -eq 0 ]
  [ -s "$TMP/k.nc" ]
  [ ! -e "$TMP/k.nc.lock" ]
}

# snapshot DIR: every file's name, type and checksum (what a refused command must not change)
snapshot() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
     if [ -f "$f" ]; then echo "$f $(cksum < "$f")"; else echo "$f $(stat -c %F "$f")"; fi
   done)
}

@test "safety: -o a folder, '.', '/', a trailing '/', a FIFO, a socket or a device is refused before any work" {
  mkdir "$TMP/dir"
  mkfifo "$TMP/fifo"
  python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$TMP/sock"
  before=$(snapshot "$TMP")
  cd "$TMP"
  for o in "$TMP/dir" . .. / "x.nc/" "$TMP/dir/" "$TMP/fifo" "$TMP/sock" /dev/zero; do
    for cmd in run theory; do
      expect_bad $cmd "$ROOT/tests/data/small.yaml" -o "$o" --quiet
      [[ "$output" == *"-o '$o'"* ]]
    done
  done
  printf 'question,loss,reward\nq,0,1\nq,1,0\n' > "$TMP/s.csv"
  before=$(snapshot "$TMP")
  for o in "$TMP/dir" . / "$TMP/fifo" "$TMP/sock" /dev/zero; do
    expect_bad rerank "$TMP/s.csv" -o "$o" --quiet
    expect_bad merge "$TMP/whatever.part-1-of-1.nc" -o "$o" --quiet
  done
  expect_bad analyze "$TMP/fifo" --quiet
  [ "$(snapshot "$TMP")" = "$before" ]
  [ ! -e /.ckpt ] && [ ! -e /..ckpt ] && [ -c /dev/zero ]
}

@test "safety: no command writes over its own input (the same file by device and inode)" {
  printf 'question,loss,reward\nq,0,1\nq,1,0\n' > "$TMP/s.csv"
  cp "$ROOT/tests/data/small.yaml" "$TMP/study.yaml"
  ln "$TMP/s.csv" "$TMP/hard.csv"
  ln -s study.yaml "$TMP/link.yaml"
  before=$(snapshot "$TMP")
  expect_bad run "$TMP/study.yaml" -o "$TMP/study.yaml" --quiet
  [[ "$output" == *"is the input"* ]]
  expect_bad run "$TMP/study.yaml" -o "$TMP/link.yaml" --quiet
  expect_bad theory "$TMP/study.yaml" -o "$TMP/study.yaml" --quiet
  expect_bad rerank "$TMP/s.csv" -o "$TMP/s.csv" --quiet
  expect_bad rerank "$TMP/s.csv" -o "$TMP/hard.csv" --quiet
  [[ "$output" == *"is the input"* ]]
  [ "$(snapshot "$TMP")" = "$before" ]
}

@test "safety: a file judgesim did not write, or another command's or study's cube, is kept (--force replaces a cube)" {
  printf 'question,loss,reward\nq,0,1\nq,1,0\n' > "$TMP/s.csv"
  echo "my notes" > "$TMP/notes.nc"
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/run.nc" --quiet
  rm "$TMP/run.nc.ckpt"
  "$JS" rerank "$TMP/s.csv" -o "$TMP/rr.nc" --quiet
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/th.nc" --quiet
  cp "$TMP/s.csv" "$TMP/t.csv"
  before=$(snapshot "$TMP")
  for cmd in "run" "theory" "run --force" "theory --force"; do
    expect_bad $cmd "$ROOT/tests/data/small.yaml" -o "$TMP/notes.nc" --quiet
    [[ "$output" == *"not a judgesim cube"* ]]
  done
  expect_bad rerank "$TMP/s.csv" -o "$TMP/notes.nc" --quiet --force
  expect_bad run "$ROOT/tests/data/small.yaml" -o "$TMP/run.nc" --set model.sigma=0.3 --quiet
  [[ "$output" == *"another study (model.sigma"* ]]
  expect_bad run "$ROOT/tests/data/small.yaml" -o "$TMP/rr.nc" --quiet
  [[ "$output" == *"rerank cube"* ]]
  expect_bad theory "$ROOT/tests/data/small.yaml" -o "$TMP/run.nc" --quiet
  expect_bad rerank "$TMP/s.csv" -o "$TMP/run.nc" --quiet
  expect_bad rerank "$TMP/s.csv" -o "$TMP/th.nc" --quiet
  expect_bad rerank "$TMP/t.csv" -o "$TMP/rr.nc" --quiet
  [[ "$output" == *"other sample files"* ]]
  [ "$(snapshot "$TMP")" = "$before" ]
  # the same command and study replaces its own cube; --force replaces another judgesim cube
  "$JS" rerank "$TMP/s.csv" -o "$TMP/rr.nc" --quiet
  "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/th.nc" --quiet
  "$JS" run "$ROOT/tests/data/small.yaml" -o "$TMP/run.nc" --set model.sigma=0.3 --quiet --force
  "$JS" rerank "$TMP/t.csv" -o "$TMP/th.nc" --quiet --force
  [ "$(ncdump -h "$TMP/th.nc" | grep -c 'judgesim_command = "rerank"')" -eq 1 ]
  [ "$(cat "$TMP/notes.nc")" = "my notes" ]
}

@test "safety: rerank, theory and merge take the output's lock" {
  printf 'question,loss,reward\nq,0,1\nq,1,0\n' > "$TMP/s.csv"
  "$JS" run "$ROOT/tests/data/small.yaml" --shard 1/1 -o "$TMP/m.nc" --quiet
  for o in rr th m; do echo "otherhost 1 12345" > "$TMP/$o.nc.lock"; done
  run "$JS" rerank "$TMP/s.csv" -o "$TMP/rr.nc" --quiet
  [ "$status" -eq 4 ]
  run "$JS" theory "$ROOT/tests/data/small.yaml" -o "$TMP/th.nc" --quiet
  [ "$status" -eq 4 ]
  run "$JS" merge "$TMP/m.part-1-of-1.nc" -o "$TMP/m.nc" --quiet
  [ "$status" -eq 4 ]
  [ ! -e "$TMP/rr.nc" ] && [ ! -e "$TMP/th.nc" ] && [ ! -e "$TMP/m.nc" ]
  rm "$TMP"/*.lock
  "$JS" rerank "$TMP/s.csv" -o "$TMP/rr.nc" --quiet
  [ -s "$TMP/rr.nc" ] && [ ! -e "$TMP/rr.nc.lock" ]
}

@test "safety: a full disk at any step of the end leaves the previous cube as it was" {
  [ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
  mkdir "$TMP/fs"
  mount -t tmpfs -o size=2m tmpfs "$TMP/fs" # the last run holds two cubes and two checkpoints
  S="$ROOT/tests/data/small.yaml"
  "$JS" run "$S" -o "$TMP/fs/a.nc" --quiet
  cp "$TMP/fs/a.nc" "$TMP/before.nc"
  # free space from none (the lock) through the cube's definition, data and close, to the
  # final checkpoint (450 KB)
  for free in 0 4 8 20 48 100 300; do
    rm -f "$TMP/fs/fill"
    avail=$(df -k --output=avail "$TMP/fs" | tail -1)
    if [ $((avail - free)) -gt 0 ]; then
      dd if=/dev/zero of="$TMP/fs/fill" bs=1k count=$((avail - free)) status=none || true
    fi
    run "$JS" run "$S" -o "$TMP/fs/a.nc" --quiet --set sampling.trials=8
    echo "free ${free} KB: exit $status: $output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"judgesim: error: "* && "$output" != *"Signal"* && "$output" != *"HDF5-DIAG"* ]]
    cmp "$TMP/fs/a.nc" "$TMP/before.nc"
    [ "$(ls "$TMP/fs" | grep -v -e '^fill$' -e '^a.nc$' -e '^a.nc.ckpt$')" = "" ]
  done
  rm -f "$TMP/fs/fill"
  "$JS" run "$S" -o "$TMP/fs/a.nc" --quiet --set sampling.trials=8
  "$JS" run "$S" -o "$TMP/whole.nc" --quiet --set sampling.trials=8
  diff <(cube_data "$TMP/whole.nc") <(cube_data "$TMP/fs/a.nc")
}

@test "safety: hostile study files are refused: alias bomb, deep nesting, huge maps, a second document, NUL, 4 MB, null path, 2^53 + 1, 1e308, a unit larger than memory" {
  python3 - "$TMP" <<'PY'
import sys
t = sys.argv[1]
lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 9):
    lines.append('%s: &%s [%s]' % (chr(97 + i), chr(97 + i), ','.join(['*' + chr(96 + i)] * 9)))
lines.append('model: *i')
open(t + '/bomb.yaml', 'w').write('\n'.join(lines) + '\n')
open(t + '/deep.yaml', 'w').write('model: ' + '[' * 100000 + ']' * 100000 + '\n')
open(t + '/keys.yaml', 'w').write('model:\n' + ''.join('  k%d: 1\n' % i for i in range(200000)))
open(t + '/two.yaml', 'w').write('model: {sigma: 1}\n---\nmodel: {sigma: 2}\n')
open(t + '/nul.yaml', 'w').write('model: {sigma: 1}\x00\n')
open(t + '/big.yaml', 'w').write(' ' * 5000000)
PY
  for f in bomb deep keys two nul big; do
    expect_bad run "$TMP/$f.yaml" --dry-run
  done
  S="$ROOT/tests/data/small.yaml"
  expect_bad run "$S" --dry-run --set 'output.path=~'
  [[ "$output" == *"YAML's null"* ]]
  expect_bad run "$S" --dry-run -o "$TMP/x.nc" --set 'grid.k=[9007199254740993]'
  [[ "$output" == *"above 2^53"* ]]
  expect_bad run "$S" --dry-run -o "$TMP/x.nc" --set 'grid.n=[4.0000000001]'
  [[ "$output" == *"got '4.0000000001'"* ]]
  for set in model.input_scale=1e308 model.gamma=1e308 model.sigma=1e400 \
             'grid.reward=[{alpha: 1e308, beta: 0}]' 'grid.reward=[{alpha: 1, beta: -1e308}]'; do
    expect_bad run "$S" --dry-run -o "$TMP/x.nc" --set "$set"
    [[ "$output" == *"${set%%=*}"* ]]
  done
  expect_bad run "$S" --dry-run -o "$TMP/x.nc" --set 'grid.d=[100000]'
  [[ "$output" == *"grid.d 100000"*"GB per rank"* ]]
  [ -z "$(ls "$TMP" | grep -v '\.yaml$')" ]
}

# flip_bit CUBE VAR: flip one bit inside VAR's stored values (an element whose 8 bytes occur
# once in the file; VAR is a double variable)
flip_bit() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys
import netCDF4, numpy as np
path, name = sys.argv[1:]
with netCDF4.Dataset(path) as nc:
    x = np.asarray(nc[name][:], dtype=float).ravel()
b = bytearray(open(path, "rb").read())
for v in x:
    p = struct.pack("<d", v)
    if b.count(p) == 1:
        i = b.find(p) + 3
        b[i] ^= 0x04
        open(path, "wb").write(b)
        sys.exit(0)
sys.exit(f"no unique element of {name} in {path}")
PY
}

@test "safety: a flipped bit in a cube is refused by analyze and the Python tools, naming the variable" {
  cd "$TMP"
  "$JS" run "$ROOT/tests/data/small.yaml" -o run.nc --quiet
  "$JS" theory "$ROOT/tests/data/small.yaml" -o th.nc --quiet
  "$JS" rerank "$ROOT/tests/data/rerank.csv" -o rr.nc --quiet
  ncdump -hs run.nc | grep -q 'delta:_Fletcher32 = "true"'
  for v in delta delta_trial delta_theory bestofk_v; do
    cp run.nc bad.nc
    flip_bit bad.nc "$v"
    before=$(md5sum bad.nc)
    expect_bad analyze bad.nc
    [[ "$output" == *"bad.nc: variable $v cannot be read"*"damaged"* ]]
    for tool in plot table paper; do
      run "$ROOT/tools/$tool" bad.nc
      echo "$output"
      [ "$status" -eq 2 ]
      [[ "$output" == *"bad.nc: variable $v cannot be read"* ]]
    done
    [ "$before" = "$(md5sum bad.nc)" ]
  done
  cp th.nc bad.nc && flip_bit bad.nc delta_theory
  run "$ROOT/tools/plot" bad.nc --out p
  [ "$status" -eq 2 ] && [[ "$output" == *"variable delta_theory cannot be read"* ]]
  cp rr.nc bad.nc && flip_bit bad.nc delta
  run "$ROOT/tools/plot" bad.nc --out p
  echo "$output"
  [ "$status" -eq 2 ] && [[ "$output" == *"variable delta cannot be read"* ]]
  [ ! -e p ]
  "$JS" analyze run.nc --quiet
}

@test "safety: cells that cannot be trusted are flagged in the cube, the summary and tools/table" {
  cd "$TMP"
  cat > hard.yaml <<YAML
model: {sigma: 0.1, gamma: 1.0}
grid: {d: [100], n: [25], k: [1, 1073741824, 1099511627776], T: [0], reward: [{alpha: 1, beta: 0}]}
sampling: {trials: 16, test_points: 1, seed: 3}
output: {path: hard.nc}
YAML
  run "$JS" run hard.yaml --quiet
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"warning: 2 of 3 cells cannot be trusted"*"sampling.tilt"* ]]
  "$JS" run "$ROOT/tests/data/small.yaml" -o small.nc --quiet 2> small.err
  [ ! -s small.err ]
  # the flags are what the per-trial values say (largest trial > half the sum; SE > mean / 2)
  /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
for path, flagged in (("hard.nc", 2), ("small.nc", 0)):
    with netCDF4.Dataset(path) as nc:
        x = np.abs(np.asarray(nc["delta_trial"][:]))
        m, se = np.asarray(nc["delta"][:]), np.asarray(nc["delta_se"][:])
        f = np.asarray(nc["delta_flag"][:]).astype(int)
        assert list(nc["delta_flag"].flag_masks) == [1, 2]
    want = (x.max(axis=2) > 0.5 * x.sum(axis=2)) * 1 + (se > 0.5 * np.abs(m)) * 2
    assert (f == want).all(), (path, f, want)
    assert (f != 0).sum() == flagged, (path, (f != 0).sum())
    assert (f[:, :, 0] == 0).all()  # k = 1
print("flags ok")
PY
  run "$ROOT/tools/table" hard.nc
  [[ "$output" == *"!+-"* && "$output" == *"cannot be trusted"* ]]
}

@test "safety: a posterior that cannot be factored is refused up front naming model.gamma, sigma and input_scale" {
  cd "$TMP"
  # gamma 1e30 with n < d (a flat prior on an under-determined fit) ended in LAPACK dpotrf, exit 1
  for set in "model.gamma=1e30" "model.sigma=1e-30" "model.input_scale=1e30"; do
    expect_bad run "$ROOT/tests/data/small.yaml" --set 'grid.n=[4]' --set "$set" -o x.nc --quiet
    [[ "$output" == *"model.gamma, model.sigma and model.input_scale"*"d=8 n=4"*"condition number"* ]]
    expect_bad theory "$ROOT/tests/data/small.yaml" --set 'grid.n=[4]' --set "$set" -o x.nc --quiet
  done
  [ ! -e x.nc ]
  # a flat prior where n >= d is fine
  "$JS" run "$ROOT/tests/data/small.yaml" --set 'grid.n=[16, 40]' --set 'grid.d=[8, 16]' \
    --set model.gamma=1e9 -o ok.nc --quiet
}
