/* SPDX-License-Identifier: MIT */
/* test_api: public API argument errors (NULL pointers, bad lengths) return TOE_EINVAL and
 * never crash; error names and texts; open errors with a readable reason; the sim: transport
 * end to end against the mock device served on a real Unix socket by a child process.
 * `test_api --serve PATH` just serves the mock device on PATH (for trying the CLI by hand). */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mock.h"

static int listen_on(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
    unlink(path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
        return -1;
    return s;
}

/* Serve the mock device on one connection at a time until killed (or one, if once). */
static void serve(int ls, int once, uint32_t id)
{
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0)
            _exit(1);
        struct mock_dev m;
        mock_init(&m);
        m.csr[TOE_CSR_ID] = id;
        uint8_t buf[65536];
        for (;;) {
            struct pollfd p = {.fd = c, .events = POLLIN};
            if (poll(&p, 1, 5000) <= 0)
                break;
            ssize_t n = read(c, buf, sizeof(buf));
            if (n <= 0)
                break;
            mock_input(&m, buf, (size_t)n);
            if (m.out_len && write(c, m.out, m.out_len) != (ssize_t)m.out_len)
                break;
            m.out_len = 0;
        }
        close(c);
        mock_free(&m);
        if (once)
            _exit(0);
    }
}

static void test_args(void)
{
    int ok = 1;
    uint32_t v;
    uint8_t mac[6], buf[64];
    size_t len, got;
    uint64_t t;
    struct toe_info in;
    ok &= toe_open(NULL, "sim:/x", NULL) == TOE_EINVAL;
    toe_dev *d = (toe_dev *)buf;
    ok &= toe_open(&d, NULL, NULL) == TOE_EINVAL && d == NULL;
    toe_close(NULL);
    ok &= toe_csr_read(NULL, 0, &v, 0) == TOE_EINVAL;
    ok &= toe_csr_write(NULL, 0, 0, 0) == TOE_EINVAL;
    ok &= toe_csr_read_many(NULL, NULL, NULL, 1, &got, 0) == TOE_EINVAL && got == 0;
    ok &= toe_get_info(NULL, &in, 0) == TOE_EINVAL;
    ok &= toe_read_stats(NULL, &v, 1, &got, 0) == TOE_EINVAL;
    ok &= toe_host_stats(NULL, NULL, 0, &got) == TOE_EINVAL;
    ok &= toe_poll(NULL, 0) == TOE_EINVAL;
    ok &= toe_time(NULL, &t, 0) == TOE_EINVAL;
    ok &= toe_alarm_set(NULL, 0, 0) == TOE_EINVAL;
    ok &= toe_alarm_wait(NULL, &t, 0) == TOE_EINVAL;
    ok &= toe_set_event_cb(NULL, NULL, NULL) == TOE_EINVAL;
    ok &= toe_raw_send(NULL, buf, 60, 0, 0) == TOE_EINVAL;
    ok &= toe_raw_recv(NULL, buf, sizeof(buf), &len, NULL, NULL, 0) == TOE_EINVAL;
    ok &= toe_arp_resolve(NULL, 1, mac, 0) == TOE_EINVAL;
    ok &= toe_ip_send(NULL, buf, 60, 0) == TOE_EINVAL;
    ok &= toe_ping(NULL, 1, 0, 0, &v) == TOE_EINVAL;
    ok &= toe_ping_seq(NULL, 1, 0, 0, 0, &v, NULL) == TOE_EINVAL;
    ok &= !strcmp(toe_last_error(NULL), "") && !strcmp(toe_device_spec(NULL), "");
    CHECK(ok, "test_api_null_handle_einval");

    /* With a handle: NULL out-pointers and bad lengths. */
    struct mock_dev m;
    mock_init(&m);
    d = mock_open(&m, 0, 50, 1);
    ok = toe_csr_read(d, 0, NULL, 0) == TOE_EINVAL;
    ok &= toe_csr_read_many(d, NULL, &v, 1, NULL, 0) == TOE_EINVAL;
    ok &= toe_get_info(d, NULL, 0) == TOE_EINVAL;
    ok &= toe_read_stats(d, NULL, 3, NULL, 0) == TOE_EINVAL;
    ok &= toe_time(d, NULL, 0) == TOE_EINVAL;
    ok &= toe_raw_send(d, NULL, 60, 0, 0) == TOE_EINVAL;
    ok &= toe_raw_send(d, buf, 0, 0, 0) == TOE_EINVAL;
    ok &= toe_raw_send(d, buf, (size_t)-1, 0, 0) == TOE_EINVAL;
    ok &= toe_raw_recv(d, NULL, 10, &len, NULL, NULL, 0) == TOE_EINVAL;
    ok &= toe_raw_recv(d, buf, 10, NULL, NULL, NULL, 0) == TOE_EINVAL;
    ok &= toe_arp_resolve(d, 0x0a000202, NULL, 0) == TOE_EINVAL;
    ok &= toe_arp_resolve(d, 0, mac, 0) == TOE_EINVAL;
    ok &= toe_ip_send(d, buf, 19, 0) == TOE_EINVAL;
    ok &= toe_ip_send(d, buf, 1501, 0) == TOE_EINVAL;
    ok &= toe_ping(d, 0x0a000202, 100000, 0, &v) == TOE_EINVAL;
    ok &= toe_host_stats(d, NULL, 5, NULL) == TOE_EINVAL;
    ok &= toe_csr_read_many(d, NULL, NULL, 0, &got, 0) == 0 && got == 0;
    CHECK(ok, "test_api_bad_arguments_einval");
    toe_close(d);
    mock_free(&m);

    ok = 1;
    for (int e = 0; e >= -14; e--)
        ok &= strncmp(toe_error_name(e), "TOE_", 4) == 0 && strcmp(toe_error_name(e), "TOE_E?") &&
              strcmp(toe_strerror(e), "unknown error");
    ok &= !strcmp(toe_error_name(-999), "TOE_E?") && toe_strerror(5) != NULL;
    ok &= toe_stat_count() == TOE_STAT_COUNT && !strcmp(toe_stat_name(0), "rx_frames") &&
          toe_stat_name(TOE_STAT_COUNT) == NULL && toe_host_stat_name(TOE_HSTAT_COUNT) == NULL;
    for (unsigned i = 0; i < TOE_HSTAT_COUNT; i++)
        ok &= toe_host_stat_name(i) != NULL;
    ok &= !strcmp(toe_link_kind_name(2), "ft245") && !strcmp(toe_link_kind_name(9), "unknown");
    CHECK(ok, "test_api_error_and_counter_names");
}

static void test_open_errors(const char *dir)
{
    char err[TOE_ERRBUF_SIZE], spec[300];
    struct toe_open_opts o = {.errbuf = err, .errbuf_size = sizeof(err)};
    toe_dev *d;
    snprintf(spec, sizeof(spec), "sim:%s/missing.sock", dir);
    int r = toe_open(&d, spec, &o);
    CHECK(r == TOE_ENODEV && d == NULL && strstr(err, "cannot connect to sim:") &&
          strstr(err, "No such file"), "test_api_open_missing_socket (%s)", err);
    r = toe_open(&d, "bogus:thing", &o);
    CHECK(r == TOE_EINVAL && strstr(err, "unknown device type"), "test_api_open_bad_scheme (%s)",
          err);
    r = toe_open(&d, "tty:/dev/null@115200", &o);
    CHECK(r == TOE_EINVAL && strstr(err, "not a terminal"), "test_api_open_tty_not_a_tty (%s)",
          err);
    r = toe_open(&d, "tty:/dev/nonexistent-toe@115200", &o);
    CHECK(r == TOE_ENODEV, "test_api_open_tty_missing (%s)", err);
    r = toe_open(&d, "tty:/dev/null@123457", &o);
    CHECK(r == TOE_EINVAL && strstr(err, "baud"), "test_api_open_tty_odd_baud (%s)", err);
}

static pid_t spawn(int ls, uint32_t id)
{
    pid_t p = fork();
    if (p == 0)
        serve(ls, 1, id);
    return p;
}

static void test_sim(const char *dir)
{
    char path[256], spec[300], err[TOE_ERRBUF_SIZE];
    snprintf(path, sizeof(path), "%s/toe.sock", dir);
    snprintf(spec, sizeof(spec), "sim:%s", path);
    int ls = listen_on(path);
    CHECK(ls >= 0, "test_api_sim_listen");
    if (ls < 0)
        return;
    pid_t child = spawn(ls, TOE_CONST_ID);
    struct toe_open_opts o = {.errbuf = err};
    toe_dev *d = NULL;
    int r = toe_open(&d, spec, &o);
    CHECK(r == 0, "test_api_sim_open (%s)", r ? err : "ok");
    if (!r) {
        struct toe_info in;
        uint32_t st[TOE_STAT_COUNT], rtt;
        size_t got;
        CHECK(toe_get_info(d, &in, 1000) == 0 && in.id == TOE_CONST_ID && in.slots == 8,
              "test_api_sim_info");
        CHECK(toe_read_stats(d, st, TOE_STAT_COUNT, &got, 1000) == 0 && got == TOE_STAT_COUNT &&
              st[30] == 1030, "test_api_sim_stats");
        CHECK(toe_ping(d, 0x0a000202, 56, 1000, &rtt) == 0, "test_api_sim_ping (rtt %u us)", rtt);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        uint32_t v;
        r = toe_csr_read(d, TOE_CSR_ID, &v, 1000);
        CHECK(r == TOE_ENODEV || r == TOE_EIO, "test_api_sim_peer_gone (%s: %s)",
              toe_error_name(r), toe_last_error(d));
        toe_close(d);
    } else {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    /* Something answering with the wrong ID is refused. */
    child = spawn(ls, 0x12345678);
    r = toe_open(&d, spec, &o);
    CHECK(r == TOE_EPROTO && strstr(err, "not a toe device"), "test_api_sim_wrong_id (%s)", err);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    close(ls);
    unlink(path);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && !strcmp(argv[1], "--serve")) {
        int ls = listen_on(argv[2]);
        if (ls < 0) {
            perror(argv[2]);
            return 1;
        }
        serve(ls, 0, TOE_CONST_ID);
    }
    char dir[] = "/tmp/toe_test_api.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("SKIP test_api: cannot make a temporary directory\n");
        return 77;
    }
    test_args();
    test_open_errors(dir);
    test_sim(dir);
    rmdir(dir);
    printf("%s test_api\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
