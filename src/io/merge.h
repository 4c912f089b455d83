/// \file merge.h
/// Joining the shards of one study (job arrays) from their checkpoints.
#ifndef JS_MERGE_H
#define JS_MERGE_H

#include "study/config.h"
#include "core/error.h"
#include "units/grid.h"
#include "units/results.h"

/// Read the parts (PART.nc or PART.nc.ckpt), check that they hold one study, and load all
/// their units; cfg gets the study with out_path = out, *study_text its study text. Parts
/// of different studies, disagreeing copies of a unit, or units missing are input errors, and
/// so is a part of another build than this one unless allow_other_build.
js_status js_merge_load(const char **parts, int nparts, const char *out, int allow_other_build,
                        js_config *cfg, js_grid *grid, js_results *res, char **study_text);

#endif
