/* SPDX-License-Identifier: MIT */
/* vboard: the Verilated toe_core behind the C interface of vboard.h.
 *
 * Clocking, one core cycle (16 ns), four edges 4 ns apart:
 *   t=0   GMII RX/TX clocks rise, core clock rises   -> sample GMII TX
 *   t=4   GMII clocks fall                           -> drive the next GMII RX byte
 *   t=8   GMII clocks rise, core clock falls         -> sample GMII TX
 *   t=12  GMII clocks fall                           -> drive the next GMII RX byte
 * so GMII RX inputs change half a period away from the edge that samples them. The cycle loop
 * makes no system call and no allocation: bursts live in rings allocated by vboard_new. Only
 * rising edges are evaluated: the falling ones only lower the clocks (lower_clocks).
 *
 * Quiet GMII domains are not clocked (vboard_set_every_edge turns this off). A domain whose
 * state is a fixed point of its clock edge, for inputs that do not change, keeps that state on
 * every further edge, so leaving those edges out changes nothing but the time spent: a fifth
 * to a quarter of an idle board's CPU time (at line rate both domains always have work). A
 * domain rests once it has stayed idle (rx_idle_now, tx_idle_now: no frame queued or in
 * flight, every valid flag and state machine at rest, the pointer synchronisers equal to the
 * other domain's pointer) over QUIET_EDGES clocked edges in a row, which its data registers (a
 * stage or four behind the control ones) need to settle too. It is clocked again at the first
 * edge before which one of its inputs from outside has changed: a burst queued, or the other
 * domain's FIFO pointer moved (a frame written into the transmit FIFO, the core reading the
 * receive FIFO). Without an edge in either domain a core cycle is one evaluation (the core
 * clock's rising edge) instead of four. tests/sim/test_vboard_edges runs two
 * boards, one clocking and evaluating every edge, through the same traffic and compares what
 * they send and when.
 *
 * The host link is core-clock AXI-stream: handshakes are taken from the signals just before the
 * core clock rises; the next inputs (s_link_tvalid/tdata, m_link_tready) are driven when the
 * core clock falls, after link_phy has decided which bytes the PHY lets through this cycle. */
#include "vboard.h"

#include <cstdio>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "link_phy.h"
#include "toe_defs.h"

#include "Vtoe_core.h"
#include "Vtoe_core___024root.h"
#include "verilated.h"

namespace {

constexpr unsigned RX_SLOTS = 64;       /* bursts queued or in flight (vboard.h) */
constexpr unsigned TX_SLOTS = 32;       /* completed bursts waiting for vboard_gmii_tx */
constexpr unsigned IFG_BYTES = 12;
constexpr unsigned RESET_CYCLES = 16;   /* core cycles with every reset held high */
constexpr uint64_t CORE_PERIOD_PS = 1000000000000ull / VBOARD_CORE_HZ;
constexpr uint64_t GMII_HALF_PS = 1000000000000ull / VBOARD_GMII_HZ / 2;
constexpr unsigned QUIET_EDGES = 8;     /* idle edges in a row before a GMII domain rests */
static_assert(CORE_PERIOD_PS == 4 * GMII_HALF_PS, "core clock must be half the GMII clock");

struct rx_burst {
    uint32_t len;
    int32_t er_at;
    uint8_t bytes[VBOARD_MAX_BURST];
};

/* A byte ring of VBOARD_LINK_BUF (a power of two). */
struct byte_ring {
    uint8_t bytes[VBOARD_LINK_BUF];
    uint32_t head, count;
};
static_assert((VBOARD_LINK_BUF & (VBOARD_LINK_BUF - 1)) == 0, "ring size must be a power of 2");

struct tx_burst {
    uint32_t len;
    bool er;       /* TX_ER seen, or the burst was longer than VBOARD_MAX_BURST */
    uint8_t bytes[VBOARD_MAX_BURST];
};

} // namespace

struct vboard {
    VerilatedContext *context;
    Vtoe_core *model;
    uint64_t cycles;
    bool finished; /* the RTL called $finish: the model does not run any more */

    rx_burst *rx;      /* ring of RX_SLOTS; rx[rx_head] is in flight when rx_active */
    unsigned rx_head, rx_count;
    bool rx_active;
    uint32_t rx_pos;
    unsigned rx_idle;  /* idle bytes driven since the last burst, saturating at IFG_BYTES */

    tx_burst *tx;      /* ring of TX_SLOTS, plus tx[TX_SLOTS] for bursts that find it full */
    unsigned tx_head, tx_count;
    tx_burst *tx_cur;  /* burst being collected, NULL when TX_EN is low */
    uint64_t tx_lost;

    link_phy phy;
    byte_ring *to_dev;   /* written by the caller, waiting for the PHY */
    byte_ring *from_dev; /* taken from the RTL, waiting for vboard_link_read */
    bool hold_valid;     /* the byte on s_link_tdata, waiting for s_link_tready */
    uint8_t hold;
    struct vboard_link_counts link_counts;

    bool every_edge;       /* clock the GMII domains at every edge, quiet or not, and
                            * evaluate the falling edges */
    unsigned rx_quiet;     /* idle edges in a row of each GMII domain, saturating */
    unsigned tx_quiet;
};

static inline void ring_push(byte_ring *r, uint8_t byte)
{
    r->bytes[(r->head + r->count) & (VBOARD_LINK_BUF - 1)] = byte;
    r->count++;
}

static inline uint8_t ring_pop(byte_ring *r)
{
    uint8_t byte = r->bytes[r->head];
    r->head = (r->head + 1) & (VBOARD_LINK_BUF - 1);
    r->count--;
    return byte;
}

/* Just before the core clock rises: the handshakes this edge completes. */
static inline void link_edge(vboard *vb, const Vtoe_core *m)
{
    if (vb->hold_valid && m->s_link_tready) {
        vb->hold_valid = false;
        vb->link_counts.to_device++;
    }
    if (m->m_link_tready && m->m_link_tvalid) {
        ring_push(vb->from_dev, (uint8_t)m->m_link_tdata);
        vb->link_counts.from_device++;
    }
}

/* When the core clock falls: one PHY cycle, then the link inputs for the next rising edge. */
static inline void link_drive(vboard *vb, Vtoe_core *m)
{
    link_want to_dev = vb->to_dev->count == 0 ? LINK_IDLE
                       : vb->hold_valid       ? LINK_BLOCKED
                                              : LINK_READY;
    link_want from_dev = !m->m_link_tvalid                        ? LINK_IDLE
                         : vb->from_dev->count >= VBOARD_LINK_BUF ? LINK_BLOCKED
                                                                  : LINK_READY;
    unsigned grant = 0;
    /* A quiet link with no credit left is the common case: skip the model. */
    if (to_dev != LINK_IDLE || from_dev != LINK_IDLE || vb->phy.credit[0] != 0 ||
        vb->phy.credit[1] != 0)
        grant = link_phy_cycle(&vb->phy, to_dev, from_dev);
    if (grant & (1u << LINK_TO_DEVICE)) {
        vb->hold = ring_pop(vb->to_dev);
        vb->hold_valid = true;
    }
    m->s_link_tvalid = vb->hold_valid;
    m->s_link_tdata = vb->hold;
    m->m_link_tready = (grant >> LINK_FROM_DEVICE) & 1u;
}

/* Set the GMII RX inputs for the next rising edge. */
static inline void drive_rx(vboard *vb, Vtoe_core *m)
{
    if (vb->rx_active) {
        const rx_burst *b = &vb->rx[vb->rx_head];
        uint32_t pos = vb->rx_pos;
        if (pos < b->len) {
            m->gmii_rxd = b->bytes[pos];
            m->gmii_rx_er = (int32_t)pos == b->er_at;
            vb->rx_pos = pos + 1;
            return;
        }
        m->gmii_rx_dv = 0;
        m->gmii_rx_er = 0;
        m->gmii_rxd = 0;
        vb->rx_active = false;
        vb->rx_head = (vb->rx_head + 1) % RX_SLOTS;
        vb->rx_count--;
        vb->rx_idle = 1;
        return;
    }
    if (vb->rx_idle < IFG_BYTES) {
        vb->rx_idle++;
        return;
    }
    if (vb->rx_count == 0)
        return;
    const rx_burst *b = &vb->rx[vb->rx_head];
    vb->rx_active = true;
    m->gmii_rx_dv = 1;
    m->gmii_rxd = b->bytes[0];
    m->gmii_rx_er = b->er_at == 0;
    vb->rx_pos = 1;
}

static void tx_begin(vboard *vb)
{
    unsigned slot = vb->tx_count < TX_SLOTS ? (vb->tx_head + vb->tx_count) % TX_SLOTS : TX_SLOTS;
    vb->tx_cur = &vb->tx[slot];
    vb->tx_cur->len = 0;
    vb->tx_cur->er = false;
}

static void tx_end(vboard *vb)
{
    if (vb->tx_cur == &vb->tx[TX_SLOTS])
        vb->tx_lost++;
    else
        vb->tx_count++;
    vb->tx_cur = nullptr;
}

/* Sample GMII TX after a rising edge. True when a burst has just completed. */
static inline bool sample_tx(vboard *vb, const Vtoe_core *m)
{
    if (m->gmii_tx_en) {
        if (__builtin_expect(!vb->tx_cur, 0))
            tx_begin(vb);
        tx_burst *b = vb->tx_cur;
        if (__builtin_expect(b->len < VBOARD_MAX_BURST, 1))
            b->bytes[b->len++] = m->gmii_txd;
        else
            b->er = true;
        if (__builtin_expect(m->gmii_tx_er, 0))
            b->er = true;
        return false;
    }
    if (__builtin_expect(vb->tx_cur != nullptr, 0)) {
        tx_end(vb);
        return true;
    }
    return false;
}

/* Binary value of a Gray-coded FIFO pointer. */
static inline uint32_t gray2bin(uint32_t g)
{
    for (unsigned s = 1; s < 32; s *= 2)
        g ^= g >> s;
    return g;
}

/* The GMII receive domain at rest, for the inputs its next edge would sample: no burst queued
 * or in flight and the inter-frame gap over (GMII RX inputs low and staying low), the MAC, the
 * packer and the register slice empty, and the receive FIFO's read pointer synchronised. */
static inline bool rx_idle_now(const vboard *vb, const Vtoe_core___024root *r)
{
    return !vb->rx_active && vb->rx_count == 0 && vb->rx_idle >= IFG_BYTES &&
           r->toe_core__DOT__mac__DOT__mac_rx__DOT__state == 0 &&
           !r->toe_core__DOT__mac__DOT__mac_rx__DOT__dv_r &&
           !r->toe_core__DOT__mac__DOT__mac_rx__DOT__er_r &&
           !r->toe_core__DOT__mac__DOT__mac_rx__DOT__fin &&
           r->toe_core__DOT__mac__DOT__mac_rx__DOT__owed == 0 &&
           !r->toe_core__DOT__mac__DOT__mac_rx__DOT__o_valid &&
           !r->toe_core__DOT__mac__DOT__rx_pack__DOT__o_valid &&
           !r->toe_core__DOT__mac__DOT__rxr_tvalid &&
           !r->toe_core__DOT__mac__DOT__rx_slice__DOT__skid_valid &&
           r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray_s1 ==
               r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray &&
           r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray_s2 ==
               r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray &&
           r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_bin_w ==
               gray2bin(r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray);
}

/* The GMII transmit domain at rest: the crossing FIFO empty and its write pointer
 * synchronised, the unpacker, the register slice and the MAC idle (TX_EN low, its gap over). */
static inline bool tx_idle_now(const vboard *vb, const Vtoe_core___024root *r)
{
    return !vb->tx_cur && r->toe_core__DOT__mac__DOT__mac_tx__DOT__state == 0 &&
           !r->toe_core__DOT__mac__DOT__mac_tx__DOT__en_r &&
           !r->toe_core__DOT__mac__DOT__mac_tx__DOT__er_r &&
           !r->toe_core__DOT__mac__DOT__txr_tvalid &&
           !r->toe_core__DOT__mac__DOT__tx_slice__DOT__skid_valid &&
           !r->toe_core__DOT__mac__DOT__tx_unpack__DOT__cur_valid &&
           !r->toe_core__DOT__mac__DOT__tx_unpack__DOT__o_valid &&
           !r->toe_core__DOT__mac__DOT__tx_cross__DOT__q_valid &&
           !r->toe_core__DOT__mac__DOT__tx_cross__DOT__o_valid &&
           r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray_s1 ==
               r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray &&
           r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray_s2 ==
               r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray &&
           r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__vis_r ==
               gray2bin(r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray) &&
           r->toe_core__DOT__mac__DOT__tx_cross__DOT__rd_ptr ==
               r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__vis_r;
}

/* Whether the GMII clocks rise at the next GMII edge: not for a domain at rest. A resting
 * domain's own state does not change, so only its inputs from outside need a look: a burst
 * queued, or the other side's FIFO pointer moved away from the synchronised copy. */
static inline void gmii_edge_plan(vboard *vb, const Vtoe_core___024root *r, bool *rx, bool *tx)
{
    *rx = vb->every_edge || vb->rx_quiet < QUIET_EDGES || vb->rx_count != 0 ||
          r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray !=
              r->toe_core__DOT__mac__DOT__rx_fifo__DOT__rd_gray_s2;
    *tx = vb->every_edge || vb->tx_quiet < QUIET_EDGES ||
          r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray !=
              r->toe_core__DOT__mac__DOT__tx_cross__DOT__g_plain__DOT__wr_gray_s2;
}

/* After an evaluation with the planned GMII edges: count the clocked domains' idle edges. */
static inline void gmii_edge_done(vboard *vb, const Vtoe_core___024root *r, bool rx, bool tx)
{
    if (rx)
        vb->rx_quiet = rx_idle_now(vb, r) ? vb->rx_quiet + (vb->rx_quiet < QUIET_EDGES) : 0;
    if (tx)
        vb->tx_quiet = tx_idle_now(vb, r) ? vb->tx_quiet + (vb->tx_quiet < QUIET_EDGES) : 0;
}

/* Whether this Verilator's model keeps each clock's previous value where vboard can set it
 * (Verilator 5.006: __Vtrigrprev__TOP__<clock>). Without it every falling edge is evaluated. */
template <typename R, typename = void> struct clock_memory : std::false_type {};
template <typename R>
struct clock_memory<R, std::void_t<decltype(std::declval<R &>().__Vtrigrprev__TOP__clk),
                                   decltype(std::declval<R &>().__Vtrigrprev__TOP__gmii_rx_clk),
                                   decltype(std::declval<R &>().__Vtrigrprev__TOP__gmii_tx_clk)>>
    : std::true_type {};

/* Lower the clocks in core_low (the core clock) and/or the GMII clocks without an evaluation,
 * where the model allows it; false if it must be evaluated. Every process of the model is
 * triggered by a rising edge, so an evaluation with falling clocks changes no register: it
 * only records the clocks' new values (for the next rising edge) and recomputes the input
 * combinational logic (toe_link's beats), which the next evaluation recomputes before it uses
 * it, and which no output of the model and nothing vboard reads depends on. Setting the
 * recorded values directly leaves the model in the state that evaluation would, for some 150
 * instructions less per edge: with the GMII domains at rest, one evaluation per core cycle
 * instead of two. */
template <typename R> static inline bool lower_clocks(Vtoe_core *m, R *r, bool core_low)
{
    if constexpr (clock_memory<R>::value) {
        if (core_low) {
            m->clk = 0;
            r->__Vtrigrprev__TOP__clk = 0;
        }
        m->gmii_rx_clk = 0;
        m->gmii_tx_clk = 0;
        r->__Vtrigrprev__TOP__gmii_rx_clk = 0;
        r->__Vtrigrprev__TOP__gmii_tx_clk = 0;
        return true;
    } else {
        (void)m, (void)r, (void)core_low;
        return false;
    }
}

/* The GMII clocks fall (4 ns after a rising edge), the core clock stays as it is. */
static inline void gmii_fall(vboard *vb, Vtoe_core *m, VerilatedContext *context, uint64_t t)
{
    if (!vb->every_edge && lower_clocks(m, m->rootp, false))
        return;
    m->gmii_rx_clk = 0;
    m->gmii_tx_clk = 0;
    context->time(t);
    m->eval();
}

/* One core cycle; true if a TX burst completed during it. The falling edges are evaluated
 * only with vboard_set_every_edge (lower_clocks), and the GMII falling edges only after a GMII
 * rising edge (drive_rx does nothing while the receive domain rests). */
static inline bool core_cycle(vboard *vb, Vtoe_core *m, VerilatedContext *context, uint64_t t)
{
    Vtoe_core___024root *r = m->rootp;
    bool done, rx, tx;
    link_edge(vb, m);
    gmii_edge_plan(vb, r, &rx, &tx);
    m->clk = 1;
    m->gmii_rx_clk = rx;
    m->gmii_tx_clk = tx;
    context->time(t);
    m->eval();
    done = sample_tx(vb, m);
    gmii_edge_done(vb, r, rx, tx);

    drive_rx(vb, m);
    if (rx || tx)
        gmii_fall(vb, m, context, t + GMII_HALF_PS);

    gmii_edge_plan(vb, r, &rx, &tx);
    link_drive(vb, m);
    if (rx || tx || vb->every_edge || !lower_clocks(m, r, true)) {
        m->clk = 0;
        m->gmii_rx_clk = rx;
        m->gmii_tx_clk = tx;
        context->time(t + 2 * GMII_HALF_PS);
        m->eval();
        done |= sample_tx(vb, m);
        gmii_edge_done(vb, r, rx, tx);
    }

    drive_rx(vb, m);
    if (rx || tx)
        gmii_fall(vb, m, context, t + 3 * GMII_HALF_PS);
    return done;
}

/* Verilator 5 keeps a per-thread "current context" that $finish, $display and scope teardown
 * use. With several boards in one thread it must be this board's before touching its model,
 * or freeing one board leaves the others pointing at a destroyed context (and deadlocks). */
static void make_current(vboard *vb)
{
    Verilated::threadContextp(vb->context);
}

static void set_resets(Vtoe_core *m, bool active)
{
    m->rst = active;
    m->gmii_rx_rst = active;
    m->gmii_tx_rst = active;
}

extern "C" {

struct vboard *vboard_new(const struct vboard_config *cfg)
{
    vboard *vb = new (std::nothrow) vboard();
    if (!vb)
        return nullptr;
    try {
        vb->rx = new rx_burst[RX_SLOTS];
        vb->tx = new tx_burst[TX_SLOTS + 1];
        vb->to_dev = new byte_ring();
        vb->from_dev = new byte_ring();
        vb->context = new VerilatedContext;
        make_current(vb);
        vb->model = new Vtoe_core(vb->context, "toe_core");
    } catch (const std::bad_alloc &) {
        vboard_free(vb);
        return nullptr;
    }
    vb->rx_idle = IFG_BYTES;
    link_phy_init(&vb->phy, CORE_PERIOD_PS, 0, false, VBOARD_LINK_BURST);

    Vtoe_core *m = vb->model;
    uint64_t mac = 0;
    for (int i = 0; i < 6; i++)
        mac = mac << 8 | cfg->mac[i]; /* mac[0], first on the wire, in bits 47:40 */
    m->cfg_mac = mac;
    m->cfg_ip = cfg->ip;
    m->cfg_netmask = cfg->netmask;
    m->cfg_gateway = cfg->gateway;
    m->clk = 0;
    m->gmii_rx_clk = 0;
    m->gmii_tx_clk = 0;
    m->gmii_rxd = 0;
    m->gmii_rx_dv = 0;
    m->gmii_rx_er = 0;
    m->s_link_tdata = 0;
    m->s_link_tvalid = 0;
    m->m_link_tready = 0;
    set_resets(m, true);
    m->eval();
    vb->every_edge = true; /* the reset reaches every register */
    for (unsigned i = 0; i < RESET_CYCLES; i++)
        core_cycle(vb, m, vb->context, (vb->cycles++) * CORE_PERIOD_PS);
    /* Release between edges (all clocks are low here), not on a sampling edge. */
    set_resets(m, false);
    m->eval();
    vb->every_edge = false;
    vb->rx_quiet = vb->tx_quiet = 0;
    return vb;
}

void vboard_free(struct vboard *vb)
{
    if (!vb)
        return;
    if (vb->tx_lost)
        std::fprintf(stderr, "vboard: %llu transmit bursts lost: vboard_gmii_tx was not called\n",
                     (unsigned long long)vb->tx_lost);
    if (vb->context)
        make_current(vb);
    if (vb->model) {
        vb->model->final();
        delete vb->model;
    }
    if (vb->context) {
        delete vb->context;
        Verilated::threadContextp(nullptr); /* not left pointing at the freed context */
    }
    delete[] vb->rx;
    delete[] vb->tx;
    delete vb->to_dev;
    delete vb->from_dev;
    delete vb;
}

int vboard_gmii_rx(struct vboard *vb, const uint8_t *bytes, size_t len, int er_at)
{
    if (len == 0 || len > VBOARD_MAX_BURST || vb->rx_count >= RX_SLOTS)
        return -1;
    rx_burst *b = &vb->rx[(vb->rx_head + vb->rx_count) % RX_SLOTS];
    std::memcpy(b->bytes, bytes, len);
    b->len = (uint32_t)len;
    b->er_at = er_at < 0 ? -1 : er_at;
    vb->rx_count++;
    return 0;
}

unsigned vboard_rx_pending(const struct vboard *vb)
{
    return vb->rx_count;
}

uint64_t vboard_run(struct vboard *vb, uint64_t cycles)
{
    if (vb->finished)
        return 0;
    make_current(vb);
    Vtoe_core *const m = vb->model;
    VerilatedContext *const context = vb->context;
    uint64_t t = vb->cycles * CORE_PERIOD_PS;
    uint64_t n = 0;
    while (n < cycles) {
        bool tx_done = core_cycle(vb, m, context, t);
        n++;
        t += CORE_PERIOD_PS;
        if (__builtin_expect(tx_done || context->gotFinish(), 0))
            break;
    }
    vb->cycles += n;
    if (context->gotFinish())
        vb->finished = true;
    return n;
}

int vboard_gmii_tx(struct vboard *vb, uint8_t *buf, size_t cap, size_t *len, bool *tx_er)
{
    if (vb->tx_count == 0)
        return -1;
    const tx_burst *b = &vb->tx[vb->tx_head];
    vb->tx_head = (vb->tx_head + 1) % TX_SLOTS;
    vb->tx_count--;
    *len = b->len;
    *tx_er = b->er;
    if (b->len > cap)
        return -2;
    std::memcpy(buf, b->bytes, b->len);
    return 0;
}

uint64_t vboard_time_ps(const struct vboard *vb)
{
    return vb->cycles * CORE_PERIOD_PS;
}

uint64_t vboard_cycles(const struct vboard *vb)
{
    return vb->cycles;
}

/* The device's own timers, read from the Verilated model's internal state by name (the build
 * fails if the RTL renames them): microseconds from now to the earliest of the armed alarm
 * and the slots' delayed ACKs; UINT64_MAX if none. */
static uint64_t next_timer_us(const vboard *vb)
{
    const Vtoe_core___024root *r = vb->model->rootp;
    uint64_t now = r->toe_core__DOT__now_us, next = UINT64_MAX;
    if (r->toe_core__DOT__link__DOT__armed) {
        uint64_t alarm = (uint64_t)r->toe_core__DOT__link__DOT__alarm_hi << 32 |
                         r->toe_core__DOT__link__DOT__alarm_lo;
        next = alarm > now ? alarm - now : 0;
    }
    const auto &due = r->toe_core__DOT__g_tcp__DOT__tcp__DOT__ack_due;
    uint64_t del = r->toe_core__DOT__g_tcp__DOT__tcp__DOT__ack_del;
    for (unsigned k = 0; k < sizeof due / sizeof due[0]; k++) {
        if (!(del >> k & 1))
            continue;
        int32_t d = (int32_t)(due[k] - (uint32_t)now); /* the RTL compares 32-bit times */
        uint64_t u = d > 0 ? (uint64_t)d : 0;
        if (u < next)
            next = u;
    }
    return next;
}

constexpr uint64_t SKIP_PERIOD_CYCLES = 125; /* 2 us: the microsecond accumulator's period */
constexpr uint64_t SKIP_PERIOD_US = 2;

bool vboard_idle(const struct vboard *vb)
{
    const Vtoe_core *m = vb->model;
    return !(vb->finished || vb->rx_count || vb->rx_active || vb->rx_idle < IFG_BYTES ||
             vb->tx_cur || vb->tx_count || m->gmii_tx_en || vb->to_dev->count || vb->hold_valid ||
             vb->from_dev->count || m->m_link_tvalid || vb->phy.credit[0] || vb->phy.credit[1] ||
             m->rootp->toe_core__DOT__g_tcp__DOT__tcp__DOT__ack_now ||
             m->rootp->toe_core__DOT__g_tcp__DOT__tcp__DOT__una_late ||
             next_timer_us(vb) <= SKIP_PERIOD_US);
}

uint64_t vboard_skip_idle(struct vboard *vb, uint64_t max_ps)
{
    if (!vboard_idle(vb))
        return 0;
    uint64_t periods = max_ps / (SKIP_PERIOD_CYCLES * CORE_PERIOD_PS);
    uint64_t room = (next_timer_us(vb) - SKIP_PERIOD_US) / SKIP_PERIOD_US;
    if (room < periods)
        periods = room;
    if (!periods)
        return 0;
    vb->model->rootp->toe_core__DOT__now_us += periods * SKIP_PERIOD_US;
    vb->cycles += periods * SKIP_PERIOD_CYCLES;
    return periods * SKIP_PERIOD_CYCLES * CORE_PERIOD_PS;
}

/* Read from the statistics block's state (rtl/core/toe_stats.v) as its walk would: the value
 * the RAM saw at the walk's last visit (0 before the first walk after reset reaches it), its
 * high bits plus one if the counter's low bits (6 of 8 bits a counter) wrapped since, and the
 * low bits as they are. The model has no read port for this: a combinational port on a model
 * input is evaluated at every evaluation. */
uint32_t vboard_stat(struct vboard *vb, unsigned index)
{
    if (index >= TOE_STAT_COUNT)
        return 0;
    const Vtoe_core___024root *r = vb->model->rootp;
    uint32_t seen = r->toe_core__DOT__stats__DOT__clearing &&
                            index >= r->toe_core__DOT__stats__DOT__walk
                        ? 0
                        : r->toe_core__DOT__stats__DOT__total[index];
    uint32_t low = r->toe_core__DOT__stats__DOT__low[index / 4] >> (index % 4 * 8) & 0x3f;
    return ((seen >> 6) + (low < (seen & 0x3f))) << 6 | low;
}

bool vboard_finished(const struct vboard *vb)
{
    return vb->finished;
}

void vboard_set_every_edge(struct vboard *vb, bool every_edge)
{
    vb->every_edge = every_edge;
}

uint64_t vboard_tx_lost(const struct vboard *vb)
{
    return vb->tx_lost;
}

void vboard_link_set_rate(struct vboard *vb, uint64_t bytes_per_sec, enum vboard_link_duplex d)
{
    uint64_t turnarounds = vb->phy.turnarounds;
    link_phy_init(&vb->phy, CORE_PERIOD_PS, bytes_per_sec, d == VBOARD_LINK_HALF_DUPLEX,
                  VBOARD_LINK_BURST);
    vb->phy.turnarounds = turnarounds;
}

size_t vboard_link_write(struct vboard *vb, const uint8_t *bytes, size_t len)
{
    byte_ring *r = vb->to_dev;
    size_t n = VBOARD_LINK_BUF - r->count;
    if (n > len)
        n = len;
    size_t tail = (r->head + r->count) & (VBOARD_LINK_BUF - 1);
    size_t first = VBOARD_LINK_BUF - tail < n ? VBOARD_LINK_BUF - tail : n;
    std::memcpy(r->bytes + tail, bytes, first);
    std::memcpy(r->bytes, bytes + first, n - first);
    r->count += (uint32_t)n;
    return n;
}

size_t vboard_link_writable(const struct vboard *vb)
{
    return VBOARD_LINK_BUF - vb->to_dev->count;
}

size_t vboard_link_write_pending(const struct vboard *vb)
{
    return vb->to_dev->count + (vb->hold_valid ? 1u : 0u);
}

size_t vboard_link_drop_input(struct vboard *vb)
{
    size_t n = vb->to_dev->count;
    vb->to_dev->head = vb->to_dev->count = 0;
    return n;
}

size_t vboard_link_read(struct vboard *vb, uint8_t *buf, size_t cap)
{
    byte_ring *r = vb->from_dev;
    size_t n = r->count < cap ? r->count : cap;
    size_t first = VBOARD_LINK_BUF - r->head < n ? VBOARD_LINK_BUF - r->head : n;
    std::memcpy(buf, r->bytes + r->head, first);
    std::memcpy(buf + first, r->bytes, n - first);
    r->head = (uint32_t)((r->head + n) & (VBOARD_LINK_BUF - 1));
    r->count -= (uint32_t)n;
    return n;
}

size_t vboard_link_readable(const struct vboard *vb)
{
    return vb->from_dev->count;
}

struct vboard_link_counts vboard_link_stats(const struct vboard *vb)
{
    struct vboard_link_counts c = vb->link_counts;
    c.turnarounds = vb->phy.turnarounds;
    return c;
}

} // extern "C"
