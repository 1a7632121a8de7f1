/*
 * Workload for the seccomp agent integration test: runs inside a runc container as its
 * entrypoint (or via runc exec) and prints one "name=result" line per check, result being
 * "ok" or the errno name. Built static by the test with gcc.
 *   probe checks      all checks
 *   probe wait FILE   wait until FILE exists, then try an exec and a write-open (fail-closed check)
 *   probe open NAME PATH     one write-open (O_WRONLY|O_CREAT) of PATH, reported as NAME
 *   probe fifo PATH          a write-open of a FIFO (no reader): "fifo=..."
 *   probe lease FILE DONE    take a read lease on FILE (SIGIO ignored, as a holder that will
 *                            not give it up), write-open FILE, then hold the lease until DONE exists
 *   probe perms              write-opens that only file permissions decide
 *   probe nonutf8            create /output/na\xff\xfeme (not UTF-8; argv from config.json cannot carry it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void report(const char *name, int ok, int err) {
  printf("%s=%s\n", name, ok ? "ok" : strerrorname_np(err));
  fflush(stdout);
}

static void try_open(const char *name, const char *path, int flags) {
  int fd = open(path, flags, 0644);
  int err = errno;
  if (fd >= 0) {
    if (flags & (O_WRONLY | O_RDWR)) {
      ssize_t n = write(fd, name, strlen(name));
      if (n < 0) { report(name, 0, errno); close(fd); return; }
    }
    close(fd);
  }
  report(name, fd >= 0, err);
}

static void try_exec(const char *name) {
  char *argv[] = {"/bin/busybox", "true", NULL};
  char *envp[] = {NULL};
  execve("/bin/busybox", argv, envp);
  report(name, 0, errno);
}

static void *thread_main(void *arg) { return arg; }

static void checks(void) {
  pthread_t t[4];
  int ok = 1;
  for (int i = 0; i < 4; i++) ok &= pthread_create(&t[i], NULL, thread_main, NULL) == 0;
  for (int i = 0; i < 4; i++) ok &= pthread_join(t[i], NULL) == 0;
  report("threads", ok, EAGAIN);
  try_open("read_etc", "/etc/passwd", O_RDONLY);
  try_open("write_output", "/output/probe.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
  try_open("append_output", "/output/probe.txt", O_WRONLY | O_APPEND);
  try_open("write_devnull", "/dev/null", O_WRONLY);
  try_open("write_etc", "/etc/probe", O_WRONLY | O_CREAT);
  try_open("rdwr_etc", "/etc/passwd", O_RDWR);
  try_open("trunc_etc", "/etc/passwd", O_RDONLY | O_TRUNC);
  try_open("dotdot_escape", "/output/../etc/probe2", O_WRONLY | O_CREAT);
  try_open("symlink_escape", "/output/link", O_WRONLY);
  if (chdir("/output") == 0) try_open("relative_output", "rel.txt", O_WRONLY | O_CREAT);
  try_exec("exec");
}

static void perms(void) {
  try_open("secret", "/output/secret", O_WRONLY);
  try_open("other", "/output/other", O_WRONLY);
  try_open("mine", "/output/u1000/mine", O_WRONLY | O_CREAT);
}

static int lease(const char *file, const char *done) {
  signal(SIGIO, SIG_IGN);
  int fd = open(file, O_RDONLY);
  int ok = fd >= 0 && fcntl(fd, F_SETLEASE, F_RDLCK) == 0;
  report("lease", ok, errno);
  if (!ok) return 1;
  try_open("leased_write", file, O_WRONLY);
  while (access(done, F_OK) != 0) usleep(20000);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "open") == 0) {
    try_open(argv[2], argv[3], O_WRONLY | O_CREAT);
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "fifo") == 0) {
    try_open("fifo", argv[2], O_WRONLY);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "lease") == 0) return lease(argv[2], argv[3]);
  if (argc >= 2 && strcmp(argv[1], "nonutf8") == 0) {
    try_open("nonutf8", "/output/na\xff\xfeme", O_WRONLY | O_CREAT);
    return 0;
  }
  if (argc >= 2 && strcmp(argv[1], "perms") == 0) {
    perms();
    return 0;
  }
  if (argc >= 3 && strcmp(argv[1], "wait") == 0) {
    while (access(argv[2], F_OK) != 0) usleep(20000);
    try_open("write_output", "/output/after.txt", O_WRONLY | O_CREAT);
    try_open("write_etc", "/etc/probe", O_WRONLY | O_CREAT);
    try_exec("exec");
    return 0;
  }
  checks();
  return 0;
}
