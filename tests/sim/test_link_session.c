/* SPDX-License-Identifier: MIT */
/* test_link_session: link sessions on the virtual board (docs/LINK.md section 2). Run by
 * test_link_session.sh, which starts toe-sim and checks its link counters afterwards.
 *
 *   test_link_session sim:PATH
 *
 * A "previous host" here is a raw socket client that writes a burst of link messages and goes
 * away without reading an answer: CSR_READs of MAC_LO (a value that is not the ID) for every
 * tag, and RAW_TX frames. After each, a libtoe handle opens at once and must:
 *   - be accepted (toe-sim drops the old client on end of file even while the board's input
 *     is full, instead of refusing the new one as a second client);
 *   - read right answers only: its probe reads ID, whatever tag it picked (every tag has a
 *     MAC_LO answer of the old host in flight), and MAC_LO/ID afterwards;
 *   - see none of the old host's RAW_TX frames go out after its session started (STAT_TX_RAW
 *     does not move across 20 ms of device time).
 * Then previous hosts killed in the middle of a frame (SIGKILL from a child process): the next
 * session's first frame is not damaged (the SESSION is answered first time, no CSR retry with
 * a retry time far above any round trip) and the half frame does not go out.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "link.h"
#include "toe.h"
#include "toe_defs.h"

#define TIMEOUT_MS 60000
#define RECONNECTS 12
#define KILLS 4

static int failures;

static void check(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check(bool ok, const char *name, const char *fmt, ...)
{
    char detail[256] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("%s %s%s%s\n", ok ? "PASS" : "FAIL", name, detail[0] ? ": " : "", detail);
    if (!ok)
        failures++;
}

static int raw_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        perror("connect");
        exit(2);
    }
    return fd;
}

/* The previous host's burst: n_csr CSR_READs of MAC_LO (tags cycling through all 256) and
 * n_raw RAW_TX frames of 1000 bytes, interleaved. Returns the encoded length. */
static size_t make_burst(uint8_t *buf, size_t cap, int n_csr, int n_raw)
{
    static uint8_t frame[1000];
    memset(frame, 0xff, 6);                            /* broadcast */
    memcpy(frame + 6, "\x02\x00\x00\x00\x00\x99", 6);
    frame[12] = 0x88, frame[13] = 0xb5;                /* local experimental ethertype */
    size_t len = 0;
    for (int i = 0; i < n_csr || i < n_raw; i++) {
        if (i < n_csr) {
            struct toe_msg m = {.type = TOE_MSG_CSR_READ, .arg = (uint8_t)i,
                                .addr = TOE_CSR_MAC_LO};
            len += toe_msg_encode(&m, buf + len, cap - len);
        }
        if (i < n_raw) {
            struct toe_msg m = {.type = TOE_MSG_RAW_TX, .data = frame, .data_len = sizeof frame};
            len += toe_msg_encode(&m, buf + len, cap - len);
        }
    }
    return len;
}

/* Write as much of buf as the socket takes without blocking; returns the bytes written. */
static size_t write_some(int fd, const uint8_t *buf, size_t len)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, buf + off, len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    return off;
}

/* Wait for the first answer bytes (a wall-clock guard of 60 s against a hung simulator). */
static void wait_answer(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    uint8_t b[256];
    if (poll(&p, 1, 60000) != 1 || read(fd, b, sizeof b) <= 0) {
        printf("FAIL test_link_session: no answer to a burst\n");
        exit(1);
    }
}

static uint64_t hstat(toe_dev *d, unsigned i)
{
    uint64_t v[TOE_HSTAT_COUNT] = {0};
    toe_host_stats(d, v, TOE_HSTAT_COUNT, NULL);
    return v[i];
}

static uint32_t stat(toe_dev *d, unsigned i)
{
    uint32_t v = 0;
    if (toe_csr_read(d, (uint16_t)(TOE_CSR_STAT_BASE + i), &v, TIMEOUT_MS))
        printf("note: STAT %u: %s\n", i, toe_last_error(d));
    return v;
}

/* Let 20 ms of device time pass (the alarm; 24 KB at the default link rate); returns 0 or an
 * error. */
static int device_wait(toe_dev *d)
{
    uint64_t now;
    int r = toe_time(d, &now, TIMEOUT_MS);
    if (!r)
        r = toe_alarm_set(d, now + 20000, TIMEOUT_MS);
    if (!r)
        r = toe_alarm_wait(d, NULL, TIMEOUT_MS);
    return r;
}

/* Open right after a previous host left; check the session's answers and that nothing of the
 * previous host goes out after it. Returns the handle's LINK_RX_STALE count. */
static uint64_t new_session(const char *spec, const char *name, uint32_t mac_lo, int retry_ms)
{
    /* With a retry time far above a round trip, a CSR retry would mean that the first frame
     * of the session (its SESSION) was lost. */
    char err[TOE_ERRBUF_SIZE] = "";
    struct toe_open_opts o = {.errbuf = err, .errbuf_size = sizeof err, .csr_retry_ms = retry_ms};
    toe_dev *d = NULL;
    int r = toe_open(&d, spec, &o);
    check(r == 0, name, "%s%s", r ? "open failed: " : "accepted, probe read ID", r ? err : "");
    if (r)
        return 0;
    uint32_t id = 0, mac = 0, sess = 0;
    r = toe_csr_read(d, TOE_CSR_ID, &id, TIMEOUT_MS);
    if (!r)
        r = toe_csr_read(d, TOE_CSR_MAC_LO, &mac, TIMEOUT_MS);
    if (!r)
        r = toe_csr_read(d, TOE_CSR_LINK_SESSION, &sess, TIMEOUT_MS);
    uint64_t retries = hstat(d, TOE_HSTAT_CSR_RETRIES);
    check(!r && id == TOE_CONST_ID && mac == mac_lo && sess != 0 &&
              !hstat(d, TOE_HSTAT_LINK_NO_SESSION) && (!retry_ms || !retries),
          name, "answers: ID 0x%08" PRIx32 " MAC_LO 0x%08" PRIx32 " LINK_SESSION 0x%08" PRIx32
                " (%s), stale dropped %" PRIu64 ", CSR retries %" PRIu64,
          id, mac, sess, r ? toe_strerror(r) : "ok", hstat(d, TOE_HSTAT_LINK_RX_STALE), retries);
    uint32_t raw0 = stat(d, TOE_STAT_TX_RAW);
    r = device_wait(d);
    uint32_t raw1 = stat(d, TOE_STAT_TX_RAW);
    check(!r && raw1 == raw0, name, "TX_RAW %" PRIu32 " then %" PRIu32 " 20 ms later (%s)",
          raw0, raw1, r ? toe_strerror(r) : "ok");
    uint64_t stale = hstat(d, TOE_HSTAT_LINK_RX_STALE);
    toe_close(d);
    return stale;
}

int main(int argc, char **argv)
{
    if (argc != 2 || strncmp(argv[1], "sim:", 4)) {
        fprintf(stderr, "usage: test_link_session sim:PATH\n");
        return 2;
    }
    const char *spec = argv[1], *path = argv[1] + 4;
    setvbuf(stdout, NULL, _IOLBF, 0);
    static uint8_t burst[400000];
    size_t blen = make_burst(burst, sizeof burst, 2048, 160);

    /* The MAC as the device has it (one plain session first). */
    toe_dev *d = NULL;
    uint32_t mac_lo = 0;
    if (toe_open(&d, spec, NULL) || toe_csr_read(d, TOE_CSR_MAC_LO, &mac_lo, TIMEOUT_MS)) {
        printf("FAIL test_link_session: first open\n");
        return 1;
    }
    toe_close(d);

    uint64_t stale = 0;
    char name[96];
    for (int i = 0; i < RECONNECTS; i++) {
        int fd = raw_connect(path);
        size_t n = write_some(fd, burst, blen);
        if (i % 2 == 0)
            wait_answer(fd); /* served: the board is busy with the burst when it goes */
        close(fd);
        snprintf(name, sizeof name, "test_link_session_reconnect_after_burst %d (%zu bytes)", i, n);
        stale += new_session(spec, name, mac_lo, 0);
    }
    printf("link_session: %" PRIu64 " stale messages dropped by %d new sessions\n", stale,
           RECONNECTS);

    /* Killed mid-frame: the first time right after the device answered a request (the half
     * frame goes into the device's decoder), then bursts cut inside a RAW_TX frame (500 bytes
     * before the end of a frame). */
    for (int i = 0; i < KILLS; i++) {
        int fd = raw_connect(path);
        pid_t pid = fork();
        if (pid == 0) {
            size_t cut = blen / (size_t)(i + 2);
            while (cut < blen && burst[cut] != 0)
                cut++;
            cut -= 500;
            if (i == 0) {
                uint8_t rd[64];
                struct toe_msg m = {.type = TOE_MSG_CSR_READ, .arg = 1, .addr = TOE_CSR_ID};
                size_t l = toe_msg_encode(&m, rd, sizeof rd);
                if (write(fd, rd, l) != (ssize_t)l)
                    _exit(3);
                wait_answer(fd);
            }
            write_some(fd, burst, cut);
            if (i == 1)
                wait_answer(fd);
            raise(SIGKILL);
            _exit(4);
        }
        close(fd);
        int st = 0;
        waitpid(pid, &st, 0);
        snprintf(name, sizeof name, "test_link_session_client_killed_mid_frame %d", i);
        check(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, name, "the old client died by SIGKILL");
        stale += new_session(spec, name, mac_lo, 5000);
    }
    printf("%s test_link_session\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}
