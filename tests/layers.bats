#!/usr/bin/env bats
# The layering rule of docs/architecture.md: the tree keeps it, and the check catches a
# folder that includes a header it may not, a library called from a second file, a folder
# the rule does not name and a file the folder table does not list.
load helpers

# A copy of the sources and the rule to break.
copy_tree() {
  mkdir -p "$TMP/tree"
  cp -r "$ROOT/src" "$ROOT/docs" "$TMP/tree/"
}

@test "layers: every include in src/ is within the rule" {
  run "$ROOT/dev/check-layers"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"every include within the rule"* ]]
}

@test "layers: the scheduler including a study header fails, naming file, line and rule" {
  copy_tree
  sed -i '0,/^#include "dist\/queue.h"/s//&\n#include "units\/grid.h"/' "$TMP/tree/src/dist/queue.c"
  line=$(grep -n '#include "units/grid.h"' "$TMP/tree/src/dist/queue.c" | cut -d: -f1)
  [ -n "$line" ]
  run "$ROOT/dev/check-layers" "$TMP/tree"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"src/dist/queue.c:$line: includes \"units/grid.h\": dist/ may include core"* ]]
}

@test "layers: a second file calling MPI, an unnamed folder or an unlisted file fails" {
  copy_tree
  sed -i '0,/^#include <stdlib.h>/s//&\n#include <mpi.h>/' "$TMP/tree/src/mc/rng.c"
  grep -q '#include <mpi.h>' "$TMP/tree/src/mc/rng.c"
  mkdir "$TMP/tree/src/extra"
  printf '/// \\file stray.c\n' > "$TMP/tree/src/mc/stray.c"
  run "$ROOT/dev/check-layers" "$TMP/tree"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"src/mc/rng.c: includes <mpi.h>, which only src/dist/parallel.c may include"* ]]
  [[ "$output" == *"src/extra/: a folder the rule in docs/architecture.md does not name"* ]]
  [[ "$output" == *"src/mc/stray.c: not named in the row of mc/ in docs/architecture.md"* ]]
}
