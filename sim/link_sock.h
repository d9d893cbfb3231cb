/* SPDX-License-Identifier: MIT */
/* link_sock: the virtual board's host link served on a Unix stream socket, one client at a
 * time. A plain byte stream both ways (docs/LINK.md framing); nothing here parses it.
 *
 * Sessions (docs/LINK.md section 2): a client that connects while another is served is
 * refused if the other is still there; if the other has closed its end, it is dropped with
 * whatever it wrote that the board has not taken, and the new one is served (a client that
 * reconnects at once is never refused because the board's input was full). Every new client
 * starts with the board's input buffer emptied, so nothing the previous one wrote is acted on
 * after the new one came; the previous one's half frame, if the device holds one, ends at the
 * new client's leading 0x00. */
#ifndef TOE_SIM_LINK_SOCK_H
#define TOE_SIM_LINK_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vboard.h"

struct link_sock_counts {
    uint64_t from_client;     /* bytes read from clients into the board */
    uint64_t to_client;       /* bytes written to clients */
    uint64_t dropped;         /* device bytes with no client to take them */
    uint64_t clients;         /* clients accepted */
    uint64_t clients_refused; /* connections closed at once: a client was already served */
    uint64_t client_dropped;  /* bytes a closed client wrote that were dropped unread, for
                               * the next client */
    uint64_t session_dropped; /* bytes of a previous client in the board's input buffer,
                               * dropped when the next one came */
};

struct link_sock;

/* Listen on path: a stale socket file is removed first; an existing non-socket file, or a
 * socket another process still listens on, is an error. NULL with a reason in err. */
struct link_sock *link_sock_new(const char *path, bool verbose, char *err, size_t err_len);

/* Close everything and remove the socket file. NULL-safe. */
void link_sock_free(struct link_sock *ls);

/* Move bytes between the client and the board at simulated time now_ps. Cheap to call after
 * every run chunk: with poll false it makes system calls only when the device has bytes for
 * the client, or when the client moved bytes within the last active_ps (a conversation is
 * going on). With poll true it also accepts clients and reads the client. */
void link_sock_service(struct link_sock *ls, struct vboard *vb, uint64_t now_ps, bool poll,
                       uint64_t active_ps);

bool link_sock_connected(const struct link_sock *ls);
struct link_sock_counts link_sock_counts(const struct link_sock *ls);

#endif
