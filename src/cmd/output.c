/// \file output.c
/// What an output path may hold before a command replaces it (see output.h).
#include "cmd/output.h"

#include <stdio.h>
#include <string.h>

#include "io/fileio.h"

/// A kind's name in messages.
static const char *kind_name(js_cube_kind k) {
  return k == JS_CUBE_RUN ? "run" : k == JS_CUBE_THEORY ? "theory" : "rerank";
}

/// The study key in which an existing run or theory cube differs from o's study (NULL: the
/// same study or an extension of it).
static const char *study_change(const js_output *o, const char *text) {
  js_config old;
  if (!text || js_config_parse_text(text, o->path, &old) != JS_OK) return "its study text";
  const char *key = NULL;
  js_study_change change = js_config_compare(&old, o->study, &key);
  js_config_free(&old);
  return change == JS_STUDY_CHANGED ? key : NULL;
}

/// Why the judgesim cube id at o->path is not o's to replace without --force (NULL: it is).
static const char *not_ours(const js_output *o, const js_cube_id *id, char *why, size_t cap) {
  if (id->kind != o->kind) {
    snprintf(why, cap, "is a judgesim %s cube, and this command writes a %s cube",
             kind_name(id->kind), kind_name(o->kind));
    return why;
  }
  if (o->kind == JS_CUBE_RERANK) {
    if (id->files && o->files && !strcmp(id->files, o->files)) return NULL;
    snprintf(why, cap, "holds the rerank cube of other sample files");
    return why;
  }
  const char *key = o->study ? study_change(o, id->config) : NULL;
  if (!key) return NULL;
  snprintf(why, cap, "holds the cube of another study (%s)", key);
  return why;
}

js_status js_output_check(const js_output *o) {
  JS_CALL(js_output_path_check(o->path, o->label, o->inputs, o->ninputs));
  js_cube_id id;
  JS_CALL(js_store_identify(o->path, &id));
  char why[256];
  const char *bad = NULL;
  if (id.kind == JS_CUBE_FOREIGN)
    bad = "exists and is not a judgesim cube";
  else if (id.kind != JS_CUBE_NONE && !o->force)
    bad = not_ours(o, &id, why, sizeof why);
  int foreign = id.kind == JS_CUBE_FOREIGN;
  js_cube_id_free(&id);
  JS_CHECK(!bad || foreign, JS_ERR_INPUT,
           "%s '%s' %s: give another output, or --force to replace it (nothing was written)",
           o->label, o->path, bad);
  JS_CHECK(!bad, JS_ERR_INPUT, "%s '%s' %s: give another output, or move that file away "
           "(nothing was written)", o->label, o->path, bad);
  return JS_OK;
}
