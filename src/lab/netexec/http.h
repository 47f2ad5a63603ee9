/* The HTTP/1.1 server side of netexec: one parsed request and the reply a route builds. */
#ifndef NETEXEC_HTTP_H
#define NETEXEC_HTTP_H
#include "netexec.h"

struct header {
  char *name, *value;
};

struct request {
  char method[16];
  char *target; /* as sent: path?query */
  int http10;
  struct header headers[MAX_HEADERS];
  int nheaders;
  struct sockaddr_storage peer;
};

struct reply {
  int status;
  struct buf body;
  const char *content_type; /* default text/plain; charset=utf-8 */
  struct buf location;      /* Location header when len > 0 */
  int no_length;            /* /shutdown and /exit: empty body without Content-Length */
  int close;                /* Connection: close, then act on exit_code */
  int exit_code;            /* >= 0: exit after the reply is written */
  long long exit_timeout_ns;
};

/* Routes the request (path decoded and cleaned by the caller) into rep. */
void route(const struct request *req, const char *path, const char *query, struct reply *rep);
const char *header_get(const struct request *req, const char *name);
/* Serves one accepted connection until it closes; frees nothing it does not own. */
void serve_conn(int fd);
/* Graceful /exit: live connections other than the caller's. */
int live_conns(void);
void stop_accepting(void);
#endif
