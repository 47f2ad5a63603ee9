/* netexec's HTTP endpoints, as upstream netexec.go and src/lab/agnhost/netexec.ts answer them. */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void hostname_reply(struct reply *rep) {
  char h[256] = "";
  gethostname(h, sizeof h - 1);
  buf_str(&rep->body, h);
}

/* Go's http.CanonicalHeaderKey. */
static void canon(const char *k, char *out, size_t cap) {
  size_t i = 0;
  int upper = 1;
  for (; k[i] && i + 1 < cap; i++) {
    char c = k[i];
    out[i] = upper ? (char)toupper((unsigned char)c) : (char)tolower((unsigned char)c);
    upper = c == '-';
  }
  out[i] = 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void header_reply(const struct request *req, const char *query, struct reply *rep) {
  char *key = query_get(query, "key");
  if (*key) {
    golog("GET /header?key=%s", key);
    const char *v = header_get(req, key);
    if (v) buf_str(&rep->body, v);
    free(key);
    return;
  }
  free(key);
  golog("GET /header");
  /* Go's Header map: canonical keys, sorted by encoding/json, values in order, Host removed. */
  char names[MAX_HEADERS][128];
  char *sorted[MAX_HEADERS];
  int n = 0;
  for (int i = 0; i < req->nheaders; i++) {
    char c[128];
    canon(req->headers[i].name, c, sizeof c);
    if (strcmp(c, "Host") == 0) continue;
    int dup = 0;
    for (int j = 0; j < n; j++) dup |= strcmp(names[j], c) == 0;
    if (dup) continue;
    strcpy(names[n], c);
    sorted[n] = names[n];
    n++;
  }
  qsort(sorted, (size_t)n, sizeof sorted[0], cmp_str);
  buf_str(&rep->body, "{");
  for (int j = 0; j < n; j++) {
    if (j) buf_str(&rep->body, ",");
    buf_json_str(&rep->body, sorted[j], strlen(sorted[j]));
    buf_str(&rep->body, ":[");
    int first = 1;
    for (int i = 0; i < req->nheaders; i++) {
      char c[128];
      canon(req->headers[i].name, c, sizeof c);
      if (strcmp(c, sorted[j]) != 0) continue;
      if (!first) buf_str(&rep->body, ",");
      first = 0;
      buf_json_str(&rep->body, req->headers[i].value, strlen(req->headers[i].value));
    }
    buf_str(&rep->body, "]");
  }
  buf_str(&rep->body, "}");
}

static void echo_reply(const char *query, struct reply *rep) {
  char *msg = query_get(query, "msg"), *code = query_get(query, "code");
  golog("GET /echo?msg=%s&code=%s", msg, code);
  long long c;
  if (!*code) {
    buf_str(&rep->body, msg);
  } else if (go_atoi(code, &c) < 0) {
    buf_str(&rep->body, "argument 'code' must be an integer or empty, got ");
    buf_json_str(&rep->body, code, strlen(code));
    buf_str(&rep->body, "\n");
  } else {
    rep->status = c < 100 || c > 999 ? 500 : (int)c;
    buf_str(&rep->body, msg);
  }
  free(msg);
  free(code);
}

/* http.Redirect: a relative location is resolved against the request path (query dropped). */
static void redirect_reply(const struct request *req, const char *path, const char *query, struct reply *rep) {
  char *loc = query_get(query, "location"), *code = query_get(query, "code");
  golog("%s /redirect?msg=%s&code=%s", req->method, loc, code);
  long long c = 302;
  if (*code && go_atoi(code, &c) < 0) {
    buf_str(&rep->body, "argument 'code' must be an integer or empty, got ");
    buf_json_str(&rep->body, code, strlen(code));
    buf_str(&rep->body, "\n");
    goto out;
  }
  rep->status = c < 100 || c > 999 ? 500 : (int)c;
  int scheme = isalpha((unsigned char)loc[0]);
  size_t i = 0;
  while (scheme && loc[i] && loc[i] != ':') {
    if (!isalnum((unsigned char)loc[i]) && loc[i] != '+' && loc[i] != '.' && loc[i] != '-') scheme = 0;
    i++;
  }
  scheme = scheme && loc[i] == ':';
  if (scheme || loc[0] == '/') {
    buf_str(&rep->location, loc);
  } else {
    const char *slash = strrchr(path, '/');
    struct buf joined = {0};
    buf_add(&joined, path, slash ? (size_t)(slash - path) + 1 : 0);
    buf_str(&joined, loc);
    /* Dot segments removed as URL resolution does; a trailing "." or ".." leaves a slash. */
    char *segs[256];
    int n = 0;
    char *save, *s = strtok_r(joined.p, "/", &save);
    size_t jl = strlen(loc);
    int trailing = jl == 0 || loc[jl - 1] == '/' || strcmp(loc, ".") == 0 || strcmp(loc, "..") == 0 ||
                   (jl >= 2 && strcmp(loc + jl - 2, "/.") == 0) || (jl >= 3 && strcmp(loc + jl - 3, "/..") == 0);
    for (; s; s = strtok_r(NULL, "/", &save)) {
      if (strcmp(s, ".") == 0) continue;
      if (strcmp(s, "..") == 0) {
        if (n) n--;
        continue;
      }
      if (n < 256) segs[n++] = s;
    }
    for (int k = 0; k < n; k++) buf_fmt(&rep->location, "/%s", segs[k]);
    if (trailing || n == 0) buf_str(&rep->location, "/");
    buf_free(&joined);
  }
  rep->content_type = "text/html; charset=utf-8";
  if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
    buf_str(&rep->body, "<a href=\"");
    for (const char *p = rep->location.p; p && *p; p++) {
      if (*p == '"') buf_str(&rep->body, "&#34;");
      else buf_add(&rep->body, p, 1);
    }
    buf_fmt(&rep->body, "\">%s</a>.\n\n", status_text(rep->status));
  }
out:
  free(loc);
  free(code);
}

/* exec.Command("/bin/sh", "-c", cmd).CombinedOutput(), as JSON {"error", "output"}. */
static void shell_reply(const char *query, struct reply *rep) {
  char *cmd = query_get(query, "shellCommand");
  if (!*cmd) {
    free(cmd);
    cmd = query_get(query, "cmd");
  }
  golog("GET /shell?cmd=%s", cmd);
  int pfd[2];
  struct buf out = {0};
  char err[128] = "";
  if (pipe2(pfd, O_CLOEXEC) < 0) {
    snprintf(err, sizeof err, "%s", go_errno(errno));
  } else {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&at, &none); /* the signal thread blocks TERM/INT in us, not in the shell */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(pfd[1]);
    if (rc != 0) {
      snprintf(err, sizeof err, "fork/exec /bin/sh: %s", go_errno(rc));
    } else {
      char chunk[4096];
      for (;;) {
        ssize_t n = read(pfd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out.len < MAX_BODY_BYTES) buf_add(&out, chunk, (size_t)n); /* past the cap: drained, not kept */
      }
      int st;
      while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
      if (WIFEXITED(st) && WEXITSTATUS(st) != 0) snprintf(err, sizeof err, "exit status %d", WEXITSTATUS(st));
      if (WIFSIGNALED(st)) {
        snprintf(err, sizeof err, "signal: %s", strsignal(WTERMSIG(st)));
        err[8] = (char)tolower((unsigned char)err[8]); /* Go: "signal: killed" */
      }
    }
    close(pfd[0]);
  }
  buf_str(&rep->body, "{");
  if (*err) {
    buf_str(&rep->body, "\"error\":");
    buf_json_str(&rep->body, err, strlen(err));
  }
  if (out.len) {
    buf_str(&rep->body, *err ? ",\"output\":" : "\"output\":");
    buf_json_str(&rep->body, out.p, out.len);
  }
  buf_str(&rep->body, "}");
  buf_free(&out);
  free(cmd);
}

static void exit_reply(const char *query, struct reply *rep) {
  char *w = query_get(query, "wait"), *t = query_get(query, "timeout"), *c = query_get(query, "code");
  golog("GET /exit?code=%s&timeout=%s&wait=%s", c, t, w);
  long long timeout = 0, wait = 0, code = 0;
  const char *bad = NULL, *val = NULL;
  if (*t && go_parse_duration(t, &timeout) < 0) bad = "argument 'timeout' must be a valid golang duration or empty, got ", val = t;
  else if (*w && go_parse_duration(w, &wait) < 0) bad = "argument 'wait' must be a valid golang duration or empty, got ", val = w;
  else if (*c && (go_atoi(c, &code) < 0)) bad = "argument 'code' must be an integer [0-127] or empty, got ", val = c;
  if (bad) {
    buf_str(&rep->body, bad);
    buf_json_str(&rep->body, val, strlen(val));
    buf_str(&rep->body, "\n");
  } else {
    struct buf a = {0}, b = {0};
    go_format_duration(&a, wait);
    go_format_duration(&b, timeout);
    golog("Will begin shutdown in %s, allowing %s for connections to close, then will exit with %lld", a.p, b.p, code);
    buf_free(&a);
    buf_free(&b);
    if (wait > 0) {
      struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
      while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
      }
    }
    rep->no_length = 1;
    rep->close = 1;
    rep->exit_code = (int)(code & 0xff);
    rep->exit_timeout_ns = timeout;
  }
  free(w);
  free(t);
  free(c);
}

void route(const struct request *req, const char *path, const char *query, struct reply *rep) {
  if (strcmp(path, "/clientip") == 0) {
    golog("GET /clientip");
    go_addr(&rep->body, (const struct sockaddr *)&req->peer);
  } else if (strcmp(path, "/header") == 0) {
    header_reply(req, query, rep);
  } else if (strcmp(path, "/dial") == 0) {
    handle_dial(query, &rep->status, &rep->body);
  } else if (strcmp(path, "/echo") == 0) {
    echo_reply(query, rep);
  } else if (strcmp(path, "/healthz") == 0) {
    golog("GET /healthz");
    rep->status = g_udp_ready ? 200 : 412;
  } else if (strcmp(path, "/readyz") == 0) {
    golog("GET /readyz");
    if (g_terminating) {
      rep->status = 503;
      buf_str(&rep->body, "shutting down");
    } else if (g_udp_ready) {
      buf_str(&rep->body, "ok");
    } else {
      rep->status = 412;
    }
  } else if (strcmp(path, "/hostname") == 0 || strcmp(path, "/hostName") == 0) {
    golog("GET %s", path);
    hostname_reply(rep);
  } else if (strcmp(path, "/redirect") == 0) {
    redirect_reply(req, path, query, rep);
  } else if (strcmp(path, "/shell") == 0) {
    shell_reply(query, rep);
  } else if (strcmp(path, "/exit") == 0) {
    exit_reply(query, rep);
  } else if (strcmp(path, "/shutdown") == 0) {
    golog("GET /shutdown");
    rep->no_length = 1;
    rep->exit_code = 0;
  } else {
    golog("GET /");
    buf_str(&rep->body, "NOW: ");
    go_now(&rep->body);
  }
}
