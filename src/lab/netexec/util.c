/* Strings, JSON, Go-style formatting (log lines, time, durations, errno text) for netexec. */
#include "netexec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUF_LIMIT ((size_t)MAX_BODY_BYTES * 2)

void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->len + n + 1 > BUF_LIMIT) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void buf_str(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_fmt(struct buf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    buf_add(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) return;
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  buf_add(b, big, (size_t)n);
  free(big);
}

void buf_free(struct buf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

void buf_json_str(struct buf *b, const char *s, size_t n) {
  buf_add(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': buf_add(b, "\\\"", 2); break;
    case '\\': buf_add(b, "\\\\", 2); break;
    case '\n': buf_add(b, "\\n", 2); break;
    case '\r': buf_add(b, "\\r", 2); break;
    case '\t': buf_add(b, "\\t", 2); break;
    case '\b': buf_add(b, "\\b", 2); break;
    case '\f': buf_add(b, "\\f", 2); break;
    case '<': buf_add(b, "\\u003c", 6); break;
    case '>': buf_add(b, "\\u003e", 6); break;
    case '&': buf_add(b, "\\u0026", 6); break;
    default:
      if (c < 0x20) {
        buf_fmt(b, "\\u%04x", c);
      } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
        buf_str(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029"); /* as encoding/json */
        i += 2;
      } else {
        buf_add(b, (const char *)&s[i], 1);
      }
    }
  }
  buf_add(b, "\"", 1);
}

void golog(const char *fmt, ...) {
  char line[4096];
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  size_t n = strftime(line, sizeof line, "%Y/%m/%d %H:%M:%S ", &tm);
  va_list ap;
  va_start(ap, fmt);
  int m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
  va_end(ap);
  size_t len = m < 0 ? n : n + (size_t)m;
  if (len > sizeof line - 2) len = sizeof line - 2; /* long messages are cut, never overrun */
  if (len == 0 || line[len - 1] != '\n') line[len++] = '\n';
  fwrite(line, 1, len, stderr); /* one call: glibc locks the stream, so lines never interleave */
}

static struct timespec g_start;
__attribute__((constructor)) static void start_clock(void) { clock_gettime(CLOCK_MONOTONIC, &g_start); }

void go_now(struct buf *b) {
  struct timespec ts, mono;
  clock_gettime(CLOCK_REALTIME, &ts);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  struct tm tm;
  localtime_r(&ts.tv_sec, &tm);
  char date[64];
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm);
  buf_str(b, date);
  if (ts.tv_nsec) {
    char frac[16];
    snprintf(frac, sizeof frac, "%09ld", ts.tv_nsec);
    size_t k = strlen(frac);
    while (k > 0 && frac[k - 1] == '0') frac[--k] = 0;
    buf_fmt(b, ".%s", frac);
  }
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  long long mns = (long long)(mono.tv_sec - g_start.tv_sec) * 1000000000LL + (mono.tv_nsec - g_start.tv_nsec);
  buf_fmt(b, " %c%02ld%02ld %s m=+%lld.%09lld", sign, off / 3600, (off / 60) % 60, tm.tm_zone ? tm.tm_zone : "UTC",
          mns / 1000000000LL, mns % 1000000000LL);
}

int go_atoi(const char *s, long long *out) {
  const char *p = s;
  if (*p == '+' || *p == '-') p++;
  if (!*p) return -1;
  for (const char *q = p; *q; q++)
    if (*q < '0' || *q > '9') return -1;
  if (strlen(p) > 16) return -2; /* past JavaScript's safe integers, as the TS version refuses */
  *out = strtoll(s, NULL, 10);
  return 0;
}

static const struct {
  const char *name;
  long long ns;
} units[] = {{"ns", 1}, {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000}, {"ms", 1000000},
             {"s", 1000000000LL}, {"m", 60000000000LL}, {"h", 3600000000000LL}};

int go_parse_duration(const char *s, long long *ns) {
  int neg = 0;
  if (*s == '-' || *s == '+') neg = *s++ == '-';
  if (strcmp(s, "0") == 0) {
    *ns = 0;
    return 0;
  }
  if (!*s) return -1;
  unsigned long long total = 0;
  while (*s) {
    unsigned long long whole = 0, frac = 0, scale = 1;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
      if (whole > (1ULL << 63) / 10) return -1;
      whole = whole * 10 + (unsigned)(*s++ - '0');
      digits++;
    }
    int fdigits = 0;
    if (*s == '.') {
      s++;
      while (*s >= '0' && *s <= '9') {
        if (scale < 1000000000000000000ULL) {
          frac = frac * 10 + (unsigned)(*s - '0');
          scale *= 10;
        }
        s++;
        fdigits++;
      }
    }
    if (digits == 0 && fdigits == 0) return -1;
    const char *u = s;
    while (*s && *s != '.' && (*s < '0' || *s > '9')) s++;
    size_t ulen = (size_t)(s - u);
    if (ulen == 0) return -1;
    long long unit = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
      if (strlen(units[i].name) == ulen && memcmp(units[i].name, u, ulen) == 0) unit = units[i].ns;
    if (!unit) return -1;
    if (whole > (unsigned long long)INT64_MAX / (unsigned long long)unit) return -1;
    unsigned long long v = whole * (unsigned long long)unit;
    v += (unsigned long long)((long double)frac * (long double)unit / (long double)scale);
    total += v;
    if (total > (unsigned long long)INT64_MAX) return -1;
  }
  *ns = neg ? -(long long)total : (long long)total;
  return 0;
}

static void frac_fmt(struct buf *b, unsigned long long v, int digits) {
  unsigned long long div = 1;
  for (int i = 0; i < digits; i++) div *= 10;
  char f[32];
  snprintf(f, sizeof f, "%0*llu", digits, v % div);
  size_t k = strlen(f);
  while (k > 0 && f[k - 1] == '0') f[--k] = 0;
  if (k) buf_fmt(b, "%llu.%s", v / div, f);
  else buf_fmt(b, "%llu", v / div);
}

void go_format_duration(struct buf *b, long long ns) {
  if (ns == 0) {
    buf_str(b, "0s");
    return;
  }
  if (ns < 0) buf_str(b, "-");
  unsigned long long u = ns < 0 ? (unsigned long long)(-(ns + 1)) + 1 : (unsigned long long)ns;
  if (u < 1000000000ULL) {
    if (u < 1000) buf_fmt(b, "%lluns", u);
    else if (u < 1000000) {
      frac_fmt(b, u, 3);
      buf_str(b, "\xc2\xb5s");
    } else {
      frac_fmt(b, u, 6);
      buf_str(b, "ms");
    }
    return;
  }
  unsigned long long mins = u / 60000000000ULL, hours = mins / 60;
  if (hours) buf_fmt(b, "%lluh", hours);
  if (mins) buf_fmt(b, "%llum", mins % 60);
  frac_fmt(b, u % 60000000000ULL, 9);
  buf_str(b, "s");
}

const char *go_errno(int err) {
  switch (err) {
  case ECONNREFUSED: return "connection refused";
  case ECONNRESET: return "connection reset by peer";
  case EHOSTUNREACH: return "no route to host";
  case ENETUNREACH: return "network is unreachable";
  case ETIMEDOUT: return "connection timed out";
  case EADDRINUSE: return "address already in use";
  case EADDRNOTAVAIL: return "cannot assign requested address";
  case EACCES: return "permission denied";
  case EPIPE: return "broken pipe";
  case EAFNOSUPPORT: return "address family not supported by protocol";
  case EPERM: return "operation not permitted";
  case EINVAL: return "invalid argument";
  default: return strerror(err);
  }
}

void go_addr(struct buf *b, const struct sockaddr *sa) {
  char ip[INET6_ADDRSTRLEN] = "";
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
    buf_fmt(b, "%s:%u", ip, ntohs(s4->sin_port));
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
      inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip, sizeof ip);
      buf_fmt(b, "%s:%u", ip, ntohs(s6->sin6_port));
    } else {
      inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
      buf_fmt(b, "[%s]:%u", ip, ntohs(s6->sin6_port));
    }
  } else {
    buf_str(b, ":0");
  }
}

int pct_decode(const char *in, size_t n, struct buf *out, int plus_space) {
  struct buf tmp = {0};
  for (size_t i = 0; i < n; i++) {
    char c = in[i];
    if (c == '%') {
      int hi, lo;
      if (i + 2 >= n) goto bad;
      hi = in[i + 1];
      lo = in[i + 2];
      char hex[3] = {(char)hi, (char)lo, 0};
      char *end;
      if (!((hi >= '0' && hi <= '9') || ((hi | 32) >= 'a' && (hi | 32) <= 'f')) ||
          !((lo >= '0' && lo <= '9') || ((lo | 32) >= 'a' && (lo | 32) <= 'f')))
        goto bad;
      char v = (char)strtol(hex, &end, 16);
      buf_add(&tmp, &v, 1);
      i += 2;
    } else if (c == '+' && plus_space) {
      buf_add(&tmp, " ", 1);
    } else {
      buf_add(&tmp, &c, 1);
    }
  }
  buf_add(out, tmp.p ? tmp.p : "", tmp.len);
  buf_free(&tmp);
  return 0;
bad:
  buf_free(&tmp);
  return -1;
}

char *query_get(const char *raw, const char *key) {
  size_t klen = strlen(key);
  const char *p = raw;
  while (p && *p) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    size_t nlen = eq ? (size_t)(eq - p) : len;
    struct buf name = {0};
    if (pct_decode(p, nlen, &name, 1) < 0) buf_add(&name, p, nlen); /* URLSearchParams keeps bad escapes */
    int match = name.len == klen && memcmp(name.p ? name.p : "", key, klen) == 0;
    buf_free(&name);
    if (match) {
      struct buf v = {0};
      if (eq) {
        size_t vlen = len - nlen - 1;
        if (pct_decode(eq + 1, vlen, &v, 1) < 0) {
          /* Keep what can be decoded: URLSearchParams leaves a bad %-sequence as it is. */
          for (size_t i = 0; i < vlen; i++) {
            if (eq[1 + i] == '+') buf_add(&v, " ", 1);
            else if (eq[1 + i] == '%' && pct_decode(eq + 1 + i, vlen - i >= 3 ? 3 : vlen - i, &v, 0) == 0) i += 2;
            else buf_add(&v, eq + 1 + i, 1);
          }
        }
      }
      char *out = strdup(v.p ? v.p : "");
      buf_free(&v);
      return out ? out : strdup("");
    }
    p = amp ? amp + 1 : NULL;
  }
  return strdup("");
}

const char *status_text(int code) {
  switch (code) {
  case 100: return "Continue";
  case 200: return "OK";
  case 201: return "Created";
  case 202: return "Accepted";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 303: return "See Other";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 308: return "Permanent Redirect";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 408: return "Request Timeout";
  case 412: return "Precondition Failed";
  case 418: return "I'm a teapot";
  case 429: return "Too Many Requests";
  case 431: return "Request Header Fields Too Large";
  case 500: return "Internal Server Error";
  case 501: return "Not Implemented";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  default: return "";
  }
}
