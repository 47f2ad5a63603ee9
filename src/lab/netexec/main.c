/*
 * netexec's entry: flags, the UDP and HTTP listeners, signals. Flags (pflag syntax,
 * `--name=value` or `--name value`): --http-port (8080), --udp-port (8081, -1 disables),
 * --sctp-port (only -1: podnet has no SCTP), --delay-shutdown (seconds), --http-override.
 * Anything else exits 2 with one line, and the lab runs the TypeScript netexec for such flags.
 * PODNET_AGNHOST_BIND_ADDRESS (a test hook, as the TS version has it) replaces "all addresses".
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile int g_terminating;
int g_udp_ready;
const char *g_http_override;
static atomic_int g_accepting = 1;
static int g_http_fd = -1;

void request_exit(int code) {
  fflush(stderr);
  _exit(code); /* like os.Exit: no atexit work racing the other threads */
}

void stop_accepting(void) { atomic_store(&g_accepting, 0); }

static int parse_int(const char *name, const char *v, int *out) {
  long long n;
  if (go_atoi(v, &n) < 0 || n < -1 || n > 65535) {
    fprintf(stderr, "Error: invalid argument \"%s\" for \"--%s\" flag\n", v, name);
    return -1;
  }
  *out = (int)n;
  return 0;
}

/* Binds like Go's Listen: an empty address is dual-stack "::", else IPv4 "0.0.0.0" if IPv6 is off. */
static int bind_any(int type, const char *host, int port, int *bound_port) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl;
  int family;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (host && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    family = AF_INET;
  } else if (host && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    family = AF_INET6;
  } else {
    family = AF_INET6;
    s6->sin6_addr = in6addr_any;
  }
  int fd = socket(family, type | SOCK_CLOEXEC, 0);
  if (fd < 0 && family == AF_INET6 && !host) {
    family = AF_INET; /* IPv6 disabled in this namespace */
    s4->sin_addr.s_addr = htonl(INADDR_ANY);
    fd = socket(family, type | SOCK_CLOEXEC, 0);
  }
  if (fd < 0) return -1;
  int one = 1, zero = 0;
  if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  if (family == AF_INET) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    sl = sizeof *s4;
  } else {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    sl = sizeof *s6;
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
    int e = errno;
    close(fd);
    if (!host && family == AF_INET6 && (e == EADDRNOTAVAIL || e == EAFNOSUPPORT)) {
      fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
      struct sockaddr_in a = {0};
      a.sin_family = AF_INET;
      a.sin_port = htons((uint16_t)port);
      if (type == SOCK_STREAM) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) return -1;
    } else {
      errno = e;
      return -1;
    }
  }
  if (type == SOCK_STREAM && listen(fd, 1024) < 0) return -1;
  getsockname(fd, (struct sockaddr *)&ss, &sl);
  *bound_port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
  return fd;
}

/* UDP commands: "hostname", "echo <msg>", "clientip", trimmed and lower-cased as upstream. */
static void serve_udp(int fd) {
  char in[2049], reply[2300];
  struct sockaddr_storage peer;
  socklen_t pl = sizeof peer;
  ssize_t n = recvfrom(fd, in, 2048, MSG_DONTWAIT, (struct sockaddr *)&peer, &pl);
  if (n < 0) return;
  in[n] = 0;
  char *s = in, *e = in + n;
  while (s < e && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) s++;
  while (e > s && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r'))) e--;
  *e = 0;
  for (char *p = s; *p; p++)
    if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
  struct buf client = {0};
  go_addr(&client, (struct sockaddr *)&peer);
  int len = -1;
  if (strcmp(s, "hostname") == 0) {
    golog("Sending udp hostName response");
    gethostname(reply, 256);
    reply[255] = 0;
    len = (int)strlen(reply);
  } else if (strncmp(s, "echo ", 5) == 0) {
    len = snprintf(reply, sizeof reply, "%s", s + 5);
    golog("Echoing %s to UDP client %s", reply, client.p);
  } else if (strcmp(s, "clientip") == 0) {
    golog("Sending clientip back to UDP client %s", client.p);
    len = snprintf(reply, sizeof reply, "%s", client.p);
  } else if (*s) {
    golog("Unknown UDP command received from %s: %s", client.p, s);
  }
  if (len >= 0) sendto(fd, reply, (size_t)len, MSG_DONTWAIT, (struct sockaddr *)&peer, pl);
  buf_free(&client);
}

static void *conn_thread(void *arg) {
  serve_conn((int)(intptr_t)arg);
  return NULL;
}

static int g_delay;

/* SIGTERM: /readyz turns 503, then exit 0 after --delay-shutdown seconds; SIGINT: exit 0. */
static void *signal_thread(void *arg) {
  sigset_t *set = arg;
  for (;;) {
    int sig;
    if (sigwait(set, &sig) != 0) continue;
    if (sig == SIGINT) request_exit(0);
    g_terminating = 1;
    if (g_delay > 0) {
      golog("Sleeping %d seconds before terminating...", g_delay);
      sleep((unsigned)g_delay);
    }
    request_exit(0);
  }
  return NULL;
}

int main(int argc, char **argv) {
  int http_port = 8080, udp_port = 8081, sctp_port = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0) {
      fprintf(stderr, "Error: netexec takes no arguments, got \"%s\"\n", a);
      return 2;
    }
    const char *name = a + 2, *eq = strchr(name, '=');
    size_t nl = eq ? (size_t)(eq - name) : strlen(name);
    const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!v) {
      fprintf(stderr, "Error: flag needs an argument: --%.*s\n", (int)nl, name);
      return 2;
    }
#define IS(flag) (nl == strlen(flag) && strncmp(name, flag, nl) == 0)
    int ok = 0;
    if (IS("http-port")) ok = parse_int("http-port", v, &http_port);
    else if (IS("udp-port")) ok = parse_int("udp-port", v, &udp_port);
    else if (IS("sctp-port")) ok = parse_int("sctp-port", v, &sctp_port);
    else if (IS("delay-shutdown")) ok = parse_int("delay-shutdown", v, &g_delay);
    else if (IS("http-override")) g_http_override = v;
    else {
      fprintf(stderr, "Error: unknown flag: --%.*s (podnet's native netexec)\n", (int)nl, name);
      return 2;
    }
    if (ok < 0) return 2;
    if (g_delay < 0) g_delay = 0;
  }
  if (sctp_port != -1) {
    fprintf(stderr, "Error: --sctp-port: podnet's native netexec has no SCTP\n");
    return 2;
  }
  const char *bind_host = getenv("PODNET_AGNHOST_BIND_ADDRESS");
  if (bind_host && !*bind_host) bind_host = NULL;

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread: only signal_thread takes them */
  signal(SIGPIPE, SIG_IGN);
  pthread_attr_t small;
  pthread_attr_init(&small);
  pthread_attr_setstacksize(&small, 256 * 1024);
  pthread_attr_setdetachstate(&small, PTHREAD_CREATE_DETACHED);
  pthread_t st;
  if (pthread_create(&st, &small, signal_thread, &set) != 0) {
    golog("Error occurred: cannot start the signal thread");
    return 1;
  }

  int udp_fd = -1, port;
  if (udp_port != -1) {
    udp_fd = bind_any(SOCK_DGRAM, bind_host, udp_port, &port);
    if (udp_fd < 0) {
      golog("Error occurred: failed to listen on UDP port %d: %s", udp_port, go_errno(errno));
      return 1;
    }
    golog("Started UDP server on port %s %d", bind_host ? bind_host : "", port);
    g_udp_ready = 1;
  }
  g_http_fd = bind_any(SOCK_STREAM, bind_host, http_port, &port);
  if (g_http_fd < 0) {
    golog("Error occurred: listen tcp :%d: bind: %s", http_port, go_errno(errno));
    return 1;
  }
  golog("Started HTTP server on port %d", port);

  struct pollfd fds[2] = {{g_http_fd, POLLIN, 0}, {udp_fd, POLLIN, 0}};
  for (;;) {
    int accepting = atomic_load(&g_accepting);
    fds[0].fd = accepting ? g_http_fd : -1;
    int r = poll(fds, 2, accepting ? -1 : 100);
    if (r < 0) continue;
    if (!accepting && g_http_fd >= 0) {
      close(g_http_fd); /* graceful /exit: new connections are refused */
      g_http_fd = -1;
    }
    if (fds[1].revents & POLLIN) serve_udp(udp_fd);
    if (accepting && (fds[0].revents & POLLIN)) {
      int c = accept4(g_http_fd, NULL, NULL, SOCK_CLOEXEC);
      if (c < 0) continue;
      pthread_t t;
      if (live_conns() >= MAX_CONNS || pthread_create(&t, &small, conn_thread, (void *)(intptr_t)c) != 0) close(c);
    }
  }
}
