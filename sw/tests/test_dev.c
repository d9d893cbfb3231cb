/* SPDX-License-Identifier: MIT */
/* test_dev: the device layer against the scripted mock device: CSR access, batching, retry on
 * a lost RESP, timeouts, status errors, events with sequence gaps, alarm, the raw queue, bad
 * messages from the device, a device that goes away. */
#include <string.h>

#include "mock.h"

static uint64_t hs(toe_dev *d, unsigned i)
{
    uint64_t v[TOE_HSTAT_COUNT];
    size_t got;
    toe_host_stats(d, v, TOE_HSTAT_COUNT, &got);
    return v[i];
}

static int ev_calls;
static void ev_cb(void *user, unsigned kind, uint16_t seq, uint64_t t, const uint8_t *f, size_t n)
{
    (void)user, (void)kind, (void)seq, (void)t, (void)f, (void)n;
    ev_calls++;
}

/* CSR access on a host clock ten times faster than the device's (a device slower than real
 * time, such as the simulator): resends wait for retry_ms of device time. */
static void test_csr(void)
{
    struct mock_dev m;
    mock_init(&m);
    toe_set_clock(mock_fast_host_clock, &m);
    toe_dev *d = mock_open(&m, 1, 50, 3);
    CHECK(d != NULL, "test_dev_open_probes_id");
    if (!d) {
        toe_set_clock(NULL, NULL);
        return;
    }
    uint32_t v = 0;
    CHECK(toe_csr_read(d, TOE_CSR_ID, &v, 1000) == 0 && v == TOE_CONST_ID, "test_dev_csr_read");
    CHECK(toe_csr_write(d, TOE_CSR_HOST_MASK, 0x1234, 1000) == 0 &&
          toe_csr_read(d, TOE_CSR_HOST_MASK, &v, 1000) == 0 && v == 0x1234,
          "test_dev_csr_write_then_read");
    CHECK(toe_csr_write(d, TOE_CSR_ID, 1, 1000) == TOE_EREADONLY, "test_dev_csr_read_only");
    CHECK(toe_csr_read(d, 0x0777, &v, 1000) == TOE_EBADADDR && strstr(toe_last_error(d), "0x0777"),
          "test_dev_csr_bad_address (%s)", toe_last_error(d));

    unsigned w0 = m.writes;
    uint32_t st[TOE_STAT_COUNT];
    size_t got = 0;
    int r = toe_read_stats(d, st, TOE_STAT_COUNT, &got, 1000);
    int ok = r == 0 && got == TOE_STAT_COUNT;
    for (unsigned i = 0; ok && i < TOE_STAT_COUNT; i++)
        ok = st[i] == 1000 + i;
    CHECK(ok && m.writes == w0 + 1, "test_dev_stats_batch_in_one_write (%u writes)", m.writes - w0);

    struct toe_info in;
    CHECK(toe_get_info(d, &in, 1000) == 0 && in.slots == 8 && in.link_kind == 0 &&
          in.link_rate == 1500000 && in.ip == 0x0a00020f && in.mac[0] == 2 && in.mac[5] == 1,
          "test_dev_info_fields");

    /* One lost RESP: resent once, after 50 ms of device time (500 of the host's). */
    m.drop_resps = 1;
    uint64_t rt0 = hs(d, TOE_HSTAT_CSR_RETRIES), sent_us = m.time_us;
    CHECK(toe_csr_read(d, TOE_CSR_VERSION, &v, 1000) == 0 && v == TOE_CONST_VERSION &&
              hs(d, TOE_HSTAT_CSR_RETRIES) == rt0 + 1 && m.time_us - sent_us >= 50000,
          "test_dev_csr_retry_on_lost_resp_after_device_time (answered after %llu us of device "
          "time)", (unsigned long long)(m.time_us - sent_us));

    /* A device that never answers: its clock is asked, and once it has been silent for
     * TOE_TIME_SILENT_MS of host time the resends run on host time until they run out, then
     * TOE_ETIMEDOUT, even with -1. */
    m.silent = 1;
    uint64_t t0 = toe_now_ms();
    r = toe_csr_read(d, TOE_CSR_ID, &v, -1);
    uint64_t el = toe_now_ms() - t0;
    CHECK(r == TOE_ETIMEDOUT && hs(d, TOE_HSTAT_CSR_TIMEOUTS) >= 1 &&
              hs(d, TOE_HSTAT_CSR_RETRIES) >= rt0 + 4 && el >= TOE_TIME_SILENT_MS &&
              el < TOE_TIME_SILENT_MS + 1000,
          "test_dev_csr_timeout_after_silence_and_retries (%llu ms)", (unsigned long long)el);
    t0 = toe_now_ms();
    r = toe_csr_read(d, TOE_CSR_ID, &v, 30);
    el = toe_now_ms() - t0;
    CHECK(r == TOE_ETIMEDOUT && el >= 30 && el < 500, "test_dev_csr_caller_timeout (%llu ms)",
          (unsigned long long)el);
    CHECK(toe_csr_read(d, TOE_CSR_ID, &v, 0) == TOE_ETIMEDOUT, "test_dev_csr_timeout_0_no_block");
    m.silent = 0;
    /* Late answers to given-up requests are counted as stale, not delivered. */
    struct toe_msg late = {.type = TOE_MSG_RESP, .arg = 0x33, .value = 99};
    mock_emit(&m, &late);
    toe_poll(d, 10);
    CHECK(hs(d, TOE_HSTAT_RESP_STALE) >= 1, "test_dev_stale_resp_counted");
    CHECK(toe_csr_read(d, TOE_CSR_ID, &v, 1000) == 0 && v == TOE_CONST_ID,
          "test_dev_works_after_timeouts");
    toe_close(d);
    toe_set_clock(NULL, NULL);
    mock_free(&m);
}

static void test_events(void)
{
    struct mock_dev m;
    mock_init(&m);
    toe_dev *d = mock_open(&m, 0, 50, 3);
    toe_set_event_cb(d, ev_cb, NULL);
    mock_emit_event(&m, 7, 10);
    mock_emit_event(&m, 7, 11);
    mock_emit_event(&m, 7, 14); /* 12, 13 lost */
    mock_emit_event(&m, 7, 15);
    toe_poll(d, 10);
    CHECK(ev_calls == 4 && hs(d, TOE_HSTAT_EVENTS) == 4 && hs(d, TOE_HSTAT_EVENT_GAPS) == 2,
          "test_dev_event_gap_counted (gaps %llu)", (unsigned long long)hs(d, TOE_HSTAT_EVENT_GAPS));
    mock_emit_event(&m, 7, 16);
    toe_poll(d, 10);
    m.ev_seq = 0xffff;
    mock_emit_event(&m, 7, 0xffff);
    toe_poll(d, 10);
    CHECK(hs(d, TOE_HSTAT_EVENT_GAPS) == 2 + (uint16_t)(0xffff - 17), "test_dev_event_gap_mod_2_16");
    uint64_t g = hs(d, TOE_HSTAT_EVENT_GAPS);
    m.ev_seq = 0;
    mock_emit_event(&m, 7, m.ev_seq++); /* wraps 0xffff -> 0: no gap */
    toe_poll(d, 10);
    CHECK(hs(d, TOE_HSTAT_EVENT_GAPS) == g, "test_dev_event_seq_wraps_without_gap");

    /* Alarm: armed for a little later, fires as an ALARM event on device time. */
    uint64_t now = 0, fired = 0;
    CHECK(toe_time(d, &now, 1000) == 0 && now > 0, "test_dev_time (%llu us)",
          (unsigned long long)now);
    CHECK(toe_alarm_set(d, now + 2000, 1000) == 0 && toe_alarm_wait(d, &fired, 2000) == 0 &&
          fired >= now + 2000, "test_dev_alarm_fires (at %llu)", (unsigned long long)fired);
    CHECK(toe_alarm_wait(d, &fired, 0) == TOE_EINVAL, "test_dev_alarm_wait_unarmed_einval");
    /* The ALARM event is lost (a gap is seen): the wait re-reads the clock instead. */
    toe_time(d, &now, 1000);
    toe_alarm_set(d, now + 50, 1000);
    m.alarm_armed = 0;
    m.time_us += 1000;
    m.ev_seq += 3;
    mock_emit_event(&m, 9, m.ev_seq++);
    CHECK(toe_alarm_wait(d, &fired, 3000) == 0 && fired >= now + 50,
          "test_dev_alarm_lost_event_recovered_by_time_read");
    toe_close(d);
    mock_free(&m);
}

static void test_raw_and_bad_input(void)
{
    struct mock_dev m;
    mock_init(&m);
    struct toe_transport t = mock_transport(&m);
    struct toe_open_opts o = {.no_probe = 1, .raw_queue_len = 4};
    toe_dev *d = NULL;
    toe_open_transport(&d, &t, "mock", &o);
    uint8_t f[100];
    memset(f, 0x5a, sizeof(f));
    f[12] = 0x86, f[13] = 0xdd; /* IPv6: nothing the library consumes */
    for (int i = 0; i < 6; i++) {
        struct toe_msg r = {.type = TOE_MSG_RAW_RX, .arg = 7, .time = 1000 + (uint64_t)i,
                            .data = f, .data_len = 60 + (size_t)i};
        mock_emit(&m, &r);
    }
    uint8_t buf[1514];
    size_t len;
    unsigned verdict;
    uint64_t tm;
    int r = toe_raw_recv(d, buf, sizeof(buf), &len, &verdict, &tm, 100);
    CHECK(r == 0 && len == 60 && verdict == 7 && tm == 1000 && !memcmp(buf, f, 60),
          "test_dev_raw_recv");
    r = toe_raw_recv(d, buf, 10, &len, NULL, NULL, 0);
    CHECK(r == TOE_EOVERFLOW && len == 61, "test_dev_raw_recv_small_buffer_overflow");
    int n = 0;
    while (toe_raw_recv(d, buf, sizeof(buf), &len, NULL, NULL, 0) == 0)
        n++;
    CHECK(n == 2 && hs(d, TOE_HSTAT_RAW_RX_DROP) == 2, "test_dev_raw_queue_bounded_drops_counted");
    CHECK(toe_raw_recv(d, buf, sizeof(buf), &len, NULL, NULL, 0) == TOE_EAGAIN,
          "test_dev_raw_recv_timeout_0_eagain");
    CHECK(toe_raw_recv(d, buf, sizeof(buf), &len, NULL, NULL, 20) == TOE_ETIMEDOUT,
          "test_dev_raw_recv_timeout");

    CHECK(toe_raw_send(d, f, 60, TOE_CONST_RAW_CSUM_IP | TOE_CONST_RAW_CSUM_L4, 100) == 0 &&
          (toe_poll(d, 0), m.raw_tx == 1) && m.last_raw_len == 60 && m.last_raw_flags == 3,
          "test_dev_raw_send");
    CHECK(toe_raw_send(d, f, 13, 0, 100) == TOE_EINVAL && toe_raw_send(d, f, 1515, 0, 100) ==
          TOE_EINVAL && toe_raw_send(d, f, 60, 4, 100) == TOE_EINVAL &&
          toe_raw_send(d, NULL, 60, 0, 100) == TOE_EINVAL, "test_dev_raw_send_bad_args");

    /* Bad messages with good CRCs: wrong length, host-to-device type, unknown type. */
    uint8_t e[64];
    uint8_t body[8] = {0};
    mock_emit_bytes(&m, e, toe_frame_encode(TOE_MSG_RESP, 1, body, 4, e, sizeof(e)));
    mock_emit_bytes(&m, e, toe_frame_encode(TOE_MSG_CSR_READ, 1, body, 2, e, sizeof(e)));
    mock_emit_bytes(&m, e, toe_frame_encode(0x99, 1, body, 8, e, sizeof(e)));
    mock_emit_bytes(&m, e, toe_frame_encode(TOE_MSG_EVENT, 1, body, 8, e, sizeof(e)));
    /* And a damaged frame. */
    size_t el = toe_frame_encode(TOE_MSG_RESP, 1, body, 5, e, sizeof(e));
    e[3] ^= 0x40;
    mock_emit_bytes(&m, e, el);
    toe_poll(d, 10);
    CHECK(hs(d, TOE_HSTAT_LINK_RX_BAD_MSG) == 4 &&
              hs(d, TOE_HSTAT_LINK_RX_BAD_CRC) + hs(d, TOE_HSTAT_LINK_RX_BAD_FRAME) == 1,
          "test_dev_bad_messages_counted (bad_msg %llu bad_crc %llu bad_frame %llu)", (unsigned long long)hs(d, TOE_HSTAT_LINK_RX_BAD_MSG), (unsigned long long)hs(d, TOE_HSTAT_LINK_RX_BAD_CRC), (unsigned long long)hs(d, TOE_HSTAT_LINK_RX_BAD_FRAME));
    uint32_t v;
    CHECK(toe_csr_read(d, TOE_CSR_ID, &v, 1000) == 0, "test_dev_works_after_bad_messages");

    /* The device goes away: every call fails cleanly with TOE_ENODEV. */
    m.gone = 1;
    r = toe_csr_read(d, TOE_CSR_ID, &v, 1000);
    CHECK(r == TOE_ENODEV && strstr(toe_last_error(d), "mock"), "test_dev_gone_enodev (%s)",
          toe_last_error(d));
    CHECK(toe_raw_send(d, f, 60, 0, 10) == TOE_ENODEV && toe_poll(d, 0) == TOE_ENODEV,
          "test_dev_gone_sticky");
    toe_close(d);
    mock_free(&m);
}

/* Link sessions (docs/LINK.md section 2): what the device still sends for a previous host
 * (here a RESP for every tag, with a wrong value, and an event) comes before the SESSION_ACK
 * and is dropped and counted; the probe after it reads the right ID. */
static void test_session(void)
{
    struct mock_dev m;
    mock_init(&m);
    struct toe_msg old = {.type = TOE_MSG_RESP, .value = 0xdead};
    for (int t = 0; t < 256; t++) {
        old.arg = (uint8_t)t;
        mock_emit(&m, &old);
    }
    mock_emit_event(&m, 7, 3);
    toe_dev *d = mock_open(&m, 1, 50, 3);
    uint32_t v = 0;
    CHECK(d && hs(d, TOE_HSTAT_LINK_RX_STALE) == 257 && hs(d, TOE_HSTAT_LINK_NO_SESSION) == 0 &&
              hs(d, TOE_HSTAT_EVENTS) == 0 && m.csr[TOE_CSR_LINK_SESSION] != 0,
          "test_dev_session_drops_previous_hosts_answers");
    CHECK(d && toe_csr_read(d, TOE_CSR_LINK_SESSION, &v, 1000) == 0 &&
              v == m.csr[TOE_CSR_LINK_SESSION], "test_dev_session_number_on_the_device");
    /* A resent SESSION's second ACK, after the fence, is counted too, not taken as anything. */
    struct toe_msg ack = {.type = TOE_MSG_SESSION_ACK, .value = v};
    mock_emit(&m, &ack);
    if (d)
        toe_poll(d, 10);
    CHECK(d && hs(d, TOE_HSTAT_LINK_RX_STALE) == 258, "test_dev_session_late_ack_counted");
    toe_close(d);
    mock_free(&m);

    /* A device slower than the host (a simulator on a loaded machine): its first answer comes
     * after 1.65 s of the host's clock (150 reads, ten times fast), and the open resends
     * nothing meanwhile; answers that are lost are resent once the link is silent. */
    mock_init(&m);
    m.late_reads = 150;
    toe_set_clock(mock_fast_host_clock, &m);
    d = mock_open(&m, 1, 0, 0);
    CHECK(d && hs(d, TOE_HSTAT_CSR_RETRIES) == 0 && hs(d, TOE_HSTAT_LINK_NO_SESSION) == 0,
          "test_dev_open_waits_for_a_slow_device (%llu resends)",
          d ? (unsigned long long)hs(d, TOE_HSTAT_CSR_RETRIES) : 0ull);
    toe_close(d);
    mock_free(&m);
    mock_init(&m);
    m.drop_resps = 2;
    d = mock_open(&m, 1, 0, 0);
    CHECK(d && hs(d, TOE_HSTAT_CSR_RETRIES) == 2, "test_dev_open_resends_lost_answers");
    toe_close(d);
    mock_free(&m);

    /* A device from before sessions does not answer SESSION: the open goes on unfenced. */
    mock_init(&m);
    m.no_session = 1;
    d = mock_open(&m, 1, 20, 2);
    CHECK(d && hs(d, TOE_HSTAT_LINK_NO_SESSION) == 1 && toe_csr_read(d, TOE_CSR_ID, &v, 1000) == 0 &&
              v == TOE_CONST_ID, "test_dev_session_old_device_unfenced");
    toe_close(d);
    toe_set_clock(NULL, NULL);
    mock_free(&m);
}

static uint64_t fake_host_us;
static uint64_t fake_clock(void *priv)
{
    (void)priv;
    return fake_host_us;
}

/* API timeouts are device time: the deadline logic on a host clock moved by hand, then a
 * timeout against a device whose clock runs ten times slower than the host's. */
static void test_device_time(void)
{
    struct mock_dev m;
    mock_init(&m);
    m.time_us = 5000000;
    fake_host_us = 1000000000;
    toe_set_clock(fake_clock, NULL);
    toe_dev *d = mock_open(&m, 1, 50, 3);
    CHECK(d != NULL && d->dt_us >= 5000000 && d->dt_us <= m.time_us,
          "test_dev_open_reads_device_clock (%llu)", d ? (unsigned long long)d->dt_us : 0ull);
    if (!d) {
        toe_set_clock(NULL, NULL);
        return;
    }
    uint64_t t0 = d->dt_us, dl = toe_deadline(d, 100);
    CHECK(dl == t0 + 100000 && toe_deadline(d, -1) == UINT64_MAX, "test_dev_deadline_device_us");
    fake_host_us += 40000;
    CHECK(toe_remaining(d, dl, -1) == 60 && toe_remaining(d, dl, 25) == 25,
          "test_dev_deadline_waits_estimated_rest");
    fake_host_us += 60000; /* the estimate is at the deadline; no device stamp says so yet */
    uint64_t msgs = hs(d, TOE_HSTAT_LINK_TX_MSGS);
    int r1 = toe_remaining(d, dl, -1), r2 = toe_remaining(d, dl, -1);
    CHECK(r1 == TOE_TIME_PROBE_MS && r2 == TOE_TIME_PROBE_MS &&
          hs(d, TOE_HSTAT_LINK_TX_MSGS) == msgs + 1,
          "test_dev_deadline_unconfirmed_probes_once_per_period (%d %d, %llu probes)", r1, r2,
          (unsigned long long)(hs(d, TOE_HSTAT_LINK_TX_MSGS) - msgs));
    toe_dev_note_time(d, dl - 1);
    CHECK(toe_remaining(d, dl, -1) > 0, "test_dev_deadline_not_over_before_device_time");
    toe_dev_note_time(d, t0); /* an older stamp does not move the clock back */
    CHECK(d->dt_us == dl - 1, "test_dev_time_monotonic");
    toe_dev_note_time(d, dl);
    CHECK(toe_remaining(d, dl, -1) == 0, "test_dev_deadline_over_on_device_stamp");
    /* A quiet link is not a silent device: silence counts from the first probe unanswered. */
    uint64_t dl2 = toe_deadline(d, 10);
    fake_host_us += TOE_TIME_SILENT_MS * 1000ull;
    CHECK(toe_remaining(d, dl2, -1) == TOE_TIME_PROBE_MS,
          "test_dev_deadline_quiet_link_asks_the_device");
    /* The probe goes unanswered but the device still sends (answers queued before it): slow,
     * not silent. */
    fake_host_us += TOE_TIME_SILENT_MS * 500ull;
    m.silent = 1;
    struct toe_msg other = {.type = TOE_MSG_RESP, .arg = 0x77};
    mock_emit(&m, &other);
    toe_poll(d, 0);
    fake_host_us += TOE_TIME_SILENT_MS * 500ull + 1000;
    CHECK(toe_remaining(d, dl2, -1) == TOE_TIME_PROBE_MS,
          "test_dev_deadline_answering_device_not_silent");
    fake_host_us += TOE_TIME_SILENT_MS * 1000ull;
    CHECK(toe_remaining(d, dl2, -1) == 0, "test_dev_deadline_silent_device_ends_on_host_time");
    m.silent = 0;
    toe_close(d);

    /* Until the device's clock is first seen, host time decides, without a probe. */
    d = mock_open(&m, 0, 50, 3);
    uint64_t dl3 = d ? toe_deadline(d, 10) : 0;
    fake_host_us += 10000;
    CHECK(d && toe_remaining(d, dl3, -1) == 0 && hs(d, TOE_HSTAT_LINK_TX_MSGS) == 0,
          "test_dev_deadline_host_time_until_the_first_stamp");
    toe_close(d);
    toe_set_clock(NULL, NULL);

    /* A device ten times slower than the host (a simulator): a 20 ms timeout ends only once
     * 20 ms of device time have passed, learnt from time probes. */
    d = mock_open(&m, 1, 50, 3);
    CHECK(d != NULL, "test_dev_reopen");
    if (!d)
        return;
    m.slow_clock = 1;
    /* From the device time the library knows when the wait starts (its last stamp): the mock's
     * clock may be a few reads past it, and a loaded host runs those reads late. */
    uint64_t start = d->dt_us;
    unsigned probes = m.csr_reads;
    uint8_t buf[64];
    size_t len = 0;
    int r = toe_raw_recv(d, buf, sizeof buf, &len, NULL, NULL, 20);
    CHECK(r == TOE_ETIMEDOUT && m.time_us >= start + 20000,
          "test_dev_timeout_is_device_time (%s after %llu us of device time, %u probes)",
          toe_error_name(r), (unsigned long long)(m.time_us - start), m.csr_reads - probes);
    toe_close(d);
    mock_free(&m);
}

int main(void)
{
    test_csr();
    test_device_time();
    test_events();
    test_raw_and_bad_input();
    test_session();
    printf("%s test_dev\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
