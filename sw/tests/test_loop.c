/* SPDX-License-Identifier: MIT */
/* test_loop: event-loop integration (toe_get_fd, toe_next_timeout, toe_handle_events) and
 * TOE_EINTR, over the sim: transport to the mock device, which this process serves itself
 * on the accepted end of a real Unix socket (so that nothing answers unless the test says). */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "mock.h"

struct rig {
    char path[100];
    int ls, dev_fd; /* listening socket, the "device" end */
    toe_dev *d;
    struct mock_dev m;
};

static int rig_open(struct rig *g, const char *dir)
{
    memset(g, 0, sizeof(*g));
    g->ls = g->dev_fd = -1;
    snprintf(g->path, sizeof(g->path), "%s/loop.sock", dir);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, g->path, strlen(g->path) + 1);
    unlink(g->path);
    g->ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (g->ls < 0 || bind(g->ls, (struct sockaddr *)&a, sizeof(a)) || listen(g->ls, 1))
        return -1;
    char spec[300];
    snprintf(spec, sizeof(spec), "sim:%s", g->path);
    struct toe_open_opts o = {.no_probe = 1, .csr_retry_ms = 300};
    if (toe_open(&g->d, spec, &o))
        return -1;
    g->dev_fd = accept(g->ls, NULL, NULL);
    mock_init(&g->m);
    return g->dev_fd < 0 ? -1 : 0;
}

static void rig_close(struct rig *g)
{
    toe_close(g->d);
    if (g->dev_fd >= 0)
        close(g->dev_fd);
    if (g->ls >= 0)
        close(g->ls);
    unlink(g->path);
    mock_free(&g->m);
}

/* The device takes what the host wrote and answers it (mock), if answer. */
static void rig_serve(struct rig *g, int answer)
{
    uint8_t buf[65536];
    struct pollfd p = {.fd = g->dev_fd, .events = POLLIN};
    while (poll(&p, 1, 200) > 0) {
        ssize_t n = read(g->dev_fd, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (answer)
            mock_input(&g->m, buf, (size_t)n);
    }
    if (g->m.out_len && write(g->dev_fd, g->m.out, g->m.out_len) != (ssize_t)g->m.out_len)
        printf("  (device write failed)\n");
    g->m.out_len = 0;
}

static void test_loop_get_fd(const char *dir)
{
    struct rig g;
    int ok = !rig_open(&g, dir);
    int fd = -1, fd2 = -2;
    short ev = 0;
    /* A fresh handle has its leading delimiter queued: POLLOUT until it is written. */
    ok = ok && toe_get_fd(g.d, &fd, &ev) == 0 && fd >= 0 && ev == (POLLIN | POLLOUT);
    ok = ok && toe_handle_events(g.d) == 0;
    ok = ok && toe_get_fd(g.d, &fd2, &ev) == 0 && fd2 == fd && ev == POLLIN;
    ok = ok && toe_get_fd(g.d, NULL, &ev) == TOE_EINVAL && toe_get_fd(NULL, &fd, NULL) == TOE_EINVAL;
    CHECK(ok, "test_loop_get_fd");
    rig_close(&g);

    /* A transport without a descriptor says so. */
    struct mock_dev m;
    mock_init(&m);
    toe_dev *d = mock_open(&m, 0, 0, 0);
    CHECK(d && toe_get_fd(d, &fd, NULL) == TOE_ENOTSUP && *toe_last_error(d),
          "test_loop_get_fd_no_fd");
    toe_close(d);
    mock_free(&m);
}

/* The completion of an asynchronous request: its result, and how often it was called. */
struct done_rec {
    int calls, result;
    uint32_t value;
};

static void on_done(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)dev;
    struct done_rec *d = ctx;
    d->calls++;
    d->result = result;
    d->value = value;
}

/* A completion that tries a blocking call: refused (the engine does not nest). */
static void on_done_blocking(toe_dev *dev, void *ctx, int result, uint32_t value)
{
    (void)result;
    (void)value;
    uint32_t v;
    *(int *)ctx = toe_csr_read(dev, TOE_CSR_ID, &v, 100);
}

static void test_loop_timeout_and_events(const char *dir)
{
    struct done_rec done = {0, 1, 0};
    struct rig g;
    int ok = !rig_open(&g, dir), ms = 5, fd = -1;
    ok = ok && toe_handle_events(g.d) == 0;
    CHECK(ok && toe_next_timeout(g.d, &ms) == 0 && ms == -1, "test_loop_idle_no_deadline (%d)",
          ms);
    CHECK(toe_next_timeout(g.d, NULL) == TOE_EINVAL && toe_next_timeout(NULL, &ms) == TOE_EINVAL &&
          toe_handle_events(NULL) == TOE_EINVAL, "test_loop_args");
    /* A CSR request in flight: the deadline is its retry. */
    ok = ok && toe_csr_async(g.d, 1, TOE_CSR_GATEWAY, 0x1234, on_done, &done) == 0;
    ok = ok && toe_next_timeout(g.d, &ms) == 0;
    CHECK(ok && ms > 0 && ms <= 300, "test_loop_csr_deadline (%d ms)", ms);
    /* The turn writes it; the device answers; the fd turns readable; the next turn takes
     * the answer and nothing is pending any more. */
    ok = ok && toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    ok = ok && g.m.csr[TOE_CSR_GATEWAY] == 0x1234;
    ok = ok && toe_get_fd(g.d, &fd, NULL) == 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ok = ok && poll(&p, 1, 1000) == 1;
    ok = ok && toe_handle_events(g.d) == 0 && toe_next_timeout(g.d, &ms) == 0;
    CHECK(ok && ms == -1, "test_loop_handle_events_answer (%d)", ms);
    CHECK(done.calls == 1 && done.result == 0, "test_loop_async_completion (%d calls, %s)",
          done.calls, toe_error_name(done.result));
    /* Unanswered: once the retry is due the deadline is 0, and a turn resends it. */
    uint64_t retries[TOE_HSTAT_COUNT];
    done.calls = 0;
    ok = ok && toe_csr_async(g.d, 1, TOE_CSR_GATEWAY, 0x5678, on_done, &done) == 0;
    ok = ok && toe_handle_events(g.d) == 0;
    rig_serve(&g, 0);
    for (int i = 0; ok && i < 100; i++) {
        ok = toe_next_timeout(g.d, &ms) == 0;
        if (ms == 0)
            break;
        poll(NULL, 0, ms > 0 ? ms : 10);
    }
    ok = ok && ms == 0 && toe_handle_events(g.d) == 0;
    ok = ok && toe_host_stats(g.d, retries, TOE_HSTAT_COUNT, NULL) == 0;
    CHECK(ok && retries[TOE_HSTAT_CSR_RETRIES] == 1 && done.calls == 0, "test_loop_retry_due (%d %d)", (int)retries[TOE_HSTAT_CSR_RETRIES], done.calls);
    /* Forgotten: never completed, and nothing is pending. */
    toe_csr_cancel(g.d, on_done, &done);
    ok = ok && toe_next_timeout(g.d, &ms) == 0;
    CHECK(ok && ms == -1 && done.calls == 0, "test_loop_async_cancel (%d)", ms);
    /* Input taken by another call's turn (toe_poll here; toe_tcp_recv with timeout 0 does
     * the same): the fd does not show it any more, so the deadline is 0 until the loop's
     * next toe_handle_events. */
    done.calls = 0;
    ok = ok && toe_csr_async(g.d, 1, TOE_CSR_GATEWAY, 0x9abc, on_done, &done) == 0;
    ok = ok && toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    ok = ok && poll(&p, 1, 1000) == 1 && toe_poll(g.d, 0) == 0 && done.calls == 1;
    int ms_unseen = 5;
    ok = ok && toe_next_timeout(g.d, &ms_unseen) == 0 && toe_handle_events(g.d) == 0 &&
         toe_next_timeout(g.d, &ms) == 0;
    CHECK(ok && ms_unseen == 0 && ms == -1, "test_loop_input_outside_handle_events_due (%d, %d)",
          ms_unseen, ms);
    int nested = 1;
    ok = ok && toe_csr_async(g.d, 0, TOE_CSR_ID, 0, on_done_blocking, &nested) == 0 &&
         toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    ok = ok && poll(&p, 1, 1000) == 1 && toe_handle_events(g.d) == 0;
    CHECK(ok && nested == TOE_EINVAL && *toe_last_error(g.d),
          "test_loop_blocking_call_in_completion_refused (%s)", toe_error_name(nested));
    rig_close(&g);
}

static void on_alarm(int sig) { (void)sig; }

static void test_loop_eintr(const char *dir)
{
    struct rig g;
    int ok = !rig_open(&g, dir);
    struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    uint32_t v = 0;
    /* The device never answers: without the signal this waits for every retry. */
    int r = ok ? toe_csr_read(g.d, TOE_CSR_ID, &v, 5000) : TOE_EIO;
    CHECK(r == TOE_EINTR && strstr(toe_last_error(g.d), "interrupted"),
          "test_loop_eintr_csr_read (%s: %s)", toe_error_name(r), ok ? toe_last_error(g.d) : "");
    CHECK(!strcmp(toe_error_name(TOE_EINTR), "TOE_EINTR") &&
          !strcmp(toe_strerror(TOE_EINTR), "interrupted by a signal"), "test_loop_eintr_name");
    /* The handle lives on: the next call works once the device answers. */
    rig_serve(&g, 1);
    ok = ok && toe_handle_events(g.d) == 0;
    g.m.csr[TOE_CSR_GATEWAY] = 77;
    int fd = -1;
    toe_get_fd(g.d, &fd, NULL);
    struct done_rec done = {0, 1, 0};
    ok = ok && toe_csr_async(g.d, 1, TOE_CSR_GATEWAY, 99, on_done, &done) == 0 &&
         toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    CHECK(ok && g.m.csr[TOE_CSR_GATEWAY] == 99 && toe_handle_events(g.d) == 0,
          "test_loop_eintr_handle_lives");
    signal(SIGALRM, SIG_DFL);
    rig_close(&g);
}

/* A group read: one completion with every value once all are answered; a group still
 * unanswered is forgotten by its ctx (never completed), and one left at toe_close is freed. */
struct group_rec {
    int calls, result;
    uint32_t v[2];
};

static void on_group(toe_dev *dev, void *ctx, int result, const uint32_t *vals)
{
    (void)dev;
    struct group_rec *g = ctx;
    g->calls++;
    g->result = result;
    memcpy(g->v, vals, sizeof(g->v));
}

static void test_loop_group_read(const char *dir)
{
    struct rig g;
    struct group_rec a = {0, 1, {0, 0}}, b = {0, 1, {0, 0}}, c = {0, 1, {0, 0}};
    int ok = !rig_open(&g, dir), ms = 0;
    const uint16_t addrs[2] = {TOE_CSR_GATEWAY, TOE_CSR_NETMASK};
    if (ok) {
        g.m.csr[TOE_CSR_GATEWAY] = 0x0a000201;
        g.m.csr[TOE_CSR_NETMASK] = 0xffffff00;
    }
    ok = ok && toe_csr_read_async_many(g.d, addrs, 2, on_group, &a) == 0;
    ok = ok && toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    for (int i = 0; ok && i < 50 && !a.calls; i++)
        ok = toe_handle_events(g.d) == 0 && (a.calls || poll(NULL, 0, 10) == 0);
    CHECK(ok && a.calls == 1 && a.result == 0 && a.v[0] == 0x0a000201 && a.v[1] == 0xffffff00,
          "test_loop_group_read (%d calls, 0x%08x 0x%08x)", a.calls, a.v[0], a.v[1]);
    CHECK(toe_csr_read_async_many(g.d, addrs, 0, on_group, &b) == TOE_EINVAL &&
              toe_csr_read_async_many(g.d, addrs, TOE_CSR_GROUP_MAX + 1, on_group, &b) ==
                  TOE_EINVAL,
          "test_loop_group_read_bad_size");
    ok = ok && toe_csr_read_async_many(g.d, addrs, 2, on_group, &b) == 0 &&
         toe_csr_read_async_many(g.d, addrs, 2, on_group, &c) == 0;
    toe_csr_cancel_ctx(g.d, &b);
    ok = ok && toe_handle_events(g.d) == 0;
    rig_serve(&g, 1);
    for (int i = 0; ok && i < 50 && !c.calls; i++)
        ok = toe_handle_events(g.d) == 0 && (c.calls || poll(NULL, 0, 10) == 0);
    CHECK(ok && b.calls == 0 && c.calls == 1, "test_loop_group_cancel (%d, %d)", b.calls,
          c.calls);
    ok = ok && toe_csr_read_async_many(g.d, addrs, 2, on_group, &b) == 0 &&
         toe_next_timeout(g.d, &ms) == 0;
    CHECK(ok && ms > 0, "test_loop_group_pending (%d)", ms);
    rig_close(&g); /* with b's group unanswered: freed (the ASan build checks) */
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/toe_test_loop.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("SKIP test_loop: cannot make a temporary directory\n");
        return 77;
    }
    test_loop_get_fd(dir);
    test_loop_timeout_and_events(dir);
    test_loop_eintr(dir);
    test_loop_group_read(dir);
    rmdir(dir);
    printf("%s test_loop\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
