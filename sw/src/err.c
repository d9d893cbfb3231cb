/* SPDX-License-Identifier: MIT */
/* err.c: error codes, their names and texts, and the formatting of a handle's last error. */
#include <stdio.h>

#include "toe_internal.h"

void toe_fmt(char *buf, size_t len, const char *fmt, ...)
{
    if (!buf || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

int toe_seterr(toe_dev *dev, int err, const char *fmt, ...)
{
    if (dev) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(dev->err, sizeof(dev->err), fmt, ap);
        va_end(ap);
    }
    return err;
}

static const struct {
    int err;
    const char *name, *text;
} err_tab[] = {
    {TOE_OK, "TOE_OK", "success"},
    {TOE_EINVAL, "TOE_EINVAL", "invalid argument"},
    {TOE_ENODEV, "TOE_ENODEV", "no such device"},
    {TOE_EIO, "TOE_EIO", "input/output error"},
    {TOE_ETIMEDOUT, "TOE_ETIMEDOUT", "timed out"},
    {TOE_ENOMEM, "TOE_ENOMEM", "out of memory"},
    {TOE_EOVERFLOW, "TOE_EOVERFLOW", "buffer too small"},
    {TOE_EBADADDR, "TOE_EBADADDR", "unknown CSR address"},
    {TOE_EREADONLY, "TOE_EREADONLY", "CSR is read-only"},
    {TOE_EBADREQ, "TOE_EBADREQ", "device rejected a malformed request"},
    {TOE_EPROTO, "TOE_EPROTO", "protocol error"},
    {TOE_EUNREACH, "TOE_EUNREACH", "host unreachable"},
    {TOE_ENOSPC, "TOE_ENOSPC", "queue full"},
    {TOE_ENOTSUP, "TOE_ENOTSUP", "not supported"},
    {TOE_EAGAIN, "TOE_EAGAIN", "nothing available"},
    {TOE_ECONNREFUSED, "TOE_ECONNREFUSED", "connection refused"},
    {TOE_ECONNRESET, "TOE_ECONNRESET", "connection reset by peer"},
    {TOE_ENOTCONN, "TOE_ENOTCONN", "not connected"},
    {TOE_EADDRINUSE, "TOE_EADDRINUSE", "port in use"},
    {TOE_ENOSLOT, "TOE_ENOSLOT", "no free connection slot on the device"},
    {TOE_EISCONN, "TOE_EISCONN", "already connected or listening"},
    {TOE_EPIPE, "TOE_EPIPE", "connection shut down for sending"},
    {TOE_ECONNABORTED, "TOE_ECONNABORTED", "connection given up (peer not answering)"},
    {TOE_EADDRNOTAVAIL, "TOE_EADDRNOTAVAIL", "address cannot be a TCP peer"},
    {TOE_EINTR, "TOE_EINTR", "interrupted by a signal"},
};

const char *toe_strerror(int err)
{
    for (size_t i = 0; i < sizeof(err_tab) / sizeof(err_tab[0]); i++)
        if (err_tab[i].err == err)
            return err_tab[i].text;
    return "unknown error";
}

const char *toe_error_name(int err)
{
    for (size_t i = 0; i < sizeof(err_tab) / sizeof(err_tab[0]); i++)
        if (err_tab[i].err == err)
            return err_tab[i].name;
    return "TOE_E?";
}
