/// \file test_background.c
/// The master's background task thread: tasks run in posting order, off the posting thread,
/// and all of them before a drain returns; the first failure comes back from the next post
/// and from the drain, and the tasks after it are skipped.
#include "testutil.h"

#include <pthread.h>
#include <unistd.h>

#include "io/background.h"

/// What the tasks record: their arguments in the order they ran, and on which thread.
typedef struct {
  int ran[64], n;
  pthread_t thread[64];
  int fail_at; ///< the argument whose task fails (-1: none)
} log_t;

/// A task that sleeps a little (so posts overtake it), then records its argument.
static js_status record(void *ctx, int arg) {
  log_t *log = ctx;
  usleep(200);
  log->thread[log->n] = pthread_self();
  log->ran[log->n++] = arg;
  if (arg == log->fail_at) JS_FAIL(JS_ERR_SYS, "task %d failed on purpose", arg);
  return JS_OK;
}

/// Posted tasks run in order, on another thread, all before drain returns.
static void tasks_run_in_order_off_thread(void **state) {
  (void)state;
  log_t log = {.fail_at = -1};
  js_background *bg;
  assert_int_equal(js_background_create(&bg), JS_OK);
  for (int i = 0; i < 40; i++) assert_int_equal(js_background_post(bg, record, &log, i), JS_OK);
  assert_int_equal(js_background_drain(bg), JS_OK);
  assert_int_equal(log.n, 40);
  for (int i = 0; i < 40; i++) {
    assert_int_equal(log.ran[i], i);
    assert_false(pthread_equal(log.thread[i], pthread_self()));
  }
  assert_true(js_background_seconds(bg) >= 40 * 200e-6);
  js_background_free(bg);
}

/// The first failure is kept: later tasks are skipped, the next post and the drain return
/// it with its message.
static void first_failure_stops_the_rest(void **state) {
  (void)state;
  log_t log = {.fail_at = 3};
  js_background *bg;
  assert_int_equal(js_background_create(&bg), JS_OK);
  for (int i = 0; i < 6; i++) assert_int_equal(js_background_post(bg, record, &log, i), JS_OK);
  assert_int_equal(js_background_drain(bg), JS_ERR_SYS);
  assert_non_null(strstr(js_error_message(), "task 3 failed on purpose"));
  js_error_clear();
  assert_int_equal(log.n, 4); /* 0..3 ran, 4 and 5 were skipped */
  assert_int_equal(js_background_post(bg, record, &log, 9), JS_ERR_SYS);
  js_error_clear();
  assert_int_equal(js_background_drain(bg), JS_ERR_SYS);
  js_error_clear();
  assert_int_equal(log.n, 4);
  js_background_free(bg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tasks_run_in_order_off_thread),
      cmocka_unit_test(first_failure_stops_the_rest),
  };
  return cmocka_run_group_tests_name("background", tests, NULL, NULL);
}
