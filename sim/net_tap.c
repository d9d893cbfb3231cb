/* SPDX-License-Identifier: MIT */
/* net_tap: a Linux TAP interface that already exists in the current network namespace.
 * Non-blocking; frames are read only when the caller services the peer. */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define TAP_FRAME_MAX 65536u
#define TAP_READS_PER_POLL 256u /* bound the work per service so the model keeps running */

struct tap_peer {
    struct net_peer base;
    int fd;
    char ifname[IFNAMSIZ];
    uint64_t read_errors;
    uint8_t frame[TAP_FRAME_MAX];
};

static struct tap_peer *to_tap_peer(struct net_peer *peer)
{
    return (struct tap_peer *)peer;
}

static int tap_send(struct net_peer *peer, const uint8_t *frame, size_t len)
{
    struct tap_peer *tp = to_tap_peer(peer);
    ssize_t n = write(tp->fd, frame, len);
    if (n != (ssize_t)len) {
        /* EIO while the interface is down, EAGAIN when its queue is full: the frame is lost,
         * as it would be on a real link. */
        peer->send_errors++;
        return -1;
    }
    peer->sent++;
    return 0;
}

static void tap_poll(struct net_peer *peer, uint64_t now_ps)
{
    struct tap_peer *tp = to_tap_peer(peer);
    peer->now_ps = now_ps;
    for (unsigned i = 0; i < TAP_READS_PER_POLL; i++) {
        ssize_t n = read(tp->fd, tp->frame, sizeof tp->frame);
        if (n > 0) {
            peer->delivered++;
            peer->deliver(peer->deliver_ctx, tp->frame, (size_t)n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            if (tp->read_errors++ == 0)
                fprintf(stderr, "toe-sim: tap %s: read: %s\n", tp->ifname, strerror(errno));
        }
        return;
    }
}

static void tap_free(struct net_peer *peer)
{
    struct tap_peer *tp = to_tap_peer(peer);
    if (tp->fd >= 0)
        close(tp->fd);
    free(tp);
}

/* The kernel behind the TAP keeps its own timers in wall time: no due time of its own. */
static uint64_t tap_next_due_ps(const struct net_peer *peer)
{
    (void)peer;
    return UINT64_MAX;
}

static const struct net_peer_ops tap_ops = {
    .name = "tap",
    .send = tap_send,
    .poll = tap_poll,
    .next_due_ps = tap_next_due_ps,
    .free = tap_free,
    .wall_timers = true,
};

struct net_peer *net_tap_new(const char *ifname, net_deliver_fn deliver, void *ctx, char *err,
                             size_t err_len)
{
    if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
        snprintf(err, err_len, "tap: interface name must be 1 to %d characters", IFNAMSIZ - 1);
        return NULL;
    }
    /* TUNSETIFF would create a missing interface; we want the test's own one. */
    if (if_nametoindex(ifname) == 0) {
        snprintf(err, err_len,
                 "tap: no interface %s in this network namespace (create it with "
                 "'ip tuntap add dev %s mode tap')", ifname, ifname);
        return NULL;
    }
    struct tap_peer *tp = calloc(1, sizeof *tp);
    if (!tp) {
        snprintf(err, err_len, "tap: out of memory");
        return NULL;
    }
    tp->base.ops = &tap_ops;
    tp->base.deliver = deliver;
    tp->base.deliver_ctx = ctx;
    snprintf(tp->ifname, sizeof tp->ifname, "%s", ifname);
    tp->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (tp->fd < 0) {
        snprintf(err, err_len, "tap: open /dev/net/tun: %s", strerror(errno));
        free(tp);
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, tp->ifname, sizeof ifr.ifr_name);
    if (ioctl(tp->fd, TUNSETIFF, &ifr) < 0) {
        snprintf(err, err_len, "tap: attach to %s: %s (is it a tap device, free, ours?)",
                 ifname, strerror(errno));
        tap_free(&tp->base);
        return NULL;
    }
    return &tp->base;
}
