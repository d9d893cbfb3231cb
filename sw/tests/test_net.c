/* SPDX-License-Identifier: MIT */
/* test_net: ARP cache, retries and failure, the pending queue per next hop, gateway routing
 * and ICMP echo, against the mock device's scripted peers. */
#include <string.h>

#include "mock.h"

static uint64_t hs(toe_dev *d, unsigned i)
{
    uint64_t v[TOE_HSTAT_COUNT];
    size_t got;
    toe_host_stats(d, v, TOE_HSTAT_COUNT, &got);
    return v[i];
}

static void ip_packet(uint8_t *p, uint32_t dst, size_t len)
{
    memset(p, 0, len);
    p[0] = 0x45;
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    p[8] = 64;
    p[9] = 17;
    p[12] = 10, p[13] = 0, p[14] = 2, p[15] = 15;
    p[16] = (uint8_t)(dst >> 24), p[17] = (uint8_t)(dst >> 16);
    p[18] = (uint8_t)(dst >> 8), p[19] = (uint8_t)dst;
}

static uint16_t csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* ARP retries are spaced in device time: TOE_ARP_RETRY_MS of the device's clock between
 * requests, whatever the host's clock does. */
static void test_arp_retries_device_time(void)
{
    struct mock_dev m;
    mock_init(&m);
    m.peers[2] = (struct mock_peer){0x0a000204, {2, 0, 0, 0, 0, 4}, 0, 0}; /* never answers */
    toe_set_clock(mock_fast_host_clock, &m);
    toe_dev *d = mock_open(&m, 1, 50, 3);
    if (!d) {
        CHECK(0, "test_net_arp_device_time_open");
        toe_set_clock(NULL, NULL);
        return;
    }
    uint8_t mac[6];
    unsigned req0 = m.arp_req;
    int r = toe_arp_resolve(d, 0x0a000204, mac, -1);
    uint64_t span = m.arp_req_last_us - m.arp_req_first_us;
    CHECK(r == TOE_EUNREACH && m.arp_req - req0 == TOE_ARP_TRIES &&
          span >= (uint64_t)(TOE_ARP_TRIES - 1) * TOE_ARP_RETRY_MS * 1000u,
          "test_net_arp_retries_device_time (%u requests over %llu us of device time)",
          m.arp_req - req0, (unsigned long long)span);
    toe_set_clock(NULL, NULL);
    toe_close(d);
    mock_free(&m);
}

int main(void)
{
    test_arp_retries_device_time();

    struct mock_dev m;
    mock_init(&m);
    m.peers[1] = (struct mock_peer){0x0a000203, {2, 0, 0, 0, 0, 3}, 0, 1}; /* slow to answer */
    m.peers[2] = (struct mock_peer){0x0a000204, {2, 0, 0, 0, 0, 4}, 0, 0}; /* never answers */
    toe_dev *d = mock_open(&m, 1, 50, 3);
    uint8_t mac[6];
    const uint8_t gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

    int r = toe_arp_resolve(d, 0x0a000202, mac, 1000);
    CHECK(r == 0 && !memcmp(mac, gw_mac, 6) && m.arp_req == 1, "test_net_arp_resolve");
    /* The request is well formed: broadcast, our MAC and IP as sender. */
    CHECK(m.last_raw_len == 42 && !memcmp(m.last_raw, "\xff\xff\xff\xff\xff\xff", 6) &&
          m.last_raw[6] == 2 && m.last_raw[11] == 1 && m.last_raw[31] == 15,
          "test_net_arp_request_fields");
    r = toe_arp_resolve(d, 0x0a000202, mac, 0);
    CHECK(r == 0 && m.arp_req == 1, "test_net_arp_cache_hit_no_request");
    r = toe_arp_resolve(d, 0x08080808, mac, 1000);
    CHECK(r == 0 && !memcmp(mac, gw_mac, 6) && m.arp_req == 1,
          "test_net_off_subnet_resolves_gateway");

    /* Unanswered: TOE_ARP_TRIES requests, then TOE_EUNREACH. */
    uint64_t t0 = toe_now_ms();
    r = toe_arp_resolve(d, 0x0a000204, mac, -1);
    CHECK(r == TOE_EUNREACH && m.arp_req == 1 + TOE_ARP_TRIES && hs(d, TOE_HSTAT_ARP_FAIL) == 1,
          "test_net_arp_unanswered_unreach (%u requests, %llu ms)", m.arp_req - 1,
          (unsigned long long)(toe_now_ms() - t0));
    CHECK(toe_arp_resolve(d, 0x0a000204, mac, 0) == TOE_EAGAIN, "test_net_arp_timeout_0_eagain");

    /* Pending queue: frames for 10.0.2.3 wait until its ARP reply, then go out in order. */
    uint8_t pkt[100];
    unsigned tx0 = m.raw_tx;
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        ip_packet(pkt, 0x0a000203, 60);
        pkt[20] = (uint8_t)i;
        ok &= toe_ip_send(d, pkt, 60, TOE_CONST_RAW_CSUM_IP) == 0;
    }
    toe_poll(d, 0);
    CHECK(ok && m.raw_tx == tx0 + 1, "test_net_pending_queue_holds_frames (ARP only sent)");
    m.peers[1].arp_answer = 1;
    /* The next ARP retry is answered: one more request, then the three frames. */
    t0 = toe_now_ms();
    while (m.raw_tx < tx0 + 5 && toe_now_ms() - t0 < 3000)
        toe_poll(d, 20);
    CHECK(m.last_raw_len == 74 && !memcmp(m.last_raw, m.peers[1].mac, 6) && m.last_raw[34] == 2 &&
          m.last_raw_flags == TOE_CONST_RAW_CSUM_IP,
          "test_net_pending_flushed_on_reply (raw_tx %u, len %zu, byte %u)", m.raw_tx - tx0,
          m.last_raw_len, m.last_raw[34]);

    /* Pending queue full (for a next hop that never answers): ENOSPC, counted; dropped on
     * resolution failure, counted. */
    uint64_t d0 = hs(d, TOE_HSTAT_ARP_PENDING_DROP);
    ok = 1;
    for (int i = 0; i < TOE_ARP_PENDING; i++) {
        ip_packet(pkt, 0x0a000204, 60);
        ok &= toe_ip_send(d, pkt, 60, 0) == 0;
    }
    r = toe_ip_send(d, pkt, 60, 0);
    CHECK(ok && r == TOE_ENOSPC && hs(d, TOE_HSTAT_ARP_PENDING_DROP) == d0 + 1,
          "test_net_pending_full_enospc (ok %d r %d drops %llu)", ok, r,
          (unsigned long long)(hs(d, TOE_HSTAT_ARP_PENDING_DROP) - d0));
    t0 = toe_now_ms();
    while (hs(d, TOE_HSTAT_ARP_FAIL) < 2 && toe_now_ms() - t0 < 5000)
        toe_poll(d, 50);
    CHECK(hs(d, TOE_HSTAT_ARP_PENDING_DROP) == d0 + 1 + TOE_ARP_PENDING,
          "test_net_pending_dropped_on_arp_failure");
    CHECK(toe_ip_send(d, pkt, 10, 0) == TOE_EINVAL && toe_ip_send(d, NULL, 60, 0) == TOE_EINVAL,
          "test_net_ip_send_bad_args");

    /* Ping through the mock peer. */
    uint32_t rtt = 0;
    unsigned ttl = 0;
    r = toe_ping_seq(d, 0x0a000202, 1, 56, 1000, &rtt, &ttl);
    const uint8_t *ip = m.last_raw + 14;
    CHECK(r == 0 && ttl == 63 && hs(d, TOE_HSTAT_ICMP_RX) == 1, "test_net_ping_reply (rtt %u us)",
          rtt);
    CHECK(m.last_raw_len == 14 + 84 && csum(ip, 20) == 0 && csum(ip + 20, 64) == 0 &&
          ip[20] == 8, "test_net_ping_request_checksums");
    r = toe_ping_seq(d, 0x0a000202, 2, 1472, 1000, &rtt, &ttl);
    CHECK(r == 0, "test_net_ping_max_payload");
    m.peers[0].echo_answer = 0;
    t0 = toe_now_ms();
    r = toe_ping(d, 0x0a000202, 56, 100, &rtt);
    CHECK(r == TOE_ETIMEDOUT && toe_now_ms() - t0 < 600, "test_net_ping_timeout");
    CHECK(toe_ping(d, 0x0a000202, 1473, 100, &rtt) == TOE_EINVAL &&
          toe_ping(d, 0x0a000202, 56, 100, NULL) == TOE_EINVAL, "test_net_ping_bad_args");
    CHECK(toe_ping(d, 0x0a000204, 0, 3000, &rtt) == TOE_EUNREACH, "test_net_ping_unreach");
    toe_close(d);
    mock_free(&m);
    printf("%s test_net\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
