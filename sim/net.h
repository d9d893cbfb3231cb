/* SPDX-License-Identifier: MIT */
/* net: the network peer on the far side of the virtual board's Ethernet port.
 * Frames in both directions are plain Ethernet frames without preamble or FCS. */
#ifndef TOE_SIM_NET_H
#define TOE_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called by a peer for every frame it has for the device. */
typedef void (*net_deliver_fn)(void *ctx, const uint8_t *frame, size_t len);

struct net_peer;

struct net_peer_ops {
    const char *name;
    /* Hand a frame from the device to the network. 0, or -1 if the peer dropped it. */
    int (*send)(struct net_peer *peer, const uint8_t *frame, size_t len);
    /* Service the peer (sockets, timers) at simulated time now_ps; deliver its frames. */
    void (*poll)(struct net_peer *peer, uint64_t now_ps);
    /* The simulated time by which the peer wants its next poll (its timers), as of its last
     * poll; UINT64_MAX for none. What arrives from outside at any time (a TAP's frames,
     * slirp's host sockets) is bounded by the idle skip's pace instead: simulated time never
     * runs ahead of wall time while idle, and the peer is polled after every skip. */
    uint64_t (*next_due_ps)(const struct net_peer *peer);
    void (*free)(struct net_peer *peer);
    /* The peer's own timers run on wall time (a kernel behind a TAP), not on the simulated
     * clock (slirp): an answer it owes the device may come any wall time later. */
    bool wall_timers;
};

/* Every peer starts with this header. */
struct net_peer {
    const struct net_peer_ops *ops;
    net_deliver_fn deliver;
    void *deliver_ctx;
    uint64_t now_ps; /* simulated time, kept current by the caller (slirp's clock reads it) */
    uint64_t sent, send_errors, delivered;
};

/* A TCP or UDP port forward from the host into the device (slirp only). */
struct net_hostfwd {
    int is_udp;
    uint32_t host_addr; /* host byte order */
    uint16_t host_port;
    uint32_t guest_addr; /* 0: the device address */
    uint16_t guest_port;
};

struct net_slirp_config {
    uint32_t device_ip, netmask, gateway; /* host byte order; gateway is slirp's host address */
    const struct net_hostfwd *hostfwd;
    size_t hostfwd_count;
};

/* Parse "tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT" (QEMU syntax; addresses may be empty,
 * the host address then being 127.0.0.1). 0, or -1 with a reason in err. */
int net_parse_hostfwd(const char *text, struct net_hostfwd *out, char *err, size_t err_len);

/* Constructors: NULL with a reason in err on failure. */
struct net_peer *net_slirp_new(const struct net_slirp_config *cfg, net_deliver_fn deliver,
                               void *ctx, char *err, size_t err_len);
struct net_peer *net_tap_new(const char *ifname, net_deliver_fn deliver, void *ctx, char *err,
                             size_t err_len);

static inline uint64_t net_peer_next_due_ps(const struct net_peer *peer)
{
    return peer->ops->next_due_ps(peer);
}

static inline void net_peer_free(struct net_peer *peer)
{
    if (peer)
        peer->ops->free(peer);
}

#endif
