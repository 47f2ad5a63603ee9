/*
 * /dial: this pod asks another endpoint (HTTP GET or one UDP datagram) `tries` times and reports
 * the answers as JSON. Status codes, key order and error wording follow upstream netexec.go (the
 * e2e framework parses them): 5 s per try (http.Client{Timeout: 5s}, a 5 s UDP read deadline),
 * up to 10 redirects, UDP replies read into 2,048 bytes.
 */
#include "netexec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define DIAL_TIMEOUT_MS 5000
#define UDP_READ_BUFFER 2048

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* "ip:port" or "[ip]:port". */
static void join_host_port(struct buf *b, const char *host, int port) {
  if (strchr(host, ':')) buf_fmt(b, "[%s]:%d", host, port);
  else buf_fmt(b, "%s:%d", host, port);
}

static int to_sockaddr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof *s4;
    return 0;
  }
  if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    *len = sizeof *s6;
    return 0;
  }
  return -1;
}

/* Waits for fd to be ready for `events` until deadline; 0 ready, -1 timed out. */
static int wait_fd(int fd, short events, long long deadline) {
  for (;;) {
    long long left = deadline - now_ms();
    if (left <= 0) return -1;
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, (int)left);
    if (r > 0) return 0;
    if (r < 0 && errno != EINTR) return -1;
  }
}

/* One GET of url ("http://hostport/path"); fills *out with the body, or err with Go's message. */
static int http_get_once(const char *url, long long deadline, struct buf *out, struct buf *err, struct buf *location,
                         int *status) {
  const char *hp = url + 7, *slash = strchr(hp, '/');
  size_t hplen = slash ? (size_t)(slash - hp) : strlen(hp);
  const char *path = slash ? slash : "/";
  char host[256];
  int port = 80;
  if (hplen == 0 || hplen >= sizeof host) {
    buf_fmt(err, "Get \"%s\": http: no Host in request URL", url);
    return -1;
  }
  memcpy(host, hp, hplen);
  host[hplen] = 0;
  char *ip = host, *colon = strrchr(host, ':');
  if (host[0] == '[') {
    char *rb = strchr(host, ']');
    if (!rb) goto nohost;
    *rb = 0;
    ip = host + 1;
    if (rb[1] == ':') port = atoi(rb + 2);
  } else if (colon) {
    *colon = 0;
    port = atoi(colon + 1);
  }
  if (!*ip) goto nohost;
  struct buf target = {0};
  join_host_port(&target, ip, port);
  struct sockaddr_storage ss;
  socklen_t sl;
  if (to_sockaddr(ip, port, &ss, &sl) < 0) {
    /* A redirect to a name: resolve it (IPv4 first, as Go's dialer tries it). */
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(ip, NULL, &hints, &res) != 0 || !res) {
      buf_fmt(err, "Get \"%s\": dial tcp: lookup %s: no such host", url, ip);
      buf_free(&target);
      return -1;
    }
    struct addrinfo *pick = res;
    for (struct addrinfo *a = res; a; a = a->ai_next)
      if (a->ai_family == AF_INET) {
        pick = a;
        break;
      }
    memcpy(&ss, pick->ai_addr, pick->ai_addrlen);
    sl = pick->ai_addrlen;
    ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port); /* same offset in sockaddr_in6 */
    freeaddrinfo(res);
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int rc = -1;
  if (fd < 0) {
    buf_fmt(err, "Get \"%s\": dial tcp %s: socket: %s", url, target.p, go_errno(errno));
    goto out;
  }
  if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
    buf_fmt(err, "Get \"%s\": dial tcp %s: connect: %s", url, target.p, go_errno(errno));
    goto out;
  }
  if (wait_fd(fd, POLLOUT, deadline) < 0) {
    buf_fmt(err, "Get \"%s\": dial tcp %s: i/o timeout (Client.Timeout exceeded while awaiting headers)", url, target.p);
    goto out;
  }
  int soerr = 0;
  socklen_t el = sizeof soerr;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el);
  if (soerr) {
    buf_fmt(err, "Get \"%s\": dial tcp %s: connect: %s", url, target.p, go_errno(soerr));
    goto out;
  }
  struct buf req = {0};
  buf_fmt(&req, "GET %s HTTP/1.1\r\nHost: %.*s\r\nUser-Agent: Go-http-client/1.1\r\nConnection: close\r\n\r\n", path,
          (int)hplen, hp);
  size_t sent = 0;
  while (sent < req.len) {
    ssize_t n = send(fd, req.p + sent, req.len - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && wait_fd(fd, POLLOUT, deadline) == 0) continue;
    if (n < 0) {
      buf_fmt(err, "Get \"%s\": write tcp %s: write: %s", url, target.p, go_errno(errno));
      buf_free(&req);
      goto out;
    }
    sent += (size_t)n;
  }
  buf_free(&req);
  /* The whole response (bounded), then parse: heads are small and bodies capped. */
  struct buf resp = {0};
  char chunk[8192];
  int got_head = 0;
  for (;;) {
    if (wait_fd(fd, POLLIN, deadline) < 0) {
      if (!got_head)
        buf_fmt(err, "Get \"%s\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", url);
      else buf_str(err, "context deadline exceeded (Client.Timeout or context cancellation while reading body)");
      buf_free(&resp);
      goto out;
    }
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      if (!got_head) buf_fmt(err, "Get \"%s\": read tcp %s: read: %s", url, target.p, go_errno(errno));
      else buf_fmt(err, "read tcp %s: read: %s", target.p, go_errno(errno));
      buf_free(&resp);
      goto out;
    }
    if (n == 0) break;
    if (resp.len + (size_t)n > MAX_BODY_BYTES + 16384) break; /* enough: the rest is dropped */
    buf_add(&resp, chunk, (size_t)n);
    if (!got_head && resp.len >= 4 && memmem(resp.p, resp.len, "\r\n\r\n", 4)) got_head = 1;
  }
  char *head_end = resp.len ? memmem(resp.p, resp.len, "\r\n\r\n", 4) : NULL;
  if (!head_end || resp.len < 12 || strncmp(resp.p, "HTTP/1.", 7) != 0) {
    buf_fmt(err, "Get \"%s\": EOF", url);
    buf_free(&resp);
    goto out;
  }
  *head_end = 0;
  *status = atoi(resp.p + 9);
  const char *body = head_end + 4;
  size_t blen = resp.len - (size_t)(body - resp.p);
  int chunked = 0;
  long long clen = -1;
  for (char *line = strstr(resp.p, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
    char *l = line + 2, *e = strstr(l, "\r\n");
    size_t ll = e ? (size_t)(e - l) : strlen(l);
    if (ll > 18 && strncasecmp(l, "Transfer-Encoding:", 18) == 0 && memmem(l, ll, "chunked", 7)) chunked = 1;
    if (ll > 15 && strncasecmp(l, "Content-Length:", 15) == 0) clen = atoll(l + 15);
    if (ll > 9 && strncasecmp(l, "Location:", 9) == 0) {
      const char *v = l + 9;
      while (*v == ' ') v++;
      buf_add(location, v, ll - (size_t)(v - l));
    }
  }
  if (chunked) {
    const char *p = body, *end = body + blen;
    while (p < end) {
      char *nl = memmem(p, (size_t)(end - p), "\r\n", 2);
      if (!nl) break;
      unsigned long sz = strtoul(p, NULL, 16);
      if (sz == 0 || (size_t)(end - (nl + 2)) < sz) break;
      buf_add(out, nl + 2, sz);
      p = nl + 2 + sz + 2;
    }
  } else {
    buf_add(out, body, clen >= 0 && (size_t)clen < blen ? (size_t)clen : blen);
  }
  buf_free(&resp);
  rc = 0;
out:
  if (fd >= 0) close(fd);
  buf_free(&target);
  return rc;
nohost:
  buf_fmt(err, "Get \"%s\": http: no Host in request URL", url);
  return -1;
}

/* Go's client: redirects followed (10 at most), one 5 s deadline over all of them. */
static int dial_http(const char *request, const char *ip, int port, struct buf *out, struct buf *err) {
  struct buf url = {0};
  buf_str(&url, "http://");
  if (*ip) join_host_port(&url, ip, port);
  else buf_fmt(&url, ":%d", port);
  buf_str(&url, "/");
  /* Go escapes spaces and control characters in the path when sending. */
  for (const unsigned char *p = (const unsigned char *)request; *p; p++) {
    if (*p < 0x21 || *p > 0x7e) buf_fmt(&url, "%%%02X", *p);
    else buf_add(&url, (const char *)p, 1);
  }
  long long deadline = now_ms() + DIAL_TIMEOUT_MS;
  int rc = -1;
  for (int redirects = 0;; redirects++) {
    struct buf loc = {0};
    int status = 0;
    out->len = 0;
    if (http_get_once(url.p, deadline, out, err, &loc, &status) < 0) {
      buf_free(&loc);
      break;
    }
    if ((status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && loc.len) {
      if (redirects >= 10) {
        buf_fmt(err, "Get \"%s\": stopped after 10 redirects", url.p);
        buf_free(&loc);
        break;
      }
      struct buf next = {0};
      if (strncmp(loc.p, "http://", 7) == 0) {
        buf_str(&next, loc.p);
      } else {
        const char *path = strchr(url.p + 7, '/');
        buf_add(&next, url.p, path ? (size_t)(path - url.p) : url.len);
        if (loc.p[0] == '/') buf_str(&next, loc.p);
        else {
          const char *last = strrchr(path ? path : "/", '/');
          if (path) buf_add(&next, path, (size_t)(last - path) + 1);
          else buf_str(&next, "/");
          buf_str(&next, loc.p);
        }
      }
      buf_free(&loc);
      if (strncmp(next.p, "https://", 8) == 0 || strncmp(next.p, "http://", 7) != 0) {
        buf_fmt(err, "Get \"%s\": unsupported protocol scheme", next.p);
        buf_free(&next);
        break;
      }
      buf_free(&url);
      url = next;
      continue;
    }
    buf_free(&loc);
    rc = 0;
    break;
  }
  buf_free(&url);
  return rc;
}

static int dial_udp(const char *request, const char *ip, int port, struct buf *out, struct buf *err) {
  const char *host = *ip ? ip : "127.0.0.1"; /* Go dials the local system for an empty host */
  struct buf remote = {0}, local = {0};
  join_host_port(&remote, host, port);
  struct sockaddr_storage ss;
  socklen_t sl;
  int rc = -1, fd = -1;
  to_sockaddr(host, port, &ss, &sl);
  fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0) {
    buf_fmt(err, "udp dial failed. err:dial udp %s: %s", remote.p, go_errno(errno));
    goto out;
  }
  struct sockaddr_storage ls;
  socklen_t ll = sizeof ls;
  getsockname(fd, (struct sockaddr *)&ls, &ll);
  go_addr(&local, (struct sockaddr *)&ls);
  if (send(fd, request, strlen(request), 0) < 0) {
    buf_fmt(err, "udp connection write failed. err:write udp %s->%s: write: %s", local.p, remote.p, go_errno(errno));
    goto out;
  }
  long long deadline = now_ms() + DIAL_TIMEOUT_MS;
  char reply[UDP_READ_BUFFER];
  for (;;) {
    if (wait_fd(fd, POLLIN, deadline) < 0) {
      buf_fmt(err, "reading from udp connection failed. err:'read udp %s->%s: i/o timeout'", local.p, remote.p);
      goto out;
    }
    ssize_t n = recv(fd, reply, sizeof reply, MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      buf_fmt(err, "reading from udp connection failed. err:'read udp %s->%s: read: %s'", local.p, remote.p,
              go_errno(errno));
      goto out;
    }
    if (n == 0) {
      buf_str(err, "reading from udp connection failed. err:'<nil>'");
      goto out;
    }
    buf_add(out, reply, (size_t)n);
    rc = 0;
    break;
  }
out:
  if (fd >= 0) close(fd);
  buf_free(&remote);
  buf_free(&local);
  return rc;
}

/* net.ResolveTCPAddr: IPv4 preferred. Returns 0, or -1 with err set. */
static int resolve(const char *host, const char *port, char *ip, size_t iplen, int *p, struct buf *err) {
  *p = 0;
  if (*port) {
    for (const char *c = port; *c; c++)
      if (*c < '0' || *c > '9') {
        buf_fmt(err, "lookup port %s: unknown port", port);
        return -1;
      }
    if (strlen(port) > 5 || atoi(port) > 65535) {
      buf_fmt(err, "address %s: invalid port", port);
      return -1;
    }
    *p = atoi(port);
  }
  struct sockaddr_storage ss;
  socklen_t sl;
  if (!*host || to_sockaddr(host, 0, &ss, &sl) == 0) {
    snprintf(ip, iplen, "%s", host);
    return 0;
  }
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
    buf_fmt(err, "lookup %s: no such host", host);
    return -1;
  }
  struct addrinfo *pick = res;
  for (struct addrinfo *a = res; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  if (pick->ai_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)pick->ai_addr)->sin_addr, ip, (socklen_t)iplen);
  else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)pick->ai_addr)->sin6_addr, ip, (socklen_t)iplen);
  freeaddrinfo(res);
  return 0;
}

void handle_dial(const char *query, int *status, struct buf *body) {
  char *host = query_get(query, "host"), *port = query_get(query, "port"), *request = query_get(query, "request"),
       *protocol = query_get(query, "protocol"), *tries_s = query_get(query, "tries");
  golog("GET /dial?host=%s&protocol=%s&port=%s&request=%s&tries=%s", host, protocol, port, request, tries_s);
  long long tries = 1;
  int (*dialer)(const char *, const char *, int, struct buf *, struct buf *) = NULL;
  int sctp = 0;
  char ip[INET6_ADDRSTRLEN + 1] = "";
  int p = 0;
  struct buf err = {0};
  *status = 400;
  if (*tries_s) {
    int r = go_atoi(tries_s, &tries);
    if (r < 0) {
      buf_fmt(body, "tries parameter is invalid. strconv.Atoi: parsing \"%s\": %s\n", tries_s,
              r == -1 ? "invalid syntax" : "value out of range");
      goto out;
    }
  }
  if (!*request) {
    buf_str(body, "request parameter not specified. <nil>\n");
    goto out;
  }
  if (!*protocol || strcasecmp(protocol, "http") == 0) dialer = dial_http;
  else if (strcasecmp(protocol, "udp") == 0) dialer = dial_udp;
  else if (strcasecmp(protocol, "sctp") == 0) sctp = 1;
  else {
    buf_fmt(body, "unsupported protocol. %s\n", protocol);
    goto out;
  }
  if (resolve(host, port, ip, sizeof ip, &p, &err) < 0) {
    buf_fmt(body, "host and/or port param are invalid. %s\n", err.p);
    goto out;
  }
  if (tries > 100) tries = 100; /* bounded: each try may take 5 s */
  struct buf errors = {0}, responses = {0};
  int nerr = 0, nresp = 0;
  size_t last_len = 0;
  for (long long i = 0; i < tries; i++) {
    struct buf out = {0}, e = {0};
    int ok;
    if (sctp) {
      struct buf t = {0};
      join_host_port(&t, ip, p);
      buf_fmt(&e, "sctp dial failed. err:dial sctp %s: protocol not supported", t.p);
      buf_free(&t);
      ok = -1;
    } else {
      ok = dialer(request, ip, p, &out, &e);
    }
    if (ok == 0) {
      buf_str(&responses, nresp++ ? "," : "");
      buf_json_str(&responses, out.p ? out.p : "", out.len);
      last_len = out.len;
    } else {
      buf_str(&errors, nerr++ ? "," : "");
      buf_json_str(&errors, e.p ? e.p : "", e.len);
      last_len = 0;
    }
    buf_free(&out);
    buf_free(&e);
  }
  /* Upstream quirk kept: "responses" appears only if the last try returned data. */
  *status = 200;
  buf_str(body, "{");
  if (nerr) buf_fmt(body, "\"errors\":[%s]", errors.p);
  if (last_len) buf_fmt(body, "%s\"responses\":[%s]", nerr ? "," : "", responses.p);
  buf_str(body, "}");
  buf_free(&errors);
  buf_free(&responses);
out:
  buf_free(&err);
  free(host);
  free(port);
  free(request);
  free(protocol);
  free(tries_s);
}
