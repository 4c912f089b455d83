/// \file info.h
/// `judgesim info`: progress of a study read from its checkpoint.
#ifndef JS_INFO_H
#define JS_INFO_H

#include "core/error.h"

/// Print units done/total, complete cells, study hash and last commit time for a cube
/// (its OUT.ckpt is read) or a checkpoint path.
js_status js_info(const char *path);

#endif
