/// \file error.h
/// Status-returning error convention (after PETSc's PetscCall/PetscCheck).
/// Every fallible function returns js_status; JS_CALL propagates a failure up the stack,
/// adding one traceback frame per level; JS_FAIL/JS_CHECK raise one with a message.
/// User-input errors (JS_ERR_INPUT) map to exit code 2, a locked output to 4, an interrupted
/// run to 3, everything else to 1.
#ifndef JS_ERROR_H
#define JS_ERROR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
  JS_OK = 0,
  JS_ERR_SYS = 1,     ///< system call, allocation, I/O
  JS_ERR_INPUT = 2,   ///< bad study file, option or argument
  JS_ERR_NUMERIC = 3, ///< BLAS/LAPACK failure (e.g. matrix not positive definite)
  JS_ERR_MPI = 4,     ///< MPI call failed or a peer reported a failure
  JS_ERR_NETCDF = 5,  ///< NetCDF call failed
  JS_ERR_RNG = 6,     ///< SPRNG stream could not be created
  JS_INTERRUPTED = 8, ///< stopped by a signal after committing a checkpoint (exit code 3)
  JS_ERR_LOCKED = 9,  ///< the output is locked by another live run (exit code 4)
} js_status;

/// Record a new failure with a formatted message; returns code.
js_status js_fail(js_status code, const char *file, int line, const char *func,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/// Add a traceback frame to the current failure; returns code.
js_status js_trace(js_status code, const char *file, int line, const char *func);
/// The message of the current failure ("" when none).
const char *js_error_message(void);
/// The current failure as text: the message, then one "  at func (file:line)" line per frame.
void js_error_text(char *buf, size_t size);
/// Print the current failure (message, and the traceback unless it is an input error).
void js_error_report(js_status code);
/// Clear the recorded failure.
void js_error_clear(void);
/// Process exit code for a status: 0, 2 for input errors, 3 when interrupted, 4 when the
/// output is locked by another run, 1 otherwise.
int js_exit_code(js_status code);

#define JS_FAIL(code, ...) return js_fail((code), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define JS_CHECK(cond, code, ...)                                                            \
  do {                                                                                       \
    if (!(cond)) JS_FAIL((code), __VA_ARGS__);                                               \
  } while (0)
#define JS_CALL(expr)                                                                        \
  do {                                                                                       \
    js_status js_s_ = (expr);                                                                \
    if (js_s_ != JS_OK) return js_trace(js_s_, __FILE__, __LINE__, __func__);                \
  } while (0)
/// Check a pointer returned by an allocator.
#define JS_ALLOC_CHECK(ptr, what)                                                            \
  JS_CHECK((ptr) != NULL, JS_ERR_SYS, "out of memory allocating %s", (what))

#endif
