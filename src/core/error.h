/// \file error.h
/// Status-returning error convention (after PETSc's PetscCall/PetscCheck).
/// Every fallible function returns js_status; JS_CALL propagates a failure up the stack,
/// adding one traceback frame per level; JS_FAIL/JS_CHECK raise one with a message and
/// JS_ERROR makes one as a value. On clean-up paths JS_TRY runs a step only while nothing
/// failed and JS_KEEP runs it whatever happened, keeping the first failure (its message
/// and traceback are not overwritten by a later one). Exit codes come from js_exit_code:
/// input errors (JS_ERR_INPUT) 2, an interrupted run 3, a locked output 4, the rest 1.
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
  JS_ERR_INTERNAL = 10, ///< a bug in judgesim: an impossible state or a broken invariant
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
/// Keep (hold > 0) or let go (hold < 0) the recorded failure: while held, a new failure
/// changes neither the message nor the traceback (JS_KEEP holds the first failure this way).
void js_error_hold(int hold);
/// Process exit code for a status: 0, 2 for input errors, 3 when interrupted, 4 when the
/// output is locked by another run, 1 otherwise.
int js_exit_code(js_status code);

/// A new failure as a value (for `s = JS_ERROR(...)` where a return does not fit).
#define JS_ERROR(code, ...) js_fail((code), __FILE__, __LINE__, __func__, __VA_ARGS__)
/// s itself, with a traceback frame here when it is a failure (for `return JS_TRACE(s);`).
#define JS_TRACE(s) ((s) == JS_OK ? JS_OK : js_trace((s), __FILE__, __LINE__, __func__))
#define JS_FAIL(code, ...) return JS_ERROR((code), __VA_ARGS__)
#define JS_CHECK(cond, code, ...)                                                            \
  do {                                                                                       \
    if (!(cond)) JS_FAIL((code), __VA_ARGS__);                                               \
  } while (0)
#define JS_CALL(expr)                                                                        \
  do {                                                                                       \
    js_status js_s_ = (expr);                                                                \
    if (js_s_ != JS_OK) return js_trace(js_s_, __FILE__, __LINE__, __func__);                \
  } while (0)
/// Run expr only while s is JS_OK; its failure becomes s (with a traceback frame).
#define JS_TRY(s, expr)                                                                      \
  do {                                                                                       \
    if ((s) == JS_OK) {                                                                      \
      js_status js_t_ = (expr);                                                              \
      if (js_t_ != JS_OK) (s) = js_trace(js_t_, __FILE__, __LINE__, __func__);               \
    }                                                                                        \
  } while (0)
/// Run expr whatever s is (a clean-up step); its failure becomes s only if s was JS_OK,
/// and an earlier failure's message and traceback stay as they were.
#define JS_KEEP(s, expr)                                                                     \
  do {                                                                                       \
    int js_h_ = (s) != JS_OK;                                                                \
    if (js_h_) js_error_hold(1);                                                             \
    js_status js_k_ = (expr);                                                                \
    if (js_h_) js_error_hold(-1);                                                            \
    else if (js_k_ != JS_OK) (s) = js_trace(js_k_, __FILE__, __LINE__, __func__);           \
  } while (0)
/// Check a pointer returned by an allocator.
#define JS_ALLOC_CHECK(ptr, what)                                                            \
  JS_CHECK((ptr) != NULL, JS_ERR_SYS, "out of memory allocating %s", (what))

#endif
