/* SPDX-License-Identifier: MIT */
/* pkt.c: the peer's frames (TCP, ICMP errors, ARP replies) and the reading of the device's. */
#include <stdio.h>
#include <string.h>

#include "conform.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* The harness's own Internet checksum (not libtoe's): it checks the device independently. */
uint16_t cf_csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += get16(p + i);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)len;
}

static void eth_header(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
}

/* IPv4 header with options; returns its length. */
static size_t ip_header(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, size_t payload,
                        uint8_t ttl, uint8_t tos, const uint8_t *opt, size_t optlen, int bad)
{
    size_t hl = 20 + optlen;
    memset(ip, 0, 20);
    ip[0] = (uint8_t)(0x40 | hl / 4);
    ip[1] = tos;
    put16(ip + 2, (uint16_t)(hl + payload));
    put16(ip + 4, 0x1234);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = ttl;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    memcpy(ip + 20, opt, optlen);
    put16(ip + 10, (uint16_t)(cf_csum(ip, hl, 0) ^ (bad ? 0x5555 : 0)));
    return hl;
}

size_t cf_build_tcp(const struct cf_net *n, const struct cf_seg *s, uint16_t sport, uint16_t dport,
                    uint32_t seq, uint32_t ack, uint8_t *f, size_t cap)
{
    size_t optlen = (s->optlen + 3) & ~(size_t)3;
    size_t ipl = 20 + ((s->ipoptlen + 3) & ~(size_t)3);
    size_t tcpl = 20 + optlen + s->len;
    if (14 + ipl + tcpl > cap)
        return 0;
    memset(f, 0, 14 + ipl + tcpl);
    eth_header(f, n->dev_mac, n->peer_mac, 0x0800);
    uint32_t src = s->src_given ? s->src : n->peer_ip, dst = s->dst_given ? s->dst : n->dev_ip;
    uint8_t ipopt[CF_OPT_MAX] = {0};
    memcpy(ipopt, s->ipopt, s->ipoptlen);
    ip_header(f + 14, src, dst, 6, tcpl, s->ttl_given ? s->ttl : 64, s->tos_given ? s->tos : 0,
              ipopt, ipl - 20, s->bad_ip_csum);
    uint8_t *h = f + 14 + ipl;
    put16(h, sport);
    put16(h + 2, dport);
    put32(h + 4, seq);
    put32(h + 8, ack);
    h[12] = (uint8_t)((20 + optlen) / 4 << 4);
    h[13] = s->flags;
    put16(h + 14, (uint16_t)(s->win_given ? s->win : 65535));
    put16(h + 18, s->urg);
    memcpy(h + 20, s->opt, s->optlen);
    for (uint32_t i = 0; i < s->len; i++)
        h[20 + optlen + i] = s->data_given ? s->data[i] : (uint8_t)('a' + (seq + i) % 26);
    uint16_t c = cf_csum(h, tcpl, pseudo_sum(src, dst, 6, tcpl));
    put16(h + 16, (uint16_t)(c ^ (s->bad_tcp_csum ? 0x5555 : 0)));
    return 14 + ipl + tcpl;
}

size_t cf_build_icmp(const struct cf_net *n, const struct cf_icmp *ic, uint32_t peer,
                     uint16_t sport, uint16_t dport, uint32_t seq, uint8_t *f, size_t cap)
{
    const size_t quoted = 20 + 8, icmpl = 8 + quoted;
    if (14 + 20 + icmpl > cap)
        return 0;
    memset(f, 0, 14 + 20 + icmpl);
    eth_header(f, n->dev_mac, n->peer_mac, 0x0800);
    ip_header(f + 14, ic->src_given ? ic->src : peer, n->dev_ip, 1, icmpl, 64, 0, NULL, 0, 0);
    uint8_t *m = f + 34;
    m[0] = ic->type;
    m[1] = ic->code;
    if (ic->type == 3 && ic->code == 4)
        put16(m + 6, ic->mtu);
    if (ic->type == 12)
        m[4] = 20; /* parameter problem: the pointer */
    /* The device's datagram as the peer saw it: its IP header and the first 8 bytes of TCP. */
    ip_header(m + 8, n->dev_ip, peer, 6, 20, 64, 0, NULL, 0, 0);
    put16(m + 28, sport);
    put16(m + 30, dport);
    put32(m + 32, seq);
    put16(m + 2, cf_csum(m, icmpl, 0));
    return 14 + 20 + icmpl;
}

size_t cf_build_arp_reply(const struct cf_net *n, const uint8_t mac[6], uint32_t ip, uint8_t *f)
{
    memset(f, 0, 60);
    eth_header(f, n->dev_mac, mac, 0x0806);
    put16(f + 14, 1);
    put16(f + 16, 0x0800);
    f[18] = 6, f[19] = 4;
    put16(f + 20, 2);
    memcpy(f + 22, mac, 6);
    put32(f + 28, ip);
    memcpy(f + 32, n->dev_mac, 6);
    put32(f + 38, n->dev_ip);
    return 60;
}

int cf_parse_tcp(const uint8_t *f, size_t len, struct cf_tcp_view *v, char *why, size_t whylen)
{
    if (len < 14 + 20 || get16(f + 12) != 0x0800) {
        snprintf(why, whylen, "not IPv4");
        return -1;
    }
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = get16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || tot < ihl || 14 + tot > len) {
        snprintf(why, whylen, "malformed IPv4 header");
        return -1;
    }
    if (cf_csum(ip, ihl, 0) != 0) {
        snprintf(why, whylen, "bad IPv4 header checksum");
        return -1;
    }
    if (ip[9] != 6) {
        snprintf(why, whylen, "IPv4 protocol %u, not TCP", ip[9]);
        return -1;
    }
    if ((get16(ip + 6) & 0x3fff) != 0) {
        snprintf(why, whylen, "an IPv4 fragment");
        return -1;
    }
    const uint8_t *h = ip + ihl;
    size_t tcpl = tot - ihl, doff = tcpl >= 20 ? (size_t)(h[12] >> 4) * 4 : 0;
    if (tcpl < 20 || doff < 20 || doff > tcpl) {
        snprintf(why, whylen, "malformed TCP header");
        return -1;
    }
    v->src = get32(ip + 12);
    v->dst = get32(ip + 16);
    if (cf_csum(h, tcpl, pseudo_sum(v->src, v->dst, 6, tcpl)) != 0) {
        snprintf(why, whylen, "bad TCP checksum");
        return -1;
    }
    v->ttl = ip[8];
    v->tos = ip[1];
    v->df = (get16(ip + 6) & 0x4000) != 0;
    v->ihl_words = (uint8_t)(ihl / 4);
    v->sport = get16(h);
    v->dport = get16(h + 2);
    v->seq = get32(h + 4);
    v->ack = get32(h + 8);
    v->flags = h[13];
    v->win = get16(h + 14);
    v->urg = get16(h + 18);
    v->opt = h + 20;
    v->optlen = doff - 20;
    v->data = h + doff;
    v->len = tcpl - doff;
    return 0;
}

void cf_fmt_opts(const uint8_t *o, size_t len, char *buf, size_t cap)
{
    size_t k = 0;
    buf[0] = 0;
    if (!len)
        return;
    k += (size_t)snprintf(buf + k, cap - k, "<");
    for (size_t i = 0; i < len && k < cap;) {
        const char *sep = i ? "," : "";
        uint8_t kind = o[i];
        if (kind == 0) {
            /* EOL: the rest must be zero padding (RFC 9293 MUST-69); anything else shows. */
            size_t j = i + 1;
            while (j < len && o[j] == 0)
                j++;
            k += (size_t)snprintf(buf + k, cap - k, "%seol", sep);
            i = j;
            continue;
        }
        if (kind == 1) {
            k += (size_t)snprintf(buf + k, cap - k, "%snop", sep);
            i++;
            continue;
        }
        uint8_t ol = i + 1 < len ? o[i + 1] : 0;
        if (ol < 2 || i + ol > len) {
            k += (size_t)snprintf(buf + k, cap - k, "%sbad kind %u len %u", sep, kind, ol);
            break;
        }
        if (kind == 2 && ol == 4)
            k += (size_t)snprintf(buf + k, cap - k, "%smss %u", sep, get16(o + i + 2));
        else if (kind == 3 && ol == 3)
            k += (size_t)snprintf(buf + k, cap - k, "%swscale %u", sep, o[i + 2]);
        else if (kind == 4 && ol == 2)
            k += (size_t)snprintf(buf + k, cap - k, "%ssackOK", sep);
        else if (kind == 8 && ol == 10)
            k += (size_t)snprintf(buf + k, cap - k, "%sTS val %u ecr %u", sep, get32(o + i + 2),
                                  get32(o + i + 6));
        else
            k += (size_t)snprintf(buf + k, cap - k, "%sopt %u %u", sep, kind, ol);
        i += ol;
    }
    if (k < cap)
        snprintf(buf + k, cap - k, ">");
}

void cf_fmt_flags(uint8_t flags, char *buf)
{
    static const struct { uint8_t bit; char c; } tab[] = {
        {CF_SYN, 'S'}, {CF_FIN, 'F'}, {CF_RST, 'R'}, {CF_PSH, 'P'}, {CF_URG, 'U'}, {CF_ACK, '.'}};
    size_t k = 0;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (flags & tab[i].bit)
            buf[k++] = tab[i].c;
    if (flags & 0x40)
        buf[k++] = 'E';
    if (flags & 0x80)
        buf[k++] = 'W';
    if (!k)
        buf[k++] = '-';
    buf[k] = 0;
}
