/// \file jsonlread.c
/// Sample files in JSON Lines through jansson (see jsonlread.h).
#include "rerank/jsonlread.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// One value of a loss, correctness or reward key: a finite number (or a boolean for a
/// correctness).
static int json_value(const json_t *v, int correctness, double *out) {
  if (correctness && json_is_boolean(v)) {
    *out = json_is_true(v);
    return 1;
  }
  if (!json_is_number(v)) return 0;
  *out = json_number_value(v);
  return isfinite(*out);
}

/// The question id of an object: a string (of any length) or an integer, as text (*id
/// malloc'd).
static js_status question_id(const json_t *obj, const char *key, const char *path, long line,
                             char **id) {
  const json_t *q = json_object_get(obj, key);
  char num[32];
  JS_CHECK(q, JS_ERR_INPUT, "%s: line %ld: no key '%s'", path, line, key);
  if (json_is_integer(q)) snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(q));
  else JS_CHECK(json_is_string(q), JS_ERR_INPUT, "%s: line %ld: key '%s': a question id must be "
                "a string or an integer", path, line, key);
  *id = strdup(json_is_string(q) ? json_string_value(q) : num);
  JS_ALLOC_CHECK(*id, "a question id");
  return JS_OK;
}

/// The values of one key: a single value (n = 1) or an array of them, into *vals (grown).
static js_status key_values(const json_t *obj, const char *key, int correctness, int graded,
                            int reward, const char *path, long line, double **vals, size_t *cap,
                            int *n) {
  const json_t *v = json_object_get(obj, key);
  JS_CHECK(v, JS_ERR_INPUT, "%s: line %ld: no key '%s'", path, line, key);
  size_t len = json_is_array(v) ? json_array_size(v) : 1;
  JS_CHECK(len > 0 && len < 0x7fffffff, JS_ERR_INPUT, "%s: line %ld: key '%s': an empty array",
           path, line, key);
  if (len > *cap) {
    double *b = realloc(*vals, len * sizeof(double));
    JS_ALLOC_CHECK(b, "a question's samples");
    *vals = b, *cap = len;
  }
  for (size_t i = 0; i < len; i++) {
    const json_t *x = json_is_array(v) ? json_array_get(v, i) : v;
    const char *why = json_value(x, correctness, &(*vals)[i])
                          ? js_value_problem((*vals)[i], correctness, graded, reward)
                          : "is not a finite number";
    if (why) {
      char *text = json_dumps(x, JSON_ENCODE_ANY);
      char where[48] = "";
      if (json_is_array(v)) snprintf(where, sizeof where, " (array element %zu)", i + 1);
      js_status s = JS_ERROR(JS_ERR_INPUT, "%s: line %ld: key '%s'%s: %s %s", path, line, key,
                             where, text ? text : "the value", why);
      free(text);
      return s;
    }
  }
  *n = (int)len;
  return JS_OK;
}

/// Buffers for one line's values.
typedef struct {
  double *l, *r;
  size_t lcap, rcap;
} line_values;

/// One line: an object with a question id, and a loss (or correctness) and a reward, either
/// single values or arrays of one length.
static js_status read_line(const char *text, long line, const js_columns *cols, js_sink *sink,
                           line_values *b) {
  const char *path = js_sink_path(sink);
  json_error_t err;
  json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES, &err);
  JS_CHECK(obj, JS_ERR_INPUT, "%s: line %ld: column %d: %s", path, line, err.column, err.text);
  char *id = NULL;
  int correct = cols->loss == NULL || (cols->either && !json_object_get(obj, cols->loss));
  int nl = 0, nr = 0;
  const char *lkey = correct ? cols->correct : cols->loss;
  js_status s = json_is_object(obj)
                    ? JS_OK
                    : JS_ERROR(JS_ERR_INPUT, "%s: line %ld: not a JSON object", path, line);
  JS_TRY(s, question_id(obj, cols->question, path, line, &id));
  JS_TRY(s, key_values(obj, lkey, correct, cols->graded, 0, path, line, &b->l, &b->lcap, &nl));
  JS_TRY(s, key_values(obj, cols->reward, 0, 0, 1, path, line, &b->r, &b->rcap, &nr));
  if (s == JS_OK && nl != nr)
    s = JS_ERROR(JS_ERR_INPUT, "%s: line %ld: key '%s' has %d values and key '%s' %d", path, line,
                 lkey, nl, cols->reward, nr);
  for (int i = 0; s == JS_OK && correct && i < nl; i++) b->l[i] = 1 - b->l[i];
  JS_TRY(s, js_sink_add(sink, id, b->l, b->r, nl, line));
  free(id);
  json_decref(obj);
  JS_CALL(s);
  return JS_OK;
}

js_status js_jsonl_read(FILE *f, const js_columns *cols, js_sink *sink) {
  char *text = NULL;
  size_t cap = 0;
  ssize_t len;
  long line = 0;
  line_values b = {0};
  js_status s = JS_OK;
  errno = 0;
  size_t bom = js_bom_length(f);
  while (s == JS_OK && (len = getline(&text, &cap, f)) >= 0) {
    line++;
    size_t i = line == 1 ? bom : 0;
    while (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n') i++;
    if (text[i]) s = read_line(text + (line == 1 ? bom : 0), line, cols, sink, &b);
  }
  if (s == JS_OK && ferror(f))
    s = JS_ERROR(JS_ERR_INPUT, "%s: read error: %s", js_sink_path(sink), strerror(errno));
  free(text), free(b.l), free(b.r);
  JS_CALL(s);
  return JS_OK;
}
