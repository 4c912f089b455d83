/// \file fileio.h
/// Crash-consistent file replacement (temporary file in the same folder, fsync, rename,
/// fsync of the folder), clean-up of temporaries left by killed runs, and the run lock.
#ifndef JS_FILEIO_H
#define JS_FILEIO_H

#include "core/error.h"

/// Folder part of a path (malloc'd; NULL when out of memory).
char *js_folder_of(const char *path);
/// Create TARGET.tmp.XXXXXX (mode from umask) beside target; *tmp is malloc'd.
js_status js_atomic_begin(const char *target, char **tmp);
/// fsync tmp, rename it onto target, fsync the folder; frees tmp.
js_status js_atomic_commit(char *tmp, const char *target);
/// Copy a file's bytes (e.g. into a temporary made by js_atomic_begin).
js_status js_copy_file(const char *src, const char *dst);
/// Remove tmp after a failure; frees tmp.
void js_atomic_abort(char *tmp);
/// Remove TARGET.tmp.* files left by killed runs; returns how many were removed.
int js_atomic_clean(const char *target);
/// Length of path without a trailing ".nc": the stem that related outputs are named from.
size_t js_path_stem_len(const char *path);
/// Does path end in suffix?
int js_path_has_suffix(const char *path, const char *suffix);
/// Check an output path before any work (input error naming label, e.g. "-o" or
/// "output.path"): a file name, not a folder ('.', '..', a trailing '/'); if it exists, a
/// regular file (no folder, device, FIFO or socket) and none of the command's inputs (same
/// device and inode; NULL entries skipped); its folder writable.
js_status js_output_path_check(const char *path, const char *label, const char *const *inputs,
                               int ninputs);
/// Input error when two of the n paths name the same file (by device and inode, so also a
/// link or another spelling), naming both; paths that cannot be stat'ed are left to the reader.
js_status js_distinct_files(const char *const *paths, int n, const char *what);
/// A lock held by this process.
typedef struct js_lock js_lock;
/// Take the lock TARGET.lock (O_EXCL file with host, pid and SLURM job id). A lock of a
/// dead process on this host, or of this SLURM job (a requeue, on any node) not running
/// here, is taken over; any other is JS_ERR_LOCKED (exit code 4) naming its holder.
js_status js_lock_take(const char *target, js_lock **lock);
/// Release a lock and free it (NULL is fine).
void js_lock_release(js_lock *lock);

#endif
