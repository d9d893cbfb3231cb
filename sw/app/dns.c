/* SPDX-License-Identifier: MIT */
/* dns.c: a DNS stub resolver (RFC 1035, type A over UDP) on the device's raw path: the query
 * goes out with toe_ip_send (the device fills in the IPv4 and UDP checksums), the answer comes
 * back through the raw queue (toe_raw_recv). On the public API only (toe.h). */
#include <arpa/inet.h>
#include <string.h>
#include <sys/random.h>

#include "http_internal.h"

#define DNS_PORT 53
#define DNS_TRIES 3
#define DNS_DEFAULT_TIMEOUT_MS 6000
#define DNS_FRAME_MAX 1514 /* an Ethernet frame without FCS: what toe_raw_recv returns */

/* Big-endian fields (the engine's own helpers are internal to it). */
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) << 16 | rd16(p + 2); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)(v >> 16)); wr16(p + 2, (uint16_t)v); }

/* Milliseconds from device time now to deadline (rounded up; 0 once it has passed). */
static int ms_until(uint64_t now, uint64_t deadline)
{
    uint64_t ms = now < deadline ? (deadline - now + 999u) / 1000u : 0;
    return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

int toe_dns_build_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n && name[n - 1] == '.')
        n--; /* a trailing dot names the root */
    if (n == 0 || n > 253 || cap < 12 + n + 2 + 4)
        return TOE_EINVAL;
    memset(buf, 0, 12);
    wr16(buf, id);
    wr16(buf + 2, 0x0100); /* standard query, recursion desired */
    wr16(buf + 4, 1);      /* QDCOUNT */
    size_t o = 12;
    const char *p = name, *end = name + n;
    while (p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        size_t l = dot ? (size_t)(dot - p) : (size_t)(end - p);
        if (l == 0 || l > 63)
            return TOE_EINVAL;
        for (size_t i = 0; i < l; i++) {
            unsigned char c = (unsigned char)p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_'))
                return TOE_EINVAL;
        }
        buf[o++] = (uint8_t)l;
        memcpy(buf + o, p, l);
        o += l;
        p += l + (dot ? 1 : 0);
        if (dot && p == end)
            return TOE_EINVAL; /* "a..": an empty label */
    }
    buf[o++] = 0;
    wr16(buf + o, 1); /* QTYPE A */
    wr16(buf + o + 2, 1); /* QCLASS IN */
    return (int)(o + 4);
}

/* Skip a (possibly compressed) name at *o. Returns 0 or -1 if it runs off the message. */
static int skip_name(const uint8_t *p, size_t n, size_t *o)
{
    size_t i = *o;
    for (int labels = 0; labels < 128; labels++) {
        if (i >= n)
            return -1;
        uint8_t l = p[i];
        if (l == 0) {
            *o = i + 1;
            return 0;
        }
        if ((l & 0xc0) == 0xc0) {
            if (i + 2 > n)
                return -1;
            *o = i + 2;
            return 0;
        }
        if (l & 0xc0)
            return -1; /* reserved label types */
        i += 1 + (size_t)l;
    }
    return -1;
}

/* The answer's question (at p + 12, end at qend) is the query's: the same labels (ASCII case
 * folded, RFC 4343), QTYPE and QCLASS. */
static int same_question(const uint8_t *p, size_t qend, const uint8_t *q, size_t qlen)
{
    if (qend != qlen)
        return 0;
    for (size_t i = 12; i < qlen; i++) {
        uint8_t a = p[i], b = q[i];
        if (a >= 'A' && a <= 'Z')
            a = (uint8_t)(a + 32);
        if (b >= 'A' && b <= 'Z')
            b = (uint8_t)(b + 32);
        if (a != b)
            return 0; /* length bytes (below 64) are never letters: compared exactly */
    }
    return 1;
}

int toe_dns_parse_answer(const uint8_t *p, size_t n, const uint8_t *query, size_t qlen,
                         uint32_t *ip, char *err, size_t errlen)
{
    if (n < 12 || qlen < 12)
        return 1;
    if (rd16(p) != rd16(query) || !(p[2] & 0x80))
        return 1; /* not an answer to our query */
    unsigned opcode = (p[2] >> 3) & 15, rcode = p[3] & 15;
    unsigned qd = rd16(p + 4), an = rd16(p + 6);
    /* The question must be ours too (RFC 5452 section 9.1): with the random ID and port, what
     * a spoofer has to guess. */
    size_t o = 12;
    if (qd != 1)
        return 1;
    if (skip_name(p, n, &o) || o + 4 > n)
        goto bad;
    o += 4;
    if (!same_question(p, o, query, qlen))
        return 1;
    if (opcode != 0) {
        toe_app_fmt_err(err, errlen, "DNS answer with opcode %u", opcode);
        return TOE_EPROTO;
    }
    if (rcode == 3) {
        toe_app_fmt_err(err, errlen, "no such host (NXDOMAIN)");
        return TOE_EUNREACH;
    }
    if (rcode != 0) {
        toe_app_fmt_err(err, errlen, "DNS server error (rcode %u%s)", rcode,
                rcode == 2 ? ", server failure" : rcode == 5 ? ", refused" : "");
        return TOE_EUNREACH;
    }
    for (unsigned i = 0; i < an; i++) {
        if (skip_name(p, n, &o) || o + 10 > n)
            goto bad;
        unsigned type = rd16(p + o), cls = rd16(p + o + 2), rdlen = rd16(p + o + 8);
        o += 10;
        if (o + rdlen > n)
            goto bad;
        if (type == 1 && cls == 1) {
            if (rdlen != 4)
                goto bad;
            *ip = rd32(p + o);
            if (*ip == 0 || *ip == 0xffffffffu) {
                toe_app_fmt_err(err, errlen, "DNS answer names an unusable address");
                return TOE_EUNREACH;
            }
            return 0;
        }
        o += rdlen; /* CNAME and others: the A record of the target follows */
    }
    toe_app_fmt_err(err, errlen, (p[2] & 0x02) ? "DNS answer truncated and has no address"
                                       : "host has no IPv4 address (no A record)");
    return TOE_EUNREACH;
bad:
    toe_app_fmt_err(err, errlen, "malformed DNS answer");
    return TOE_EPROTO;
}

/* A UDP datagram from server:53 to us. Returns 0 if the frame is none (someone else's), 1
 * with its DNS payload if it is to our port with a good checksum, -1 if it is not (dropped
 * and counted: an answer to another port is a spoofing attempt or a stale query's). */
static int dns_datagram(const uint8_t *f, size_t len, uint32_t server, uint32_t me,
                        uint16_t port, const uint8_t **payload, size_t *plen)
{
    if (len < 14 + 20 + 8 || rd16(f + 12) != 0x0800)
        return 0;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = rd16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl + 8 || 14 + tot > len || ip[9] != 17 ||
        (rd16(ip + 6) & 0x3fff) || rd32(ip + 12) != server || rd32(ip + 16) != me)
        return 0;
    const uint8_t *udp = ip + ihl;
    size_t ulen = rd16(udp + 4);
    if (rd16(udp) != DNS_PORT)
        return 0;
    if (rd16(udp + 2) != port || ulen < 8 || ulen > tot - ihl)
        return -1;
    if (rd16(udp + 6)) { /* checksum over the pseudo-header and the datagram */
        uint8_t ph[12];
        memcpy(ph, ip + 12, 8);
        ph[8] = 0;
        ph[9] = 17;
        wr16(ph + 10, (uint16_t)ulen);
        uint32_t s = (uint16_t)~toe_inet_csum(ph, 12);
        s += (uint16_t)~toe_inet_csum(udp, ulen);
        while (s >> 16)
            s = (s & 0xffff) + (s >> 16);
        if (s != 0xffff)
            return -1;
    }
    *payload = udp + 8;
    *plen = ulen - 8;
    return 1;
}

int toe_dns_resolve(toe_dev *dev, uint32_t server, const char *name, uint32_t *ip,
                    int timeout_ms)
{
    if (!dev || !name || !ip)
        return TOE_EINVAL;
    *ip = 0;
    struct in_addr a;
    if (inet_pton(AF_INET, name, &a) == 1) {
        *ip = ntohl(a.s_addr);
        return 0;
    }
    if (!server)
        return toe_set_error(dev, TOE_EINVAL, "no DNS server");
    uint8_t pkt[28 + 512], rnd[4];
    /* Query ID and source port unpredictable (RFC 5452 section 9.2): 32 bits to guess. */
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return toe_set_error(dev, TOE_EIO, "getrandom failed: no DNS query ID");
    uint16_t qid = rd16(rnd);
    int qlen = toe_dns_build_query(pkt + 28, 512, qid, name);
    if (qlen < 0)
        return toe_set_error(dev, TOE_EINVAL, "bad host name '%.64s'", name);
    if (timeout_ms < 0)
        timeout_ms = DNS_DEFAULT_TIMEOUT_MS;
    /* Device time: the deadlines count on it (read at each try; then the arrival times of
     * the frames that come). */
    uint64_t now, deadline;
    int rc = toe_time(dev, &now, timeout_ms);
    if (rc)
        return rc;
    deadline = now + (uint64_t)timeout_ms * 1000u;
    struct toe_info info;
    rc = toe_get_info(dev, &info, timeout_ms);
    if (rc)
        return rc;
    uint16_t port = (uint16_t)(49152 + rd16(rnd + 2) % 16384);
    size_t len = 28 + (size_t)qlen;
    memset(pkt, 0, 28);
    pkt[0] = 0x45;
    wr16(pkt + 2, (uint16_t)len);
    wr16(pkt + 4, qid);
    wr16(pkt + 6, 0x4000); /* DF */
    pkt[8] = 64;
    pkt[9] = 17;
    wr32(pkt + 12, info.ip);
    wr32(pkt + 16, server);
    wr16(pkt + 20, port);
    wr16(pkt + 22, DNS_PORT);
    wr16(pkt + 24, (uint16_t)(8 + qlen));
    uint8_t f[DNS_FRAME_MAX];
    char err[TOE_ERRBUF_SIZE];
    for (int t = 0; t < DNS_TRIES; t++) {
        if (t && (rc = toe_time(dev, &now, ms_until(now, deadline))))
            return rc;
        if (now >= deadline)
            break;
        /* An equal share of the device time left for each try still to come. */
        uint64_t try_end = now + (deadline - now) / (uint64_t)(DNS_TRIES - t);
        rc = toe_ip_send(dev, pkt, len, TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4);
        if (rc)
            return rc;
        for (;;) {
            size_t flen = 0;
            uint64_t at = 0;
            rc = toe_raw_recv(dev, f, sizeof(f), &flen, NULL, &at, ms_until(now, try_end));
            if (rc == TOE_ETIMEDOUT || rc == TOE_EAGAIN)
                break;
            if (at > now)
                now = at;
            if (rc == TOE_EOVERFLOW)
                continue;
            if (rc)
                return rc;
            size_t plen = 0;
            const uint8_t *d = NULL;
            int k = dns_datagram(f, flen, server, info.ip, port, &d, &plen);
            if (k <= 0) {
                if (k < 0)
                    toe_host_stat_count(dev, TOE_HSTAT_DNS_DROP);
                continue;
            }
            rc = toe_dns_parse_answer(d, plen, pkt + 28, (size_t)qlen, ip, err, sizeof(err));
            if (rc == 1) {
                toe_host_stat_count(dev, TOE_HSTAT_DNS_DROP); /* another ID or question */
                continue;
            }
            if (rc)
                return toe_set_error(dev, rc, "%.64s: %s", name, err);
            return 0;
        }
    }
    return toe_set_error(dev, TOE_ETIMEDOUT, "no answer from the DNS server %u.%u.%u.%u",
                         server >> 24, (server >> 16) & 255, (server >> 8) & 255, server & 255);
}
