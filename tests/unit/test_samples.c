/// \file test_samples.c
/// Sample files for judgesim rerank: CSV (quoted fields, interleaved questions, several
/// files) and JSON Lines (one sample or one question per line) read into the same groups;
/// bad inputs name the file, line and column and fail with an input error.
#include "testutil.h"

#include "rerank/samples.h"

static const js_columns defaults = {"question", NULL, "correct", "reward", 0, 0};

/// Read one file written from text (suffix chooses the format).
static js_status read_text(const char *text, const char *suffix, const js_columns *c,
                           js_samples *s) {
  const char *path = write_temp_as(text, suffix);
  js_status st = js_samples_read(&path, 1, c, s);
  unlink(path);
  return st;
}

/// The groups expected from the examples below: q1 {(0,7),(1,3),(1,7)}, q2 {(0,5)}, "q,3"
/// {(1,1),(0,2)} in order of first appearance; losses are 1 - correct.
static void check_groups(const js_samples *s) {
  assert_int_equal(s->nq, 3);
  assert_int_equal(s->ns, 6);
  assert_string_equal(s->qid[0], "q1");
  assert_string_equal(s->qid[1], "q2");
  assert_string_equal(s->qid[2], "q,3");
  size_t start[] = {0, 3, 4, 6};
  double loss[] = {1, 0, 0, 1, 0, 1}, reward[] = {7, 3, 7, 5, 1, 2};
  for (int q = 0; q <= 3; q++) assert_int_equal(s->start[q], start[q]);
  for (int i = 0; i < 6; i++) {
    assert_close(s->loss[i], loss[i], 0);
    assert_close(s->reward[i], reward[i], 0);
  }
}

/// CSV with extra columns, quotes, CRLF line ends and a question that comes back later.
static void csv_groups(void **state) {
  (void)state;
  js_samples s;
  assert_int_equal(read_text("id,question,correct,reward\r\n1,q1,0,7\r\n2,q2,false,5\r\n"
                             "3,q1,1,3\r\n4,\"q,3\",true,1\r\n5,q1,1,7\r\n6,\"q,3\",0,2.0\r\n",
                             ".csv", &defaults, &s), JS_OK);
  check_groups(&s);
  assert_int_equal(s.nfiles, 1);
  assert_int_equal(s.fsamples[0], 6);
  assert_true(s.bytes[0] > 0 && s.checksum[0] != 0);
  js_samples_free(&s);
}

/// JSON Lines, one sample per line and one question per line, give the same groups.
static void jsonl_groups(void **state) {
  (void)state;
  js_samples s;
  assert_int_equal(read_text("{\"question\": \"q1\", \"correct\": 0, \"reward\": 7}\n"
                             "{\"question\": \"q2\", \"correct\": false, \"reward\": 5}\n\n"
                             "{\"question\": \"q1\", \"correct\": [1, 1], \"reward\": [3, 7]}\n"
                             "{\"question\": \"q,3\", \"correct\": [1, 0], \"reward\": [1, 2]}\n",
                             ".jsonl", &defaults, &s), JS_OK);
  check_groups(&s);
  js_samples_free(&s);
}

/// Other column names, a loss column, integer question ids, and two files merged by id.
static void named_columns_two_files(void **state) {
  (void)state;
  js_columns c = {"qid", "err", NULL, "score", 0, 0};
  const char *a = strdup(write_temp_as("qid,err,score\n10,0.5,1\n11,0.25,2\n", ".csv"));
  const char *b = strdup(write_temp_as("{\"qid\": 10, \"err\": [0.75], \"score\": [3]}\n", ".jsonl"));
  const char *paths[] = {a, b};
  js_samples s;
  assert_int_equal(js_samples_read(paths, 2, &c, &s), JS_OK);
  assert_int_equal(s.nq, 2);
  assert_string_equal(s.qid[0], "10");
  assert_int_equal(s.start[1], 2);
  assert_close(s.loss[1], 0.75, 0);
  assert_int_equal(s.qfile[1], 0);
  assert_int_equal(s.qline[1], 3);
  js_samples_free(&s);
  unlink(a), unlink(b), free((void *)a), free((void *)b);
}

/// A bad file: an input error whose message holds each of the wanted pieces.
static void bad(const char *text, const char *suffix, const char *want1, const char *want2) {
  js_samples s;
  assert_int_equal(read_text(text, suffix, &defaults, &s), JS_ERR_INPUT);
  const char *msg = js_error_message();
  if (!strstr(msg, want1) || !strstr(msg, want2))
    fail_msg("message '%s' lacks '%s' or '%s'", msg, want1, want2);
  js_error_clear();
}

static void bad_inputs(void **state) {
  (void)state;
  bad("question,correct\nq1,1\n", ".csv", "line 1", "no column 'reward'");
  bad("question,correct,reward\nq1,1,2\nq1,1,nan\n", ".csv", "line 3", "column 'reward'");
  bad("question,correct,reward\nq1,1,2\nq1,yes,2\n", ".csv", "line 3", "column 'correct'");
  bad("question,correct,reward\nq1,1,2\nq1,1\n", ".csv", "line 3", "2 fields");
  bad("question,correct,reward\n\"q\n1\",1,2\nq1,1,x\n", ".csv", "line 4", "'x'");
  bad("", ".csv", "empty", ".csv");
  bad("question,correct,reward\n", ".csv", "no samples", ".csv");
  bad("{\"question\": \"q1\", \"correct\": 1}\n", ".jsonl", "line 1", "no key 'reward'");
  bad("{\"question\": \"q1\", \"correct\": 1, \"reward\": 2}\n{\"question\": \"q1\", "
      "\"correct\": [1, 0], \"reward\": [2, \"a\"]}\n", ".jsonl", "line 2", "key 'reward'");
  bad("{\"question\": \"q1\", \"correct\": [1, 0], \"reward\": [2]}\n", ".jsonl", "line 1",
      "2 values");
  bad("{\"question\": \"q1\", \"correct\": 1, \"reward\": 2\n", ".jsonl", "line 1", "column");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(csv_groups), cmocka_unit_test(jsonl_groups),
      cmocka_unit_test(named_columns_two_files), cmocka_unit_test(bad_inputs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
