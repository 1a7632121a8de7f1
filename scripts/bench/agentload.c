/*
 * agentload: the two sides of the seccomp agent benchmark (case e), run inside containers
 * whose write-opens go through the agent.
 *   agentload neighbour N PATH   N write-opens (O_WRONLY|O_CREAT) of PATH, one at a time;
 *                                prints each one's latency in nanoseconds, one per line
 *   agentload flood T PATH       T threads write-opening PATH in a loop (the agent injects)
 *   agentload fifo T PATH        T threads write-opening the FIFO at PATH in a loop
 *   agentload lease T PATH       hold a read lease on PATH (SIGIO ignored), T threads write-opening it
 * The attackers run until killed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *target;

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *opener(void *arg) {
  (void)arg;
  for (;;) {
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
  return NULL;
}

static int attack(int threads) {
  pthread_t t;
  for (int i = 0; i < threads; i++) pthread_create(&t, NULL, opener, NULL);
  printf("attacking\n");
  fflush(stdout);
  for (;;) pause();
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: agentload neighbour N PATH | flood|fifo|lease T PATH\n");
    return 2;
  }
  int n = atoi(argv[2]);
  target = argv[3];
  if (strcmp(argv[1], "neighbour") == 0) {
    for (int i = 0; i < n; i++) {
      long long t0 = now_ns();
      int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      long long t1 = now_ns();
      if (fd < 0) {
        perror("open");
        return 1;
      }
      close(fd);
      printf("%lld\n", t1 - t0);
    }
    return 0;
  }
  if (strcmp(argv[1], "lease") == 0) {
    signal(SIGIO, SIG_IGN);
    int fd = open(target, O_RDONLY);
    if (fd < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0) {
      perror("lease");
      return 1;
    }
  }
  if (strcmp(argv[1], "flood") == 0 || strcmp(argv[1], "fifo") == 0 || strcmp(argv[1], "lease") == 0) return attack(n);
  return 2;
}
