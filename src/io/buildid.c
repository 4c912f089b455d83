/// \file buildid.c
/// The build identity (see buildid.h).
#include "io/buildid.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "mc/posterior.h"

#ifndef JS_VERSION /* build/version.h, included by the Makefile */
#define JS_VERSION "unknown"
#define JS_COMMIT "unknown"
#define JS_BUILD "unknown"
#endif

static char g_identity[2048];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/// The CPU's model name from /proc/cpuinfo ("unknown CPU" without one).
static void cpu_model(char *out, size_t size) {
  snprintf(out, size, "unknown CPU");
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[512];
  while (fgets(line, sizeof line, f)) {
    char *colon = strchr(line, ':');
    if (strncmp(line, "model name", 10) != 0 || !colon) continue;
    colon += 1 + (colon[1] == ' ');
    colon[strcspn(colon, "\n")] = '\0';
    snprintf(out, size, "%s", colon);
    break;
  }
  fclose(f);
}

/// Compose the identity once.
static void compose(void) {
  char cpu[256];
  cpu_model(cpu, sizeof cpu);
  snprintf(g_identity, sizeof g_identity, "judgesim %s (commit %s); %s; CPU %s; BLAS %s",
           JS_VERSION, JS_COMMIT, JS_BUILD, cpu, js_linalg_core());
}

const char *js_version_string(void) { return "judgesim " JS_VERSION " (commit " JS_COMMIT ")"; }

const char *js_build_string(void) { return JS_BUILD; }

const char *js_build_identity(void) {
  pthread_once(&g_once, compose);
  return g_identity;
}
