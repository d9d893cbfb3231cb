// SPDX-License-Identifier: MIT
// TCP fast path: the connection slots and the engine that runs them (docs/TCP.md).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * One controller owns the slot table and does one task at a time, picked in S_IDLE:
 *   CSR       slot fields and commands for the link engine (docs/TCP.md section 6)
 *   RXC       RX_CONSUMED: ring space given back by the host (may reopen the window)
 *   EVENT     a SLOT event snapshot for a slot whose state moved
 *   RXD       offer in-order RX ring bytes to the link as an RX_DATA message
 *   RX        one received segment (tcp_rx_snoop): acceptance, ACK processing, payload into
 *             the RX ring, FIN
 *   TXD       TX_DATA from the link: payload into the slot's TX ring
 *   TX        one segment (data, FIN, pure ACK) for the next slot in round-robin order,
 *             built and sent by tcp_seg_tx while the controller goes on
 * At 62.5 MHz a full-size segment takes 769 cycles on the wire; the RX task for it takes
 * about 385 (the payload copy), every other task a handful, so the controller keeps up with
 * line rate both ways. Ring positions are sequence numbers modulo the ring size.
 *
 * Timing: a task first loads its slot's fields into c_* registers (S_LOAD), and each state
 * after that does at most about one 32-bit carry chain; intermediate results are registered
 * (a_*, t_*) for the next state. The per-slot fields have one read and one write address
 * (the task's slot), so they map to distributed RAM.
 *
 * Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4): a < b iff (a - b) is negative.
 */
module toe_tcp #(
    parameter SLOTS     = 8,       // connection slots (4..32)
    parameter BUF_LOG2  = 13,      // bytes per ring (TX and RX, each slot), 2^N
    parameter TX_FREE_BITS = 11,
    parameter DELACK_US = 40000,   // delayed ACK (RFC 1122: under 500 ms)
    parameter CHACK_PERIOD_US = 1000000   // the challenge ACK budget's period (benches shorten it)
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire [47:0]             cfg_mac,
    input  wire [31:0]             cfg_ip,
    input  wire [63:0]             now_us,
    input  wire [31:0]             chack_limit,  // CSR CHALLENGE_ACK_LIMIT: challenge ACKs a second

    // the receive stream as the parser takes it, and the parser's verdict
    input  wire [31:0]             rx_tdata,
    input  wire [3:0]              rx_tkeep,
    input  wire                    rx_beat,
    input  wire                    rx_tlast,
    output wire                    tcp_match,
    input  wire                    verdict_valid,
    input  wire [5:0]              verdict,

    // segments to the transmit arbiter
    output wire                    m_tx_req,
    output wire [31:0]             m_tx_tdata,
    output wire [3:0]              m_tx_tkeep,
    output wire                    m_tx_tvalid,
    input  wire                    m_tx_tready,
    output wire                    m_tx_tlast,
    input  wire [TX_FREE_BITS-1:0] m_tx_free,

    // CSR access from the link engine (SLOT_CMD and the slot fields); held until csr_ack
    input  wire                    csr_req,
    input  wire                    csr_we,
    input  wire [15:0]             csr_addr,
    input  wire [31:0]             csr_wdata,
    output reg                     csr_ack,
    output reg  [31:0]             csr_rdata,
    output reg  [7:0]              csr_status,

    // TX_DATA: the link's message buffer holds the message; held until txd_ack
    input  wire                    txd_req,
    input  wire [7:0]              txd_slot,
    input  wire [31:0]             txd_seq,
    input  wire [10:0]             txd_len,      // payload bytes (message length - 6)
    output reg  [8:0]              txd_rd_addr,  // message buffer word
    input  wire [31:0]             txd_rd_data,
    output reg                     txd_ack,

    // RX_CONSUMED; held until rxc_ack
    input  wire                    rxc_req,
    input  wire [7:0]              rxc_slot,
    input  wire [31:0]             rxc_seq,
    output reg                     rxc_ack,

    // RX_DATA offer to the link transmitter and its RX ring read port
    output reg                     rxd_valid,
    input  wire                    rxd_taken,
    output reg  [7:0]              rxd_slot,
    output reg  [31:0]             rxd_seq,
    output reg  [10:0]             rxd_len,
    input  wire [7:0]              rxd_rd_slot,  // the link's read of the message it sends:
    input  wire [31:0]             rxd_rd_seq,   // bytes at rxd_rd_seq.. of slot rxd_rd_slot
    output wire [31:0]             rxd_rd_data,  // one cycle later

    // SLOT event offer
    output reg                     ev_valid,
    input  wire                    ev_taken,
    output reg  [143:0]            ev_fields,    // slot, flags, snd_una, snd_wnd, rcv_nxt, rtt_us

    // counter increments (one-cycle pulses)
    output reg                     inc_rx_segs,
    output reg                     inc_rx_ooo,
    output reg                     inc_rx_drop,
    output reg                     inc_tx_segs,
    output reg                     inc_tx_rexmit,
    output reg                     inc_dupacks,
    output reg                     inc_data_bad,
    output reg                     inc_rx_no_ack,
    output reg                     inc_rx_bad_ack,
    output reg                     inc_rx_after_fin,
    output reg                     inc_chack,
    output reg                     inc_chack_limited
);

`include "toe_defs.vh"

localparam SLOT_BITS = SLOTS <= 2 ? 1 : $clog2(SLOTS);
localparam [31:0] SIZE = 32'd1 << BUF_LOG2;
localparam [8:0]  NSLOTS = SLOTS[8:0];     // for comparisons with 8-bit slot numbers
localparam [15:0] MSS_MAX = 16'd1460;
localparam [31:0] RTT_NONE = CONST_RTT_NONE;

function lt;   // sequence a < b
    input [31:0] a, b;
    begin lt = (a - b) >= 32'h80000000; end   // the difference is negative
endfunction
function [31:0] smin;
    input [31:0] a, b;
    begin smin = lt(a, b) ? a : b; end
endfunction
function [31:0] smax;
    input [31:0] a, b;
    begin smax = lt(a, b) ? b : a; end
endfunction
function [8:0] word_of;   // the payload word holding byte offset b (under 2 KiB)
    input [31:0] b;
    reg unused_bits;
    begin word_of = b[10:2]; unused_bits = |{b[31:11], b[1:0]}; end
endfunction
function [3:0] word_be;   // byte enables of word w (bytes 4w..4w+3) inside [lo, hi)
    input [8:0]  w;
    input [10:0] lo, hi;
    reg   [10:0] b;
    integer j;
    begin
        for (j = 0; j < 4; j = j + 1) begin
            b = {w, 2'b00} + j[10:0];
            word_be[3 - j] = b >= lo && b < hi;
        end
    end
endfunction
function [31:0] umin;
    input [31:0] a, b;
    begin umin = a < b ? a : b; end
endfunction

function [SLOT_BITS-1:0] next_slot;   // round robin
    input [SLOT_BITS-1:0] s;
    begin next_slot = ({{(32-SLOT_BITS){1'b0}}, s} == SLOTS - 1) ? {SLOT_BITS{1'b0}} : s + 1'b1; end
endfunction

// ---------------------------------------------------------------- slot table
reg [SLOTS-1:0] valid, nagle, syn_rcvd, fin_rcvd, fin_queued, fin_acked;
reg [SLOTS-1:0] ack_report;     // the host waits for an ACK (keepalive): report the next one
reg [SLOTS-1:0] in_rec, rtt_on, ooo_on, ack_now, ack_del, rexmit_one, probe, ev_dirty;
reg [SLOTS-1:0] rst_pend;       // a RST <SEQ=rst_seq><CTL=RST> is due (a bad ACK in SYN_RCVD)
reg [SLOTS-1:0] ttl_set;        // ip_ttl_tos written since reset or FREE (else the defaults)
reg [SLOTS-1:0] up_on;          // RCV.UP is ahead of RCV.NXT (urgent data still to come in)
reg [31:0] rip        [0:SLOTS-1];      // the 4-tuple (read all at once by the lookup)
reg [31:0] ports      [0:SLOTS-1];
reg [47:0] mac        [0:SLOTS-1];
reg [15:0] mss        [0:SLOTS-1];
reg [3:0]  snd_ws     [0:SLOTS-1];
reg [3:0]  rcv_ws     [0:SLOTS-1];
reg [31:0] snd_una    [0:SLOTS-1];
reg [31:0] snd_nxt    [0:SLOTS-1];
reg [31:0] snd_max    [0:SLOTS-1];
reg [31:0] snd_wnd    [0:SLOTS-1];
reg [31:0] wl1        [0:SLOTS-1];
reg [31:0] wl2        [0:SLOTS-1];
reg [31:0] tx_end     [0:SLOTS-1];
reg [31:0] cwnd       [0:SLOTS-1];
reg [31:0] ssthresh   [0:SLOTS-1];
reg [31:0] ca_acc     [0:SLOTS-1];   // bytes acked in congestion avoidance (RFC 3465)
reg [31:0] recover    [0:SLOTS-1];
reg [7:0]  dupacks    [0:SLOTS-1];
reg [23:0] rexmits    [0:SLOTS-1];
reg [31:0] rtt_seq    [0:SLOTS-1];
reg [31:0] rtt_t0     [0:SLOTS-1];
reg [31:0] rtt_sample [0:SLOTS-1];
reg [31:0] rcv_nxt    [0:SLOTS-1];
reg [31:0] rcv_adv    [0:SLOTS-1];   // right edge of the window last advertised
reg [31:0] rx_sent    [0:SLOTS-1];
reg [31:0] rx_cons    [0:SLOTS-1];
reg [31:0] ooo_start  [0:SLOTS-1];
reg [31:0] ooo_end    [0:SLOTS-1];
reg [31:0] ack_due    [0:SLOTS-1];
reg [31:0] last_ack   [0:SLOTS-1];   // RCV.NXT carried by the last segment sent
reg [7:0]  ev_flags   [0:SLOTS-1];
reg [31:0] max_wnd    [0:SLOTS-1];   // MAX.SND.WND (RFC 5961 5.2)
reg [31:0] rst_seq    [0:SLOTS-1];
reg [15:0] ttl_tos    [0:SLOTS-1];   // DS field << 8 | TTL (0: 64)
reg [31:0] snd_up     [0:SLOTS-1];
reg [31:0] rcv_up     [0:SLOTS-1];

wire [31:0] now = now_us[31:0];
wire [63:32] unused_now = now_us[63:32];
// the link's RX ring read and the rings take only the bits that address a ring
wire unused_rd = |{rxd_rd_slot[7:SLOT_BITS], rxd_rd_seq[31:BUF_LOG2]};

// ---------------------------------------------------------------- receive snoop
reg  [SLOTS*32-1:0] key_ip, key_ports;
integer i;
always @* begin
    for (i = 0; i < SLOTS; i = i + 1) begin
        key_ip[32*i +: 32]    = rip[i];
        key_ports[32*i +: 32] = ports[i];
    end
end

wire                 seg_valid, seg_drop;
reg                  seg_done;
wire [SLOT_BITS-1:0] seg_slot;
wire [31:0]          seg_seq, seg_ack;
wire [15:0]          seg_wnd, seg_up;
wire [7:0]           seg_flags;
wire [10:0]          seg_len;
reg  [8:0]           seg_rd_word;
wire [31:0]          seg_rd_data;

tcp_rx_snoop #(.SLOTS(SLOTS), .SLOT_BITS(SLOT_BITS)) snoop (
    .clk(clk), .rst(rst),
    .rx_tdata(rx_tdata), .rx_tkeep(rx_tkeep), .rx_beat(rx_beat), .rx_tlast(rx_tlast),
    .key_valid(valid), .key_ip(key_ip), .key_ports(key_ports),
    .tcp_match(tcp_match), .match_slot(unused_match_slot), .verdict_valid(verdict_valid), .verdict(verdict),
    .seg_valid(seg_valid), .seg_done(seg_done), .seg_drop(seg_drop),
    .seg_slot(seg_slot), .seg_seq(seg_seq), .seg_ack(seg_ack), .seg_wnd(seg_wnd),
    .seg_up(seg_up), .seg_flags(seg_flags), .seg_len(seg_len),
    .seg_rd_word(seg_rd_word), .seg_rd_data(seg_rd_data)
);

// ---------------------------------------------------------------- rings
reg                  rxr_we, txr_we;
reg [SLOT_BITS-1:0]  rxr_slot, txr_slot;
reg [31:0]           rxr_pos, txr_pos;
reg [31:0]           rxr_data, txr_data;
reg [3:0]            rxr_be, txr_be;
wire [SLOT_BITS-1:0] txr_rd_slot;
wire [BUF_LOG2-1:0]  txr_rd_off;
wire [31:0]          txr_rd_data;

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2)) rx_ring (
    .clk(clk),
    .wr_en(rxr_we), .wr_slot(rxr_slot), .wr_off(rxr_pos[BUF_LOG2-1:0]), .wr_data(rxr_data),
    .wr_be(rxr_be),
    .rd_slot(rxd_rd_slot[SLOT_BITS-1:0]), .rd_off(rxd_rd_seq[BUF_LOG2-1:0]), .rd_data(rxd_rd_data)
);

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2)) tx_ring (
    .clk(clk),
    .wr_en(txr_we), .wr_slot(txr_slot), .wr_off(txr_pos[BUF_LOG2-1:0]), .wr_data(txr_data),
    .wr_be(txr_be),
    .rd_slot(txr_rd_slot), .rd_off(txr_rd_off), .rd_data(txr_rd_data)
);

// ---------------------------------------------------------------- segment transmitter
reg                  st_start;
wire                 st_busy, unused_st_sent;
reg [SLOT_BITS-1:0]  st_slot;
reg [47:0]           st_mac;
reg [31:0]           st_ip;
reg [15:0]           st_sport, st_dport;
reg [31:0]           st_seq, st_ack;
reg [7:0]            st_flags;
reg [15:0]           st_wnd, st_urp;
reg [7:0]            st_ttl, st_tos;
reg [10:0]           st_len;

tcp_seg_tx #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(TX_FREE_BITS)) seg_tx (
    .clk(clk), .rst(rst),
    .start(st_start), .busy(st_busy),
    .slot(st_slot), .dst_mac(st_mac), .src_mac(cfg_mac), .src_ip(cfg_ip), .dst_ip(st_ip),
    .src_port(st_sport), .dst_port(st_dport), .seq(st_seq), .ack(st_ack), .flags(st_flags),
    .wnd(st_wnd), .urp(st_urp), .ttl(st_ttl), .tos(st_tos), .len(st_len),
    .ring_rd_slot(txr_rd_slot), .ring_rd_off(txr_rd_off), .ring_rd_data(txr_rd_data),
    .m_tx_req(m_tx_req), .m_tx_tdata(m_tx_tdata), .m_tx_tkeep(m_tx_tkeep),
    .m_tx_tvalid(m_tx_tvalid), .m_tx_tready(m_tx_tready), .m_tx_tlast(m_tx_tlast),
    .m_tx_free(m_tx_free), .sent(unused_st_sent)
);

// ---------------------------------------------------------------- controller
localparam [5:0] S_IDLE     = 6'd0,  S_LOAD     = 6'd1,  S_CSR      = 6'd2,  S_RXC      = 6'd3,
                 S_RXC2     = 6'd4,  S_RXC3     = 6'd5,  S_EV       = 6'd6,  S_RXD      = 6'd7,
                 S_RXD2     = 6'd8,  S_RX_ACC   = 6'd9,  S_RX_ACC2  = 6'd10, S_RX_ACK   = 6'd11,
                 S_RX_DATA  = 6'd12, S_RX_COPY  = 6'd13, S_RX_END   = 6'd14, S_RX_END2  = 6'd15,
                 S_RX_END3  = 6'd16, S_TXD      = 6'd17, S_TXD_COPY = 6'd18, S_TX       = 6'd19,
                 S_TX2      = 6'd20, S_TX3      = 6'd21, S_TX4      = 6'd22, S_TX5      = 6'd23,
                 S_TX6      = 6'd24, S_TX7      = 6'd25;
reg [5:0] state, task_state;    // S_LOAD goes on to task_state

reg [SLOT_BITS-1:0] k;          // the slot of the task
reg [SLOT_BITS-1:0] tx_ptr, rd_ptr, ev_ptr;
reg                 tx_turn;    // the transmitter goes before the next TX_DATA
reg [SLOTS-1:0]     rxd_pend;   // RCV.NXT or RX_SENT moved: an RX_DATA offer may be due

// the task's slot, loaded in S_LOAD
reg [31:0] c_rip, c_ports, c_snd_una, c_snd_nxt, c_snd_max, c_snd_wnd, c_wl1, c_wl2, c_tx_end;
reg [31:0] c_cwnd, c_ssthresh, c_ca_acc, c_recover, c_rtt_seq, c_rtt_t0, c_rtt_sample;
reg [31:0] c_rcv_nxt, c_rcv_adv, c_rx_sent, c_rx_cons, c_ooo_start, c_ooo_end, c_ack_due;
reg [31:0] c_last_ack, c_rx_lim, c_tx_used, c_data_end, c_m3;
reg [31:0] c_max_wnd, c_rst_seq, c_snd_up, c_rcv_up;
reg [15:0] c_ttl_tos;
reg [47:0] c_mac;
reg [15:0] c_mss;
reg [3:0]  c_snd_ws, c_rcv_ws;
reg [7:0]  c_dupacks, c_ev_flags;
reg [23:0] c_rexmits;
wire [31:0] m = {16'd0, c_mss};

// CSR decode
wire        csr_is_cmd  = csr_addr == CSR_SLOT_CMD;
wire [15:0] csr_rel     = csr_addr - CSR_SLOT_BASE;
wire        csr_in_slot = csr_addr >= CSR_SLOT_BASE && {16'd0, csr_rel} < SLOTS * CONST_SLOT_STRIDE;
wire [4:0]  csr_field   = csr_rel[4:0];

// received segment
reg [31:0] r_seq, r_ack, r_wnd, r_end, r_last, r_start, r_stop;
reg [10:0] r_len, r_p_lo, r_p_hi, r_p_hi_m1;
reg [15:0] r_up;
reg        r_fin, r_ackf, r_urg, r_acc, r_ackok;
reg        r_noack, r_badack, r_afterfin;   // why it was dropped or its text ignored (counters)
// its arithmetic, one step per state
reg [31:0] a_wnd, a_off, a_lastoff, a_acked, a_flight, a_rtt, a_wnd_sh, a_ssmin, a_ca_sum;
reg [31:0] a_cwd, a_ss2, a_nxt, a_due, a_dist;
reg        a_beyond, a_new, a_dup_eq, a_rtt_cov, a_finack, a_recfull, a_wl_ok, a_old, a_cwgt;
reg        a_nothing, a_inorder, a_touch, a_fill, a_stop_lt_end, a_start_lt_os, a_oe_lt_stop;
reg        a_wnd_dup, a_wnd_open, a_moved, a_fin_now;
reg        a_too_old, a_max_lt_wnd, a_up_adv, a_sup_lag, a_uset, a_up_in;
reg [31:0] a_oldby, a_up, a_upv;
// copies (RX payload into the RX ring, TX_DATA into the TX ring)
reg [8:0]  copy_w, copy_last, copy_cur;
reg        copy_pend;
reg [31:0] copy_pos;
// TX decision
reg [31:0] t_len, t_seq, t_flight, t_usable, t_avail, t_rxlim, t_adv1, t_cand, t_room, t_am;
reg [31:0] t_rspan, t_ed, t_rlen, t_edge, t_wraw, t_wfield, t_nxt, t_new_edge;
reg        t_due, t_notpast, t_nxt_lt_max, t_rneg, t_edlt, t_fin, t_rexmit, t_nxt_gt_max;
reg        t_ack, t_psh, t_rst, t_urg;
reg [31:0] t_upd;
reg [15:0] t_upf;
reg        t_fin_sent, t_max_lt_end;
reg        t_avail_lt_m, t_m_lt_avail, t_short, t_cut, t_rfull;   // comparisons, a state ahead
// RX_CONSUMED
reg        x_bad;
reg [31:0] x_edge, x_dist;
reg [15:0] x_step;

// TX_DATA's length, registered when the task is picked (it comes through two adders in the
// link engine), and the message byte indices it bounds
reg  [10:0] r_txd_len, r_txd_last, r_txd_end;
wire [1:0]  unused_last_byte = r_txd_last[1:0];
wire [SLOT_BITS-1:0] unused_match_slot;            // the queue entry carries the slot
wire unused_flags = |{seg_flags[7:6], seg_flags[3:1]};   // URG, ACK and FIN are used; SYN/RST never get here
wire unused_pos = |{rxr_pos[31:BUF_LOG2], txr_pos[31:BUF_LOG2], r_p_hi_m1[1:0]};
wire [31:0] sws_step32 = umin(SIZE >> 1, m);            // receiver SWS: min(ring/2, MSS)
wire [15:0] sws_step = sws_step32[15:0];
wire [15:0] unused_step = sws_step32[31:16];

// ---- challenge ACK budget (RFC 5961 section 7): chack_limit for the whole device per period
// of one second of device time (CHACK_PERIOD_US), a period starting with the first challenge
// ACK after the last one ended. ca_send (from the controller) takes one; ca_room says whether
// one is left. ----
reg        ca_send, ca_open, ca_room;
reg [31:0] ca_t0, ca_el, ca_n;
always @(posedge clk) begin
    ca_el   <= now - ca_t0;
    ca_room <= (ca_open ? ca_n : 32'd0) < chack_limit;
    if (ca_open && ca_el >= CHACK_PERIOD_US)
        ca_open <= 1'b0;
    if (ca_send) begin
        if (ca_open) begin
            ca_n <= ca_n + 32'd1;
        end else begin
            ca_open <= 1'b1;
            ca_t0   <= now;
            ca_el   <= 32'd0;
            ca_n    <= 32'd1;
        end
    end
    if (rst)
        ca_open <= 1'b0;
end

always @(posedge clk) begin
    csr_ack       <= 1'b0;
    txd_ack       <= 1'b0;
    rxc_ack       <= 1'b0;
    seg_done      <= 1'b0;
    st_start      <= 1'b0;
    rxr_we        <= 1'b0;
    txr_we        <= 1'b0;
    inc_rx_segs   <= 1'b0;
    inc_rx_ooo    <= 1'b0;
    inc_rx_drop   <= seg_drop;
    inc_tx_segs   <= 1'b0;
    inc_tx_rexmit <= 1'b0;
    inc_dupacks   <= 1'b0;
    inc_data_bad  <= 1'b0;
    inc_rx_no_ack     <= 1'b0;
    inc_rx_bad_ack    <= 1'b0;
    inc_rx_after_fin  <= 1'b0;
    inc_chack         <= 1'b0;
    inc_chack_limited <= 1'b0;
    ca_send           <= 1'b0;
    if (rxd_taken)
        rxd_valid <= 1'b0;
    if (ev_taken)
        ev_valid <= 1'b0;

    case (state)
    // ---- pick a task; everything here is a few bits wide ----
    S_IDLE: begin
        state <= S_LOAD;
        if (csr_req && !csr_ack) begin
            k          <= csr_is_cmd ? csr_wdata[SLOT_BITS-1:0] : csr_rel[SLOT_BITS+4:5];
            task_state <= S_CSR;
        end else if (rxc_req && !rxc_ack) begin
            k          <= rxc_slot[SLOT_BITS-1:0];
            task_state <= S_RXC;
        end else if (!ev_valid && ev_dirty[ev_ptr]) begin
            k          <= ev_ptr;
            ev_ptr     <= next_slot(ev_ptr);
            task_state <= S_EV;
        end else if (!rxd_valid && valid[rd_ptr] && rxd_pend[rd_ptr]) begin
            k          <= rd_ptr;
            rd_ptr     <= next_slot(rd_ptr);
            task_state <= S_RXD;
        end else if (seg_valid && !seg_done) begin
            // seg_done (registered in S_RX_END3) releases the head only at this edge: without
            // the guard the same segment would be processed a second time (as a duplicate)
            k          <= seg_slot;
            r_seq      <= seg_seq;
            r_ack      <= seg_ack;
            r_len      <= seg_len;
            r_fin      <= seg_flags[0];
            r_ackf     <= seg_flags[4];
            r_urg      <= seg_flags[5];
            r_up       <= seg_up;
            r_wnd      <= {16'd0, seg_wnd};
            task_state <= S_RX_ACC;
        end else if (txd_req && !txd_ack && !(tx_turn && !st_busy && !st_start)) begin
            k          <= txd_slot[SLOT_BITS-1:0];
            r_txd_len  <= txd_len;
            task_state <= S_TXD;
        end else if (!st_busy && !st_start && valid[tx_ptr]) begin
            // after a TX_DATA copy the transmitter gets the next turn, kept until it has
            // visited an open slot: back-to-back TX_DATA must not starve segments and ACKs
            tx_turn    <= 1'b0;
            k          <= tx_ptr;
            tx_ptr     <= next_slot(tx_ptr);
            task_state <= S_TX;
        end else begin
            state <= S_IDLE;
            if (!st_busy && !st_start)
                tx_ptr <= next_slot(tx_ptr);
        end
        if (valid == {SLOTS{1'b0}})
            tx_turn <= 1'b0;         // nothing open: nothing to send first
        if (!ev_dirty[ev_ptr] && !ev_valid)
            ev_ptr <= next_slot(ev_ptr);
        if (!rxd_valid && !(valid[rd_ptr] && rxd_pend[rd_ptr]))
            rd_ptr <= next_slot(rd_ptr);
    end

    S_LOAD: begin
        c_rip        <= rip[k];
        c_ports      <= ports[k];
        c_mac        <= mac[k];
        c_mss        <= mss[k];
        c_snd_ws     <= snd_ws[k];
        c_rcv_ws     <= rcv_ws[k];
        c_snd_una    <= snd_una[k];
        c_snd_nxt    <= snd_nxt[k];
        c_snd_max    <= snd_max[k];
        c_snd_wnd    <= snd_wnd[k];
        c_wl1        <= wl1[k];
        c_wl2        <= wl2[k];
        c_tx_end     <= tx_end[k];
        c_cwnd       <= cwnd[k];
        c_ssthresh   <= ssthresh[k];
        c_ca_acc     <= ca_acc[k];
        c_recover    <= recover[k];
        c_dupacks    <= dupacks[k];
        c_rexmits    <= rexmits[k];
        c_rtt_seq    <= rtt_seq[k];
        c_rtt_t0     <= rtt_t0[k];
        c_rtt_sample <= rtt_sample[k];
        c_rcv_nxt    <= rcv_nxt[k];
        c_rcv_adv    <= rcv_adv[k];
        c_rx_sent    <= rx_sent[k];
        c_rx_cons    <= rx_cons[k];
        c_ooo_start  <= ooo_start[k];
        c_ooo_end    <= ooo_end[k];
        c_ack_due    <= ack_due[k];
        c_last_ack   <= last_ack[k];
        c_ev_flags   <= ev_flags[k];
        c_max_wnd    <= max_wnd[k];
        c_rst_seq    <= rst_seq[k];
        c_ttl_tos    <= ttl_set[k] ? ttl_tos[k] : 16'd0;
        c_snd_up     <= snd_up[k];
        c_rcv_up     <= rcv_up[k];
        c_rx_lim     <= rx_cons[k] + SIZE;               // the RX ring's room ends here
        c_tx_used    <= tx_end[k] - snd_una[k];          // TX ring bytes in use
        c_data_end   <= rcv_nxt[k] - {31'd0, fin_rcvd[k]};  // RCV.NXT counts a FIN
        c_m3         <= {15'd0, mss[k], 1'b0} + {16'd0, mss[k]};   // 3 MSS, no multiplier
        r_end        <= r_seq + {21'd0, r_len};
        r_txd_last   <= r_txd_len + 11'd5;      // message byte of the last payload byte
        r_txd_end    <= r_txd_len + 11'd6;
        r_last       <= r_seq + {21'd0, r_len} + {31'd0, r_fin} - 32'd1;
        state        <= task_state;
    end

    // ---- CSR: slot fields and commands ----
    S_CSR: begin
        csr_ack    <= 1'b1;
        csr_status <= CONST_RESP_OK[7:0];
        csr_rdata  <= csr_wdata;
        state      <= S_IDLE;
        if (csr_is_cmd) begin
            if (!csr_we) begin
                csr_rdata <= 32'd0;
            end else if ({1'b0, csr_wdata[7:0]} >= NSLOTS || csr_wdata[31:16] != 16'd0) begin
                csr_status <= CONST_RESP_BAD_REQ[7:0];
            end else begin
                case (csr_wdata[15:8])
                // a repeated OPEN (the host resends a command whose answer was late) must
                // not reset a connection that is running
                CMD_OPEN: if (!valid[k]) begin
                    valid[k]      <= 1'b1;
                    fin_rcvd[k]   <= 1'b0;
                    fin_queued[k] <= 1'b0;
                    fin_acked[k]  <= 1'b0;
                    in_rec[k]     <= 1'b0;
                    rtt_on[k]     <= 1'b0;
                    ooo_on[k]     <= 1'b0;
                    ack_now[k]    <= 1'b0;
                    ack_del[k]    <= 1'b0;
                    rexmit_one[k] <= 1'b0;
                    probe[k]      <= 1'b0;
                    rst_pend[k]   <= 1'b0;
                    ev_dirty[k]   <= 1'b0;
                    rxd_pend[k]   <= 1'b0;
                    ev_flags[k]   <= 8'd0;
                    dupacks[k]    <= 8'd0;
                    rexmits[k]    <= 24'd0;
                    ca_acc[k]     <= 32'd0;
                    rtt_sample[k] <= RTT_NONE;
                    // what the host's SYN or SYN-ACK advertised: min(ring, 65535)
                    rcv_adv[k]    <= c_rcv_nxt + umin(SIZE, 32'd65535);
                    last_ack[k]   <= c_rcv_nxt;
                    wl1[k]        <= c_rcv_nxt - 32'd1;
                    wl2[k]        <= c_snd_una;
                    max_wnd[k]    <= c_snd_wnd;      // the window of the peer's SYN or SYN-ACK
                end
                CMD_ACK:        ack_now[k] <= valid[k];
                CMD_RETRANSMIT: if (valid[k]) begin
                    snd_nxt[k]    <= c_snd_una;
                    rtt_on[k]     <= 1'b0;
                    in_rec[k]     <= 1'b0;
                    dupacks[k]    <= 8'd0;
                    rexmits[k]    <= c_rexmits + 24'd1;
                end
                CMD_PROBE:      probe[k] <= valid[k];
                CMD_CLOSE:      fin_queued[k] <= valid[k];
                CMD_FREE: begin
                    valid[k]   <= 1'b0;
                    ttl_set[k] <= 1'b0;           // the next connection starts with the defaults
                end
                default:        csr_status <= CONST_RESP_BAD_REQ[7:0];
                endcase
            end
        end else if (!csr_in_slot) begin
            csr_status <= CONST_RESP_BAD_ADDR[7:0];
            csr_rdata  <= 32'd0;
        end else if (!csr_we) begin
            case (csr_field)
            FIELD_FLAGS:       csr_rdata <= {25'd0, ack_report[k], fin_acked[k], fin_queued[k],
                                             fin_rcvd[k], syn_rcvd[k], nagle[k], valid[k]};
            FIELD_REMOTE_IP:   csr_rdata <= c_rip;
            FIELD_PORTS:       csr_rdata <= c_ports;
            FIELD_MAC_HI:      csr_rdata <= {16'd0, c_mac[47:32]};
            FIELD_MAC_LO:      csr_rdata <= c_mac[31:0];
            FIELD_MSS:         csr_rdata <= {8'd0, c_rcv_ws, c_snd_ws, c_mss};
            FIELD_SND_UNA:     csr_rdata <= c_snd_una;
            FIELD_SND_NXT:     csr_rdata <= c_snd_nxt;
            FIELD_SND_WND:     csr_rdata <= c_snd_wnd;
            FIELD_RCV_NXT:     csr_rdata <= c_rcv_nxt;
            FIELD_CWND:        csr_rdata <= c_cwnd;
            FIELD_SSTHRESH:    csr_rdata <= c_ssthresh;
            FIELD_TX_END:      csr_rdata <= c_tx_end;
            FIELD_RX_SENT:     csr_rdata <= c_rx_sent;
            FIELD_RX_CONSUMED: csr_rdata <= c_rx_cons;
            FIELD_RCV_WND:     csr_rdata <= c_rcv_adv - c_rcv_nxt;
            FIELD_STATS:       csr_rdata <= {c_rexmits, c_dupacks};
            FIELD_SND_MAX:     csr_rdata <= c_snd_max;
            FIELD_IP_TTL_TOS:  csr_rdata <= {16'd0, c_ttl_tos};
            FIELD_SND_UP:      csr_rdata <= c_snd_up;
            FIELD_RCV_UP:      csr_rdata <= c_rcv_up;
            FIELD_MAX_SND_WND: csr_rdata <= c_max_wnd;
            default: begin
                csr_status <= CONST_RESP_BAD_ADDR[7:0];
                csr_rdata  <= 32'd0;
            end
            endcase
        end else begin
            // programming fields only while the slot is free; the rest also while open
            case (csr_field)
            FIELD_FLAGS: begin
                nagle[k]      <= |(csr_wdata & CONST_SF_NAGLE);
                syn_rcvd[k]   <= |(csr_wdata & CONST_SF_SYN_RCVD);
                ack_report[k] <= |(csr_wdata & CONST_SF_ACK_REPORT);
            end
            FIELD_SND_WND: begin
                snd_wnd[k] <= csr_wdata;
                if (valid[k] && c_max_wnd < csr_wdata)
                    max_wnd[k] <= csr_wdata;
            end
            FIELD_CWND:     cwnd[k]     <= csr_wdata;
            FIELD_SSTHRESH: ssthresh[k] <= csr_wdata;
            FIELD_RX_SENT: begin
                rx_sent[k]  <= csr_wdata;
                rxd_pend[k] <= 1'b1;
            end
            FIELD_IP_TTL_TOS: begin
                ttl_tos[k] <= csr_wdata[15:0];
                ttl_set[k] <= 1'b1;
            end
            FIELD_SND_UP:   snd_up[k]   <= csr_wdata;
            // the path MTU (RFC 1191): the host may lower the MSS of an open connection; the
            // window scales are fixed once open
            FIELD_MSS: begin
                mss[k] <= (csr_wdata[15:0] > MSS_MAX || csr_wdata[15:0] == 16'd0) ?
                          MSS_MAX : csr_wdata[15:0];
                if (!valid[k]) begin
                    snd_ws[k] <= csr_wdata[19:16] > 4'd14 ? 4'd14 : csr_wdata[19:16];
                    rcv_ws[k] <= csr_wdata[23:20] > 4'd14 ? 4'd14 : csr_wdata[23:20];
                end
            end
            default:
                if (valid[k]) begin
                    csr_status <= CONST_RESP_READ_ONLY[7:0];
                    csr_rdata  <= 32'd0;
                end else begin
                    case (csr_field)
                    FIELD_REMOTE_IP: rip[k]   <= csr_wdata;
                    FIELD_PORTS:     ports[k] <= csr_wdata;
                    FIELD_MAC_HI:    mac[k] <= {csr_wdata[15:0], c_mac[31:0]};
                    FIELD_MAC_LO:    mac[k] <= {c_mac[47:32], csr_wdata};
                    FIELD_SND_UNA: begin
                        snd_una[k] <= csr_wdata;
                        snd_nxt[k] <= csr_wdata;
                        snd_max[k] <= csr_wdata;
                        tx_end[k]  <= csr_wdata;
                        snd_up[k]  <= csr_wdata;
                    end
                    FIELD_RCV_NXT: begin
                        rcv_nxt[k] <= csr_wdata;
                        rx_sent[k] <= csr_wdata;
                        rx_cons[k] <= csr_wdata;
                        rcv_up[k]  <= csr_wdata;
                        up_on[k]   <= 1'b0;
                    end
                    default: begin
                        csr_status <= CONST_RESP_READ_ONLY[7:0];
                        csr_rdata  <= 32'd0;
                    end
                    endcase
                end
            endcase
        end
    end

    // ---- RX_CONSUMED: within [RX_CONSUMED, RX_SENT]; may reopen the window ----
    S_RXC: begin
        x_bad  <= {1'b0, rxc_slot} >= NSLOTS || !valid[k] || lt(rxc_seq, c_rx_cons) || lt(c_rx_sent, rxc_seq);
        x_edge <= rxc_seq + SIZE + {31'd0, fin_rcvd[k]};
        x_step <= (SIZE >> 1) < {15'd0, c_mss, 1'b0} ? SIZE[16:1] : {c_mss[14:0], 1'b0};
        state  <= S_RXC2;
    end
    S_RXC2: begin
        x_dist <= x_edge - c_rcv_adv;
        if (!lt(c_rcv_adv, x_edge))
            x_edge <= c_rcv_adv;     // no move: x_dist below is then 0
        state  <= S_RXC3;
    end
    S_RXC3: begin
        rxc_ack <= 1'b1;
        state   <= S_IDLE;
        if (x_bad) begin
            inc_data_bad <= 1'b1;
        end else begin
            rx_cons[k] <= rxc_seq;
            // a window update when the edge would move by at least 2 MSS or half the ring
            if (x_edge != c_rcv_adv && !ooo_on[k] &&
                (x_dist[31:16] != 16'd0 || x_dist[15:0] >= x_step))
                ack_now[k] <= 1'b1;
        end
    end

    // ---- a SLOT event: a snapshot; a change after it sets ev_dirty again ----
    S_EV: begin
        ev_valid  <= 1'b1;
        ev_fields <= {{{(8-SLOT_BITS){1'b0}}, k},
                      c_ev_flags | ((c_snd_wnd == 32'd0 && c_tx_end != c_snd_una) ?
                                    CONST_EVF_ZERO_WND[7:0] : 8'd0),
                      c_snd_una, c_snd_wnd, c_rcv_nxt, c_rtt_sample};
        ev_dirty[k]   <= 1'b0;
        ev_flags[k]   <= 8'd0;
        rtt_sample[k] <= RTT_NONE;
        state <= S_IDLE;
    end

    // ---- an RX_DATA offer: in-order bytes not yet sent up (RCV.NXT counts a FIN) ----
    S_RXD: begin
        t_avail <= c_data_end - c_rx_sent;
        state   <= S_RXD2;
    end
    S_RXD2: begin : rxd
        reg [10:0] chunk;
        chunk = (t_avail[31:10] != 22'd0) ? CONST_SLOT_DATA_MAX[10:0] : {1'b0, t_avail[9:0]};
        state <= S_IDLE;
        if (t_avail == 32'd0) begin
            rxd_pend[k] <= 1'b0;
        end else begin
            rxd_valid  <= 1'b1;
            rxd_slot   <= {{(8-SLOT_BITS){1'b0}}, k};
            rxd_seq    <= c_rx_sent;
            rxd_len    <= chunk;
            rx_sent[k] <= c_rx_sent + {21'd0, chunk};
        end
    end

    // ---- RX: acceptance test (RFC 9293 3.10.7.4) and the ACK's arithmetic ----
    S_RX_ACC: begin
        a_wnd     <= lt(c_rcv_adv, c_rcv_nxt) ? 32'd0 : c_rcv_adv - c_rcv_nxt;
        a_off     <= r_seq - c_rcv_nxt;
        a_lastoff <= r_last - c_rcv_nxt;
        a_beyond  <= lt(c_snd_max, r_ack);
        a_new     <= lt(c_snd_una, r_ack);
        a_old     <= lt(r_ack, c_snd_una);
        a_oldby   <= c_snd_una - r_ack;
        a_sup_lag <= lt(c_snd_up, r_ack);
        a_up      <= r_seq + {16'd0, r_up};
        a_dup_eq  <= r_ack == c_snd_una;
        a_acked   <= r_ack - c_snd_una;
        a_flight  <= c_snd_max - c_snd_una;
        a_rtt_cov <= lt(c_rtt_seq, r_ack);
        a_rtt     <= now - c_rtt_t0;
        a_finack  <= r_ack - c_tx_end == 32'd1;
        a_recfull <= !lt(r_ack, c_recover);
        a_wnd_sh  <= r_wnd << c_snd_ws;
        a_wl_ok   <= lt(c_wl1, r_seq) || (c_wl1 == r_seq && !lt(r_ack, c_wl2));
        r_start   <= lt(r_seq, c_rcv_nxt) ? c_rcv_nxt : r_seq;
        r_stop    <= lt(r_end, c_rx_lim) ? r_end : c_rx_lim;
        a_due     <= now + DELACK_US;
        state     <= valid[k] ? S_RX_ACC2 : S_RX_END3;
        r_acc     <= 1'b0;      // a freed slot: drop
        r_ackok   <= 1'b0;
        r_noack   <= 1'b0;
        r_badack  <= 1'b0;
        r_afterfin <= 1'b0;
    end

    S_RX_ACC2: begin : acc
        reg ok;
        if (r_len == 11'd0 && !r_fin)
            ok = a_wnd == 32'd0 ? a_off == 32'd0 : a_off < a_wnd;
        else
            ok = a_wnd != 32'd0 && (a_off < a_wnd || a_lastoff < a_wnd);
        r_acc   <= ok;
        r_ackok <= ok || a_off == 32'd0;   // zero window: still take the ACK at RCV.NXT
        if (!ok)
            ack_now[k] <= 1'b1;            // unacceptable: ACK and drop
        a_ssmin    <= umin(a_acked, m);
        a_ca_sum   <= c_ca_acc + a_acked;
        a_cwd      <= c_cwnd - a_acked;
        a_cwgt     <= c_cwnd > a_acked;
        a_ss2      <= (a_flight >> 1) > {m[30:0], 1'b0} ? a_flight >> 1 : {m[30:0], 1'b0};
        // RFC 5681 section 2 (e): the same window; and not a zero one, for the answers to
        // zero-window probes repeat SND.UNA with window 0 and are no sign of a loss
        a_wnd_dup  <= a_wnd_sh == c_snd_wnd && c_snd_wnd != 32'd0;
        a_max_lt_wnd <= c_max_wnd < a_wnd_sh;
        a_wnd_open <= c_snd_wnd == 32'd0 && a_wnd_sh != 32'd0;
        // RFC 5961 5.2: SEG.ACK below SND.UNA - MAX.SND.WND is unacceptable
        a_too_old  <= a_old && a_oldby > c_max_wnd;
        // a new urgent pointer is beyond RCV.NXT (else the urgent data is in already) and
        // beyond RCV.UP while that is ahead of RCV.NXT (compared only then: never stale)
        a_up_adv   <= lt(c_rcv_nxt, a_up) && (!up_on[k] || lt(c_rcv_up, a_up));
        a_nothing  <= !lt(r_start, r_stop);
        a_inorder  <= r_start == c_rcv_nxt;
        a_touch    <= !lt(c_ooo_end, r_start) && !lt(r_stop, c_ooo_start);
        a_fill     <= !lt(r_stop, c_ooo_start);
        a_stop_lt_end <= lt(r_stop, c_ooo_end);
        a_start_lt_os <= lt(r_start, c_ooo_start);
        a_oe_lt_stop  <= lt(c_ooo_end, r_stop);
        r_p_lo     <= r_start[10:0] - r_seq[10:0];
        r_p_hi     <= r_stop[10:0] - r_seq[10:0];
        r_p_hi_m1  <= r_stop[10:0] + ~r_seq[10:0];      // r_p_hi - 1
        state      <= S_RX_ACK;
    end

    // ---- RX: ACK processing and the window update ----
    S_RX_ACK: begin
        state <= S_RX_DATA;
        if (!r_ackok) begin
            // unacceptable: ACKed at once already
        end else if (!r_ackf) begin
            // RFC 9293 3.10.7.4, fifth check: the ACK bit is off: drop, no answer
            r_acc   <= 1'b0;
            r_ackok <= 1'b0;
            r_noack <= 1'b1;
        end else if (syn_rcvd[k] && (a_old || a_beyond)) begin
            // SYN-RECEIVED and not SND.UNA < SEG.ACK =< SND.NXT (here SND.UNA is ISS + 1):
            // <SEQ=SEG.ACK><CTL=RST>, drop, stay in SYN-RECEIVED
            rst_pend[k] <= 1'b1;
            rst_seq[k]  <= r_ack;
            r_acc       <= 1'b0;
            r_ackok     <= 1'b0;
            r_badack    <= 1'b1;
        end else if (a_beyond || a_too_old) begin
            // RFC 5961 5.2: outside [SND.UNA - MAX.SND.WND, SND.NXT] (beyond SND.NXT, data
            // never sent: RFC 9293 alike): a challenge ACK within the budget, drop
            if (ca_room)
                ack_now[k]    <= 1'b1;
            ca_send           <= ca_room;
            inc_chack         <= ca_room;
            inc_chack_limited <= !ca_room;
            r_acc             <= 1'b0;
            r_ackok           <= 1'b0;
            r_badack          <= 1'b1;
        end else begin : ackp
            reg [7:0] evf;
            evf = c_ev_flags;
            if (syn_rcvd[k]) begin
                syn_rcvd[k] <= 1'b0;
                evf = evf | CONST_EVF_ESTABLISHED[7:0];
                ev_dirty[k] <= 1'b1;
            end
            // a keepalive's answer changes nothing else: without this the host never sees it
            if (ack_report[k]) begin
                ack_report[k] <= 1'b0;
                evf = evf | CONST_EVF_ACK_SEEN[7:0];
                ev_dirty[k] <= 1'b1;
            end
            if (a_new) begin
                snd_una[k] <= r_ack;
                if (lt(c_snd_nxt, r_ack))
                    snd_nxt[k] <= r_ack;
                if (a_sup_lag)
                    snd_up[k] <= r_ack;        // SND.UP never falls behind SND.UNA (no wrap)
                dupacks[k]  <= 8'd0;
                ev_dirty[k] <= 1'b1;
                if (fin_queued[k] && a_finack && !fin_acked[k]) begin
                    fin_acked[k] <= 1'b1;
                    evf = evf | CONST_EVF_FIN_ACKED[7:0];
                end
                if (rtt_on[k] && a_rtt_cov) begin
                    rtt_on[k]     <= 1'b0;
                    rtt_sample[k] <= a_rtt;
                end
                if (in_rec[k]) begin
                    if (a_recfull) begin
                        in_rec[k] <= 1'b0;         // full ACK: deflate (RFC 6582)
                        cwnd[k]   <= c_ssthresh;
                    end else begin
                        rexmit_one[k] <= 1'b1;     // partial ACK: next hole
                        cwnd[k] <= (a_cwgt ? a_cwd : 32'd0) + m;
                    end
                end else if (c_cwnd < c_ssthresh) begin
                    cwnd[k] <= c_cwnd + a_ssmin;   // slow start
                end else if (a_ca_sum >= c_cwnd) begin
                    ca_acc[k] <= a_ca_sum - c_cwnd;   // congestion avoidance (RFC 3465)
                    cwnd[k]   <= c_cwnd + m;
                end else begin
                    ca_acc[k] <= a_ca_sum;
                end
            end else if (a_dup_eq && r_len == 11'd0 && !r_fin && a_flight != 32'd0 &&
                         a_wnd_dup) begin
                inc_dupacks <= 1'b1;
                dupacks[k]  <= c_dupacks == 8'hff ? 8'hff : c_dupacks + 8'd1;
                if (c_dupacks == 8'd2 && !in_rec[k]) begin
                    // third duplicate: fast retransmit, NewReno recovery (RFC 5681, 6582)
                    ssthresh[k]   <= a_ss2;
                    cwnd[k]       <= a_ss2 + c_m3;
                    recover[k]    <= c_snd_max;
                    in_rec[k]     <= 1'b1;
                    rexmit_one[k] <= 1'b1;
                    rtt_on[k]     <= 1'b0;
                    evf = evf | CONST_EVF_FAST_REXMIT[7:0];
                    ev_dirty[k]   <= 1'b1;
                end else if (in_rec[k]) begin
                    cwnd[k] <= c_cwnd + m;        // inflate per further duplicate
                end
            end
            ev_flags[k] <= evf;
            c_ev_flags  <= evf;
            // the peer's window (SND.WL1/WL2 rule)
            if (!a_old && a_wl_ok) begin
                snd_wnd[k] <= a_wnd_sh;
                wl1[k]     <= r_seq;
                wl2[k]     <= r_ack;
                if (a_max_lt_wnd)
                    max_wnd[k] <= a_wnd_sh;
                // a zero window opens: what was sent beyond it (before it shrank, or a probe
                // byte) was not taken; all of it goes again from SND.UNA, now (as BSD pulls
                // SND.NXT back when the window closes; RFC 9293 3.8.6.1)
                if (a_wnd_open) begin
                    snd_nxt[k] <= r_ack;
                    rtt_on[k]  <= 1'b0;
                end
                if ((a_wnd_sh == 32'd0) != (c_snd_wnd == 32'd0))
                    ev_dirty[k] <= 1'b1;
            end
        end
    end

    // ---- RX: payload into the RX ring ----
    S_RX_DATA: begin
        state <= S_RX_END;
        if (r_acc && fin_rcvd[k] && (r_len != 11'd0 || r_fin)) begin
            // RCV.NXT counts the peer's FIN: text (or a FIN) after it is ignored (RFC 9293
            // 3.10.7.4, seventh), RCV.NXT stays; ACK again
            ack_now[k] <= 1'b1;
            r_afterfin <= 1'b1;
        end else if (r_acc && r_len != 11'd0) begin
            if (a_nothing) begin
                ack_now[k] <= 1'b1;          // nothing new: a duplicate, ACK at once
            end else if (a_inorder || !ooo_on[k] || a_touch) begin
                // in order, a first hole, or touching the held range: copy
                copy_w      <= r_p_lo[10:2];
                copy_last   <= r_p_hi_m1[10:2];
                seg_rd_word <= r_p_lo[10:2];
                copy_pos    <= r_seq + {21'd0, r_p_lo[10:2], 2'b00};
                copy_pend   <= 1'b0;
                state       <= S_RX_COPY;
            end else begin
                ack_now[k] <= 1'b1;          // a second hole: drop, duplicate ACK at once
                r_acc      <= 1'b0;
            end
        end
    end

    S_RX_COPY: begin
        // one payload word per cycle: read word copy_w, write it a cycle later
        copy_pend <= copy_w <= copy_last;
        copy_cur  <= copy_w;
        if (copy_w <= copy_last) begin
            copy_w      <= copy_w + 9'd1;
            seg_rd_word <= copy_w + 9'd1;
        end
        if (copy_pend) begin
            rxr_we   <= 1'b1;
            rxr_slot <= k;
            rxr_pos  <= copy_pos;
            rxr_data <= seg_rd_data;
            rxr_be   <= word_be(copy_cur, r_p_lo, r_p_hi);
            copy_pos <= copy_pos + 32'd4;
        end
        if (!(copy_w <= copy_last) && !copy_pend)
            state <= S_RX_END;
    end

    // ---- RX: RCV.NXT, the held range, the FIN ----
    S_RX_END: begin : rxend
        reg [31:0] nxt;
        nxt = c_rcv_nxt;
        // the urgent pointer (RFC 9293 3.10.7.4, sixth): RCV.UP = max(RCV.UP, SEG.SEQ + SEG.UP);
        // like the ACK also from a segment at RCV.NXT into a zero window (MUST-66)
        a_upv  <= c_rcv_up;
        a_uset <= up_on[k];
        if (r_ackok && r_urg && a_up_adv && !fin_rcvd[k]) begin
            a_upv       <= a_up;
            a_uset      <= 1'b1;
            c_ev_flags  <= c_ev_flags | CONST_EVF_URGENT[7:0];
            ev_flags[k] <= c_ev_flags | CONST_EVF_URGENT[7:0];
            ev_dirty[k] <= 1'b1;
        end
        if (r_acc && r_len != 11'd0 && !a_nothing && !fin_rcvd[k]) begin
            if (a_inorder) begin
                nxt = r_stop;
                if (ooo_on[k] && a_fill) begin
                    if (a_stop_lt_end)
                        nxt = c_ooo_end;
                    ooo_on[k]  <= 1'b0;
                    ack_now[k] <= 1'b1;      // a hole filled: ACK at once
                end
            end else begin
                inc_rx_ooo <= 1'b1;
                ack_now[k] <= 1'b1;          // out of order: duplicate ACK at once
                if (ooo_on[k]) begin
                    if (a_start_lt_os) ooo_start[k] <= r_start;
                    if (a_oe_lt_stop)  ooo_end[k]   <= r_stop;
                end else begin
                    ooo_on[k]    <= 1'b1;
                    ooo_start[k] <= r_start;
                    ooo_end[k]   <= r_stop;
                end
            end
        end
        a_nxt     <= nxt;
        a_fin_now <= r_acc && r_fin && nxt == r_end && !fin_rcvd[k];
        state     <= S_RX_END2;
    end

    S_RX_END2: begin
        // the FIN, when everything before it is in
        if (a_fin_now) begin
            a_nxt       <= a_nxt + 32'd1;
            fin_rcvd[k] <= 1'b1;
            ack_now[k]  <= 1'b1;
            ev_flags[k] <= c_ev_flags | CONST_EVF_FIN_RCVD[7:0];
            ev_dirty[k] <= 1'b1;
        end
        a_moved <= a_nxt != c_rcv_nxt || a_fin_now;
        a_dist  <= a_nxt - c_last_ack;
        a_up_in <= !lt(a_nxt, a_upv);    // RCV.NXT reached RCV.UP: the urgent data is in
        state   <= S_RX_END3;
    end

    S_RX_END3: begin
        seg_done    <= 1'b1;
        state       <= S_IDLE;
        inc_rx_segs <= r_acc;
        inc_rx_drop <= seg_drop || !(r_acc || r_noack || r_badack);
        inc_rx_no_ack    <= r_noack;
        inc_rx_bad_ack   <= r_badack;
        inc_rx_after_fin <= r_afterfin;
        if (valid[k]) begin
            rcv_up[k] <= a_upv;
            up_on[k]  <= a_uset && !a_up_in;
        end
        if (valid[k] && a_moved) begin
            rcv_nxt[k]  <= a_nxt;
            rxd_pend[k] <= 1'b1;
            // ACK every second full-sized segment's worth, otherwise delay
            if (a_dist[31:17] != 15'd0 || a_dist[16:0] >= {c_mss, 1'b0})
                ack_now[k] <= 1'b1;
            else if (!ack_del[k]) begin
                ack_del[k] <= 1'b1;
                ack_due[k] <= a_due;
            end
        end
    end

    // ---- TX_DATA into the TX ring ----
    S_TXD: begin
        if ({1'b0, txd_slot} >= NSLOTS || !valid[k] || fin_queued[k] || txd_seq != c_tx_end ||
            r_txd_len == 11'd0 || {21'd0, r_txd_len} > CONST_SLOT_DATA_MAX ||
            {21'd0, r_txd_len} + c_tx_used > SIZE) begin
            inc_data_bad <= 1'b1;
            txd_ack      <= 1'b1;
            state        <= S_IDLE;
        end else begin
            // message byte 6 + i is payload byte i; word w holds message bytes 4w..4w+3
            copy_w      <= 9'd1;
            txd_rd_addr <= 9'd1;
            copy_last   <= r_txd_last[10:2];
            copy_pend   <= 1'b0;
            copy_pos    <= txd_seq - 32'd2;    // the ring position of message byte 4
            tx_turn     <= 1'b1;
            state       <= S_TXD_COPY;
        end
    end

    S_TXD_COPY: begin
        copy_pend <= copy_w <= copy_last;
        copy_cur  <= copy_w;
        if (copy_w <= copy_last) begin
            copy_w      <= copy_w + 9'd1;
            txd_rd_addr <= copy_w + 9'd1;
        end
        if (copy_pend) begin
            txr_we   <= 1'b1;
            txr_slot <= k;
            txr_pos  <= copy_pos;
            txr_data <= txd_rd_data;
            txr_be   <= word_be(copy_cur, 11'd6, r_txd_end);   // payload from message byte 6
            copy_pos <= copy_pos + 32'd4;
        end
        if (!(copy_w <= copy_last) && !copy_pend) begin
            tx_end[k] <= c_tx_end + {21'd0, r_txd_len};
            txd_ack   <= 1'b1;
            state     <= S_IDLE;
        end
    end

    // ---- TX: what may slot k send now? ----
    S_TX: begin
        t_flight     <= c_snd_nxt - c_snd_una;
        t_avail      <= lt(c_snd_nxt, c_tx_end) ? c_tx_end - c_snd_nxt : 32'd0;
        t_notpast    <= !lt(c_tx_end, c_snd_nxt);
        t_nxt_lt_max <= lt(c_snd_nxt, c_snd_max);
        t_usable     <= umin(c_cwnd, c_snd_wnd);
        t_due        <= ack_del[k] && !lt(now, c_ack_due);
        t_rxlim      <= lt(c_snd_max, c_tx_end) ? c_snd_max : c_tx_end;
        t_adv1       <= lt(c_rcv_adv, c_rcv_nxt) ? c_rcv_nxt : c_rcv_adv;
        t_cand       <= c_rx_lim + {31'd0, fin_rcvd[k]};
        t_fin_sent   <= lt(c_tx_end, c_snd_max);
        t_max_lt_end <= lt(c_snd_max, c_tx_end);
        state        <= S_TX2;
    end

    S_TX2: begin
        t_room  <= t_usable > t_flight ? t_usable - t_flight : 32'd0;
        t_am    <= umin(t_avail, m);
        t_rspan <= t_rxlim - c_snd_una;
        t_rneg  <= lt(t_rxlim, c_snd_una);
        t_ed    <= t_cand - t_adv1;
        t_edlt  <= lt(t_adv1, t_cand);
        t_ack   <= ack_now[k] || t_due;
        t_avail_lt_m <= t_avail < m;
        t_m_lt_avail <= m < t_avail;
        state   <= S_TX3;
    end

    S_TX3: begin
        t_len  <= umin(t_am, t_room);
        // len = min(avail, MSS, room): is it short of an MSS, and did the window cut it?
        t_short <= t_avail_lt_m || t_room < m;
        t_cut   <= t_m_lt_avail || t_room < t_avail;
        t_rlen  <= t_rneg ? 32'd0 : umin(m, t_rspan);
        t_rfull <= !t_rneg && !(m < t_rspan);     // the retransmission reaches the limit
        // receiver SWS avoidance: move the right edge only by min(ring/2, MSS) or more; and
        // not while out-of-order data is held, so every duplicate ACK carries the same window
        // (a window update does not count as a duplicate: RFC 5681 section 2)
        t_edge <= (t_edlt && !ooo_on[k] && (t_ed[31:16] != 16'd0 || t_ed[15:0] >= sws_step)) ?
                  t_cand : t_adv1;
        state  <= S_TX4;
    end

    S_TX4: begin : tx4
        reg [31:0] len, seq;
        reg        fin, send, rx, psh;
        fin = 1'b0;
        if (rst_pend[k]) begin
            // the answer to a bad ACK in SYN_RCVD: <SEQ=SEG.ACK><CTL=RST>; the rest waits
            seq  = c_rst_seq;
            len  = 32'd0;
            psh  = 1'b0;
            rx   = 1'b0;
            send = 1'b1;
        end else if (rexmit_one[k]) begin
            // fast retransmit / partial ACK: the first unacknowledged segment
            seq  = c_snd_una;
            len  = t_rlen;
            fin  = fin_queued[k] && t_rfull && t_fin_sent;
            psh  = t_rfull && !t_max_lt_end;
            rx   = 1'b1;
            send = 1'b1;
        end else if (probe[k] && c_snd_wnd == 32'd0) begin
            // the first unacknowledged byte, so that repeated probes repeat it rather than
            // run ahead into a window the peer has not offered
            seq  = c_snd_una;
            len  = c_tx_end == c_snd_una ? 32'd0 : 32'd1;
            psh  = t_avail == 32'd1 && c_snd_nxt == c_snd_una;
            rx   = 1'b1;
            send = 1'b1;
        end else begin
            seq = c_snd_nxt;
            len = t_len;
            // sender SWS avoidance and Nagle: while data is in flight, a short segment waits
            // if the window cut it or Nagle is on
            if (t_short && t_flight != 32'd0 && (t_cut || nagle[k]))
                len = 32'd0;
            fin  = fin_queued[k] && t_notpast && !t_cut && !(len == 32'd0 && t_avail != 32'd0);
            psh  = !t_cut;
            rx   = t_nxt_lt_max;
            send = len != 32'd0 || fin || t_ack;
        end
        t_seq    <= seq;
        t_len    <= len;
        t_fin    <= fin;
        t_psh    <= psh && len != 32'd0;
        t_rexmit <= rx && (len != 32'd0 || fin);
        t_rst    <= rst_pend[k];
        t_wraw   <= t_edge - c_rcv_nxt;
        if (rst_pend[k])        rst_pend[k] <= 1'b0;
        else if (rexmit_one[k]) rexmit_one[k] <= 1'b0;
        if (probe[k] && !rst_pend[k]) probe[k] <= 1'b0;
        if (t_due)         ack_now[k] <= 1'b1;
        state <= send ? S_TX5 : S_IDLE;
    end

    S_TX5: begin : tx5
        reg [31:0] w;
        w = t_wraw >> c_rcv_ws;
        t_wfield <= w > 32'd65535 ? 32'd65535 : w;
        t_nxt    <= t_seq + t_len + {31'd0, t_fin};
        // urgent data (RFC 6093): a segment that starts before SND.UP points at it
        t_urg    <= lt(t_seq, c_snd_up) && !t_rst;
        t_upd    <= c_snd_up - t_seq;
        state    <= S_TX6;
    end

    S_TX6: begin
        t_new_edge   <= c_rcv_nxt + (t_wfield << c_rcv_ws);
        t_nxt_gt_max <= lt(c_snd_max, t_nxt);
        t_upf        <= t_upd[31:16] != 16'd0 ? 16'hffff : t_upd[15:0];
        state        <= S_TX7;
    end

    S_TX7: begin
        // the scaled window rounds down, which could pull the edge below one advertised
        // before; the acceptance test keeps the furthest edge (RFC 7323 2.4: never shrink)
        if (lt(c_rcv_adv, t_new_edge) && !t_rst)
            rcv_adv[k] <= t_new_edge;
        if (!t_rst) begin
            last_ack[k] <= c_rcv_nxt;
            ack_now[k]  <= 1'b0;
            ack_del[k]  <= 1'b0;
        end
        st_start <= 1'b1;
        st_slot  <= k;
        st_mac   <= c_mac;
        st_ip    <= c_rip;
        st_sport <= c_ports[31:16];
        st_dport <= c_ports[15:0];
        st_seq   <= t_seq;
        // a RST carries no ACK (RFC 9293 3.10.7.4) and no window
        st_ack   <= t_rst ? 32'd0 : c_rcv_nxt;
        st_flags <= t_rst ? 8'h04 : 8'h10 | (t_fin ? 8'h01 : 8'h00) | (t_psh ? 8'h08 : 8'h00) |
                                    (t_urg ? 8'h20 : 8'h00);
        st_wnd   <= t_rst ? 16'd0 : t_wfield[15:0];
        st_urp   <= t_urg ? t_upf : 16'd0;
        st_ttl   <= c_ttl_tos[7:0] == 8'd0 ? 8'd64 : c_ttl_tos[7:0];
        st_tos   <= c_ttl_tos[15:8];
        st_len   <= t_len[10:0];
        inc_tx_segs   <= 1'b1;
        inc_tx_rexmit <= t_rexmit;
        if (t_seq == c_snd_nxt && !t_rst) begin
            snd_nxt[k] <= t_nxt;
            if (t_nxt_gt_max) begin
                snd_max[k] <= t_nxt;
                // time one segment at a time, never a retransmission (Karn)
                if (!rtt_on[k] && t_len != 32'd0 && !t_rexmit) begin
                    rtt_on[k]  <= 1'b1;
                    rtt_seq[k] <= t_seq;
                    rtt_t0[k]  <= now;
                end
            end
        end
        if (t_rexmit)
            rexmits[k] <= c_rexmits + 24'd1;
        state <= S_IDLE;
    end

    default: state <= S_IDLE;
    endcase

    if (rst) begin
        state      <= S_IDLE;
        valid      <= {SLOTS{1'b0}};
        nagle      <= {SLOTS{1'b0}};
        syn_rcvd   <= {SLOTS{1'b0}};
        fin_rcvd   <= {SLOTS{1'b0}};
        fin_queued <= {SLOTS{1'b0}};
        fin_acked  <= {SLOTS{1'b0}};
        ack_report <= {SLOTS{1'b0}};
        rst_pend   <= {SLOTS{1'b0}};
        ttl_set    <= {SLOTS{1'b0}};
        up_on      <= {SLOTS{1'b0}};
        ack_now    <= {SLOTS{1'b0}};
        ack_del    <= {SLOTS{1'b0}};
        rexmit_one <= {SLOTS{1'b0}};
        probe      <= {SLOTS{1'b0}};
        ev_dirty   <= {SLOTS{1'b0}};
        rxd_pend   <= {SLOTS{1'b0}};
        tx_ptr     <= 0;
        tx_turn    <= 1'b0;
        rd_ptr     <= 0;
        ev_ptr     <= 0;
        rxd_valid  <= 1'b0;
        ev_valid   <= 1'b0;
        csr_ack    <= 1'b0;
        txd_ack    <= 1'b0;
        rxc_ack    <= 1'b0;
        seg_done   <= 1'b0;
        st_start   <= 1'b0;
        rxr_we     <= 1'b0;
        txr_we     <= 1'b0;
    end
end

endmodule

`default_nettype wire
