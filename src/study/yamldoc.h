/// \file yamldoc.h
/// A YAML document as a small tree that remembers where each node came from (file and
/// line), so the study-file validator can name them; built with libyaml.
#ifndef JS_YAMLDOC_H
#define JS_YAMLDOC_H

#include "core/error.h"

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } yn_kind;

typedef struct ynode {
  yn_kind kind;
  int line;           ///< 1-based line in origin (0 when the origin is one option)
  char *origin;       ///< file name, or the --set option it came from
  char *scalar;       ///< scalar text (YN_SCALAR)
  int quoted;         ///< scalar was quoted: a string, never a number
  int n;              ///< number of items (YN_SEQ, YN_MAP)
  char **keys;        ///< map keys (YN_MAP)
  int *key_lines;     ///< line of each key (YN_MAP)
  struct ynode **items;  ///< sequence items or map values
} ynode;

/// Parse a YAML file into a tree (*root NULL for an empty document). Input errors name the line.
js_status yn_load_file(const char *path, ynode **root);
/// Parse YAML text; origin names it in messages.
js_status yn_load_string(const char *text, const char *origin, ynode **root);
/// Look up a map key (NULL when absent or node is not a map).
ynode *yn_get(const ynode *map, const char *key);
/// Replace or add the value at a dotted path ("grid.k"), creating maps on the way.
js_status yn_set_path(ynode **root, const char *dotted, ynode *value, const char *origin);
/// Free a tree.
void yn_free(ynode *node);

#endif
