/*
 * In-container syscall microbenchmark for `npm run bench` (case d). Built static so it runs in
 * a busybox rootfs: gcc -O2 -static -pthread -o syscalls syscalls.c
 *
 *   syscalls ops           one JSON line: nanoseconds per operation for each operation below
 *   syscalls run CMD...    one JSON line: {"workload": ns} for fork+exec+wait of CMD
 *
 * System calls go through syscall(2) where libc could answer without entering the kernel
 * (getpid, clock_gettime via the vDSO): a seccomp filter only costs on real kernel entries.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *probe_file = "/bin/busybox";
static int pread_fd = -1;

static void op_getpid(void) { syscall(SYS_getpid); }
static void op_pread(void) { char c; if (pread(pread_fd, &c, 1, 0) != 1) _exit(3); }
static void op_openat_close(void) { int fd = openat(AT_FDCWD, probe_file, O_RDONLY | O_CLOEXEC); if (fd < 0) _exit(4); close(fd); }
static void op_mmap_munmap(void) { void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); if (p == MAP_FAILED) _exit(5); munmap(p, 4096); }
static void op_clock_gettime(void) { struct timespec ts; syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts); }
static void *thread_body(void *arg) { return arg; }
static void op_thread(void) { pthread_t t; if (pthread_create(&t, NULL, thread_body, NULL) != 0) _exit(6); pthread_join(t, NULL); }

/* Operation table: name, function, iterations (each op runs for a few tens of ms). */
static const struct { const char *name; void (*fn)(void); int iterations; } OPS[] = {
  { "getpid", op_getpid, 200000 },
  { "pread_1byte", op_pread, 200000 },
  { "openat_close", op_openat_close, 50000 },
  { "mmap_munmap", op_mmap_munmap, 50000 },
  { "clock_gettime", op_clock_gettime, 200000 },
  { "thread_create", op_thread, 3000 },
};

static int ops(void) {
  pread_fd = open(probe_file, O_RDONLY | O_CLOEXEC);
  if (pread_fd < 0) { perror(probe_file); return 2; }
  printf("{");
  for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++) {
    for (int k = 0; k < OPS[i].iterations / 10; k++) OPS[i].fn(); /* warm-up */
    long long t0 = now_ns();
    for (int k = 0; k < OPS[i].iterations; k++) OPS[i].fn();
    double per = (double)(now_ns() - t0) / OPS[i].iterations;
    printf("%s\"%s\":%.1f", i ? "," : "", OPS[i].name, per);
  }
  printf("}\n");
  return 0;
}

static int run(char **cmd) {
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) { perror("fork"); return 2; }
  if (pid == 0) { execv(cmd[0], cmd); perror(cmd[0]); _exit(127); }
  int st;
  waitpid(pid, &st, 0);
  long long t1 = now_ns();
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "workload failed (status %d)\n", st); return 1; }
  printf("{\"workload\":%lld}\n", t1 - t0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "ops") == 0) return ops();
  if (argc >= 3 && strcmp(argv[1], "run") == 0) return run(&argv[2]);
  fprintf(stderr, "usage: %s ops | run CMD...\n", argv[0]);
  return 2;
}
