/* SPDX-License-Identifier: MIT */
/* tcp_tw.c: TIME-WAIT off the slot. A connection the application has closed gives its device
 * slot back when it enters TIME-WAIT (the slot's segments then come up the slow path) and
 * leaves a small record here: the 4-tuple, SND.NXT, RCV.NXT, the window of its ACKs and the
 * device time it ends. tcp.c answers segments from it; this file keeps the table.
 *
 * The table is an array of TOE_TCP_TW_MAX records allocated at the first one (pages never
 * used are never touched), hash chains by 4-tuple, and a doubly linked list in order of the
 * end time: a new or restarted record goes at the tail (its end is almost always the latest),
 * expiry takes from the head, and when the table is full the head (the record nearest its
 * end) is dropped and counted. No per-turn scan: the timers look only at the head. */
#include <stdlib.h>
#include <string.h>

#include "tcp.h"

static unsigned tw_bucket(uint32_t rip, uint16_t rport, uint16_t lport)
{
    uint32_t h = rip * 0x9e3779b1u ^ ((uint32_t)rport << 16 | lport) * 0x85ebca6bu;
    return (h ^ h >> 15) & (TOE_TCP_TW_HASH - 1);
}

static int32_t idx(const struct toe_tcp *t, const struct tcp_tw *w)
{
    return (int32_t)(w - t->tw);
}

/* Into the list by end time, walking from the tail. */
static void list_insert(struct toe_tcp *t, int32_t i)
{
    struct tcp_tw *w = &t->tw[i];
    int32_t after = t->tw_tail;
    while (after >= 0 && t->tw[after].until > w->until)
        after = t->tw[after].prev;
    w->prev = after;
    w->next = after >= 0 ? t->tw[after].next : t->tw_head;
    if (w->next >= 0)
        t->tw[w->next].prev = i;
    else
        t->tw_tail = i;
    if (after >= 0)
        t->tw[after].next = i;
    else
        t->tw_head = i;
}

static void list_unlink(struct toe_tcp *t, int32_t i)
{
    struct tcp_tw *w = &t->tw[i];
    if (w->prev >= 0)
        t->tw[w->prev].next = w->next;
    else
        t->tw_head = w->next;
    if (w->next >= 0)
        t->tw[w->next].prev = w->prev;
    else
        t->tw_tail = w->prev;
}

static int tw_init(struct toe_tcp *t)
{
    t->tw = malloc(TOE_TCP_TW_MAX * sizeof(*t->tw));
    t->tw_hash = malloc(TOE_TCP_TW_HASH * sizeof(*t->tw_hash));
    if (!t->tw || !t->tw_hash) {
        tcp_tw_free(t);
        return TOE_ENOMEM;
    }
    for (unsigned i = 0; i < TOE_TCP_TW_HASH; i++)
        t->tw_hash[i] = -1;
    t->tw_head = t->tw_tail = t->tw_free = -1;
    t->tw_n = t->tw_hw = 0;
    return 0;
}

int tcp_tw_add(struct toe_tcp *t, const struct tcp_tw *w)
{
    if (!t->tw && tw_init(t))
        return TOE_ENOMEM;
    unsigned max = t->tw_max < TOE_TCP_TW_MAX ? t->tw_max : TOE_TCP_TW_MAX;
    while (t->tw_n >= max && t->tw_head >= 0) {
        tcp_tw_remove(t, &t->tw[t->tw_head]);
        t->dev->hs[TOE_HSTAT_TCP_TW_DROPPED]++;
    }
    int32_t i;
    if (t->tw_free >= 0) {
        i = t->tw_free;
        t->tw_free = t->tw[i].hnext;
    } else {
        i = (int32_t)t->tw_hw++;
    }
    struct tcp_tw *n = &t->tw[i];
    *n = *w;
    unsigned b = tw_bucket(n->rip, n->rport, n->lport);
    n->hnext = t->tw_hash[b];
    t->tw_hash[b] = i;
    list_insert(t, i);
    t->tw_n++;
    return 0;
}

struct tcp_tw *tcp_tw_find(struct toe_tcp *t, uint32_t rip, uint16_t rport, uint16_t lport)
{
    if (!t->tw_n)
        return NULL;
    for (int32_t i = t->tw_hash[tw_bucket(rip, rport, lport)]; i >= 0; i = t->tw[i].hnext) {
        struct tcp_tw *w = &t->tw[i];
        if (w->rip == rip && w->rport == rport && w->lport == lport)
            return w;
    }
    return NULL;
}

int tcp_tw_port_used(const struct toe_tcp *t, uint16_t lport)
{
    for (int32_t i = t->tw_n ? t->tw_head : -1; i >= 0; i = t->tw[i].next)
        if (t->tw[i].lport == lport)
            return 1;
    return 0;
}

void tcp_tw_remove(struct toe_tcp *t, struct tcp_tw *w)
{
    int32_t i = idx(t, w);
    for (int32_t *pp = &t->tw_hash[tw_bucket(w->rip, w->rport, w->lport)]; *pp >= 0;
         pp = &t->tw[*pp].hnext)
        if (*pp == i) {
            *pp = w->hnext;
            break;
        }
    list_unlink(t, i);
    w->hnext = t->tw_free;
    t->tw_free = i;
    t->tw_n--;
}

void tcp_tw_restart(struct toe_tcp *t, struct tcp_tw *w)
{
    list_unlink(t, idx(t, w));
    w->until = t->now + (uint64_t)w->tw_ms * 1000u;
    list_insert(t, idx(t, w));
}

uint64_t tcp_tw_next(const struct toe_tcp *t)
{
    return t->tw_n ? t->tw[t->tw_head].until : 0;
}

void tcp_tw_expire(struct toe_tcp *t)
{
    while (t->tw_n && t->tw[t->tw_head].until <= t->now)
        tcp_tw_remove(t, &t->tw[t->tw_head]);
}

size_t tcp_tw_info(const struct toe_tcp *t, struct toe_tcp_info *out, size_t n)
{
    size_t k = 0;
    for (int32_t i = t->tw_n ? t->tw_head : -1; i >= 0 && k < n; i = t->tw[i].next) {
        const struct tcp_tw *w = &t->tw[i];
        struct toe_tcp_info *in = &out[k++];
        memset(in, 0, sizeof(*in));
        in->state = TOE_TCPS_TIME_WAIT;
        in->slot = -1;
        in->orphan = 1;
        in->local_ip = t->dev->net.ip;
        in->remote_ip = w->rip;
        in->local_port = w->lport;
        in->remote_port = w->rport;
        in->snd_una = in->snd_nxt = in->tx_end = w->snd_nxt;
        in->rcv_nxt = w->rcv_nxt;
    }
    return k;
}

void tcp_tw_free(struct toe_tcp *t)
{
    free(t->tw);
    free(t->tw_hash);
    t->tw = NULL;
    t->tw_hash = NULL;
    t->tw_n = 0;
}
