/* SPDX-License-Identifier: MIT */
/* tr_ftdi.c: FTDI transports.
 *  ftdi-fifo: FT232H (or FT2232H channel A) in FT245 synchronous FIFO mode. libftdi1 opens and
 *             configures the chip; then libusb asynchronous bulk transfers on its handle keep
 *             several large IN transfers queued for throughput. Every max-packet-size packet
 *             of IN data starts with 2 modem-status bytes, stripped per packet.
 *  ftdi-uart: an FTDI UART channel (default the Versa's FT2232H channel B) through libftdi1's
 *             own read/write calls (which strip the status bytes themselves). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ftdi.h>
#include <libusb.h>

#include "toe_internal.h"

size_t toe_ftdi_strip_status(uint8_t *buf, size_t len, size_t packet_size)
{
    if (packet_size <= 2)
        return 0;
    size_t o = 0;
    for (size_t p = 0; p < len; p += packet_size) {
        size_t n = len - p < packet_size ? len - p : packet_size;
        if (n <= 2)
            continue;
        memmove(buf + o, buf + p + 2, n - 2);
        o += n - 2;
    }
    return o;
}

/* libftdi's "device not found" codes from the ftdi_usb_open* family. */
static int open_err(struct ftdi_context *f, int r, uint16_t vid, uint16_t pid, const char *what,
                    char *err, size_t errlen)
{
    if (r == -3 || r == -1 || r == -2) {
        toe_fmt(err, errlen, "no FTDI device %04x:%04x%s%s found", vid, pid, what ? " " : "",
                what ? what : "");
        return TOE_ENODEV;
    }
    toe_fmt(err, errlen, "cannot open FTDI device %04x:%04x: %s", vid, pid,
            ftdi_get_error_string(f));
    return (r == -4 || r == -5 || r == -8) ? TOE_ENODEV : TOE_EIO;
}

/* ---- ftdi-fifo: libusb asynchronous transfers ---------------------------------------- */

#define FIFO_NXFER 4
#define FIFO_XFER (32 * 1024)    /* a multiple of 512 */
#define FIFO_RING (1024 * 1024)

struct fifo_tr {
    struct ftdi_context *f;
    struct libusb_transfer *xfer[FIFO_NXFER];
    uint8_t inflight[FIFO_NXFER];
    uint8_t parked[FIFO_NXFER];
    uint8_t *ring;
    size_t head, len;  /* ring of stripped IN data */
    int error;         /* sticky: TOE_ENODEV or TOE_EIO */
};

static void fifo_in_cb(struct libusb_transfer *x);

static int fifo_submit(struct fifo_tr *t, int i)
{
    t->parked[i] = 0;
    int r = libusb_submit_transfer(t->xfer[i]);
    if (r) {
        t->error = r == LIBUSB_ERROR_NO_DEVICE ? TOE_ENODEV : TOE_EIO;
        return t->error;
    }
    t->inflight[i] = 1;
    return 0;
}

static size_t fifo_reserved(const struct fifo_tr *t)
{
    size_t n = 0;
    for (int i = 0; i < FIFO_NXFER; i++)
        n += t->inflight[i] ? FIFO_XFER : 0;
    return n;
}

static void fifo_in_cb(struct libusb_transfer *x)
{
    struct fifo_tr *t = x->user_data;
    int i = 0;
    while (i < FIFO_NXFER && t->xfer[i] != x)
        i++;
    if (i == FIFO_NXFER)
        return;
    t->inflight[i] = 0;
    if (x->status == LIBUSB_TRANSFER_CANCELLED)
        return;
    if (x->status == LIBUSB_TRANSFER_NO_DEVICE) {
        t->error = TOE_ENODEV;
        return;
    }
    if (x->status != LIBUSB_TRANSFER_COMPLETED && x->status != LIBUSB_TRANSFER_TIMED_OUT) {
        t->error = TOE_EIO;
        return;
    }
    size_t n = toe_ftdi_strip_status(x->buffer, (size_t)x->actual_length,
                                      t->f->max_packet_size ? t->f->max_packet_size : 512);
    /* Space is reserved for every transfer in flight, so this always fits. */
    for (size_t k = 0; k < n; k++)
        t->ring[(t->head + t->len + k) % FIFO_RING] = x->buffer[k];
    t->len += n;
    /* Resubmit only while the ring has room for every transfer in flight: backpressure
     * reaches the FPGA through the FTDI when the host stops reading. */
    if (FIFO_RING - t->len >= fifo_reserved(t) + FIFO_XFER)
        fifo_submit(t, i);
    else
        t->parked[i] = 1;
}

static int fifo_events(struct fifo_tr *t, int ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    int r = libusb_handle_events_timeout_completed(t->f->usb_ctx, &tv, NULL);
    if (r && r != LIBUSB_ERROR_INTERRUPTED && r != LIBUSB_ERROR_TIMEOUT)
        return r == LIBUSB_ERROR_NO_DEVICE ? TOE_ENODEV : TOE_EIO;
    return 0;
}

static int fifo_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct fifo_tr *t = priv;
    uint64_t deadline = toe_host_deadline(timeout_ms < 0 ? 1000 : timeout_ms);
    *got = 0;
    for (;;) {
        if (t->len) {
            size_t n = t->len < cap ? t->len : cap;
            for (size_t k = 0; k < n; k++)
                buf[k] = t->ring[(t->head + k) % FIFO_RING];
            t->head = (t->head + n) % FIFO_RING;
            t->len -= n;
            *got = n;
            for (int i = 0; i < FIFO_NXFER; i++)
                if (t->parked[i] && FIFO_RING - t->len >= fifo_reserved(t) + FIFO_XFER)
                    fifo_submit(t, i);
            return 0;
        }
        if (t->error)
            return t->error;
        int rem = toe_host_remaining(deadline, -1);
        int r = fifo_events(t, rem);
        if (r)
            return t->error = r;
        if (rem == 0 && !t->len)
            return t->error;
    }
}

static int fifo_write(void *priv, const uint8_t *buf, size_t len, size_t *written,
                      int timeout_ms)
{
    struct fifo_tr *t = priv;
    *written = 0;
    if (t->error)
        return t->error;
    int done = 0;
    /* A synchronous bulk OUT also runs libusb's event loop, so IN callbacks keep going. */
    int r = libusb_bulk_transfer(t->f->usb_dev, (unsigned char)t->f->in_ep, (uint8_t *)buf,
                                 (int)len, &done, (unsigned)(timeout_ms < 0 ? 2000 : timeout_ms));
    *written = done > 0 ? (size_t)done : 0;
    if (r == LIBUSB_ERROR_TIMEOUT)
        return TOE_ETIMEDOUT;
    if (r)
        return t->error = (r == LIBUSB_ERROR_NO_DEVICE ? TOE_ENODEV : TOE_EIO);
    return 0;
}

static void fifo_close(void *priv)
{
    struct fifo_tr *t = priv;
    if (!t)
        return;
    for (int i = 0; i < FIFO_NXFER; i++)
        if (t->xfer[i] && t->inflight[i])
            libusb_cancel_transfer(t->xfer[i]);
    /* Wait (bounded) for the cancellations before freeing the transfers. */
    for (int k = 0; k < 100; k++) {
        int any = 0;
        for (int i = 0; i < FIFO_NXFER; i++)
            any |= t->inflight[i];
        if (!any)
            break;
        if (fifo_events(t, 10))
            break;
    }
    for (int i = 0; i < FIFO_NXFER; i++)
        if (t->xfer[i] && !t->inflight[i]) {
            free(t->xfer[i]->buffer);
            libusb_free_transfer(t->xfer[i]);
        }
    ftdi_set_bitmode(t->f, 0xff, BITMODE_RESET);
    ftdi_usb_close(t->f);
    ftdi_free(t->f);
    free(t->ring);
    free(t);
}

static const struct toe_transport_ops fifo_ops = {"ftdi-fifo", fifo_write, fifo_read,
                                                  fifo_close, NULL};

int toe_tr_open_ftdi_fifo(struct toe_transport *tr, uint16_t vid, uint16_t pid,
                          const char *serial, char *err, size_t errlen)
{
    struct fifo_tr *t = calloc(1, sizeof(*t));
    if (!t || !(t->ring = malloc(FIFO_RING))) {
        free(t);
        toe_fmt(err, errlen, "out of memory");
        return TOE_ENOMEM;
    }
    if (!(t->f = ftdi_new())) { /* libusb_init failed: no USB here at all */
        free(t->ring);
        free(t);
        toe_fmt(err, errlen, "no FTDI device %04x:%04x found (cannot initialise libusb)", vid,
                pid);
        return TOE_ENODEV;
    }
    struct ftdi_context *f = t->f;
    char what[96] = "";
    if (serial)
        toe_fmt(what, sizeof(what), "with serial %s", serial);
    int r = ftdi_set_interface(f, INTERFACE_A);
    if (!r)
        r = ftdi_usb_open_desc(f, vid, pid, NULL, serial);
    if (r < 0) {
        int e = open_err(f, r, vid, pid, serial ? what : NULL, err, errlen);
        ftdi_free(f);
        free(t->ring);
        free(t);
        return e;
    }
    if (ftdi_set_bitmode(f, 0xff, BITMODE_RESET) < 0 ||
        ftdi_set_bitmode(f, 0xff, BITMODE_SYNCFF) < 0 || ftdi_set_latency_timer(f, 2) < 0 ||
        ftdi_setflowctrl(f, SIO_RTS_CTS_HS) < 0 || ftdi_tcioflush(f) < 0) {
        toe_fmt(err, errlen, "FTDI %04x:%04x: cannot enter synchronous FIFO mode (is the "
                "EEPROM set to 245 FIFO?): %s", vid, pid, ftdi_get_error_string(f));
        ftdi_usb_close(f);
        ftdi_free(f);
        free(t->ring);
        free(t);
        return TOE_EIO;
    }
    for (int i = 0; i < FIFO_NXFER; i++) {
        uint8_t *b = malloc(FIFO_XFER);
        t->xfer[i] = libusb_alloc_transfer(0);
        if (!b || !t->xfer[i]) {
            free(b);
            toe_fmt(err, errlen, "out of memory");
            fifo_close(t);
            return TOE_ENOMEM;
        }
        libusb_fill_bulk_transfer(t->xfer[i], f->usb_dev, (unsigned char)f->out_ep, b,
                                  FIFO_XFER, fifo_in_cb, t, 0);
        if (fifo_submit(t, i)) {
            toe_fmt(err, errlen, "FTDI %04x:%04x: cannot queue USB transfers", vid, pid);
            int e = t->error;
            fifo_close(t);
            return e;
        }
    }
    tr->ops = &fifo_ops;
    tr->priv = t;
    return 0;
}

/* ---- ftdi-uart: libftdi1 read/write ------------------------------------------------- */

struct uart_tr {
    struct ftdi_context *f;
};

static int uart_read(void *priv, uint8_t *buf, size_t cap, size_t *got, int timeout_ms)
{
    struct uart_tr *t = priv;
    uint64_t deadline = toe_host_deadline(timeout_ms < 0 ? 1000 : timeout_ms);
    *got = 0;
    if (cap > 65536)
        cap = 65536;
    for (;;) {
        /* Returns within the latency timer when the chip has nothing. */
        int n = ftdi_read_data(t->f, buf, (int)cap);
        if (n > 0) {
            *got = (size_t)n;
            return 0;
        }
        if (n < 0)
            return n == -666 ? TOE_ENODEV : TOE_EIO;
        if (toe_host_remaining(deadline, -1) == 0)
            return 0;
    }
}

static int uart_write(void *priv, const uint8_t *buf, size_t len, size_t *written,
                      int timeout_ms)
{
    struct uart_tr *t = priv;
    *written = 0;
    t->f->usb_write_timeout = timeout_ms < 0 ? 2000 : (timeout_ms ? timeout_ms : 1);
    int n = ftdi_write_data(t->f, buf, (int)len);
    if (n < 0)
        return n == -666 ? TOE_ENODEV : TOE_EIO;
    *written = (size_t)n;
    return (size_t)n < len ? TOE_ETIMEDOUT : 0;
}

static void uart_close(void *priv)
{
    struct uart_tr *t = priv;
    if (!t)
        return;
    ftdi_usb_close(t->f);
    ftdi_free(t->f);
    free(t);
}

static const struct toe_transport_ops uart_ops = {"ftdi-uart", uart_write, uart_read,
                                                  uart_close, NULL};

int toe_tr_open_ftdi_uart(struct toe_transport *tr, uint16_t vid, uint16_t pid, int iface,
                          unsigned baud, char *err, size_t errlen)
{
    struct uart_tr *t = calloc(1, sizeof(*t));
    if (!t) {
        toe_fmt(err, errlen, "out of memory");
        return TOE_ENOMEM;
    }
    if (!(t->f = ftdi_new())) {
        free(t);
        toe_fmt(err, errlen, "no FTDI device %04x:%04x found (cannot initialise libusb)", vid,
                pid);
        return TOE_ENODEV;
    }
    struct ftdi_context *f = t->f;
    static const enum ftdi_interface ifs[4] = {INTERFACE_A, INTERFACE_B, INTERFACE_C,
                                               INTERFACE_D};
    char what[32];
    toe_fmt(what, sizeof(what), "(interface %c)", 'A' + iface);
    int r = ftdi_set_interface(f, ifs[iface & 3]);
    if (r < 0) {
        toe_fmt(err, errlen, "FTDI: bad interface %c: %s", 'A' + iface,
                ftdi_get_error_string(f));
        ftdi_free(f);
        free(t);
        return TOE_EINVAL;
    }
    r = ftdi_usb_open(f, vid, pid);
    if (r < 0) {
        int e = open_err(f, r, vid, pid, what, err, errlen);
        ftdi_free(f);
        free(t);
        return e;
    }
    if (ftdi_set_bitmode(f, 0xff, BITMODE_RESET) < 0 || ftdi_set_baudrate(f, (int)baud) < 0 ||
        ftdi_set_line_property(f, BITS_8, STOP_BIT_1, NONE) < 0 ||
        ftdi_setflowctrl(f, SIO_DISABLE_FLOW_CTRL) < 0 || ftdi_set_latency_timer(f, 2) < 0 ||
        ftdi_read_data_set_chunksize(f, 65536) < 0 || ftdi_tcioflush(f) < 0) {
        toe_fmt(err, errlen, "FTDI %04x:%04x: cannot set %u baud 8N1: %s", vid, pid, baud,
                ftdi_get_error_string(f));
        ftdi_usb_close(f);
        ftdi_free(f);
        free(t);
        return TOE_EIO;
    }
    t->f->usb_read_timeout = 100;
    tr->ops = &uart_ops;
    tr->priv = t;
    return 0;
}
