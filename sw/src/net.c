/* SPDX-License-Identifier: MIT */
/* net.c: the host's slow-path network layer: ARP cache with retries and expiry, a bounded
 * queue of frames waiting on resolution, next-hop routing by netmask and gateway, and ICMP
 * echo (toe_ping). Timers run on host time, driven by the device layer's engine turns. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "toe_internal.h"

#define ETH_ARP 0x0806
#define ETH_IP 0x0800

uint16_t toe_inet_csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += rd16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static const struct toe_layer net_layer;

int toe_net_init(toe_dev *dev)
{
    struct toe_net *n = &dev->net;
    n->pend = calloc(TOE_ARP_PENDING, sizeof(*n->pend));
    if (!n->pend)
        return TOE_ENOMEM;
    n->ping_id = (uint16_t)(getpid() ^ (uintptr_t)dev >> 4);
    return toe_dev_add_layer(dev, &net_layer, n);
}

void toe_net_free(toe_dev *dev)
{
    free(dev->net.pend);
    dev->net.pend = NULL;
}

/* The device's own addresses, read once per handle (toe_csr_write of one of them resets). */
int toe_net_cfg(toe_dev *dev, int timeout_ms)
{
    struct toe_net *n = &dev->net;
    if (n->have_cfg)
        return 0;
    static const uint16_t a[5] = {TOE_CSR_MAC_HI, TOE_CSR_MAC_LO, TOE_CSR_IP, TOE_CSR_NETMASK,
                                  TOE_CSR_GATEWAY};
    uint32_t v[5];
    int r = toe_csr_read_many(dev, a, v, 5, NULL, timeout_ms);
    if (r)
        return r;
    n->mac[0] = (uint8_t)(v[0] >> 8);
    n->mac[1] = (uint8_t)v[0];
    wr32(n->mac + 2, v[1]);
    n->ip = v[2];
    n->netmask = v[3];
    n->gateway = v[4];
    n->have_cfg = 1;
    return 0;
}

static int next_hop(toe_dev *dev, uint32_t ip, uint32_t *nh)
{
    struct toe_net *n = &dev->net;
    if (ip == 0 || ip == 0xffffffffu)
        return toe_seterr(dev, TOE_EINVAL, "bad destination address");
    if ((ip & n->netmask) == (n->ip & n->netmask)) {
        *nh = ip;
        return 0;
    }
    if (!n->gateway)
        return toe_seterr(dev, TOE_EUNREACH, "no route: off-subnet and no gateway set");
    *nh = n->gateway;
    return 0;
}

static struct toe_arp_entry *arp_find(toe_dev *dev, uint32_t ip)
{
    uint64_t now = toe_dev_now_us(dev);
    for (int i = 0; i < TOE_ARP_ENTRIES; i++) {
        struct toe_arp_entry *e = &dev->net.arp[i];
        if (e->state == TOE_ARP_VALID && e->expires <= now)
            e->state = TOE_ARP_FREE;
        if (e->state != TOE_ARP_FREE && e->ip == ip)
            return e;
    }
    return NULL;
}

static void arp_send_req(toe_dev *dev, uint32_t ip)
{
    struct toe_net *n = &dev->net;
    uint8_t f[42];
    memset(f, 0xff, 6);
    memcpy(f + 6, n->mac, 6);
    wr16(f + 12, ETH_ARP);
    wr16(f + 14, 1);
    wr16(f + 16, ETH_IP);
    f[18] = 6;
    f[19] = 4;
    wr16(f + 20, 1);
    memcpy(f + 22, n->mac, 6);
    wr32(f + 28, n->ip);
    memset(f + 32, 0, 6);
    wr32(f + 38, ip);
    struct toe_msg m = {.type = TOE_MSG_RAW_TX, .data = f, .data_len = sizeof(f)};
    if (!toe_dev_queue(dev, &m)) {
        dev->hs[TOE_HSTAT_ARP_REQ_SENT]++;
        dev->hs[TOE_HSTAT_RAW_TX]++;
    }
}

/* Start resolving ip (or keep going). Returns the entry, or NULL if the cache is full of
 * resolutions in progress. */
static struct toe_arp_entry *arp_start(toe_dev *dev, uint32_t ip)
{
    struct toe_arp_entry *e = arp_find(dev, ip);
    if (e)
        return e;
    struct toe_arp_entry *victim = NULL;
    for (int i = 0; i < TOE_ARP_ENTRIES; i++) {
        struct toe_arp_entry *c = &dev->net.arp[i];
        if (c->state == TOE_ARP_FREE) {
            victim = c;
            break;
        }
        if (c->state == TOE_ARP_VALID && (!victim || c->expires < victim->expires))
            victim = c;
    }
    if (!victim)
        return NULL;
    memset(victim, 0, sizeof(*victim));
    victim->state = TOE_ARP_PENDING_ST;
    victim->ip = ip;
    victim->tries = 1;
    victim->retry_at = toe_deadline(dev, TOE_ARP_RETRY_MS);
    arp_send_req(dev, ip);
    return victim;
}

/* Queue a RAW_TX of an IP packet to a resolved MAC. */
static int send_ip_frame(toe_dev *dev, const uint8_t *mac, const uint8_t *pkt, size_t len,
                         unsigned flags)
{
    uint8_t f[TOE_RAW_FRAME_MAX];
    memcpy(f, mac, 6);
    memcpy(f + 6, dev->net.mac, 6);
    wr16(f + 12, ETH_IP);
    memcpy(f + 14, pkt, len);
    struct toe_msg m = {.type = TOE_MSG_RAW_TX, .arg = (uint8_t)flags, .data = f,
                        .data_len = len + 14};
    int r = toe_dev_queue(dev, &m);
    if (!r)
        dev->hs[TOE_HSTAT_RAW_TX]++;
    return r;
}

/* Resolution of ip finished: send (mac) or drop (NULL) the frames waiting on it. */
static void pending_release(toe_dev *dev, uint32_t ip, const uint8_t *mac)
{
    for (int i = 0; i < TOE_ARP_PENDING; i++) {
        struct toe_pending *p = &dev->net.pend[i];
        if (!p->used || p->next_hop != ip)
            continue;
        if (mac)
            send_ip_frame(dev, mac, p->frame, p->len, p->flags);
        else
            dev->hs[TOE_HSTAT_ARP_PENDING_DROP]++;
        p->used = 0;
    }
}

/* ARP retries and give-ups that are due (device time, as every timer). */
static void net_timers(toe_dev *dev)
{
    for (int i = 0; i < TOE_ARP_ENTRIES; i++) {
        struct toe_arp_entry *e = &dev->net.arp[i];
        if (e->state != TOE_ARP_PENDING_ST || toe_remaining(dev, e->retry_at, -1) > 0)
            continue;
        if (e->tries >= TOE_ARP_TRIES) {
            e->state = TOE_ARP_FREE;
            dev->hs[TOE_HSTAT_ARP_FAIL]++;
            pending_release(dev, e->ip, NULL);
            continue;
        }
        e->tries++;
        e->retry_at = toe_deadline(dev, TOE_ARP_RETRY_MS);
        arp_send_req(dev, e->ip);
    }
}

/* Host ms until the next ARP retry is due on the device's clock (-1 none). */
static int net_next_timeout(toe_dev *dev)
{
    uint64_t next = UINT64_MAX;
    for (int i = 0; i < TOE_ARP_ENTRIES; i++) {
        const struct toe_arp_entry *e = &dev->net.arp[i];
        if (e->state == TOE_ARP_PENDING_ST && e->retry_at < next)
            next = e->retry_at;
    }
    return next == UINT64_MAX ? -1 : toe_dev_wait_ms(dev, next);
}

static const struct toe_layer net_layer = {
    .name = "net",
    .timers = net_timers,
    .next_timeout = net_next_timeout,
    .free = toe_net_free,
};

static int arp_input(toe_dev *dev, const uint8_t *f, size_t len)
{
    if (len < 42 || rd16(f + 14) != 1 || rd16(f + 16) != ETH_IP || f[18] != 6 || f[19] != 4)
        return 1; /* malformed ARP: nothing for anyone; the device counted it already */
    uint16_t oper = rd16(f + 20);
    uint32_t spa = rd32(f + 28);
    if (oper == 2)
        dev->hs[TOE_HSTAT_ARP_REPLY_RX]++;
    /* Learn only addresses we asked about or already know (no cache poisoning by chatter). */
    struct toe_arp_entry *e = arp_find(dev, spa);
    if (!e || (oper != 1 && oper != 2))
        return 1;
    memcpy(e->mac, f + 22, 6);
    e->state = TOE_ARP_VALID;
    e->expires = toe_deadline(dev, TOE_ARP_TTL_MS);
    pending_release(dev, spa, e->mac);
    return 1;
}

static int icmp_input(toe_dev *dev, const uint8_t *ip, size_t len)
{
    struct toe_net *n = &dev->net;
    if (len < 20 || (ip[0] >> 4) != 4)
        return 0;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = rd16(ip + 2);
    if (ihl < 20 || tot < ihl + 8 || tot > len || ip[9] != 1 || !n->have_cfg ||
        rd32(ip + 16) != n->ip)
        return 0;
    const uint8_t *ic = ip + ihl;
    if (ic[0] != 0 || rd16(ic + 4) != n->ping_id || toe_inet_csum(ic, tot - ihl) != 0)
        return 0;
    struct toe_ping_reply *slot = &n->replies[rd16(ic + 6) % TOE_PING_REPLIES];
    slot->used = 1;
    slot->seq = rd16(ic + 6);
    slot->ttl = ip[8];
    slot->host_us = toe_now_us();
    dev->hs[TOE_HSTAT_ICMP_RX]++;
    return 1;
}

void toe_arp_revalidate(toe_dev *dev, uint32_t ip, uint8_t mac[6])
{
    uint32_t nh = 0;
    if (next_hop(dev, ip, &nh))
        return;
    struct toe_arp_entry *e = arp_find(dev, nh);
    if (!e || e->state != TOE_ARP_VALID)
        return;
    memcpy(mac, e->mac, 6);
    dev->hs[TOE_HSTAT_ARP_REVALIDATE]++;
    arp_send_req(dev, nh);
}

int toe_net_send_to(toe_dev *dev, const uint8_t mac[6], const uint8_t *pkt, size_t len,
                    unsigned flags)
{
    return send_ip_frame(dev, mac, pkt, len, flags);
}

int toe_net_input(toe_dev *dev, const uint8_t *f, size_t len, unsigned verdict,
                  uint64_t dev_time)
{
    if (len < 14)
        return 0;
    switch (rd16(f + 12)) {
    case ETH_ARP: return arp_input(dev, f, len);
    case ETH_IP:
        /* The layers above (TCP, once it exists) take their protocol's packets. */
        for (unsigned i = 0; i < dev->nlayers && len >= 34; i++)
            if (dev->layers[i]->ip_input &&
                dev->layers[i]->ip_input(dev, f, len, verdict, dev_time))
                return 1;
        /* ICMP errors about their segments (with IP options too: the device does not take
         * those apart) go to them first. */
        if (len >= 34 && f[23] == 1 && (verdict == TOE_STAT_RX_IP_OTHER || verdict == TOE_STAT_RX_IP_OPTIONS))
            for (unsigned i = 0; i < dev->nlayers; i++)
                if (dev->layers[i]->icmp_error &&
                    dev->layers[i]->icmp_error(dev, f + 14, len - 14))
                    return 1;
        return icmp_input(dev, f + 14, len - 14);
    default: return 0;
    }
}

/* ---- public calls ------------------------------------------------------------------- */

int toe_arp_resolve(toe_dev *dev, uint32_t ip, uint8_t mac[6], int timeout_ms)
{
    if (!dev || !mac)
        return TOE_EINVAL;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    int r = toe_net_cfg(dev, timeout_ms);
    uint32_t nh;
    if (r || (r = next_hop(dev, ip, &nh)))
        return r;
    uint64_t fails = dev->hs[TOE_HSTAT_ARP_FAIL];
    /* A 0 timeout still takes one turn: it sends the request and reads what is there. */
    for (int turned = 0;; turned = 1) {
        r = toe_arp_poll(dev, ip, mac, fails);
        if (r != TOE_EAGAIN || (timeout_ms == 0 && turned))
            return r;
        int rem = toe_remaining(dev, deadline, 1000);
        if (timeout_ms != 0 && rem == 0)
            return toe_seterr(dev, TOE_ETIMEDOUT, "ARP for %u.%u.%u.%u: timed out", nh >> 24,
                              (nh >> 16) & 255, (nh >> 8) & 255, nh & 255);
        r = toe_dev_turn(dev, rem);
        if (r)
            return r;
    }
}

int toe_arp_poll(toe_dev *dev, uint32_t ip, uint8_t mac[6], uint64_t fails)
{
    uint32_t nh;
    int r = dev->net.have_cfg ? next_hop(dev, ip, &nh) : TOE_EAGAIN;
    if (r)
        return r;
    struct toe_arp_entry *e = arp_find(dev, nh);
    if (e && e->state == TOE_ARP_VALID) {
        memcpy(mac, e->mac, 6);
        return 0;
    }
    if (!e && dev->hs[TOE_HSTAT_ARP_FAIL] != fails)
        return toe_seterr(dev, TOE_EUNREACH, "no ARP reply from %u.%u.%u.%u", nh >> 24,
                          (nh >> 16) & 255, (nh >> 8) & 255, nh & 255);
    if (!arp_start(dev, nh))
        return toe_seterr(dev, TOE_ENOSPC, "ARP cache full of resolutions in progress");
    return TOE_EAGAIN;
}

int toe_ip_send(toe_dev *dev, const void *packet, size_t len, unsigned flags)
{
    if (!dev || !packet || len < 20 || len > 1500 ||
        (flags & ~(unsigned)(TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4)))
        return TOE_EINVAL;
    const uint8_t *p = packet;
    if ((p[0] >> 4) != 4)
        return toe_seterr(dev, TOE_EINVAL, "not an IPv4 packet");
    int r = toe_net_cfg(dev, 1000);
    uint32_t nh;
    if (r || (r = next_hop(dev, rd32(p + 16), &nh)))
        return r;
    struct toe_arp_entry *e = arp_find(dev, nh);
    if (e && e->state == TOE_ARP_VALID) {
        r = send_ip_frame(dev, e->mac, p, len, flags);
        if (!r) {
            r = toe_dev_flush(dev, 0);
            if (r == TOE_ETIMEDOUT) /* stays queued for the next turn */
                r = 0;
        }
        return r;
    }
    struct toe_pending *slot = NULL;
    for (int i = 0; i < TOE_ARP_PENDING && !slot; i++)
        if (!dev->net.pend[i].used)
            slot = &dev->net.pend[i];
    if (!slot) {
        dev->hs[TOE_HSTAT_ARP_PENDING_DROP]++;
        return toe_seterr(dev, TOE_ENOSPC, "ARP pending queue full");
    }
    if (!arp_start(dev, nh)) {
        dev->hs[TOE_HSTAT_ARP_PENDING_DROP]++;
        return toe_seterr(dev, TOE_ENOSPC, "ARP cache full of resolutions in progress");
    }
    slot->used = 1;
    slot->next_hop = nh;
    slot->len = (uint16_t)len;
    slot->flags = (uint8_t)flags;
    memcpy(slot->frame, p, len);
    r = toe_dev_flush(dev, 0);
    return r == TOE_ETIMEDOUT ? 0 : r;
}

int toe_ping_seq(toe_dev *dev, uint32_t ip, uint16_t seq, size_t payload_len, int timeout_ms,
                 uint32_t *rtt_us, unsigned *ttl)
{
    if (rtt_us)
        *rtt_us = 0;
    if (!dev || !rtt_us || payload_len > 1472)
        return TOE_EINVAL;
    if (timeout_ms < 0) /* no caller deadline: still never wait for a reply forever */
        timeout_ms = 10000;
    uint64_t deadline = toe_deadline(dev, timeout_ms);
    struct toe_net *n = &dev->net;
    uint8_t mac[6];
    int r = toe_arp_resolve(dev, ip, mac, timeout_ms);
    if (r)
        return r;
    uint8_t pkt[1500];
    size_t len = 28 + payload_len;
    memset(pkt, 0, 28);
    pkt[0] = 0x45;
    wr16(pkt + 2, (uint16_t)len);
    wr16(pkt + 4, seq);
    pkt[8] = 64;
    pkt[9] = 1;
    wr32(pkt + 12, n->ip);
    wr32(pkt + 16, ip);
    wr16(pkt + 10, toe_inet_csum(pkt, 20));
    uint8_t *ic = pkt + 20;
    ic[0] = 8;
    wr16(ic + 4, n->ping_id);
    wr16(ic + 6, seq);
    for (size_t i = 0; i < payload_len; i++)
        ic[8 + i] = (uint8_t)(0x10 + i);
    wr16(ic + 2, toe_inet_csum(ic, 8 + payload_len));
    struct toe_ping_reply *slot = &n->replies[seq % TOE_PING_REPLIES];
    slot->used = 0;
    /* Host time at both ends: RAW_TX carries no device time. */
    uint64_t t0 = toe_now_us();
    r = send_ip_frame(dev, mac, pkt, len, 0);
    if (r)
        return r;
    for (;;) {
        if (slot->used && slot->seq == seq) {
            slot->used = 0;
            uint64_t d = slot->host_us - t0;
            *rtt_us = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
            if (ttl)
                *ttl = slot->ttl;
            return 0;
        }
        int rem = toe_remaining(dev, deadline, 1000);
        if (rem == 0)
            return TOE_ETIMEDOUT;
        r = toe_dev_turn(dev, rem);
        if (r)
            return r;
    }
}

int toe_ping(toe_dev *dev, uint32_t ip, size_t payload_len, int timeout_ms, uint32_t *rtt_us)
{
    if (!dev)
        return TOE_EINVAL;
    return toe_ping_seq(dev, ip, dev->net.ping_seq++, payload_len, timeout_ms, rtt_us, NULL);
}
