/*
 * podnet CNI shim: the executable the runtime runs for every CNI verb. It forwards the request to
 * the long-running node agent over the abstract unix socket "\0podnet-cni" (abstract sockets are
 * scoped to the network namespace, so the agent of the node whose netns we run in answers), and
 * falls back to running the plugin in-process with Node.js when no agent listens.
 *
 * Request:  "KEY=VALUE\0" for every CNI_* variable and PATH, then "\0", then stdin, then EOF.
 * Response: "<exitcode>\n" followed by the plugin's stdout, then EOF.
 * No external libraries; EINTR and partial reads/writes are handled everywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static const char SOCK_NAME[] = "podnet-cni";

static int write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Prints a CNI error (code 5, I/O) on stdout, as the spec wants errors there, and exits. */
static void fail(const char *msg) {
  char out[512];
  int n = snprintf(out, sizeof out,
                   "{\"cniVersion\":\"1.0.0\",\"code\":5,\"msg\":\"podnet shim: %s\",\"details\":\"%s\"}\n",
                   msg, strerror(errno));
  if (n > 0) write_all(1, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
  exit(5);
}

/* No agent: run the plugin in-process via node (stdin has not been touched yet). */
static void exec_standalone(void) {
  char exe[PATH_MAX], script[PATH_MAX + 64];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0) fail("readlink /proc/self/exe");
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (slash) *slash = '\0';
  snprintf(script, sizeof script, "%s/../src/cni/standalone-main.js", exe);
  char *argv[] = {"node", script, NULL};
  execvp("node", argv);
  fail("no agent on @podnet-cni and exec node failed");
}

static int wanted(const char *kv) {
  return strncmp(kv, "CNI_", 4) == 0 || strncmp(kv, "PATH=", 5) == 0;
}

int main(void) {
  /*
   * Abstract names are matched on their full length. Node.js 20 (libuv) binds "\0podnet-cni" padded
   * with NULs to sizeof(sun_path); other servers (and later Node versions) bind the exact length.
   * Try the exact name first, then the padded one.
   */
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path + 1, SOCK_NAME, sizeof SOCK_NAME - 1); /* sun_path[0] = '\0': abstract */
  socklen_t lens[2] = {(socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + sizeof SOCK_NAME - 1),
                       (socklen_t)sizeof addr};
  int fd = -1;
  for (int i = 0; i < 2 && fd < 0; i++) {
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    int rc;
    do rc = connect(fd, (struct sockaddr *)&addr, lens[i]); while (rc < 0 && errno == EINTR);
    if (rc < 0) {
      close(fd);
      fd = -1;
    }
  }
  if (fd < 0) exec_standalone();

  for (char **e = environ; *e; e++) {
    if (wanted(*e) && write_all(fd, *e, strlen(*e) + 1) < 0) fail("write env");
  }
  if (write_all(fd, "", 1) < 0) fail("write env terminator");

  char buf[65536];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read stdin");
    }
    if (n == 0) break;
    if (write_all(fd, buf, (size_t)n) < 0) fail("write stdin");
  }
  if (shutdown(fd, SHUT_WR) < 0) fail("shutdown");

  /* Parse "<code>\n" then stream the rest to stdout. */
  int code = -1, have_code = 0, digits = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read reply");
    }
    if (n == 0) break;
    ssize_t off = 0;
    while (!have_code && off < n) {
      char c = buf[off++];
      if (c == '\n') {
        have_code = 1;
      } else if (c >= '0' && c <= '9' && digits < 4) {
        code = (code < 0 ? 0 : code * 10) + (c - '0');
        digits++;
      } else {
        errno = EPROTO;
        fail("malformed reply from agent");
      }
    }
    if (off < n && write_all(1, buf + off, (size_t)(n - off)) < 0) fail("write stdout");
  }
  if (!have_code || code < 0) {
    errno = ECONNRESET;
    fail("agent closed the connection without a reply");
  }
  return code > 255 ? 255 : code;
}
