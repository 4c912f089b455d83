/// \file test_store.c
/// Cubes described by tables (js_store_write_table): every type, dimension and attribute
/// reads back as written; a failing write leaves the old file in place.
#include "testutil.h"

#include <netcdf.h>

#include "io/store.h"

static void table_round_trip(void **state) {
  (void)state;
  char path[] = "/tmp/judgesim-test-table-XXXXXX.nc";
  int fd = mkstemps(path, 3);
  assert_true(fd >= 0);
  close(fd);
  js_table_dim dims[] = {{"question", 3}, {"k", 2}};
  double delta[6] = {0.5, 0.25, 1, 2, 3, 4};
  int k[2] = {1, 4};
  signed char edge[2] = {0, 1};
  const char *ids[3] = {"q1", "q,2", "third"};
  js_table_var vars[] = {
      {"k", 'i', 1, {"k"}, "number of samples drawn", "1", k},
      {"question", 's', 1, {"question"}, "question id", NULL, ids},
      {"delta_question", 'd', 2, {"question", "k"}, "per question", "1", delta},
      {"edge", 'b', 1, {"k"}, "flag", NULL, edge},
  };
  js_table_attr attrs[] = {{"title", "a test", 0}, {"expo", NULL, 0.187}};
  assert_int_equal(js_store_write_table(path, dims, 2, vars, 4, attrs, 2), JS_OK);
  int nc, var;
  assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
  double got[6], expo;
  assert_int_equal(nc_inq_varid(nc, "delta_question", &var), NC_NOERR);
  assert_int_equal(nc_get_var_double(nc, var, got), NC_NOERR);
  for (int i = 0; i < 6; i++) assert_same_bits(got[i], delta[i]);
  char *names[3];
  assert_int_equal(nc_inq_varid(nc, "question", &var), NC_NOERR);
  assert_int_equal(nc_get_var_string(nc, var, names), NC_NOERR);
  for (int i = 0; i < 3; i++) assert_string_equal(names[i], ids[i]);
  nc_free_string(3, names);
  signed char e[2];
  assert_int_equal(nc_inq_varid(nc, "edge", &var), NC_NOERR);
  assert_int_equal(nc_get_var_schar(nc, var, e), NC_NOERR);
  assert_int_equal(e[1], 1);
  char text[16] = {0};
  assert_int_equal(nc_get_att_text(nc, NC_GLOBAL, "title", text), NC_NOERR);
  assert_string_equal(text, "a test");
  assert_int_equal(nc_get_att_double(nc, NC_GLOBAL, "expo", &expo), NC_NOERR);
  assert_close(expo, 0.187, 0);
  nc_close(nc);
  /* a variable over an unknown dimension fails, and the file written before stays */
  js_table_var bad[] = {{"x", 'd', 1, {"nope"}, "x", NULL, delta}};
  assert_int_not_equal(js_store_write_table(path, dims, 2, bad, 1, attrs, 0), JS_OK);
  js_error_clear();
  assert_int_equal(nc_open(path, NC_NOWRITE, &nc), NC_NOERR);
  assert_int_equal(nc_inq_varid(nc, "delta_question", &var), NC_NOERR);
  nc_close(nc);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(table_round_trip)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
