/*
 * The lab's pause container: what agnhost `pause` and the `pause` image run. A Node.js process
 * costs ~100 ms of CPU to start and ~45 MB resident; this costs ~1 ms and a few hundred KB, which
 * is what lets a lab hold a thousand pods (900 of them paused) on a small machine.
 *
 * Behaviour, as Kubernetes' own pause (build/pause/linux/pause.c) and agnhost pause in the lab:
 * prints "Paused", sleeps until SIGTERM or SIGINT and then exits 0 (a deleted pod is not a
 * failure), and reaps any child that is re-parented to it (it may be a namespace's init).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void sigdown(int signo) {
  (void)signo;
  _exit(0);
}

static void sigreap(int signo) {
  (void)signo;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static void on(int signo, void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = signo == SIGCHLD ? SA_NOCLDSTOP | SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signo, &sa, NULL) < 0) {
    perror("pause: sigaction");
    exit(1);
  }
}

int main(int argc, char **argv) {
  (void)argv;
  if (argc > 1) {
    fprintf(stderr, "pause: takes no arguments\n");
    return 2;
  }
  on(SIGINT, sigdown);
  on(SIGTERM, sigdown);
  on(SIGCHLD, sigreap);
  /* Only once the handlers exist, so "Paused" in the log means a signal is safe to send. */
  fputs("Paused\n", stdout);
  fflush(stdout);
  for (;;) pause();
}
