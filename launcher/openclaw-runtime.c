/*
 * openclaw-runtime, the native launcher (built by scripts/build-launcher.sh into
 * bin/openclaw-runtime; bin/openclaw-runtime.sh is the portable fallback).
 *
 * Transport and exec only; every decision is TypeScript's:
 *   - the argv rules, the command lists, the protocol, the paths and the config defaults come
 *     from launcher/surface.h, generated from shim/ (scripts/gen-launcher-header.mjs);
 *   - pass-through commands exec the low-level runtime with the argv minus the shim's flags.
 *     The runtime is the one the TypeScript side recorded for this exact config file
 *     (shim/service/resolved.ts), or, with no config file at all, the built-in candidates on
 *     PATH. `delete ID` passes through when no host record exists for ID;
 *   - create/run/exec/features (and a pass-through whose config has no valid record) are sent
 *     to the resident service (shim/service/), which answers "exec the runtime" (config.json
 *     merged and written, host actions done), "exec the runtime with this argv" (exec: the
 *     clamped process file written), "exit with this output" (an error already in runc's
 *     --log), or "use Node";
 *   - `--help`/`--version` with no command start Node (the shim's lines, then the runtime's);
 *   - everything else, and every doubt (no service, a socket or record not owned by root, a
 *     different protocol version, a malformed answer), execs the Node path with the ORIGINAL
 *     argv: `node -e OC_NODE_ENTRY -- LAUNCHER ARGV...`, which is always correct.
 * The runtime is exec'd (no parent stays alive during `runc run`): fds, signals and the exit
 * status are runc's own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "surface.h"

extern char **environ;

static char self_path[PATH_MAX];

static int in_list(const char *const *list, const char *word) {
  for (; *list; list++)
    if (strcmp(*list, word) == 0) return 1;
  return 0;
}

/* Go flag rules (argv.ts matchFlag): -x, --x, -x=v, --x=v; "-" and "--" are not flags. */
static const struct oc_flag *match_flag(const char *arg, const struct oc_flag *table, const char **inline_value) {
  *inline_value = NULL;
  if (arg[0] != '-' || strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0) return NULL;
  const char *body = arg + 1;
  if (*body == '-') body++;
  const char *eq = strchr(body, '=');
  size_t len = eq ? (size_t)(eq - body) : strlen(body);
  for (const struct oc_flag *f = table; f->name; f++) {
    if ((strlen(f->name) == len && strncmp(f->name, body, len) == 0) ||
        (f->alias && strlen(f->alias) == len && strncmp(f->alias, body, len) == 0)) {
      if (eq) *inline_value = eq + 1;
      return f;
    }
  }
  return NULL;
}

struct parsed {
  const char *config;  /* --openclaw-config value, or NULL */
  int flag_missing;    /* a shim flag without its value: Node reports it */
  int shim_answers;    /* --help/--version given: with no command, Node answers */
  int command;         /* index of the command in argv, or -1 */
  char **runc_argv;    /* argv minus the shim's flags, NULL-terminated, [0] left for the runtime */
  int runc_argc;
};

/* argv.ts parseArgv, the parts the launcher needs. argv[0] is the program name. */
static void parse(int argc, char **argv, struct parsed *p) {
  memset(p, 0, sizeof *p);
  p->command = -1;
  p->runc_argv = calloc((size_t)argc + 2, sizeof(char *));
  if (!p->runc_argv) exit(125);
  int n = 1, i = 1;
  for (; i < argc; i++) {
    const char *arg = argv[i], *inl;
    if (strcmp(arg, "--") == 0) {
      p->runc_argv[n++] = argv[i];
      i++;
      break;
    }
    const struct oc_flag *own = match_flag(arg, OC_SHIM_GLOBAL_FLAGS, &inl);
    if (own) {
      const char *value = inl;
      if (!value) {
        if (i + 1 >= argc) {
          p->flag_missing = 1;
          continue;
        }
        value = argv[++i];
      }
      if (strcmp(own->name, OC_CONFIG_FLAG) == 0) p->config = value;
      continue;
    }
    const struct oc_flag *g = match_flag(arg, OC_RUNC_GLOBAL_FLAGS, &inl);
    if (!g) {
      if (arg[0] == '-') {
        p->runc_argv[n++] = argv[i];
        continue;
      }
      break;
    }
    p->runc_argv[n++] = argv[i];
    if (in_list(OC_SHIM_ANSWERED_GLOBAL_FLAGS, g->name)) p->shim_answers = 1;
    if (g->takes_value && !inl && i + 1 < argc) p->runc_argv[n++] = argv[++i];
  }
  if (i < argc) {
    p->command = i;
    for (; i < argc; i++) p->runc_argv[n++] = argv[i];
  }
  p->runc_argv[n] = NULL;
  p->runc_argc = n;
}

/* The id of `delete [-f|--force]... ID`, or NULL when anything else is there (Node decides). */
static const char *delete_id(int argc, char **argv, int command) {
  const char *id = NULL;
  int ended = 0;
  for (int i = command + 1; i < argc; i++) {
    const char *a = argv[i];
    if (!ended) {
      const char *inl;
      if (strcmp(a, "--") == 0) {
        ended = 1;
        continue;
      }
      if (a[0] == '-') {
        const struct oc_flag *f = match_flag(a, (const struct oc_flag[]){{"force", "f", 0}, {NULL, NULL, 0}}, &inl);
        if (!f) return NULL;
        continue;
      }
    }
    if (!*a || strcmp(a, ".") == 0 || strcmp(a, "..") == 0 || strchr(a, '/') || id) return NULL;
    id = a;
  }
  return id;
}

/* ---- the Node path ---- */

/* Standard input read for a request (OC_SERVICE_STDIN_COMMANDS), or NULL. */
static char *stdin_buf;
static size_t stdin_len;

/* Gives the Node path the standard input this process already read: a pipe holds it (it fits). */
static void restore_stdin(void) {
  int p[2];
  if (!stdin_buf || pipe(p) != 0) return;
  if (write(p[1], stdin_buf, stdin_len) == (ssize_t)stdin_len) dup2(p[0], STDIN_FILENO);
  close(p[0]);
  close(p[1]);
}

static _Noreturn void exec_node(int argc, char **argv, int start_service) {
  if (start_service) setenv(OC_SERVICE_START_ENV, "1", 1);
  restore_stdin();
  char **nargv = calloc((size_t)argc + 5, sizeof(char *));
  if (!nargv) exit(125);
  int n = 0;
  nargv[n++] = "node";
  nargv[n++] = "-e";
  nargv[n++] = OC_NODE_ENTRY;
  nargv[n++] = "--";
  nargv[n++] = self_path;
  for (int i = 1; i < argc; i++) nargv[n++] = argv[i];
  nargv[n] = NULL;
  execvp("node", nargv);
  fprintf(stderr, "openclaw-runtime: cannot start node (%s); install Node.js 20 or put it on PATH\n", strerror(errno));
  exit(127);
}

/*
 * The service said so (aliasDir, shim/service/protocol.ts): each of fds 0-2 that is a device
 * node becomes a private alias made in alias_dir, opened with the fd's own access mode and
 * unlinked at once; the runtime's fchown of stdio then changes that inode, never the host's
 * (shim/host/stdio-alias.ts says why). Any failure ends the call: never run with the host's node.
 */
static void alias_device_stdio(const char *alias_dir) {
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) continue;
    int fl = fcntl(fd, F_GETFL);
    char path[PATH_MAX];
    if (fl < 0 || snprintf(path, sizeof path, "%s/launcher.%ld.%d", alias_dir, (long)getpid(), fd) >= (int)sizeof path ||
        mknod(path, st.st_mode & (S_IFMT | 07777), st.st_rdev) != 0) {
      fprintf(stderr, "openclaw-runtime: cannot make a private alias of standard fd %d in %s (%s)\n", fd, alias_dir, strerror(errno));
      exit(1);
    }
    int nfd = open(path, (fl & (O_ACCMODE | O_APPEND | O_NONBLOCK)) | O_NOCTTY | O_CLOEXEC);
    int saved = errno;
    unlink(path);
    if (nfd < 0 || dup2(nfd, fd) < 0) {
      fprintf(stderr, "openclaw-runtime: cannot open the private alias of standard fd %d (%s)\n", fd, strerror(nfd < 0 ? saved : errno));
      exit(1);
    }
    close(nfd);
  }
}

static void exec_runtime(const char *runtime, char **argv) {
  argv[0] = (char *)runtime;
  execv(runtime, argv);
}

/* ---- trust checks: what a root process may believe ---- */

/* A directory only root can change. */
static int root_private_dir(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && (st.st_mode & 077) == 0;
}

/* ---- runtime lookup with no config file: the built-in candidates (runtime-path.ts) ---- */

static int executable_file(const char *p) {
  struct stat st;
  return access(p, X_OK) == 0 && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_self(const char *p) {
  char real[PATH_MAX];
  return realpath(p, real) != NULL && strcmp(real, self_path) == 0;
}

static const char *effective_path(void) {
  const char *path = getenv("PATH");
  return path ? path : OC_DEFAULT_PATH;
}

static char *find_default_runtime(void) {
  static char found[PATH_MAX];
  for (const char *const *c = OC_DEFAULT_CANDIDATES; *c; c++) {
    if (strchr(*c, '/')) {
      if (executable_file(*c) && !is_self(*c)) return (char *)*c;
      continue;
    }
    const char *dirs = effective_path();
    while (*dirs) {
      const char *end = strchr(dirs, ':');
      size_t len = end ? (size_t)(end - dirs) : strlen(dirs);
      if (len > 0 && snprintf(found, sizeof found, "%.*s/%s", (int)len, dirs, *c) < (int)sizeof found &&
          executable_file(found) && !is_self(found))
        return found;
      if (!end) break;
      dirs = end + 1;
    }
  }
  return NULL;
}

/* ---- the resolved-runtime record (shim/service/resolved.ts) ---- */

static uint64_t fnv1a64_more(uint64_t h, const char *s) {
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint64_t fnv1a64(const char *s) { return fnv1a64_more(0xcbf29ce484222325ULL, s); }

/* fnv1a64(self NUL config): paths.ts resolvedFile. */
static uint64_t record_key(const char *config) {
  uint64_t h = fnv1a64(self_path);
  h *= 0x100000001b3ULL; /* the NUL byte: h ^= 0 */
  return fnv1a64_more(h, config);
}

static char service_dir[PATH_MAX];

static int compute_service_dir(void) {
  const char *env = getenv(OC_SERVICE_DIR_ENV);
  if (env && env[0] == '/') return snprintf(service_dir, sizeof service_dir, "%s", env) < (int)sizeof service_dir;
  char root[PATH_MAX];
  snprintf(root, sizeof root, "%s", self_path);
  for (int up = 0; up < 2; up++) {
    char *slash = strrchr(root, '/');
    if (!slash) return 0;
    *slash = '\0';
  }
  if (!root[0]) snprintf(root, sizeof root, "/");
  return snprintf(service_dir, sizeof service_dir, "%s/%016llx", OC_SERVICE_BASE_DIR, (unsigned long long)fnv1a64(root)) < (int)sizeof service_dir;
}

struct resolved {
  char runtime[PATH_MAX];
  char state_dir[PATH_MAX];
};

/* The value of "key=" on line `line`, or NULL. */
static const char *field(char *line, const char *key) {
  size_t k = strlen(key);
  return strncmp(line, key, k) == 0 && line[k] == '=' ? line + k + 1 : NULL;
}

static int read_resolved(const char *config, const struct stat *cst, struct resolved *out) {
  char dir[PATH_MAX], file[PATH_MAX], buf[16384];
  if (snprintf(dir, sizeof dir, "%s/%s", service_dir, OC_RESOLVED_DIR_NAME) >= (int)sizeof dir) return 0;
  if (!root_private_dir(service_dir) || !root_private_dir(dir)) return 0;
  if (snprintf(file, sizeof file, "%s/%016llx", dir, (unsigned long long)record_key(config)) >= (int)sizeof file) return 0;
  int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  ssize_t len = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && (st.st_mode & 022) == 0 && st.st_size < (off_t)sizeof buf)
    len = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (len <= 0) return 0;
  buf[len] = '\0';
  char expect[64];
  /* The lines in resolved.ts's order; every one must match exactly. */
  char *save = NULL, *line = strtok_r(buf, "\n", &save);
  if (!line || strcmp(line, OC_RESOLVED_FORMAT_LINE) != 0) return 0;
  const char *v;
#define NEXT_LINE() (line = strtok_r(NULL, "\n", &save))
#define EXPECT_NUM(key, value)                                                    \
  do {                                                                            \
    snprintf(expect, sizeof expect, "%llu", (unsigned long long)(value));         \
    if (!NEXT_LINE() || !(v = field(line, key)) || strcmp(v, expect) != 0) return 0; \
  } while (0)
  if (!NEXT_LINE() || !(v = field(line, "config")) || strcmp(v, config) != 0) return 0;
  EXPECT_NUM("dev", cst->st_dev);
  EXPECT_NUM("ino", cst->st_ino);
  EXPECT_NUM("size", cst->st_size);
  EXPECT_NUM("mtime_ns", (unsigned long long)cst->st_mtim.tv_sec * 1000000000ULL + (unsigned long long)cst->st_mtim.tv_nsec);
  EXPECT_NUM("ctime_ns", (unsigned long long)cst->st_ctim.tv_sec * 1000000000ULL + (unsigned long long)cst->st_ctim.tv_nsec);
  if (!NEXT_LINE() || !(v = field(line, "path")) || strcmp(v, effective_path()) != 0) return 0;
  if (!NEXT_LINE() || !(v = field(line, "self")) || strcmp(v, self_path) != 0) return 0;
  if (!NEXT_LINE() || !(v = field(line, "runtime")) || v[0] != '/' || snprintf(out->runtime, sizeof out->runtime, "%s", v) >= (int)sizeof out->runtime) return 0;
  if (!NEXT_LINE() || !(v = field(line, "state_dir")) || v[0] != '/' || snprintf(out->state_dir, sizeof out->state_dir, "%s", v) >= (int)sizeof out->state_dir) return 0;
  return NEXT_LINE() == NULL;
#undef EXPECT_NUM
#undef NEXT_LINE
}

/* ---- the service ---- */

struct buf {
  char *data;
  size_t len, cap;
};

static int put(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > OC_MAX_REQUEST_BYTES) return 0;
  if (b->len + n + 1 > b->cap) {
    size_t cap = (b->len + n + 1) * 2;
    char *d = realloc(b->data, cap);
    if (!d) return 0;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len++] = '\0';
  return 1;
}

static int put_str(struct buf *b, const char *s) { return put(b, s, strlen(s)); }

static int put_num(struct buf *b, long n) {
  char s[32];
  snprintf(s, sizeof s, "%ld", n);
  return put_str(b, s);
}

/* send() with MSG_NOSIGNAL on the socket: a service that went away is a fallback, not SIGPIPE. */
static int write_all(int fd, const char *p, size_t n) {
  int sock = fd > STDERR_FILENO;
  while (n > 0) {
    ssize_t w = sock ? send(fd, p, n, MSG_NOSIGNAL) : write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    p += w;
    n -= (size_t)w;
  }
  return 1;
}

enum ask_result { ASK_UNREACHABLE, ASK_NODE, ASK_EXEC, ASK_EXIT };

struct answer {
  int exit;
  char runtime[PATH_MAX];
  char alias_dir[PATH_MAX]; /* empty: stdio goes as it is */
  char **argv;              /* "execv": the runtime's argv ([0] left for the runtime), else NULL */
};

/*
 * One request, one answer (shim/service/protocol.ts). Anything unexpected is ASK_NODE or
 * ASK_UNREACHABLE. timeout_s bounds the wait: a hung service costs a create at most that long
 * and a pass-through lookup a short moment before the Node path takes over.
 */
static enum ask_result ask_service(int argc, char **argv, struct answer *ans, int timeout_s, int with_stdin) {
  char sock_path[PATH_MAX];
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (snprintf(sock_path, sizeof sock_path, "%s/%s", service_dir, OC_SERVICE_SOCKET_NAME) >= (int)sizeof addr.sun_path) return ASK_NODE;
  if (!root_private_dir(service_dir)) return ASK_UNREACHABLE;
  struct stat st;
  if (lstat(sock_path, &st) != 0) return ASK_UNREACHABLE;
  if (!S_ISSOCK(st.st_mode) || st.st_uid != 0) return ASK_NODE; /* not a service we may trust */
  strcpy(addr.sun_path, sock_path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ASK_NODE;
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return ASK_UNREACHABLE; /* a stale socket: nobody listens */
  }
  struct ucred cred;
  socklen_t cl = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0 || cred.uid != 0) {
    close(fd);
    return ASK_NODE;
  }
  /* Read only once a trusted service listens; exec_node hands it on if the call ends in Node. */
  if (with_stdin) {
    stdin_buf = malloc(OC_MAX_STDIN_BYTES + 1);
    if (!stdin_buf) return ASK_NODE;
    for (;;) {
      ssize_t r = read(STDIN_FILENO, stdin_buf + stdin_len, OC_MAX_STDIN_BYTES + 1 - stdin_len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      stdin_len += (size_t)r;
      if (stdin_len > OC_MAX_STDIN_BYTES) {
        fprintf(stderr, "openclaw-runtime: standard input over %d bytes (a hook gets the container state, a few KiB)\n", OC_MAX_STDIN_BYTES);
        exit(1);
      }
    }
  }

  struct buf req = {0};
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) return ASK_NODE;
  int ok = put_str(&req, OC_SERVICE_MAGIC) && put_num(&req, OC_SERVICE_PROTOCOL_VERSION) && put_str(&req, cwd) &&
           put_str(&req, self_path) && put_num(&req, argc - 1);
  for (int i = 1; ok && i < argc; i++) ok = put_str(&req, argv[i]);
  int envc = 0;
  for (const char *const *k = OC_SERVICE_ENV; *k; k++) envc += getenv(*k) != NULL;
  ok = ok && put_num(&req, envc);
  for (const char *const *k = OC_SERVICE_ENV; ok && *k; k++) {
    const char *v = getenv(*k);
    if (!v) continue;
    size_t kl = strlen(*k), vl = strlen(v);
    char *kv = malloc(kl + vl + 2);
    if (!kv) return ASK_NODE;
    memcpy(kv, *k, kl);
    kv[kl] = '=';
    memcpy(kv + kl + 1, v, vl + 1);
    ok = put_str(&req, kv);
    free(kv);
  }
  ok = ok && put_num(&req, (long)stdin_len);
  if (!ok) {
    close(fd);
    return ASK_NODE;
  }
  struct timeval tv = {.tv_sec = timeout_s};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (!write_all(fd, req.data, req.len) || (stdin_len && !write_all(fd, stdin_buf, stdin_len)) || shutdown(fd, SHUT_WR) != 0) {
    close(fd);
    return ASK_UNREACHABLE;
  }
  free(req.data);

  size_t cap = 65536, len = 0;
  char *resp = malloc(cap);
  if (!resp) return ASK_NODE;
  for (;;) {
    if (len == cap) {
      if (cap >= OC_MAX_RESPONSE_BYTES + 4096) {
        close(fd);
        return ASK_NODE;
      }
      cap *= 2;
      char *r = realloc(resp, cap);
      if (!r) return ASK_NODE;
      resp = r;
    }
    ssize_t r = read(fd, resp + len, cap - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      close(fd);
      return ASK_NODE; /* timed out or reset: the Node path redoes the whole call (a merge is idempotent) */
    }
    if (r == 0) break;
    len += (size_t)r;
  }
  close(fd);

  /* magic, version, status, exit, runtime, aliasDir, argc, argv..., stdout length, stderr
   * length, then the bytes */
  const char *f[7];
  size_t at = 0;
#define NEXT_FIELD(dst)                                    \
  do {                                                     \
    const char *nul = memchr(resp + at, '\0', len - at);   \
    if (!nul) return ASK_NODE;                             \
    (dst) = resp + at;                                     \
    at = (size_t)(nul - resp) + 1;                         \
  } while (0)
  for (int k = 0; k < 7; k++) NEXT_FIELD(f[k]);
  char *end;
  if (strcmp(f[0], OC_SERVICE_MAGIC) != 0 || strtol(f[1], &end, 10) != OC_SERVICE_PROTOCOL_VERSION || *end) return ASK_NODE;
  int execv_status = strcmp(f[2], "execv") == 0;
  unsigned long exec_argc = strtoul(f[6], &end, 10);
  if (*end || !f[6][0] || exec_argc > OC_MAX_EXEC_ARGS || (exec_argc > 0 && !execv_status)) return ASK_NODE;
  if (execv_status) {
    ans->argv = calloc(exec_argc + 2, sizeof(char *));
    if (!ans->argv) return ASK_NODE;
    for (unsigned long k = 0; k < exec_argc; k++) NEXT_FIELD(ans->argv[k + 1]);
  }
  const char *out_f, *err_f;
  NEXT_FIELD(out_f);
  NEXT_FIELD(err_f);
#undef NEXT_FIELD
  unsigned long out_len = strtoul(out_f, &end, 10);
  if (*end) return ASK_NODE;
  unsigned long err_len = strtoul(err_f, &end, 10);
  if (*end || at + out_len + err_len != len) return ASK_NODE;
  long code = strtol(f[3], &end, 10);
  if (*end) return ASK_NODE;

  if (strcmp(f[2], "node") == 0) return ASK_NODE;
  int exec = execv_status || strcmp(f[2], "exec") == 0;
  if (!exec && strcmp(f[2], "exit") != 0) return ASK_NODE;
  if (exec && (f[4][0] != '/' || snprintf(ans->runtime, sizeof ans->runtime, "%s", f[4]) >= (int)sizeof ans->runtime)) return ASK_NODE;
  if (exec && ((f[5][0] != '\0' && f[5][0] != '/') || snprintf(ans->alias_dir, sizeof ans->alias_dir, "%s", f[5]) >= (int)sizeof ans->alias_dir)) return ASK_NODE;
  write_all(STDOUT_FILENO, resp + at, out_len);
  write_all(STDERR_FILENO, resp + at + out_len, err_len);
  ans->exit = (int)code;
  return exec ? ASK_EXEC : ASK_EXIT;
}

/*
 * This executable's real path. The kernel's /proc/self/exe link already names it with every
 * symlink resolved (one readlink, where realpath walks each component); " (deleted)" means it
 * was replaced while starting: the Node path finds the current one.
 */
static int find_self(void) {
  ssize_t n = readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n <= 0 || (size_t)n >= sizeof self_path - 1 || self_path[0] != '/') return 0;
  self_path[n] = '\0';
  const char *deleted = " (deleted)";
  size_t dl = strlen(deleted);
  return !((size_t)n >= dl && strcmp(self_path + n - dl, deleted) == 0);
}

int main(int argc, char **argv) {
  if (!find_self()) {
    snprintf(self_path, sizeof self_path, "%s", argv[0]); /* Node resolves it again */
    exec_node(argc, argv, 0);
  }
  struct parsed p;
  parse(argc, argv, &p);
  if (p.flag_missing) exec_node(argc, argv, 0);
  int have_dir = compute_service_dir();

  const char *cmd = p.command >= 0 ? argv[p.command] : NULL;
  if (!cmd && p.shim_answers) exec_node(argc, argv, 0); /* shim/commands/top-level.ts */
  int to_service = 0;
  const char *del = NULL;
  if (cmd && in_list(OC_SHIM_COMMANDS, cmd)) {
    if (!in_list(OC_SERVICE_COMMANDS, cmd)) exec_node(argc, argv, 0);
    if (strcmp(cmd, "delete") == 0) {
      del = delete_id(argc, argv, p.command);
      if (!del) exec_node(argc, argv, 0);
    } else {
      to_service = 1;
    }
  }

  if (!to_service) {
    /* Pass-through (or delete): the config as load.ts finds it. */
    const char *config = p.config;
    if (!config) {
      const char *env = getenv("OPENCLAW_CONFIG");
      if (env && *env) config = env;
    }
    int explicit_config = config != NULL;
    if (!config) config = OC_DEFAULT_CONFIG_PATH;
    struct stat cst;
    const char *runtime = NULL, *state_dir = NULL;
    struct resolved r;
    if (stat(config, &cst) != 0) {
      if (explicit_config || errno != ENOENT) exec_node(argc, argv, 0); /* Node names the problem */
      runtime = find_default_runtime();
      state_dir = OC_DEFAULT_STATE_DIR;
      if (!runtime) exec_node(argc, argv, 0);
    } else if (!S_ISREG(cst.st_mode)) {
      exec_node(argc, argv, 0);
    } else if (config[0] == '/' && have_dir && read_resolved(config, &cst, &r)) {
      runtime = r.runtime;
      state_dir = r.state_dir;
    } else {
      to_service = 1;
    }
    if (!to_service) {
      if (del) {
        char record[PATH_MAX];
        if (snprintf(record, sizeof record, "%s/containers/%s.json", state_dir, del) >= (int)sizeof record) exec_node(argc, argv, 0);
        if (access(record, F_OK) == 0) to_service = 1; /* host set-up to undo: the service decides */
      }
    }
    if (!to_service) {
      exec_runtime(runtime, p.runc_argv);
      exec_node(argc, argv, 0); /* the record named a runtime that is gone: Node resolves again */
    }
  }

  if (!have_dir) exec_node(argc, argv, 0);
  struct answer ans = {0};
  /* A merge takes milliseconds (a cold service: a second); a lookup far less. */
  switch (ask_service(argc, argv, &ans, cmd && in_list(OC_SERVICE_COMMANDS, cmd) ? 60 : 3,
                      cmd && in_list(OC_SERVICE_STDIN_COMMANDS, cmd))) {
    case ASK_EXEC:
      if (ans.alias_dir[0]) alias_device_stdio(ans.alias_dir);
      exec_runtime(ans.runtime, ans.argv ? ans.argv : p.runc_argv);
      exec_node(argc, argv, 0); /* the runtime vanished since: Node redoes the call and names the problem */
    case ASK_EXIT:
      return ans.exit;
    case ASK_UNREACHABLE:
      exec_node(argc, argv, 1);
    case ASK_NODE:
    default:
      exec_node(argc, argv, 0);
  }
}
