/*
 * Reading requests and writing replies on one connection (keep-alive, as Go's server), with
 * Go ServeMux's redirect of unclean paths. Limits: MAX_HEADER_BYTES of request head (431 past
 * it), MAX_BODY_BYTES of body (read and dropped; 413 past it), 60 s idle timeout.
 */
#include "http.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int g_live;

int live_conns(void) { return atomic_load(&g_live); }

const char *header_get(const struct request *req, const char *name) {
  for (int i = 0; i < req->nheaders; i++)
    if (strcasecmp(req->headers[i].name, name) == 0) return req->headers[i].value;
  return NULL;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Go's path.Clean, keeping a trailing slash as ServeMux does. */
static void clean_path(const char *p, struct buf *out) {
  const char *segs[512];
  size_t lens[512];
  int n = 0;
  const char *s = p;
  while (*s) {
    while (*s == '/') s++;
    if (!*s) break;
    const char *e = strchr(s, '/');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    if (len == 1 && s[0] == '.') {
    } else if (len == 2 && s[0] == '.' && s[1] == '.') {
      if (n > 0) n--;
    } else if (n < 512) {
      segs[n] = s;
      lens[n++] = len;
    }
    s += len;
  }
  buf_str(out, "/");
  for (int i = 0; i < n; i++) {
    if (i) buf_str(out, "/");
    buf_add(out, segs[i], lens[i]);
  }
  size_t pl = strlen(p);
  if (pl > 0 && p[pl - 1] == '/' && out->len > 1) buf_str(out, "/");
}

static void send_reply(int fd, const struct request *req, struct reply *rep, int keep) {
  struct buf h = {0};
  int status = rep->status ? rep->status : 200;
  if (status < 100 || status > 999) status = 500; /* Go panics on such a code; the TS version answers 500 */
  char date[64];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  buf_fmt(&h, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, status_text(status), date);
  if (!rep->no_length) {
    buf_fmt(&h, "Content-Type: %s\r\nContent-Length: %zu\r\n",
            rep->content_type ? rep->content_type : "text/plain; charset=utf-8", rep->body.len);
  } else {
    buf_str(&h, "Content-Length: 0\r\n");
  }
  if (rep->location.len) buf_fmt(&h, "Location: %s\r\n", rep->location.p);
  if (!keep) buf_str(&h, "Connection: close\r\n");
  buf_str(&h, "\r\n");
  int head = strcasecmp(req->method, "HEAD") == 0;
  if (!head && rep->body.len) buf_add(&h, rep->body.p, rep->body.len);
  write_all(fd, h.p, h.len);
  buf_free(&h);
}

static void simple_error(int fd, int status, const char *msg) {
  char out[256];
  int n = snprintf(out, sizeof out,
                   "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n%d %s", status,
                   status_text(status), status, msg);
  if (n > 0) write_all(fd, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1);
}

/* Parses the head in buf[0..len) (ending in CRLFCRLF) into req; pointers point into buf. */
static int parse_head(char *buf, struct request *req) {
  char *line_end = strstr(buf, "\r\n");
  if (!line_end) return -1;
  *line_end = 0;
  char *sp1 = strchr(buf, ' ');
  if (!sp1 || (size_t)(sp1 - buf) >= sizeof req->method || sp1 == buf) return -1;
  char *sp2 = strchr(sp1 + 1, ' ');
  if (!sp2 || sp2 == sp1 + 1) return -1;
  memcpy(req->method, buf, (size_t)(sp1 - buf));
  req->method[sp1 - buf] = 0;
  *sp2 = 0;
  req->target = sp1 + 1;
  if (strcmp(sp2 + 1, "HTTP/1.1") == 0) req->http10 = 0;
  else if (strcmp(sp2 + 1, "HTTP/1.0") == 0) req->http10 = 1;
  else return -1;
  char *p = line_end + 2;
  req->nheaders = 0;
  while (*p && !(p[0] == '\r' && p[1] == '\n')) {
    char *e = strstr(p, "\r\n");
    if (!e) return -1;
    *e = 0;
    char *colon = strchr(p, ':');
    if (!colon || colon == p) return -1;
    if (req->nheaders >= MAX_HEADERS) return -2;
    *colon = 0;
    for (char *q = p; *q; q++)
      if (*q == ' ' || *q == '\t') return -1; /* no whitespace in a field name */
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    char *ve = v + strlen(v);
    while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) *--ve = 0;
    req->headers[req->nheaders].name = p;
    req->headers[req->nheaders++].value = v;
    p = e + 2;
  }
  return 0;
}

/* Handles one parsed request; returns 1 to keep the connection, 0 to close it. */
static int handle(int fd, struct request *req) {
  const char *target = g_http_override && *g_http_override ? g_http_override : req->target;
  /* Absolute-form targets ("http://host/path") name the path after the authority. */
  if (strncmp(target, "http://", 7) == 0) {
    const char *slash = strchr(target + 7, '/');
    target = slash ? slash : "/";
  }
  const char *qm = strchr(target, '?');
  size_t plen = qm ? (size_t)(qm - target) : strlen(target);
  const char *query = qm ? qm + 1 : "";
  struct buf path = {0};
  if (pct_decode(target, plen, &path, 0) < 0 || memchr(path.p ? path.p : "", 0, path.len)) {
    buf_free(&path);
    buf_add(&path, target, plen);
  }
  if (!path.p) buf_str(&path, "");
  const char *conn = header_get(req, "Connection");
  int keep = !req->http10 && !(conn && strcasecmp(conn, "close") == 0);
  struct reply rep = {0};
  rep.exit_code = -1;
  struct buf clean = {0};
  clean_path(path.p, &clean);
  if (!(g_http_override && *g_http_override) && strcmp(clean.p, path.p) != 0) {
    rep.status = 301;
    buf_str(&rep.location, clean.p);
    if (qm) buf_fmt(&rep.location, "?%s", query);
    rep.content_type = "text/html; charset=utf-8";
    buf_fmt(&rep.body, "<a href=\"%s\">Moved Permanently</a>.\n\n", rep.location.p);
  } else {
    route(req, path.p, query, &rep);
  }
  if (rep.close) keep = 0;
  send_reply(fd, req, &rep, keep);
  int code = rep.exit_code;
  long long timeout = rep.exit_timeout_ns;
  buf_free(&rep.body);
  buf_free(&rep.location);
  buf_free(&path);
  buf_free(&clean);
  if (code >= 0) {
    if (timeout > 0) {
      /* Graceful: stop accepting; let in-flight requests finish, by the deadline at the latest. */
      stop_accepting();
      struct timespec t0, t;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long long el = (long long)(t.tv_sec - t0.tv_sec) * 1000000000LL + (t.tv_nsec - t0.tv_nsec);
        if (live_conns() <= 1) {
          golog("Graceful shutdown completed with: <nil>");
          break;
        }
        if (el >= timeout) break;
        usleep(10000);
      }
    }
    request_exit(code);
  }
  return keep;
}

void serve_conn(int fd) {
  atomic_fetch_add(&g_live, 1);
  struct timeval tv = {60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char *buf = malloc(MAX_HEADER_BYTES + 1);
  size_t len = 0;
  while (buf) {
    char *end = NULL;
    while (!(end = (len >= 4 ? memmem(buf, len, "\r\n\r\n", 4) : NULL))) {
      if (len >= MAX_HEADER_BYTES) {
        simple_error(fd, 431, "Request Header Fields Too Large");
        goto done;
      }
      ssize_t n = recv(fd, buf + len, MAX_HEADER_BYTES - len, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) goto done;
      len += (size_t)n;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    char saved = buf[head_len - 2];
    buf[head_len - 2] = 0; /* head ends "\r\n" + NUL, which parse_head reads as the last line */
    struct request req;
    memset(&req, 0, sizeof req);
    socklen_t sl = sizeof req.peer;
    getpeername(fd, (struct sockaddr *)&req.peer, &sl);
    int pr = memchr(buf, 0, head_len - 2) ? -1 : parse_head(buf, &req);
    (void)saved;
    if (pr < 0) {
      simple_error(fd, pr == -2 ? 431 : 400, pr == -2 ? "Request Header Fields Too Large" : "Bad Request");
      goto done;
    }
    /* Bodies are read and dropped: no route uses one. */
    const char *te = header_get(&req, "Transfer-Encoding");
    const char *cl = header_get(&req, "Content-Length");
    long long body = 0;
    if (te && strcasecmp(te, "identity") != 0) {
      simple_error(fd, 501, "Transfer-Encoding not supported"); /* chunked request bodies: never sent by probes or e2e */
      goto done;
    }
    if (cl && (go_atoi(cl, &body) < 0 || body < 0)) {
      simple_error(fd, 400, "Bad Content-Length");
      goto done;
    }
    if (body > MAX_BODY_BYTES) {
      simple_error(fd, 413, "Request Entity Too Large");
      goto done;
    }
    int keep = handle(fd, &req);
    /* Drop the body: what is already buffered after the head, then the rest from the socket. */
    size_t rest = len - head_len;
    size_t have = (size_t)body < rest ? (size_t)body : rest;
    memmove(buf, buf + head_len + have, rest - have);
    len = rest - have;
    long long left = body - (long long)have;
    char sink[4096];
    while (left > 0) {
      ssize_t n = recv(fd, sink, left < (long long)sizeof sink ? (size_t)left : sizeof sink, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) goto done;
      left -= n;
    }
    if (!keep) break;
  }
done:
  free(buf);
  close(fd);
  atomic_fetch_sub(&g_live, 1);
}
