/// \file buildid.h
/// The identity of this build on this machine: program version and commit, compiler and
/// flags, CPU model and the BLAS kernel chosen at run time. Bitwise reproducibility holds
/// only between runs with one identity; checkpoints record it (checkpoint.h) and a resume or
/// merge across identities is refused unless asked for (--allow-other-build).
#ifndef JS_BUILDID_H
#define JS_BUILDID_H

/// The identity as one line (computed once; thread-safe).
const char *js_build_identity(void);
/// "judgesim VERSION (commit COMMIT)".
const char *js_version_string(void);
/// Compiler and flags the program was built with.
const char *js_build_string(void);

#endif
