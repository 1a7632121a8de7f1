/*
 * denied: the denied-call loop of `npm run bench` case g. Built static:
 * gcc -O2 -static -o denied denied.c
 *   denied N   one JSON line: nanoseconds per socket(AF_INET) call (the filter denies it) and
 *              per getpid (allowed), each over N calls; exits 2 if a socket call succeeded.
 *   denied N audit   the same under a profile in audit mode: every socket call must succeed
 *              (logged as "would deny", then allowed) and is closed again; exits 2 if one fails.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int audit = argc > 2;
  long long t0 = now_ns();
  for (int i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (audit) {
      if (fd < 0) return 2;
      close(fd);
    } else if (fd >= 0) {
      return 2;
    }
  }
  double denied = (double)(now_ns() - t0) / n;
  t0 = now_ns();
  for (int i = 0; i < n; i++) syscall(SYS_getpid);
  double allowed = (double)(now_ns() - t0) / n;
  printf("{\"denied_socket\":%.1f,\"allowed_getpid\":%.1f}\n", denied, allowed);
  return 0;
}
