/* SPDX-License-Identifier: MIT */
/* test_toed_client: the client side of the toed protocol (toed.h) against a scripted fake
 * daemon in a child process: HELLO, replies with data lines and EVENT lines mixed in, ERR
 * names mapped back to libtoe errors, a socket passed with SCM_RIGHTS on CONNECT and ACCEPT,
 * toed_conn_error, info and netstat parsing, no daemon at all. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>


#include "mock.h"
#include "toed.h"

static void put(int c, const char *s) { (void)!write(c, s, strlen(s)); }

/* Send a line with an fd attached: one end of a new socketpair whose other end says hi. */
static void put_fd(int c, const char *line)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        _exit(3);
    put(sv[0], "hi");
    struct iovec iov = {(void *)line, strlen(line)};
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr a;
    } u;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                        .msg_controllen = sizeof(u.b)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &sv[1], sizeof(int));
    if (sendmsg(c, &mh, 0) < 0)
        _exit(3);
    close(sv[1]);
}

/* The fake daemon: answers each line by its first word. */
static void serve(int ls)
{
    for (;;) {
        int c = accept(ls, NULL, NULL);
        if (c < 0)
            _exit(0);
        char buf[1024];
        size_t len = 0;
        int accepts = 0; /* the second ACCEPT of a connection: an EVENT, the OK after "GO" */
        for (;;) {
            ssize_t n = read(c, buf + len, sizeof(buf) - 1 - len);
            if (n <= 0)
                break;
            len += (size_t)n;
            buf[len] = 0;
            char *nl;
            while ((nl = strchr(buf, '\n'))) {
                *nl = 0;
                if (!strncmp(buf, "HELLO ", 6))
                    put(c, strcmp(buf, "HELLO 1") ? "ERR TOE_ENOTSUP no\n" : "OK toed 1\n");
                else if (!strcmp(buf, "CONNECT 10.0.2.2 80"))
                    put_fd(c, "EVENT 9 ERR TOE_ETIMEDOUT old news\nOK 7 40000\n");
                else if (!strcmp(buf, "CONNECT 10.0.2.2 81"))
                    put(c, "ERR TOE_ECONNREFUSED connection refused\n");
                else if (!strcmp(buf, "CONNECT 10.0.2.2 82")) {
                    put_fd(c, "OK 8 40001\n");
                    put(c, "EVENT 8 ERR TOE_ECONNRESET connection reset by peer\n");
                } else if (!strncmp(buf, "LISTEN ", 7))
                    put(c, "OK 3\n");
                else if (!strcmp(buf, "ACCEPT *") && ++accepts == 2)
                    put(c, "EVENT 4 ERR TOE_ECONNRESET connection reset by peer\n");
                else if (!strcmp(buf, "ACCEPT *") || !strcmp(buf, "GO"))
                    put_fd(c, "OK 4 10.0.2.2 5555\n");
                else if (!strcmp(buf, "INFO"))
                    put(c, "* device sim:/x\n* id 1953457457\nEVENT 1 ERR TOE_EIO x\n"
                           "* mac 02:00:00:00:00:01\n* ip 167772687\n* slots 8\nOK\n");
                else if (!strcmp(buf, "NETSTAT"))
                    put(c, "* ESTABLISHED 2 10.0.2.15 40000 10.0.2.2 80 1 2 3 4 5 6 7 8 9 "
                           "1460 0 1\nOK\n");
                else if (!strcmp(buf, "PARTIAL")) {
                    put(c, "* da");
                    usleep(50000);
                    put(c, "ta\nOK par");
                    usleep(50000);
                    put(c, "tial\n");
                } else if (!strcmp(buf, "WEIRD"))
                    put(c, "HUH\n");
                else
                    put(c, "ERR TOE_EINVAL what\n");
                len -= (size_t)(nl + 1 - buf);
                memmove(buf, nl + 1, len + 1);
            }
        }
        close(c);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    char dir[] = "/tmp/toe_test_toed.XXXXXX";
    if (!mkdtemp(dir)) {
        printf("SKIP test_toed_client: cannot make a temporary directory\n");
        return 77;
    }
    char path[100];
    snprintf(path, sizeof(path), "%s/toed.sock", dir);
    CHECK(toed_connect(path, "10.0.2.2", 80, NULL) == TOE_ENODEV, "test_toed_client_no_daemon");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    int ls = socket(AF_UNIX, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 4)) {
        printf("SKIP test_toed_client: cannot listen on %s\n", path);
        return 77;
    }
    pid_t child = fork();
    if (child == 0)
        serve(ls);
    close(ls);

    setenv("TOE_DAEMON", path, 1);
    CHECK(!strcmp(toed_socket_path(NULL), path) && !strcmp(toed_socket_path("/p"), "/p"),
          "test_toed_client_socket_path");
    int ctl = -1;
    int fd = toed_connect(NULL, "10.0.2.2", 80, &ctl);
    char hi[8] = "";
    CHECK(fd >= 0 && ctl >= 0 && read(fd, hi, sizeof(hi)) == 2 && !memcmp(hi, "hi", 2),
          "test_toed_client_connect_gets_fd (the EVENT before the OK skipped)");
    if (fd >= 0)
        close(fd);
    if (ctl >= 0)
        close(ctl);
    CHECK(toed_connect(NULL, "10.0.2.2", 81, NULL) == TOE_ECONNREFUSED,
          "test_toed_client_err_name_mapped");
    CHECK(toed_connect(NULL, "example.org", 80, NULL) == TOE_EINVAL &&
              toed_connect(NULL, "10.0.2.2", 0, NULL) == TOE_EINVAL,
          "test_toed_client_bad_arguments");
    fd = toed_connect(NULL, "10.0.2.2", 82, &ctl);
    CHECK(fd >= 0 && toed_conn_error(ctl, 5000) == TOE_ECONNRESET,
          "test_toed_client_conn_error_event");
    if (fd >= 0)
        close(fd);
    if (ctl >= 0)
        close(ctl);

    int l = toed_listen(NULL, 7000, 4);
    uint32_t ip = 0;
    uint16_t port = 0;
    fd = l >= 0 ? toed_accept(l, &ip, &port) : -1;
    CHECK(l >= 0 && fd >= 0 && ip == 0x0a000202 && port == 5555, "test_toed_client_listen_accept");
    if (fd >= 0)
        close(fd);
    /* In two halves: an EVENT line alone is not the answer (TOE_EAGAIN), the OK after it is. */
    struct pollfd pl = {.fd = l, .events = POLLIN};
    int ra = l >= 0 ? toed_accept_start(l) : -1;
    int rb = !ra && poll(&pl, 1, 5000) == 1 ? toed_accept_finish(l, 0, &ip, &port) : -1;
    fd = -1;
    if (rb == TOE_EAGAIN && write(l, "GO\n", 3) == 3)
        fd = toed_accept_finish(l, -1, &ip, &port);
    CHECK(ra == 0 && rb == TOE_EAGAIN && fd >= 0 && port == 5555,
          "test_toed_client_accept_in_halves (start %d, finish %d then %d)", ra, rb, fd);
    if (fd >= 0)
        close(fd);
    if (l >= 0)
        close(l);

    struct toe_info in;
    char spec[64];
    CHECK(toed_info(NULL, &in, spec, sizeof(spec)) == 0 && in.id == TOE_CONST_ID &&
              in.ip == 0x0a00020f && in.slots == 8 && in.mac[5] == 1 && !strcmp(spec, "sim:/x"),
          "test_toed_client_info (%s)", spec);
    struct toe_tcp_info t[2];
    size_t got = 0;
    CHECK(toed_netstat(NULL, t, 2, &got) == 0 && got == 1 && t[0].state == TOE_TCPS_ESTABLISHED &&
              t[0].slot == 2 && t[0].remote_port == 80 && t[0].local_ip == 0x0a00020f &&
              t[0].mss == 1460 && t[0].rcv_wscale == 1,
          "test_toed_client_netstat");
    /* tx_queued as libtoe's own netstat computes it: TX_END - SND_UNA (4 - 1) */
    CHECK(got == 1 && t[0].tx_queued == 3, "test_toed_client_netstat_tx_queued (%u)",
          got == 1 ? t[0].tx_queued : 0);
    int c = -1;
    char reply[32];
    CHECK(toed_open(NULL, &c) == 0 &&
              toed_request(c, "PARTIAL", NULL, NULL, NULL, reply, sizeof(reply)) == 0 &&
              !strcmp(reply, "partial"),
          "test_toed_client_line_in_pieces (%s)", reply);
    CHECK(toed_request(c, "WEIRD", NULL, NULL, NULL, NULL, 0) ==
              TOE_EPROTO && toed_request(c, "a\nb", NULL, NULL, NULL, NULL, 0) == TOE_EINVAL,
          "test_toed_client_bad_reply_eproto");
    if (c >= 0)
        close(c);

    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    unlink(path);
    rmdir(dir);
    printf("%s test_toed_client\n", mock_failures ? "FAIL" : "PASS");
    return mock_failures ? 1 : 0;
}
