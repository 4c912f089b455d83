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

/// Convert one libyaml node (recursively) into a ynode node.
static js_status convert(yaml_document_t *doc, yaml_node_t *src, const char *origin, int depth,
                         ynode **out) {
  int line = (int)src->start_mark.line + 1;
  JS_CHECK(depth < 64, JS_ERR_INPUT, "%s:%d: YAML nested too deeply", origin, line);
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
      js_status s = convert(doc, yaml_document_get_node(doc, *it), origin, depth + 1, &child);
      if (child) JS_CALL(yn_append(node, NULL, 0, child));
      JS_CALL(s);
    }
    return JS_OK;
  }
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
    js_status s = convert(doc, yaml_document_get_node(doc, p->value), origin, depth + 1, &child);
    if (child) JS_CALL(yn_append(node, key, kline, child));
    JS_CALL(s);
  }
  return JS_OK;
}

/// Run the libyaml parser on an initialised parser and convert its first document.
static js_status load(yaml_parser_t *parser, const char *origin, ynode **root) {
  yaml_document_t doc;
  *root = NULL;
  if (!yaml_parser_load(parser, &doc)) {
    js_status s = JS_ERROR(JS_ERR_INPUT, "%s:%d: YAML syntax error: %s%s%s", origin,
                           (int)parser->problem_mark.line + 1,
                           parser->problem ? parser->problem : "unreadable",
                           parser->context ? " " : "", parser->context ? parser->context : "");
    return s;
  }
  yaml_node_t *top = yaml_document_get_root_node(&doc);
  js_status s = top ? convert(&doc, top, origin, 0, root) : JS_OK;
  yaml_document_delete(&doc);
  return s;
}

js_status yn_load_file(const char *path, ynode **root) {
  FILE *f = fopen(path, "rb");
  JS_CHECK(f != NULL, JS_ERR_INPUT, "%s: cannot open study file: %s", path, strerror(errno));
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    fclose(f);
    JS_FAIL(JS_ERR_SYS, "cannot initialise the YAML parser");
  }
  yaml_parser_set_input_file(&parser, f);
  js_status s = load(&parser, path, root);
  yaml_parser_delete(&parser);
  fclose(f);
  return s;
}

js_status yn_load_string(const char *text, const char *origin, ynode **root) {
  yaml_parser_t parser;
  JS_CHECK(yaml_parser_initialize(&parser), JS_ERR_SYS, "cannot initialise the YAML parser");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
  js_status s = load(&parser, origin, root);
  yaml_parser_delete(&parser);
  return s;
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
