/// \file fileio.c
/// Atomic replacement of files and the lock that keeps two runs off one output.
#include "io/fileio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct js_lock {
  char *path; /* TARGET.lock */
};

char *js_folder_of(const char *path) {
  char *copy = strdup(path);
  if (!copy) return NULL;
  char *dir = strdup(dirname(copy));
  free(copy);
  return dir;
}

/// What a file that is not a regular file is, for a message.
static const char *file_type(mode_t m) {
  return S_ISDIR(m) ? "a folder" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device"
         : S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/// The last component of a path (after the last '/').
static const char *last_part(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

js_status js_output_path_check(const char *path, const char *label, const char *const *inputs,
                               int ninputs) {
  JS_CHECK(path && path[0], JS_ERR_INPUT, "%s: empty file name", label);
  const char *name = last_part(path);
  JS_CHECK(name[0], JS_ERR_INPUT, "%s '%s' ends with '/': give a file name, e.g. %sout.nc",
           label, path, path);
  JS_CHECK(strcmp(name, ".") && strcmp(name, ".."), JS_ERR_INPUT,
           "%s '%s' names a folder: give a file name, e.g. %s/out.nc", label, path, path);
  struct stat out, in;
  if (stat(path, &out) == 0) {
    JS_CHECK(S_ISREG(out.st_mode), JS_ERR_INPUT, "%s '%s' is %s, not a file (nothing was "
             "written)", label, path, file_type(out.st_mode));
    for (int i = 0; i < ninputs; i++)
      JS_CHECK(!(inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev &&
                 in.st_ino == out.st_ino),
               JS_ERR_INPUT, "%s '%s' is the input %s of this command: give another output",
               label, path, inputs[i]);
  } else {
    JS_CHECK(errno == ENOENT, JS_ERR_INPUT, "%s '%s': %s", label, path, strerror(errno));
  }
  char *dir = js_folder_of(path);
  JS_ALLOC_CHECK(dir, "path");
  int ok = access(dir, W_OK | X_OK) == 0, err = errno;
  js_status s = ok ? JS_OK
                   : JS_ERROR(JS_ERR_INPUT, "%s: cannot write into folder '%s' for '%s': %s",
                              label, dir, path, strerror(err));
  free(dir);
  return s;
}

js_status js_distinct_files(const char *const *paths, int n, const char *what) {
  struct stat a, b;
  for (int i = 0; i < n; i++) {
    if (stat(paths[i], &a) != 0) continue;
    for (int j = 0; j < i; j++)
      JS_CHECK(!(stat(paths[j], &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino),
               JS_ERR_INPUT, "%s '%s' and '%s' are the same file: each is read once", what,
               paths[j], paths[i]);
  }
  return JS_OK;
}

/// fsync a file or folder by path.
static js_status sync_path(const char *path) {
  int fd = open(path, O_RDONLY);
  JS_CHECK(fd >= 0, JS_ERR_SYS, "cannot open %s to sync it: %s", path, strerror(errno));
  int rc = fsync(fd), err = errno;
  close(fd);
  JS_CHECK(rc == 0, JS_ERR_SYS, "fsync of %s failed: %s", path, strerror(err));
  return JS_OK;
}

js_status js_atomic_begin(const char *target, char **tmp) {
  size_t len = strlen(target) + 16;
  *tmp = malloc(len);
  JS_ALLOC_CHECK(*tmp, "file name");
  snprintf(*tmp, len, "%s.tmp.XXXXXX", target);
  int fd = mkstemp(*tmp);
  if (fd < 0) {
    int err = errno;
    free(*tmp);
    *tmp = NULL;
    JS_FAIL(JS_ERR_SYS, "cannot create a temporary file beside %s: %s", target, strerror(err));
  }
  mode_t mask = umask(0);
  umask(mask);
  int rc = fchmod(fd, 0666 & ~mask), err = errno;
  close(fd);
  if (rc != 0) js_atomic_abort(*tmp), *tmp = NULL;
  JS_CHECK(rc == 0, JS_ERR_SYS, "chmod of a temporary file beside %s failed: %s", target,
           strerror(err));
  return JS_OK;
}

js_status js_copy_file(const char *src, const char *dst) {
  FILE *in = fopen(src, "rb");
  JS_CHECK(in, JS_ERR_INPUT, "cannot open %s: %s", src, strerror(errno));
  FILE *out = fopen(dst, "wb");
  if (!out) fclose(in);
  JS_CHECK(out, JS_ERR_SYS, "cannot open %s: %s", dst, strerror(errno));
  char buf[1 << 16];
  size_t got;
  int ok = 1;
  while (ok && (got = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, got, out) == got;
  ok &= !ferror(in);
  fclose(in);
  ok &= fclose(out) == 0;
  JS_CHECK(ok, JS_ERR_SYS, "copying %s to %s failed", src, dst);
  return JS_OK;
}

js_status js_atomic_commit(char *tmp, const char *target) {
  char *dir = js_folder_of(target);
  js_status s = dir ? sync_path(tmp) : JS_ERROR(JS_ERR_SYS, "out of memory");
  if (s == JS_OK && rename(tmp, target) != 0)
    s = JS_ERROR(JS_ERR_SYS, "cannot rename %s to %s: %s", tmp, target, strerror(errno));
  JS_TRY(s, sync_path(dir));
  if (s != JS_OK) unlink(tmp);
  free(tmp);
  free(dir);
  return JS_TRACE(s);
}

void js_atomic_abort(char *tmp) {
  if (!tmp) return;
  unlink(tmp);
  free(tmp);
}

int js_atomic_clean(const char *target) {
  char *dir = js_folder_of(target), *copy = strdup(target);
  int removed = 0;
  DIR *d = dir && copy ? opendir(dir) : NULL;
  if (d) {
    char prefix[4096];
    snprintf(prefix, sizeof prefix, "%s.tmp.", basename(copy));
    for (struct dirent *e; (e = readdir(d));) {
      if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
      char full[8192];
      snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
      removed += unlink(full) == 0;
    }
    closedir(d);
  }
  free(dir);
  free(copy);
  return removed;
}

size_t js_path_stem_len(const char *path) {
  return js_path_has_suffix(path, ".nc") ? strlen(path) - 3 : strlen(path);
}

int js_path_has_suffix(const char *path, const char *suffix) {
  size_t len = strlen(path), n = strlen(suffix);
  return len > n && strcmp(path + len - n, suffix) == 0;
}

/// Is a process running? Zombies (exited, not yet reaped) count as gone.
static int process_running(long pid) {
  if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) return 0;
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return 1; /* no /proc: trust kill() */
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *close_paren = strrchr(buf, ')'); /* "pid (comm) S ..." */
  return !(close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z');
}

/// The SLURM job this process belongs to ("-" outside SLURM): kept across requeues.
static const char *slurm_job(void) {
  const char *job = getenv("SLURM_JOB_ID");
  return job && *job && !strpbrk(job, " \t\n") ? job : "-";
}

/// Try once to create the lock file ("host pid job"); *exists set when another is there.
static js_status create_lock(const char *path, int *exists) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
  *exists = fd < 0 && errno == EEXIST;
  if (*exists) return JS_OK;
  JS_CHECK(fd >= 0, JS_ERR_SYS, "cannot create lock %s: %s", path, strerror(errno));
  char host[256] = "", line[400];
  gethostname(host, sizeof host - 1);
  int len = snprintf(line, sizeof line, "%s %ld %.100s\n", host, (long)getpid(), slurm_job());
  int ok = write(fd, line, (size_t)len) == len && fsync(fd) == 0;
  close(fd);
  if (!ok) unlink(path);
  JS_CHECK(ok, JS_ERR_SYS, "cannot write lock %s", path);
  return JS_OK;
}

/// The holder a lock file names (job "-" for locks without one).
typedef struct {
  char host[256], job[128];
  long pid;
  int fields; ///< how many of host, pid, job were read
} lock_holder;

/// Read a lock file's holder.
static lock_holder read_lock(const char *path) {
  lock_holder h = {"", "-", 0, 0};
  FILE *f = fopen(path, "r");
  if (f) h.fields = fscanf(f, "%255s %ld %127s", h.host, &h.pid, h.job), fclose(f);
  if (h.fields < 0) h.fields = 0;
  return h;
}

/// Why a lock may be taken over: NULL when its holder may still run. A holder on this host
/// that is gone is stale; a lock of this SLURM job (a requeue, on any node) is ours.
static const char *takeover_reason(const lock_holder *h) {
  char me[256] = "";
  gethostname(me, sizeof me - 1);
  int here = h->fields >= 2 && strcmp(h->host, me) == 0;
  if (here && !process_running(h->pid)) return "its process is gone";
  if (h->fields == 3 && strcmp(h->job, "-") != 0 && strcmp(h->job, slurm_job()) == 0 &&
      !(here && process_running(h->pid)))
    return "it is an earlier run of this SLURM job (requeued)";
  return NULL;
}

/// Create the lock at path, or say why not (JS_ERR_LOCKED naming the holder); a stale lock
/// is removed and the creation tried once more.
static js_status take_at(const char *target, const char *path) {
  for (int attempt = 0; attempt < 2; attempt++) {
    int exists;
    JS_CALL(create_lock(path, &exists));
    if (!exists) return JS_OK;
    lock_holder h = read_lock(path);
    const char *why = takeover_reason(&h);
    JS_CHECK(why, JS_ERR_LOCKED, "%s is in use by another run (lock %s: host %s, pid %ld, "
             "SLURM job %s); if that run is gone, remove the lock", target, path,
             h.fields >= 1 ? h.host : "?", h.pid, h.job);
    fprintf(stderr, "judgesim: taking over lock %s of pid %ld on %s (SLURM job %s): %s\n",
            path, h.pid, h.host, h.job, why);
    JS_CHECK(unlink(path) == 0 || errno == ENOENT, JS_ERR_SYS, "cannot remove lock %s: %s",
             path, strerror(errno));
  }
  JS_FAIL(JS_ERR_SYS, "could not take the lock for %s", target);
}

js_status js_lock_take(const char *target, js_lock **lock) {
  js_lock *l = calloc(1, sizeof *l);
  size_t len = strlen(target) + 8;
  char *path = malloc(len);
  if (!l || !path) free(l), free(path);
  JS_CHECK(l && path, JS_ERR_SYS, "out of memory for the lock of %s", target);
  l->path = path;
  snprintf(l->path, len, "%s.lock", target);
  js_status s = take_at(target, l->path);
  if (s != JS_OK) {
    free(l->path), free(l);
    return JS_TRACE(s);
  }
  *lock = l;
  return JS_OK;
}

void js_lock_release(js_lock *lock) {
  if (!lock) return;
  unlink(lock->path);
  free(lock->path);
  free(lock);
}
