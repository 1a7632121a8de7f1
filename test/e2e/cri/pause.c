/*
 * The e2e tests' pod sandbox ("pause") image: one process that waits for a signal and exits 0
 * on SIGINT/SIGTERM, like Kubernetes' own pause. Static, no files opened, nothing written.
 */
#include <signal.h>
#include <unistd.h>

static void done(int sig) {
  (void)sig;
  _exit(0);
}

int main(void) {
  signal(SIGINT, done);
  signal(SIGTERM, done);
  for (;;) pause();
}
