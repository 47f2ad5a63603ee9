/*
 * Native agnhost netexec: the lab runs this for netexec containers whose flags it supports
 * (src/lab/images.ts picks it), because a Node.js process per pod costs ~0.15 s of CPU to start on
 * a small machine. Behaviour follows upstream test/images/agnhost/netexec/netexec.go and the
 * TypeScript netexec (src/lab/agnhost/netexec.ts), which the same unit tests check.
 *
 * Threads: the main thread accepts TCP connections and answers UDP; each HTTP connection gets a
 * detached thread (at most MAX_CONNS at once), since /dial and /shell block for seconds.
 * Every buffer is bounded; bad input gets a 4xx answer or a closed connection, never a crash.
 */
#ifndef NETEXEC_H
#define NETEXEC_H
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MAX_HEADER_BYTES 16384   /* request line + headers, as Node's default */
#define MAX_HEADERS 100
#define MAX_BODY_BYTES (1 << 20) /* bodies we read (requests) or keep (dial, shell) */
#define MAX_CONNS 512

/* A growable byte string; past MAX_BODY_BYTES * 2 further appends are dropped (bounded memory). */
struct buf {
  char *p;
  size_t len, cap;
};
void buf_add(struct buf *b, const char *s, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);
/* Appends s as a JSON string the way Go's encoding/json writes it (<, >, & escaped). */
void buf_json_str(struct buf *b, const char *s, size_t n);

/* log.Printf: "2006/01/02 15:04:05 msg\n" on stderr. */
void golog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* time.Now().String(), with the monotonic reading since start. */
void go_now(struct buf *b);
/* strconv.Atoi; returns 0 on success, -1 for invalid syntax, -2 for out of range. */
int go_atoi(const char *s, long long *out);
/* time.ParseDuration into ns; returns 0 or -1. */
int go_parse_duration(const char *s, long long *ns);
void go_format_duration(struct buf *b, long long ns);
/* Go's strerror wording ("connection refused"). */
const char *go_errno(int err);
/* net.JoinHostPort of a peer address, IPv4-mapped IPv6 printed as IPv4. */
void go_addr(struct buf *b, const struct sockaddr *sa);
const char *status_text(int code);

/* Query strings, URLSearchParams semantics: '+' is a space, %XX decoded, first value wins. */
/* The decoded value of `key` (malloc'd, "" if absent); never NULL. */
char *query_get(const char *raw, const char *key);
/* Percent-decoding; plus_space turns '+' into ' '. Returns -1 on a bad escape (out unchanged). */
int pct_decode(const char *in, size_t n, struct buf *out, int plus_space);

/* /dial: fills status and body. */
void handle_dial(const char *query, int *status, struct buf *body);

/* Shared state. */
extern volatile int g_terminating;
extern int g_udp_ready;
extern const char *g_http_override;
void request_exit(int code);
#endif
