/* SPDX-License-Identifier: MIT */
/* http_internal.h: what http.c, http_tcp.c and dns.c share, and the parsers the unit tests
 * reach directly. Not installed. The code of sw/app is built on the public headers only
 * (toe.h, toe_http.h: sw/sw.mk gives it no path to sw/src). */
#ifndef TOE_HTTP_INTERNAL_H
#define TOE_HTTP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "toe_http.h"

/* A parsed response head. */
struct toe_http_head {
    int version;            /* 10 or 11 */
    int status;
    char reason[64];
    int64_t content_length; /* -1: none (or overridden by chunked) */
    int chunked, has_te;
    int conn_close, conn_keep;
    int keep_alive;         /* the connection may carry another request after this body */
    int no_body;            /* 1xx, 204, 304 */
    char content_type[128];
    int has_location;
    char location[TOE_HTTP_TARGET_MAX];
};

/* Parse a whole response head (status line, header lines, the empty line; len bytes, ending
 * with LF). Returns 0 or TOE_EPROTO with a reason in err. */
int toe_http_parse_head(const char *head, size_t len, unsigned max_headers,
                        struct toe_http_head *h, char *err, size_t errlen);

/* Parse a chunk-size line (without its line ending): hex size, optional whitespace and
 * ;extensions. Returns 0 or TOE_EPROTO (no digits, over 2^63, junk, control characters). */
int toe_http_parse_chunk_size(const char *line, size_t n, uint64_t *size);

/* The toe_tcp_* transport for toe_http_new_dev (http_tcp.c): fills connect, send, recv and
 * close; user must be a struct http_devctx. Returns 0 or TOE_ENOTSUP (no TCP API). */
struct http_devctx {
    toe_dev *dev;
    uint32_t dns;
};
int toe_http_io_tcp(struct toe_http_io *io);

/* Format a reason into err (errlen bytes; nothing if err is NULL or errlen 0). */
void toe_app_fmt_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* DNS messages (dns.c). Build a query for name (type A, RD) into buf (at least 512 bytes);
 * returns its length, or TOE_EINVAL for a bad name. */
int toe_dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name);
/* Parse an answer to the query (qlen bytes, as built above). Returns 0 with *ip, 1 if it is
 * not an answer to this query (another ID or question: ignore it), TOE_EUNREACH (no such
 * name, no A record, server failure) or TOE_EPROTO (malformed), with a reason in err. */
int toe_dns_parse_answer(const uint8_t *p, size_t n, const uint8_t *query, size_t qlen,
                         uint32_t *ip, char *err, size_t errlen);

#endif
