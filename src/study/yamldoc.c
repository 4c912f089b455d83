/// \file yamldoc.c
/// Loads YAML with libyaml's document API into a ynode tree that keeps line numbers.
#include "study/yamldoc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/// Allocate an empty node of a kind.
static ynode *yn_new(yn_kind kind, int line, const char *origin) {
  ynode *node = calloc(1, sizeof *node);
  if (!node) return NULL;
  node->kind = kind;
  node->line = line;
  node->origin = strdup(origin);
  if (!node->origin) {
    free(node);
    return NULL;
  }
  return node;
}

/// Append a child (with key for maps) to a node.
static js_status yn_append(ynode *node, const char *key, int key_line, ynode *child) {
  ynode **items = realloc(node->items, (size_t)(node->n + 1) * sizeof *items);
  JS_ALLOC_CHECK(items, "YAML tree");
  node->items = items;
  if (node->kind == YN_MAP) {
    char **keys = realloc(node->keys, (size_t)(node->n + 1) * sizeof *keys);
    JS_ALLOC_CHECK(keys, "YAML tree");
    node->keys = keys;
    int *lines = realloc(node->key_lines, (size_t)(node->n + 1) * sizeof *lines);
    JS_ALLOC_CHECK(lines, "YAML tree");
    node->key_lines = lines;
    keys[node->n] = strdup(key);
    JS_ALLOC_CHECK(keys[node->n], "YAML key");
    lines[node->n] = key_line;
  }
  items[node->n++] = child;
  return JS_OK;
}

/// Bounds on a study file: a study is a few kilobytes, 4 levels deep, with maps of a few
/// keys and lists of at most 4,096 values; beyond these the file cannot be a study, and the
/// bounds keep an alias bomb or a huge file from taking the machine's memory or minutes.
enum { YN_MAX_BYTES = 4 << 20, YN_MAX_DEPTH = 64, YN_MAX_NODES = 200000, YN_MAX_KEYS = 1000 };

/// Convert one libyaml node (recursively) into a ynode node; *budget counts the nodes still
/// allowed (an alias is expanded at each use).
static js_status convert(yaml_document_t *doc, yaml_node_t *src, const char *origin, int depth,
                         long *budget, ynode **out) {
  int line = (int)src->start_mark.line + 1;
  JS_CHECK(depth < YN_MAX_DEPTH, JS_ERR_INPUT, "%s:%d: YAML nested more than %d levels deep",
           origin, line, YN_MAX_DEPTH);
  JS_CHECK(--*budget >= 0, JS_ERR_INPUT, "%s:%d: the YAML expands to more than %d nodes "
           "(aliases used many times?): not a study file", origin, line, YN_MAX_NODES);
  if (src->type == YAML_SCALAR_NODE) {
    ynode *node = yn_new(YN_SCALAR, line, origin);
    JS_ALLOC_CHECK(node, "YAML tree");
    node->scalar = strndup((const char *)src->data.scalar.value, src->data.scalar.length);
    node->quoted = src->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    *out = node;
    JS_ALLOC_CHECK(node->scalar, "YAML scalar");
    return JS_OK;
  }
  ynode *node = yn_new(src->type == YAML_SEQUENCE_NODE ? YN_SEQ : YN_MAP, line, origin);
  JS_ALLOC_CHECK(node, "YAML tree");
  *out = node;
  if (src->type == YAML_SEQUENCE_NODE) {
    for (yaml_node_item_t *it = src->data.sequence.items.start;
         it < src->data.sequence.items.top; it++) {
      ynode *child = NULL;
      js_status s = convert(doc, yaml_document_get_node(doc, *it), origin, depth + 1, budget,
                            &child);
      if (child) JS_CALL(yn_append(node, NULL, 0, child));
      JS_CALL(s);
    }
    return JS_OK;
  }
  JS_CHECK(src->data.mapping.pairs.top - src->data.mapping.pairs.start <= YN_MAX_KEYS,
           JS_ERR_INPUT, "%s:%d: a map with more than %d keys: not a study file", origin, line,
           YN_MAX_KEYS);
  for (yaml_node_pair_t *p = src->data.mapping.pairs.start; p < src->data.mapping.pairs.top;
       p++) {
    yaml_node_t *k = yaml_document_get_node(doc, p->key);
    int kline = (int)k->start_mark.line + 1;
    JS_CHECK(k->type == YAML_SCALAR_NODE, JS_ERR_INPUT, "%s:%d: a map key must be a plain word",
             origin, kline);
    const char *key = (const char *)k->data.scalar.value;
    JS_CHECK(yn_get(node, key) == NULL, JS_ERR_INPUT, "%s:%d: key '%s' is given twice", origin,
             kline, key);
    ynode *child = NULL;
    js_status s = convert(doc, yaml_document_get_node(doc, p->value), origin, depth + 1, budget,
                          &child);
    if (child) JS_CALL(yn_append(node, key, kline, child));
    JS_CALL(s);
  }
  return JS_OK;
}

/// The 1-based line of position at in text.
static int line_at(const char *text, const char *at) {
  int line = 1;
  for (const char *p = text; p < at; p++) line += *p == '\n';
  return line;
}

/// A syntax error of the parser as an input error naming the line.
static js_status syntax_error(const yaml_parser_t *parser, const char *origin) {
  return JS_ERROR(JS_ERR_INPUT, "%s:%d: YAML syntax error: %s%s%s", origin,
                  (int)parser->problem_mark.line + 1,
                  parser->problem ? parser->problem : "unreadable", parser->context ? " " : "",
                  parser->context ? parser->context : "");
}

/// First pass over the events: nesting within YN_MAX_DEPTH and one document. Stops at the
/// first excess, so a deep file costs no more than a shallow one (libyaml's loader took 17 s
/// on 100,000 nested brackets).
static js_status prescan(const char *text, size_t len, const char *origin) {
  yaml_parser_t parser;
  JS_CHECK(yaml_parser_initialize(&parser), JS_ERR_SYS, "cannot initialise the YAML parser");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  js_status s = JS_OK;
  for (int depth = 0, docs = 0, done = 0; !done && s == JS_OK;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      s = syntax_error(&parser, origin);
      break;
    }
    int line = (int)ev.start_mark.line + 1;
    if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) depth++;
    if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) depth--;
    if (ev.type == YAML_DOCUMENT_START_EVENT) docs++;
    done = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (depth > YN_MAX_DEPTH)
      s = JS_ERROR(JS_ERR_INPUT, "%s:%d: YAML nested more than %d levels deep: not a study "
                   "file", origin, line, YN_MAX_DEPTH);
    else if (docs > 1)
      s = JS_ERROR(JS_ERR_INPUT, "%s:%d: a second YAML document ('---'): a study file holds "
                   "one study", origin, line);
  }
  yaml_parser_delete(&parser);
  return s;
}

/// Parse text (len bytes) into a tree: the first pass, then libyaml's loader and conversion.
static js_status load(const char *text, size_t len, const char *origin, ynode **root) {
  *root = NULL;
  JS_CHECK(len <= YN_MAX_BYTES, JS_ERR_INPUT, "%s: larger than %d MB: not a study file",
           origin, YN_MAX_BYTES >> 20);
  const char *nul = memchr(text, 0, len);
  JS_CHECK(!nul, JS_ERR_INPUT, "%s:%d: a NUL byte: not a text file", origin,
           line_at(text, nul));
  JS_CALL(prescan(text, len, origin));
  yaml_parser_t parser;
  JS_CHECK(yaml_parser_initialize(&parser), JS_ERR_SYS, "cannot initialise the YAML parser");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  yaml_document_t doc;
  js_status s = JS_OK;
  if (!yaml_parser_load(&parser, &doc)) {
    s = syntax_error(&parser, origin);
  } else {
    yaml_node_t *top = yaml_document_get_root_node(&doc);
    long budget = YN_MAX_NODES;
    s = top ? convert(&doc, top, origin, 0, &budget, root) : JS_OK;
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  return s;
}

/// Read a whole file (malloc'd, NUL-terminated) of at most YN_MAX_BYTES bytes.
static js_status read_all(const char *path, char **text, size_t *len) {
  FILE *f = fopen(path, "rb");
  JS_CHECK(f != NULL, JS_ERR_INPUT, "%s: cannot open study file: %s", path, strerror(errno));
  size_t cap = YN_MAX_BYTES + 2;
  *text = malloc(cap);
  if (!*text) fclose(f);
  JS_ALLOC_CHECK(*text, "study file");
  *len = fread(*text, 1, cap - 1, f);
  int err = ferror(f) ? errno : 0;
  fclose(f);
  (*text)[*len] = '\0';
  if (err) free(*text), *text = NULL;
  JS_CHECK(!err, JS_ERR_INPUT, "%s: cannot read study file: %s", path, strerror(err));
  return JS_OK;
}

js_status yn_load_file(const char *path, ynode **root) {
  char *text;
  size_t len = 0;
  *root = NULL;
  JS_CALL(read_all(path, &text, &len));
  js_status s = load(text, len, path, root);
  free(text);
  return JS_TRACE(s);
}

js_status yn_load_string(const char *text, const char *origin, ynode **root) {
  return load(text, strlen(text), origin, root);
}

ynode *yn_get(const ynode *map, const char *key) {
  if (!map || map->kind != YN_MAP) return NULL;
  for (int i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) return map->items[i];
  return NULL;
}

js_status yn_set_path(ynode **root, const char *dotted, ynode *value, const char *origin) {
  if (!*root) {
    *root = yn_new(YN_MAP, 0, origin);
    JS_ALLOC_CHECK(*root, "YAML tree");
  }
  ynode *node = *root;
  const char *dot = strchr(dotted, '.');
  while (dot) {
    char *head = strndup(dotted, (size_t)(dot - dotted));
    JS_ALLOC_CHECK(head, "option key");
    ynode *child = yn_get(node, head);
    if (!child) {
      child = yn_new(YN_MAP, 0, origin);
      js_status s = child ? yn_append(node, head, 0, child) : JS_ERR_SYS;
      if (s != JS_OK) yn_free(child);
      free(head);
      JS_CHECK(s == JS_OK, JS_ERR_SYS, "out of memory applying %s", origin);
    } else {
      free(head);
    }
    JS_CHECK(child->kind == YN_MAP, JS_ERR_INPUT, "%s: '%.*s' is not a section", origin,
             (int)(dot - dotted), dotted);
    node = child;
    dotted = dot + 1;
    dot = strchr(dotted, '.');
  }
  JS_CHECK(node->kind == YN_MAP, JS_ERR_INPUT, "%s: cannot set a key inside a non-map", origin);
  for (int i = 0; i < node->n; i++)
    if (strcmp(node->keys[i], dotted) == 0) {
      yn_free(node->items[i]);
      node->items[i] = value;
      node->key_lines[i] = 0;
      return JS_OK;
    }
  return yn_append(node, dotted, 0, value);
}

void yn_free(ynode *node) {
  if (!node) return;
  for (int i = 0; i < node->n; i++) {
    yn_free(node->items[i]);
    if (node->keys) free(node->keys[i]);
  }
  free(node->items);
  free(node->keys);
  free(node->key_lines);
  free(node->scalar);
  free(node->origin);
  free(node);
}
