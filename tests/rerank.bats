#!/usr/bin/env bats
# judgesim rerank: exact values against enumeration of every k-subset, CSV and JSON Lines
# alike, the same cube at any rank count, bad input rejected with file, line and column.
load helpers

# Write a random sample set (seeded): 30 questions of 7 to 12 samples, rewards small
# integers (many ties) or reals, losses 0/1 or graded.
random_samples() {
  /usr/bin/python3 - "$1" <<'PY'
import random, sys
rng = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("question,loss,reward\n")
    for q in range(30):
        for _ in range(rng.randint(7, 12)):
            r = rng.randint(1, 5) if q % 2 else round(rng.gauss(0, 2), 3)
            l = rng.randint(0, 1) if q % 3 else round(rng.random(), 3)
            f.write(f"item{q},{l},{r}\n")
PY
}

# The result data of a rerank cube (no history).
rerank_data() {
  ncdump -p 9,17 -v delta,delta_se,delta_lo,delta_hi,delta_question,delta_oracle,k_opt,k_opt_lo,T_opt,cov_lr,cov_lr2 "$1" |
    sed -n '/^data:/,$p'
}

@test "rerank: hand-computed values of a small CSV (ties, correctness column)" {
  cd "$TMP"
  cp "$ROOT/tests/data/rerank.csv" s.csv
  run "$JS" rerank s.csv --k 1,2,4 --T 0,1,inf --boot 100
  echo "$output"
  [ "$status" -eq 0 ]
  [ -f s.rerank.nc ]
  # best of 2 at T = 0: questions 5/12, 1/2, 5/12 -> 4/9; best of 4: 1/3; k = 1: 5/12;
  # oracle at k = 2: (1/6 + 1/6 + 0)/3 = 1/9
  /usr/bin/python3 - <<'PY'
import netCDF4
c = netCDF4.Dataset("s.rerank.nc")
d, o = c["delta"][:], c["delta_oracle"][:]
want = {(0, 0): 5 / 12, (0, 1): 4 / 9, (0, 2): 1 / 3, (1, 0): 5 / 12, (2, 2): 5 / 12}
for (i, j), v in want.items():
    assert abs(d[i, j] - v) < 1e-12, (i, j, d[i, j], v)
assert abs(o[1] - 1 / 9) < 1e-12 and abs(o[2]) < 1e-12, o
assert list(c["question_id"][:]) == ["q1", "q2", "q3"]
assert list(c["question_samples"][:]) == [4, 4, 4]
assert c.questions == 3 and c.samples == 12
PY
  "$ROOT/tests/rerank_ref.py" s.csv s.rerank.nc
}

@test "rerank: every cell equals enumeration of all k-subsets (random data, finite T)" {
  cd "$TMP"
  random_samples r.csv
  run "$JS" rerank r.csv --k 1,2,3,5,7 --T 0,0.05,0.3,1,4,inf --boot 50 -q -o r.nc
  [ "$status" -eq 0 ]
  run "$ROOT/tests/rerank_ref.py" r.csv r.nc
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "rerank: JSON Lines (per question or per sample) give the CSV's cube" {
  cd "$TMP"
  random_samples r.csv
  /usr/bin/python3 - <<'PY'
import csv, json
rows = list(csv.DictReader(open("r.csv")))
qs = {}
for r in rows:
    qs.setdefault(r["question"], []).append(r)
with open("q.jsonl", "w") as f:
    for q, rs in qs.items():
        f.write(json.dumps({"question": q, "loss": [float(r["loss"]) for r in rs],
                            "reward": [float(r["reward"]) for r in rs]}) + "\n")
with open("s.jsonl", "w") as f:
    for r in rows:
        f.write(json.dumps({"question": r["question"], "loss": float(r["loss"]),
                            "reward": float(r["reward"])}) + "\n")
PY
  for f in r.csv q.jsonl s.jsonl; do
    "$JS" rerank "$f" --k 1,2,4,7 --T 0,0.5,inf --boot 60 -q -o "$f.nc"
  done
  [ "$(rerank_data r.csv.nc)" = "$(rerank_data q.jsonl.nc)" ]
  [ "$(rerank_data r.csv.nc)" = "$(rerank_data s.jsonl.nc)" ]
}

@test "rerank: the same cube on 1 and 3 ranks" {
  cd "$TMP"
  random_samples r.csv
  "$JS" rerank r.csv --k 1,2,4,7 --T 0,0.2,1,inf --boot 200 -q -o one.nc
  $MPIRUN -np 3 "$JS" rerank r.csv --k 1,2,4,7 --T 0,0.2,1,inf --boot 200 -q -o three.nc
  [ -n "$(rerank_data one.nc)" ]
  [ "$(rerank_data one.nc)" = "$(rerank_data three.nc)" ]
}

# Expect exit 2, a message with the fragment, and the precious output (a cube that --force
# would replace) untouched.
expect_refused() {
  local frag="$1"; shift
  [ -e precious ] || { "$JS" rerank "$ROOT/tests/data/rerank.csv" -o precious -q --k 1,2; }
  cp precious out.nc
  run "$JS" rerank "$@" -o out.nc --force
  echo "$output"
  [ "$status" -eq 2 ]
  [[ "$output" == *"$frag"* ]]
  cmp precious out.nc
  [ -z "$(ls | grep -v -e '^out.nc$' -e '^precious$' -e '\.csv$' -e '\.jsonl$')" ]
}

@test "rerank: bad input exits 2 naming file, line and column; nothing written" {
  cd "$TMP"
  cp "$ROOT/tests/data/rerank.csv" s.csv
  expect_refused "s.csv: line 2: question 'q1' has 4 samples, fewer than the largest k (8)" s.csv --k 1,2,8
  expect_refused "s.csv: line 1: no column 'score'" s.csv --reward score
  sed '4s/,5$/,nan/' s.csv > n.csv
  expect_refused "n.csv: line 4: column 'reward' (field 3): 'nan' is not a finite number" n.csv
  : > e.csv
  expect_refused "e.csv: the file is empty" e.csv
  head -1 s.csv > h.csv
  expect_refused "h.csv: no samples" h.csv
  printf '{"question": "a", "correct": [1, 0], "reward": [1]}\n' > a.jsonl
  expect_refused "a.jsonl: line 1: key 'correct' has 2 values and key 'reward' 1" a.jsonl
  expect_refused "option --k '1,x'" s.csv --k 1,x
  expect_refused "option --T" s.csv --T 0,-1
  expect_refused "give --loss or --correct" s.csv --loss a --correct b
}

@test "rerank: several files only with --concat; the same file twice, or an option twice, is refused; the default k axis ends at N" {
  cd "$TMP"
  cp "$ROOT/tests/data/rerank.csv" s.csv
  cp s.csv t.csv
  ln -s s.csv link.csv
  expect_refused "2 sample files (s.csv, t.csv): give --concat" s.csv t.csv
  expect_refused "the sample files 's.csv' and 'link.csv' are the same file" s.csv link.csv --concat
  expect_refused "the sample files 's.csv' and 's.csv' are the same file" s.csv s.csv --concat
  expect_refused "option --reward given twice ('reward' and 'score')" s.csv --reward reward --reward score
  expect_refused "option --k given twice" s.csv --k 1,2 --k 1,4
  expect_refused "option -o given twice" s.csv -o a.nc
  # --concat pools the files: each question's samples from both (N doubled, the same mean at k = 1)
  "$JS" rerank s.csv --concat t.csv -o two.nc -q --k 1,2 --T 0,inf
  "$JS" rerank s.csv -o one.nc -q --k 1,2 --T 0,inf
  /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
one, two = netCDF4.Dataset("one.nc"), netCDF4.Dataset("two.nc")
assert np.allclose(one["delta"][:, 0], two["delta"][:, 0], rtol=1e-12)  # k = 1: the same mean
assert not np.allclose(one["delta"][0, 1], two["delta"][0, 1])  # k = 2 at T = 0: not
PY
  # the default k axis: 1, 2, 4, ..., and N (here every question has N = 10)
  /usr/bin/python3 "$ROOT/tools/make-samples" --questions 20 --samples 10 > n10.csv
  "$JS" rerank n10.csv -o n10.nc -q
  [ "$(ncdump -v k n10.nc | sed -n 's/^ k = \(.*\) ;$/\1/p')" = "1, 2, 4, 8, 10" ]
  # tools/table reads a rerank cube (it raised IndexError on the missing d axis)
  run "$ROOT/tools/table" one.nc
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"reranked loss (T, k) over 3 questions"* && "$output" != *Traceback* ]]
  [ "$(grep -cE '^ +[12] ' <<< "$output")" -eq 2 ]
}

@test "rerank: hostile sample files: NUL, duplicate columns and keys, correctness outside {0, 1}, overflowing losses; long ids, BOM and TSV read" {
  cd "$TMP"
  printf 'question,loss,reward\nq1,1,1\nq1,1\0,2\n' > nul.csv
  expect_refused "nul.csv: line 3: column 5 (byte 33): a NUL byte" nul.csv
  printf '{"question":"q1","loss":[0,1],"reward":[1,2\0]}\n' > nul.jsonl
  expect_refused "nul.jsonl: line 1: column 44 (byte 44): a NUL byte" nul.jsonl
  printf 'question,loss,reward,loss\nq1,0,1,0\n' > dup.csv
  expect_refused "dup.csv: line 1: column 'loss' appears twice in the header (fields 2 and 4)" dup.csv
  printf '{"question":"q1","loss":0,"reward":1,"loss":3}\n' > dup.jsonl
  expect_refused "dup.jsonl: line 1: column 43: duplicate object key near '\"loss\"'" dup.jsonl
  for v in 2 -1 0.5 1e308; do
    printf 'question,correct,reward\nq1,1,1\nq1,%s,2\n' "$v" > c.csv
    expect_refused "c.csv: line 3: column 'correct' (field 2): '$v' is not a correctness 0 or 1" c.csv
    printf '{"question":"q1","correct":[1,%s],"reward":[1,2]}\n' "$v" > c.jsonl
    expect_refused "c.jsonl: line 1: key 'correct' (array element 2): $v is not a correctness 0 or 1" c.jsonl
  done
  printf 'question,correct,reward\nq1,1,1\nq1,1.5,2\n' > c.csv
  expect_refused "c.csv: line 3: column 'correct' (field 2): '1.5' is not a correctness in [0, 1] (--graded)" c.csv --graded
  for v in 1e308 -1e308 1e151; do
    printf 'question,loss,reward\nq1,1,1\nq1,%s,2\n' "$v" > o.csv
    expect_refused "o.csv: line 3: column 'loss' (field 2): '$v' is beyond the largest loss taken" o.csv
  done
  printf 'question,loss,reward\nq1,1,1\nq1,1e999,2\n' > o.csv
  expect_refused "o.csv: line 3: column 'loss' (field 2): '1e999' is not a finite number" o.csv
  # graded correctness is taken with --graded: delta = 1 - mean correctness at k = 1
  printf 'question,correct,reward\nq1,0.25,1\nq1,0.75,2\n' > g.csv
  "$JS" rerank g.csv --graded --k 1 --T 0 -q -o g.nc
  [ "$(ncdump -v delta g.nc | sed -n "/^ delta =/,/;/p" | tr -d " \n")" = "delta=0.5;" ]
  # ids longer than 1,023 bytes that differ only at the end are two questions
  long=$(printf 'x%.0s' $(seq 1100))
  printf '{"question":"%sA","loss":[0,1],"reward":[1,2]}\n{"question":"%sB","loss":[0,1],"reward":[1,2]}\n' "$long" "$long" > long.jsonl
  "$JS" rerank long.jsonl -q -o long.nc --k 1,2
  ncdump -h long.nc | grep -q "question = 2 ;"
  # a UTF-8 byte-order mark (Excel, pandas utf-8-sig) and tab-separated files read as CSV
  "$JS" rerank "$ROOT/tests/data/rerank.csv" -q -o plain.nc --k 1,2,4
  { printf '\xef\xbb\xbf'; cat "$ROOT/tests/data/rerank.csv"; } > bom.csv
  tr ',' '\t' < "$ROOT/tests/data/rerank.csv" > tab.tsv
  tr ',' '\t' < "$ROOT/tests/data/rerank.csv" > tab.txt
  for f in bom.csv tab.tsv tab.txt; do
    "$JS" rerank $f -q -o $f.nc --k 1,2,4
    [ "$(rerank_data plain.nc)" = "$(rerank_data $f.nc)" ]
  done
  printf '\xef\xbb\xbf{"question":"q1","loss":[0,1],"reward":[1,2]}\n' > bom.jsonl
  "$JS" rerank bom.jsonl -q -o bomj.nc --k 1,2
}

@test "rerank: numerics at tiny T and huge rewards: the T = 0 value where T is sharp, exact elsewhere, between the oracle and the worst" {
  cd "$TMP"
  # 30 questions x 8 samples; rewards in three clusters 1,000 apart with 1e-8 jitter, so at
  # T = 1e-8 some gaps are 1e11 T and others below T (before: 0 for k >= 2 at T <= 1e-20, over
  # 30 s at T = 1e-8)
  /usr/bin/python3 - <<'PY'
import random
random.seed(5)
with open("mix.csv", "w") as f, open("mix20.csv", "w") as g:
    f.write("question,loss,reward\n"), g.write("question,loss,reward\n")
    for q in range(30):
        for i in range(8):
            l, r = random.random(), random.randrange(3) * 1000 + random.random() * 1e-8
            f.write(f"q{q},{l!r},{r!r}\n"), g.write(f"q{q},{l!r},{r * 1e20!r}\n")
PY
  "$JS" rerank mix.csv -q -o mix.nc --k 1,2,4,8 --T 0,1e-300,1e-20,1e-9,1e-8,0.01,1,1000
  "$ROOT/tests/rerank_ref.py" mix.csv mix.nc
  "$JS" rerank mix20.csv -q -o mix20.nc --k 1,2,4,8 --T 0,1
  /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
for path, rows in (("mix.nc", (1, 2)), ("mix20.nc", (1,))):
    with netCDF4.Dataset(path) as nc:
        d, o = np.asarray(nc["delta"][:]), np.asarray(nc["delta_oracle"][:])
    assert (d >= o - 1e-15).all(), (path, d, o)
    for r in rows:
        gap = np.abs(d[r] - d[0]).max()
        assert gap <= 1e-12, (path, r, gap)
    print(path, "ok")
PY
  # rewards near +-DBL_MAX at T near DBL_MAX: the same values as the rewards / 1e308 at T / 1e308
  printf 'question,loss,reward\nq,0.1,1.7\nq,0.9,-1.7\nq,0.5,0\nq,0.3,1.6\n' > b1.csv
  printf 'question,loss,reward\nq,0.1,1.7e308\nq,0.9,-1.7e308\nq,0.5,0\nq,0.3,1.6e308\n' > b2.csv
  "$JS" rerank b1.csv -q -o b1.nc --k 1,2,3,4 --T 0,0.001,0.1,1
  "$JS" rerank b2.csv -q -o b2.nc --k 1,2,3,4 --T 0,1e305,1e307,1e308
  [ "$(ncdump -p 15 -v delta b1.nc | sed -n '/^ delta =/,$p')" = "$(ncdump -p 15 -v delta b2.nc | sed -n '/^ delta =/,$p')" ]
}

@test "rerank: --help describes the command" {
  run "$JS" rerank --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"usage: judgesim rerank SAMPLES"* ]]
  [[ "$output" == *"--fit-k LO:HI"* ]]
}

@test "rerank: a study's own candidates (run --samples-out) give the run's delta" {
  cd "$TMP"
  "$JS" run "$ROOT/tests/data/samplesout.yaml" -o run.nc --samples-out cand --quiet
  for j in 0 1; do
    [ "$(head -1 cand-judge$j.csv)" = "question,loss,reward" ]
    [ "$(wc -l < cand-judge$j.csv)" -eq $((20 * 40 * 16 + 1)) ]
    "$JS" rerank cand-judge$j.csv --k 1,2,4,16 --T 0,0.5,inf --boot 50 -q -o r$j.nc
  done
  # Given the 16 candidates of a test point, the run's first-k estimate averages to the
  # rerank's all-k-subsets value, so they differ by less than the run's SE (4 SE allowed);
  # at k = 16 = N both use every candidate and agree to rounding.
  run /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
c = netCDF4.Dataset("run.nc")
d, se = c["delta"][0, 0], c["delta_se"][0, 0]          # (k, T, reward)
for j in range(2):
    r = netCDF4.Dataset(f"r{j}.nc")["delta"][:].T     # (k, T)
    z = (r - d[:, :, j]) / se[:, :, j]
    print("judge", j, "difference in run SEs:", np.round(z, 2).tolist())
    assert np.all(np.abs(z) < 4), z
    assert np.allclose(r[-1], d[-1, :, j], rtol=1e-8, atol=0), (r[-1], d[-1, :, j])
PY
  echo "$output"
  [ "$status" -eq 0 ]
  run $MPIRUN -np 2 "$JS" run "$ROOT/tests/data/samplesout.yaml" -o two.nc --samples-out c2 --quiet
  [ "$status" -eq 2 ]
  [[ "$output" == *"--samples-out writes every candidate from one process"* ]]
}

@test "rerank: the verdict against a uniform pick is paired, names significance, and counts only questions where the choice can matter" {
  cd "$TMP"
  /usr/bin/python3 "$ROOT/tools/make-samples" --questions 200 --samples 16 > good.csv
  # the same samples with the judge's scores shuffled within each question: a useless judge;
  # and 20 questions whose samples all have the same loss
  /usr/bin/python3 - <<'PY'
import csv, random
rng = random.Random(3)
rows = list(csv.DictReader(open("good.csv")))
by = {}
for r in rows: by.setdefault(r["question"], []).append(r)
with open("useless.csv", "w") as f:
    f.write("question,correct,reward\n")
    for i, (q, rs) in enumerate(by.items()):
        scores = [r["reward"] for r in rs]
        rng.shuffle(scores)
        for r, s in zip(rs, scores):
            f.write(f"{q},{1 if i < 20 else r['correct']},{s}\n")
equal = sum(1 for i, rs in enumerate(by.values()) if i < 20 or len({r["correct"] for r in rs}) == 1)
open("equal.txt", "w").write(str(equal))
PY
  run "$JS" rerank good.csv -o good.nc --T 0,1,inf
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"does the judge help?"*"at k = 16, T = 0 the judge lowers the loss by"*": significant (the interval excludes 0)"* ]]
  run "$JS" rerank useless.csv -o useless.nc --T 0,1,inf
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"at k = 16, T = 0 the judge "*": not significant"* ]]
  [[ "$output" == *"$(cat equal.txt) of 200 questions have samples of equal loss"* ]]
  [[ "$output" == *"of the $((200 - $(cat equal.txt))) questions where the choice can matter"* ]]
  /usr/bin/python3 - <<'PY'
import netCDF4, numpy as np
for name in ("good.nc", "useless.nc"):
    c = netCDF4.Dataset(name)
    g, dq, mu = c["delta_gain"][:], c["delta_question"][:], c["mu_l"][:]
    # the gain is the paired mean difference, and its interval holds it
    assert np.allclose(g, (dq - mu[:, None, None]).mean(axis=0), atol=1e-12)
    assert (c["delta_gain_lo"][:] <= g + 1e-12).all() and (g <= c["delta_gain_hi"][:] + 1e-12).all()
    # helps + hurts never exceed the questions where the choice can matter
    m = c.questions_choice_matters
    assert (c["judge_helps_questions"][:] + c["judge_hurts_questions"][:] <= m).all()
    print(name, "matters", m, "gain at k = 16, T = 0:", g[0, -1], c["delta_gain_lo"][0, -1], c["delta_gain_hi"][0, -1])
assert netCDF4.Dataset("useless.nc").questions_choice_matters == 200 - int(open("equal.txt").read())
PY
}
