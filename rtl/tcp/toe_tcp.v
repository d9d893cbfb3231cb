// SPDX-License-Identifier: MIT
// TCP fast path: the connection slots and the engine that runs them (docs/TCP.md).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * One controller owns the slot table and does one task at a time, picked in S_IDLE:
 *   CSR       slot fields and commands for the link engine (docs/TCP.md section 6)
 *   RXC       RX_CONSUMED: the host's buffer space given back (credit for more RX_DATA)
 *   EVENT     a SLOT event snapshot for a slot whose state moved
 *   RXD       offer in-order RX ring bytes to the link as an RX_DATA message, within the
 *             host's credit (RX_CONSUMED + ring size); the ring space is free once they are
 *             sent (RX_SENT + ring size is the window's edge), which may reopen the window
 *   RX        one received segment (tcp_rx_snoop): acceptance and the ACK's arithmetic
 *             (tcp_rx_decide), ACK processing, the payload's copy into the RX ring started
 *             (tcp_ring_copy, while the controller goes on), RCV.NXT, FIN
 *   TXD       TX_DATA from the link: TX_END moves, and a second tcp_ring_copy copies the
 *             payload into the slot's TX ring while the controller goes on
 *   TX        one segment (data, FIN, pure ACK) for the next slot in round-robin order,
 *             decided by tcp_tx_decide from the slot's snapshot, built and sent by tcp_seg_tx
 *             while the controller goes on
 * The controller is the only writer of the slot table; the units it starts hold no slot state.
 * At 62.5 MHz a full-size segment takes 769 cycles on the wire; every task takes a handful of
 * cycles, and both ring copies (about 370 cycles for a full segment) run beside the
 * controller, so it keeps up with line rate both ways (tests/rtl/toe_tcp_b2b prints where its
 * cycles go). Ring positions are sequence numbers modulo the ring size.
 *
 * Timing: a task first loads its slot's fields into c_* registers (S_LOAD), and each state
 * after that does at most about one 32-bit carry chain; intermediate results are registered
 * for the next state (tcp_rx_decide's and tcp_tx_decide's stages, the RX task's own steps).
 * The per-slot fields have one read and one write address (the task's slot), so they map to
 * distributed RAM; so do the flags only a task reads (flag_mem: read for slot k, written back
 * in every cycle out of S_IDLE, cleared slot by slot in S_INIT after reset). The flags read for
 * every slot (by the S_IDLE schedulers, the snoop, the simulator's idle skip) are flip-flops,
 * and the 4-tuple is kept twice: in flip-flops for the snoop, which compares every slot at once,
 * and in distributed RAM for S_LOAD.
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
    input  wire                    host_quiet,   // the link brings no host message just now

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
    output wire [8:0]              txd_rd_addr,  // message buffer word
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
    output wire [31:0]             rxd_rd_data,  // two cycles later
    input  wire                    rxd_busy,     // the link is still reading an RX_DATA taken

    // SLOT event offer
    output reg                     ev_valid,
    input  wire                    ev_taken,
    output reg  [143:0]            ev_fields,    // a SLOT event's fields (8 x HDR_SLOT_EVENT bits)

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
localparam EV_STEP_LOG2 = BUF_LOG2 - 2;   // SND.UNA goes up in events a quarter ring at a time
localparam [8:0]  NSLOTS = SLOTS[8:0];     // for comparisons with 8-bit slot numbers
localparam [15:0] MSS_MAX = 16'd1460;
localparam [31:0] RTT_NONE = CONST_RTT_NONE;
// TCP header flags (RFC 9293 3.1; SYN never reaches the fast path)
localparam [7:0] TCP_FIN = 8'h01, TCP_RST = 8'h04, TCP_PSH = 8'h08,
                 TCP_ACK = 8'h10, TCP_URG = 8'h20;

`include "tcp/tcp_seq.vh"

// the link is reading an RX_DATA message of slot s from the RX ring
function rxd_reading;
    input [SLOT_BITS-1:0] s;
    begin rxd_reading = rxd_busy && rxd_rd_slot[SLOT_BITS-1:0] == s; end
endfunction

function [SLOT_BITS-1:0] next_slot;   // round robin
    input [SLOT_BITS-1:0] s;
    begin next_slot = ({{(32-SLOT_BITS){1'b0}}, s} == SLOTS - 1) ? {SLOT_BITS{1'b0}} : s + 1'b1; end
endfunction

// ---------------------------------------------------------------- slot table
// flags read for every slot, in flip-flops: by the schedulers in S_IDLE and the snoop (valid,
// ev_dirty; rxd_pend below), and by the simulator's idle skip (sim/vboard.cpp: ack_now, and
// ack_del with ack_due for the next delayed ACK)
reg [SLOTS-1:0] valid, ev_dirty, ack_now, ack_del;
// una_late: SND.UNA moved by less than an event step and the host has not heard; reported once
// the host link has paused (host_paused), so an upload's stream of TX_DATA is not interleaved
// with an event per ACK, yet an idle host learns of every advance within microseconds (its
// retransmission timer restarts on it: RFC 6298 (5.3))
reg [SLOTS-1:0] una_late;
reg [7:0]       quiet_run;   // cycles the host link has brought nothing, saturating
wire            host_paused = &quiet_run;
wire [SLOTS-1:0] ev_want = ev_dirty | (una_late & {SLOTS{host_paused}});
// the flags only a task reads, of its slot k, in distributed RAM: read while the task runs,
// written back every cycle (S_INIT clears them after reset); the names are slot k's flags
localparam FLAG_N = 14;
reg  [FLAG_N-1:0] flag_mem [0:SLOTS-1];
wire [FLAG_N-1:0] flags_k;       // flag_mem[k] (assigned once k is declared)
wire nagle      = flags_k[0];
wire syn_rcvd   = flags_k[1];
wire fin_rcvd   = flags_k[2];
wire fin_queued = flags_k[3];
wire fin_acked  = flags_k[4];
wire ack_report = flags_k[5];    // the host waits for an ACK (keepalive): report the next one
wire in_rec     = flags_k[6];
wire rtt_on     = flags_k[7];
wire ooo_on     = flags_k[8];
wire rexmit_one = flags_k[9];
wire probe      = flags_k[10];
wire rst_pend   = flags_k[11];   // a RST <SEQ=rst_seq><CTL=RST> is due (a bad ACK in SYN_RCVD)
wire ttl_set    = flags_k[12];   // ip_ttl_tos written since reset or FREE (else the defaults)
wire up_on      = flags_k[13];   // RCV.UP is ahead of RCV.NXT (urgent data still to come in)
reg [31:0] rip        [0:SLOTS-1];      // the 4-tuple (read all at once by the lookup)
reg [31:0] ports      [0:SLOTS-1];
// the 4-tuple again, for S_LOAD: the lookup's copy is in flip-flops, and a read of slot k
// from them is a multiplexer per bit; this copy is distributed RAM with one read port
reg [31:0] rip_ram    [0:SLOTS-1];
reg [31:0] ports_ram  [0:SLOTS-1];
reg [15:0] mac_hi     [0:SLOTS-1];   // the next hop's MAC, in two as the CSR writes it
reg [31:0] mac_lo     [0:SLOTS-1];
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
// cwnd's write, registered: cwnd[cw_k_q] <= cw_a_q + cw_b_q the cycle after the controller's
reg                 cw_we_q;
reg [SLOT_BITS-1:0] cw_k_q;
reg [31:0]          cw_a_q, cw_b_q;
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
reg [31:0] ev_una     [0:SLOTS-1];   // SND.UNA in the last event (or as the host wrote it)
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

localparam SEG_LOG2 = 2;            // the snoop's 2^SEG_LOG2 segment buffers
wire                 seg_valid, seg_drop;
wire [SEG_LOG2:0]    seg_head;
reg                  seg_done;
wire [SLOT_BITS-1:0] seg_slot;
wire [31:0]          seg_seq, seg_ack;
wire [15:0]          seg_wnd, seg_up;
wire [7:0]           seg_flags;
wire [10:0]          seg_len;
wire [8:0]           seg_rd_word;
wire [31:0]          seg_rd_data;

tcp_rx_snoop #(.SLOTS(SLOTS), .SLOT_BITS(SLOT_BITS), .SEG_LOG2(SEG_LOG2)) snoop (
    .clk(clk), .rst(rst),
    .rx_tdata(rx_tdata), .rx_tkeep(rx_tkeep), .rx_beat(rx_beat), .rx_tlast(rx_tlast),
    .key_valid(valid), .key_ip(key_ip), .key_ports(key_ports),
    .tcp_match(tcp_match), .match_slot(unused_match_slot), .verdict_valid(verdict_valid), .verdict(verdict),
    .seg_valid(seg_valid), .seg_done(seg_done), .seg_drop(seg_drop),
    .seg_slot(seg_slot), .seg_seq(seg_seq), .seg_ack(seg_ack), .seg_wnd(seg_wnd),
    .seg_up(seg_up), .seg_flags(seg_flags), .seg_len(seg_len), .seg_head(seg_head),
    .seg_hold(copy_on), .seg_hold_at(copy_at), .seg_rd_buf(copy_at[SEG_LOG2-1:0]),
    .seg_rd_word(seg_rd_word), .seg_rd_data(seg_rd_data)
);

// ---------------------------------------------------------------- rings and the copy into them
reg [SLOT_BITS-1:0]  k;            // the slot of the controller's task
assign flags_k = flag_mem[k];
wire                 copy_start, copy_done;
reg                  copy_on;      // the RX payload copy runs (its snoop buffer held)
reg  [SLOT_BITS-1:0] copy_slot;
reg  [SEG_LOG2:0]    copy_at;      // the copied segment's snoop queue position
wire [8:0]           copy_first, copy_last;
wire [10:0]          copy_lo, copy_hi;
wire [BUF_LOG2-1:0]  copy_pos;
wire [8:0]           copy_rd_word;
wire                 ring_we;
wire [BUF_LOG2-1:0]  ring_pos;
wire [31:0]          ring_data;
wire [3:0]           ring_be;
wire                 txc_start, txc_done;
reg                  txc_on;       // the TX_DATA copy runs (txd_ack when it is done)
reg  [SLOT_BITS-1:0] txc_slot;
wire                 txc_we;
wire [BUF_LOG2-1:0]  txc_pos;
wire [31:0]          txc_data;
wire [3:0]           txc_be;
wire [SLOT_BITS-1:0] txr_rd_slot;
wire [BUF_LOG2-1:0]  txr_rd_off;
wire [31:0]          txr_rd_data;

// the link reads the RX ring from across the die: a register more on its read
tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2), .RD_REG(1)) rx_ring (
    .clk(clk),
    .wr_en(ring_we), .wr_slot(copy_slot), .wr_off(ring_pos), .wr_data(ring_data),
    .wr_be(ring_be),
    .rd_slot(rxd_rd_slot[SLOT_BITS-1:0]), .rd_off(rxd_rd_seq[BUF_LOG2-1:0]), .rd_data(rxd_rd_data)
);

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2)) tx_ring (
    .clk(clk),
    .wr_en(txc_we), .wr_slot(txc_slot), .wr_off(txc_pos), .wr_data(txc_data), .wr_be(txc_be),
    .rd_slot(txr_rd_slot), .rd_off(txr_rd_off), .rd_data(txr_rd_data)
);

// A received segment's payload from the snoop's queue into the RX ring, while the controller
// goes on: S_RX_DATA starts it (once the segment is accepted, with the accepted bytes only),
// S_RX_END3 moves RCV.NXT over them at once and releases the queue head, and the snoop keeps
// the buffer (seg_hold) until the copy is done. Segments without payload (ACKs) are taken
// meanwhile; one with payload waits for the copy to end, so the copies go one at a time and in
// order.
// The copy writes a word every cycle from its third cycle on and never stalls; an RX_DATA offer
// of the bytes comes at least 9 cycles after the start (S_RX_END3, then the RXD task) and is read
// from RX_SENT (not past the first new byte) at most a word a cycle, so the bytes RCV.NXT now
// covers are in the ring before the link reads them. A held out-of-order range was copied
// before the segment that fills its hole was picked.
tcp_ring_copy #(.POS_BITS(BUF_LOG2)) copy (
    .clk(clk), .rst(rst),
    .start(copy_start), .first_word(copy_first), .last_word(copy_last), .lo(copy_lo), .hi(copy_hi),
    .pos(copy_pos), .done(copy_done),
    .rd_word(copy_rd_word), .rd_data(seg_rd_data),
    .wr_en(ring_we), .wr_pos(ring_pos), .wr_data(ring_data), .wr_be(ring_be)
);
assign seg_rd_word = copy_rd_word;

// TX_DATA from the link's message buffer into the TX ring, while the controller goes on: S_TXD
// starts it and moves TX_END at once; txd_ack (the buffer is free) follows when it is done, and
// no TX_DATA is taken meanwhile. The copy writes a word every cycle from its third cycle on and
// never stalls, and a segment is decided at least 8 cycles after S_TXD and reads its first
// payload word at least 15 cycles after tcp_seg_tx starts, one word a cycle at most, so the
// bytes TX_END now covers are in the ring before tcp_seg_tx reads them.
tcp_ring_copy #(.POS_BITS(BUF_LOG2)) txcopy (
    .clk(clk), .rst(rst),
    .start(txc_start), .first_word(9'd1), .last_word(r_txd_last[10:2]), .lo(11'd6),
    .hi(r_txd_end), .pos(txd_copy_at[BUF_LOG2-1:0]), .done(txc_done),
    .rd_word(txd_rd_addr), .rd_data(txd_rd_data),
    .wr_en(txc_we), .wr_pos(txc_pos), .wr_data(txc_data), .wr_be(txc_be)
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
                 S_RX_DATA  = 6'd12, S_INIT     = 6'd13, S_RX_END   = 6'd14, S_RX_END2  = 6'd15,
                 S_RX_END3  = 6'd16, S_TXD      = 6'd17, S_TX       = 6'd18, S_TX_WAIT  = 6'd19,
                 S_RXD3     = 6'd20;
reg [5:0] state, task_state;    // S_LOAD goes on to task_state

reg [SLOT_BITS-1:0] tx_ptr, rd_ptr, ev_ptr;
reg                 tx_turn;    // the transmitter goes before the next TX_DATA
reg [SLOTS-1:0]     rxd_pend;   // RCV.NXT or RX_SENT moved: an RX_DATA offer may be due
// slot rxd_dry_slot had nothing to offer while the link read its last RX_DATA: its RXD task
// waits for the read to end (the ring space is free then: a window update may be due)
reg                 rxd_dry;
reg [SLOT_BITS-1:0] rxd_dry_slot;
function rxd_waits;
    input [SLOT_BITS-1:0] s;
    begin rxd_waits = rxd_dry && rxd_dry_slot == s && rxd_reading(s); end
endfunction


// the task's slot, loaded in S_LOAD
reg [31:0] c_rip, c_ports, c_snd_una, c_snd_nxt, c_snd_max, c_snd_wnd, c_wl1, c_wl2, c_tx_end;
reg [31:0] c_cwnd, c_ssthresh, c_ca_acc, c_recover, c_rtt_seq, c_rtt_t0, c_rtt_sample, c_ev_una;
reg [31:0] c_rcv_nxt, c_rcv_adv, c_rx_sent, c_rx_cons, c_ooo_start, c_ooo_end, c_ack_due;
reg [31:0] c_last_ack, c_rx_lim, c_txd_used, c_data_end, c_m3, c_credit, c_ring_low;
reg [31:0] c_max_wnd, c_rst_seq, c_snd_up, c_rcv_up;
reg [15:0] c_ttl_tos;
reg [47:0] c_mac;
reg [15:0] c_mss;
reg [3:0]  c_snd_ws, c_rcv_ws;
reg [7:0]  c_dupacks, c_ev_flags;
reg [23:0] c_rexmits;
wire [31:0] m = {16'd0, c_mss};

// ---------------------------------------------------------------- transmit decision
wire        tx_decide_valid, tx_send, tx_delack_due, tx_result_valid;
wire [31:0] tx_seq, tx_new_edge, tx_seq_end;
wire [10:0] tx_len;
wire        tx_fin, tx_psh, tx_urg, tx_rst, tx_rexmit, tx_beyond_max;
wire [15:0] tx_urp, tx_wnd;

tcp_tx_decide #(.BUF_LOG2(BUF_LOG2)) tx_decide (
    .clk(clk), .rst(rst), .start(state == S_TX), .now(now),
    .snd_una(c_snd_una), .snd_nxt(c_snd_nxt), .snd_max(c_snd_max), .snd_wnd(c_snd_wnd),
    .snd_up(c_snd_up), .tx_end(c_tx_end), .cwnd(c_cwnd), .mss(c_mss),
    .rcv_nxt(c_rcv_nxt), .rcv_adv(c_rcv_adv), .rx_lim(c_rx_lim), .rcv_ws(c_rcv_ws),
    .ack_due(c_ack_due), .rst_seq(c_rst_seq),
    .ack_now(ack_now[k]), .ack_delayed(ack_del[k]), .ooo_held(ooo_on), .fin_rcvd(fin_rcvd),
    .fin_queued(fin_queued), .rst_due(rst_pend), .rexmit_due(rexmit_one),
    .probe_due(probe), .nagle(nagle),
    .decide_valid(tx_decide_valid), .decide_send(tx_send), .delack_due(tx_delack_due),
    .result_valid(tx_result_valid), .seq(tx_seq), .len(tx_len), .fin(tx_fin), .psh(tx_psh),
    .urg(tx_urg), .urp(tx_urp), .rst_seg(tx_rst), .rexmit(tx_rexmit), .wnd_field(tx_wnd),
    .new_edge(tx_new_edge), .seq_end(tx_seq_end), .beyond_max(tx_beyond_max)
);

// CSR decode
wire        csr_is_cmd  = csr_addr == CSR_SLOT_CMD;
wire [15:0] csr_rel     = csr_addr - CSR_SLOT_BASE;
wire        csr_in_slot = csr_addr >= CSR_SLOT_BASE && {16'd0, csr_rel} < SLOTS * CONST_SLOT_STRIDE;
wire [4:0]  csr_field   = csr_rel[4:0];

// A field read: an AND-OR of the task's slot fields over the field number, one-hot and
// registered (csr_addr is held until csr_ack, so it is there from S_LOAD on; yosys maps this to
// fewer LUTs than a case on csr_field).
reg  [FIELD_MAX_SND_WND:0] csr_fhot;
always @(posedge clk)
    csr_fhot <= {{FIELD_MAX_SND_WND{1'b0}}, 1'b1} << csr_field;
// A function, not a wire: Verilator then evaluates the AND-OR only where a read takes it,
// not in every core cycle (the same logic in hardware).
function [31:0] csr_field_read;
    input [FIELD_MAX_SND_WND:0] fhot;
    begin csr_field_read =
        ({32{fhot[FIELD_FLAGS]}}       & {25'd0, ack_report, fin_acked, fin_queued,
                                              fin_rcvd, syn_rcvd, nagle, valid[k]}) |
        ({32{fhot[FIELD_REMOTE_IP]}}   & c_rip) |
        ({32{fhot[FIELD_PORTS]}}       & c_ports) |
        ({32{fhot[FIELD_MAC_HI]}}      & {16'd0, c_mac[47:32]}) |
        ({32{fhot[FIELD_MAC_LO]}}      & c_mac[31:0]) |
        ({32{fhot[FIELD_MSS]}}         & {8'd0, c_rcv_ws, c_snd_ws, c_mss}) |
        ({32{fhot[FIELD_SND_UNA]}}     & c_snd_una) |
        ({32{fhot[FIELD_SND_NXT]}}     & c_snd_nxt) |
        ({32{fhot[FIELD_SND_WND]}}     & c_snd_wnd) |
        ({32{fhot[FIELD_RCV_NXT]}}     & c_rcv_nxt) |
        ({32{fhot[FIELD_CWND]}}        & c_cwnd) |
        ({32{fhot[FIELD_SSTHRESH]}}    & c_ssthresh) |
        ({32{fhot[FIELD_TX_END]}}      & c_tx_end) |
        ({32{fhot[FIELD_RX_SENT]}}     & c_rx_sent) |
        ({32{fhot[FIELD_RX_CONSUMED]}} & c_rx_cons) |
        ({32{fhot[FIELD_RCV_WND]}}     & (c_rcv_adv - c_rcv_nxt)) |
        ({32{fhot[FIELD_STATS]}}       & {c_rexmits, c_dupacks}) |
        ({32{fhot[FIELD_SND_MAX]}}     & c_snd_max) |
        ({32{fhot[FIELD_IP_TTL_TOS]}}  & {16'd0, c_ttl_tos}) |
        ({32{fhot[FIELD_SND_UP]}}      & c_snd_up) |
        ({32{fhot[FIELD_RCV_UP]}}      & c_rcv_up) |
        ({32{fhot[FIELD_MAX_SND_WND]}} & c_max_wnd); end
endfunction

// received segment
reg [31:0] r_seq, r_ack, r_end, r_last;
reg [15:0] r_wnd;
reg [10:0] r_len;
reg [15:0] r_up;
reg        r_fin, r_ackf, r_urg, r_acc, r_ackok;
reg        r_noack, r_badack, r_afterfin;   // why it was dropped or its text ignored (counters)
// the controller's own steps of the RX task
reg [31:0] delack_at, rcv_up_new, rcv_nxt_new, unacked_bytes;
reg        rcv_up_set, rcv_nxt_moved, urgent_in;
// (S_RX_END2) the FIN comes in order: everything before it is in; one compare of the registered
// RCV.NXT (compared in S_RX_END, before the register, it took a comparator per source of it)
wire       fin_in_order = r_acc && r_fin && rcv_nxt_new == r_end && !fin_rcvd;
// RX_DATA offer
reg [31:0] rxd_avail, rxd_room;
// RX_CONSUMED (x_rxc), and the window update after an RX_DATA offer (!x_rxc)
reg        x_bad, x_rxc;
reg [31:0] x_edge, x_dist;
reg [15:0] x_step;

// ---------------------------------------------------------------- receive decision
wire        rx_accept_valid, rx_acceptable, rx_ack_ok;
wire        rx_ack_beyond_max, rx_ack_new, rx_ack_old, rx_ack_is_una, rx_ack_covers_fin;
wire        rx_ack_step;
wire        rx_ack_full, rx_snd_up_behind, rx_rtt_covered, rx_wnd_update_ok;
wire [31:0] rx_rtt, rx_flight, rx_seg_wnd_scaled, rx_seg_up_at, rx_data_start, rx_data_stop;
wire [31:0] rx_slow_start_inc, rx_ca_sum, rx_cwnd_less_acked, rx_ssthresh_loss;
wire        rx_cwnd_gt_acked, rx_wnd_dup, rx_max_wnd_grows, rx_wnd_opens, rx_ack_too_old;
wire        rx_up_advances, rx_nothing_new, rx_in_order, rx_touches_held, rx_fills_hole;
wire        rx_stop_before_held_end, rx_start_before_held_start, rx_held_end_before_stop;
wire [10:0] rx_payload_lo, rx_payload_hi, rx_payload_hi_m1;

tcp_rx_decide #(.EV_STEP_LOG2(EV_STEP_LOG2)) rx_decide (
    .clk(clk), .rst(rst), .start(state == S_RX_ACC), .now(now),
    .seg_seq(r_seq), .seg_ack(r_ack), .seg_wnd(r_wnd), .seg_up(r_up), .seg_len(r_len),
    .seg_fin(r_fin), .seg_end(r_end), .seg_last(r_last),
    .snd_una(c_snd_una), .snd_max(c_snd_max), .snd_wnd(c_snd_wnd), .snd_up(c_snd_up),
    .max_wnd(c_max_wnd), .snd_ws(c_snd_ws), .wl1(c_wl1), .wl2(c_wl2), .tx_end(c_tx_end),
    .ev_una(c_ev_una), .cwnd(c_cwnd), .ca_acc(c_ca_acc), .recover(c_recover), .mss(c_mss), .rtt_seq(c_rtt_seq),
    .rtt_t0(c_rtt_t0), .rcv_nxt(c_rcv_nxt), .rcv_adv(c_rcv_adv), .rx_lim(c_rx_lim),
    .rcv_up(c_rcv_up), .rcv_up_ahead(up_on), .ooo_start(c_ooo_start), .ooo_end(c_ooo_end),
    .accept_valid(rx_accept_valid), .acceptable(rx_acceptable), .ack_ok(rx_ack_ok),
    .ack_beyond_max(rx_ack_beyond_max), .ack_new(rx_ack_new), .ack_old(rx_ack_old),
    .ack_is_una(rx_ack_is_una), .ack_covers_fin(rx_ack_covers_fin), .ack_step(rx_ack_step),
    .ack_full(rx_ack_full),
    .snd_up_behind(rx_snd_up_behind), .rtt_covered(rx_rtt_covered), .rtt(rx_rtt),
    .flight(rx_flight), .seg_wnd_scaled(rx_seg_wnd_scaled), .wnd_update_ok(rx_wnd_update_ok),
    .seg_up_at(rx_seg_up_at), .data_start(rx_data_start), .data_stop(rx_data_stop),
    .slow_start_inc(rx_slow_start_inc), .ca_sum(rx_ca_sum), .cwnd_less_acked(rx_cwnd_less_acked),
    .cwnd_gt_acked(rx_cwnd_gt_acked), .ssthresh_loss(rx_ssthresh_loss), .wnd_dup(rx_wnd_dup),
    .max_wnd_grows(rx_max_wnd_grows), .wnd_opens(rx_wnd_opens), .ack_too_old(rx_ack_too_old),
    .up_advances(rx_up_advances), .nothing_new(rx_nothing_new), .in_order(rx_in_order),
    .touches_held(rx_touches_held), .fills_hole(rx_fills_hole),
    .stop_before_held_end(rx_stop_before_held_end),
    .start_before_held_start(rx_start_before_held_start),
    .held_end_before_stop(rx_held_end_before_stop),
    .payload_lo(rx_payload_lo), .payload_hi(rx_payload_hi), .payload_hi_m1(rx_payload_hi_m1)
);
wire unused_accept_valid = rx_accept_valid;   // S_RX_ACC2 is its cycle

// TX_DATA's length, registered when the task is picked (it comes through two adders in the
// link engine), and the message byte indices it bounds; its sequence number and whether its
// slot number is out of range, registered then too (the request holds them until txd_ack):
// the traffic unit's source/link multiplexer then ends at flip-flops, not in S_TXD's verdict
// and the copy's start (the i9's worst core path ran from it through the range compare)
reg  [10:0] r_txd_len, r_txd_last, r_txd_end;
reg  [31:0] r_txd_seq;
reg         r_txd_slot_bad;
wire [1:0]  unused_last_byte = r_txd_last[1:0];
wire [SLOT_BITS-1:0] unused_match_slot;            // the queue entry carries the slot

// ---- the copies into the rings: a received segment's payload in S_RX_DATA (in order, a first
// hole, or touching the held range), TX_DATA in S_TXD (message byte 6 + i is payload byte i;
// word w holds message bytes 4w..4w+3, so the copy starts at word 1, ring position of byte 4) ----
wire rx_copy = r_acc && r_len != 11'd0 && !fin_rcvd && !rx_nothing_new &&
               (rx_in_order || !ooo_on || rx_touches_held);
// (c_txd_used > SIZE as bits, no carry chain: the verdict steers the state and TX_END's write)
wire txd_bad = r_txd_slot_bad || !valid[k] || fin_queued || r_txd_seq != c_tx_end ||
               r_txd_len == 11'd0 || {21'd0, r_txd_len} > CONST_SLOT_DATA_MAX ||
               |c_txd_used[31:BUF_LOG2+1] || (c_txd_used[BUF_LOG2] && |c_txd_used[BUF_LOG2-1:0]);
wire [31:0] rx_copy_at  = r_seq + {21'd0, rx_payload_lo[10:2], 2'b00};
wire [31:0] txd_copy_at = r_txd_seq - 32'd2;
assign copy_start = state == S_RX_DATA && rx_copy;
assign copy_first = rx_payload_lo[10:2];
assign copy_last  = rx_payload_hi_m1[10:2];
assign copy_lo    = rx_payload_lo;
assign copy_hi    = rx_payload_hi;
assign copy_pos   = rx_copy_at[BUF_LOG2-1:0];
assign txc_start  = state == S_TXD && !txd_bad;
wire unused_pos = |{rx_payload_hi_m1[1:0], rx_copy_at[31:BUF_LOG2], txd_copy_at[31:BUF_LOG2]};

always @(posedge clk)
    quiet_run <= rst || !host_quiet ? 8'd0 : quiet_run + {7'd0, !host_paused};

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

always @(posedge clk) begin : controller
    // slot k's flags as the task leaves them: each flag has one write, after the case, so
    // that a flag costs one decoder-selected register per slot, not a copy of every
    // condition per slot
    reg valid_nx, nagle_nx, syn_rcvd_nx, fin_rcvd_nx, fin_queued_nx, fin_acked_nx,
        ack_report_nx, in_rec_nx, rtt_on_nx, ooo_on_nx, ack_now_nx, ack_del_nx, rexmit_one_nx,
        probe_nx, ev_dirty_nx, una_late_nx, rst_pend_nx, ttl_set_nx, up_on_nx, rxd_pend_nx;
    // cwnd's one write, also after the case: cw_a + cw_b, so that its five updates share
    // one adder
    reg        cw_we;
    reg [31:0] cw_a, cw_b;
    cw_we = 1'b0;
    cw_a  = c_cwnd;
    cw_b  = m;
    valid_nx = valid[k];
    nagle_nx = nagle;
    syn_rcvd_nx = syn_rcvd;
    fin_rcvd_nx = fin_rcvd;
    fin_queued_nx = fin_queued;
    fin_acked_nx = fin_acked;
    ack_report_nx = ack_report;
    in_rec_nx = in_rec;
    rtt_on_nx = rtt_on;
    ooo_on_nx = ooo_on;
    ack_now_nx = ack_now[k];
    ack_del_nx = ack_del[k];
    rexmit_one_nx = rexmit_one;
    probe_nx = probe;
    ev_dirty_nx = ev_dirty[k];
    una_late_nx = una_late[k];
    rst_pend_nx = rst_pend;
    ttl_set_nx = ttl_set;
    up_on_nx = up_on;
    rxd_pend_nx = rxd_pend[k];
    csr_ack       <= 1'b0;
    txd_ack       <= txc_done;       // the TX_DATA copy is done: the message buffer is free
    if (txc_done)
        txc_on    <= 1'b0;
    rxc_ack       <= 1'b0;
    seg_done      <= 1'b0;
    if (copy_done)
        copy_on   <= 1'b0;
    st_start      <= 1'b0;
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
        end else if (!ev_valid && ev_want[ev_ptr]) begin
            k          <= ev_ptr;
            ev_ptr     <= next_slot(ev_ptr);
            task_state <= S_EV;
        end else if (!rxd_valid && valid[rd_ptr] && rxd_pend[rd_ptr] && !rxd_waits(rd_ptr)) begin
            k          <= rd_ptr;
            rd_ptr     <= next_slot(rd_ptr);
            task_state <= S_RXD;
        end else if (seg_valid && !seg_done && !(copy_on && seg_len != 11'd0)) begin
            // seg_done (registered in S_RX_END3) releases the head only at this edge: without
            // the guard the same segment would be processed a second time (as a duplicate);
            // a segment with payload waits for the RX copy to end (one copy at a time)
            k          <= seg_slot;
            r_seq      <= seg_seq;
            r_ack      <= seg_ack;
            r_len      <= seg_len;
            r_fin      <= |(seg_flags & TCP_FIN);
            r_ackf     <= |(seg_flags & TCP_ACK);
            r_urg      <= |(seg_flags & TCP_URG);
            r_up       <= seg_up;
            r_wnd      <= seg_wnd;
            task_state <= S_RX_ACC;
        end else if (txd_req && !txd_ack && !txc_on && !(tx_turn && !st_busy && !st_start)) begin
            k          <= txd_slot[SLOT_BITS-1:0];
            r_txd_len  <= txd_len;
            r_txd_seq  <= txd_seq;
            r_txd_slot_bad <= {1'b0, txd_slot} >= NSLOTS;
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
        if (!ev_want[ev_ptr] && !ev_valid)
            ev_ptr <= next_slot(ev_ptr);
        if (!rxd_valid && !(valid[rd_ptr] && rxd_pend[rd_ptr] && !rxd_waits(rd_ptr)))
            rd_ptr <= next_slot(rd_ptr);
    end

    S_LOAD: begin
        c_rip        <= rip_ram[k];
        c_ports      <= ports_ram[k];
        c_mac        <= {mac_hi[k], mac_lo[k]};
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
        c_ev_una     <= ev_una[k];
        c_max_wnd    <= max_wnd[k];
        c_rst_seq    <= rst_seq[k];
        c_ttl_tos    <= ttl_set ? ttl_tos[k] : 16'd0;
        c_snd_up     <= snd_up[k];
        c_rcv_up     <= rcv_up[k];
        // the RX ring's room ends SIZE after the first byte the link may still read: of the
        // RX_DATA it is reading, of the one offered, else RX_SENT
        c_rx_lim     <= (rxd_reading(k) ? {rxd_rd_seq[31:2], 2'b00} :
                         (rxd_valid && rxd_slot[SLOT_BITS-1:0] == k) ? rxd_seq : rx_sent[k]) + SIZE;
        c_credit     <= rx_cons[k] + SIZE;               // the host's room ends here
        // the oldest byte the ring still holds: RX_SENT may be written back to it (a byte
        // written at seq s + SIZE, in order or held, overwrote s)
        c_ring_low   <= (ooo_on ? ooo_end[k] : rcv_nxt[k]) - SIZE;
        // the TX ring's bytes in use after a TX_DATA (its sequence number must be TX_END,
        // S_TXD checks that): the sum is ready before the slot's SND.UNA is read
        c_txd_used   <= (r_txd_seq + {21'd0, r_txd_len}) - snd_una[k];
        c_data_end   <= rcv_nxt[k] - {31'd0, fin_rcvd};  // RCV.NXT counts a FIN
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
                    valid_nx       = 1'b1;
                    fin_rcvd_nx    = 1'b0;
                    fin_queued_nx  = 1'b0;
                    fin_acked_nx   = 1'b0;
                    in_rec_nx      = 1'b0;
                    rtt_on_nx      = 1'b0;
                    ooo_on_nx      = 1'b0;
                    ack_now_nx     = 1'b0;
                    ack_del_nx     = 1'b0;
                    rexmit_one_nx  = 1'b0;
                    probe_nx       = 1'b0;
                    rst_pend_nx    = 1'b0;
                    ev_dirty_nx    = 1'b0;
                    una_late_nx    = 1'b0;
                    rxd_pend_nx    = 1'b0;
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
                CMD_ACK:        ack_now_nx  = valid[k];
                CMD_RETRANSMIT: if (valid[k]) begin
                    snd_nxt[k]    <= c_snd_una;
                    rtt_on_nx      = 1'b0;
                    in_rec_nx      = 1'b0;
                    dupacks[k]    <= 8'd0;
                    rexmits[k]    <= c_rexmits + 24'd1;
                end
                CMD_PROBE:      probe_nx  = valid[k];
                CMD_CLOSE:      fin_queued_nx  = valid[k];
                CMD_FREE: begin
                    valid_nx    = 1'b0;
                    ttl_set_nx  = 1'b0;           // the next connection starts with the defaults
                end
                default:        csr_status <= CONST_RESP_BAD_REQ[7:0];
                endcase
            end
        end else if (!csr_in_slot) begin
            csr_status <= CONST_RESP_BAD_ADDR[7:0];
            csr_rdata  <= 32'd0;
        end else if (!csr_we) begin
            if (csr_field <= FIELD_MAX_SND_WND) begin
                csr_rdata <= csr_field_read(csr_fhot);
            end else begin
                csr_status <= CONST_RESP_BAD_ADDR[7:0];
                csr_rdata  <= 32'd0;
            end
        end else begin
            // programming fields only while the slot is free; the rest also while open
            case (csr_field)
            FIELD_FLAGS: begin
                nagle_nx       = |(csr_wdata & CONST_SF_NAGLE);
                syn_rcvd_nx    = |(csr_wdata & CONST_SF_SYN_RCVD);
                ack_report_nx  = |(csr_wdata & CONST_SF_ACK_REPORT);
            end
            FIELD_SND_WND: begin
                snd_wnd[k] <= csr_wdata;
                if (valid[k] && c_max_wnd < csr_wdata)
                    max_wnd[k] <= csr_wdata;
            end
            FIELD_CWND: begin
                cw_we = 1'b1;
                cw_a  = csr_wdata;
                cw_b  = 32'd0;
            end
            FIELD_SSTHRESH: ssthresh[k] <= csr_wdata;
            // written back to resend after a gap: only as far as the ring still holds the bytes,
            // and not ahead of what was sent
            FIELD_RX_SENT:
                if (valid[k] && (lt(csr_wdata, c_ring_low) || lt(c_rx_sent, csr_wdata))) begin
                    csr_status <= CONST_RESP_BAD_REQ[7:0];
                end else begin
                    rx_sent[k]  <= csr_wdata;
                    rxd_pend_nx  = 1'b1;
                    if (rxd_dry_slot == k) rxd_dry <= 1'b0;
                end
            FIELD_IP_TTL_TOS: begin
                ttl_tos[k] <= csr_wdata[15:0];
                ttl_set_nx  = 1'b1;
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
                    FIELD_REMOTE_IP: begin
                        rip[k]     <= csr_wdata;
                        rip_ram[k] <= csr_wdata;
                    end
                    FIELD_PORTS: begin
                        ports[k]     <= csr_wdata;
                        ports_ram[k] <= csr_wdata;
                    end
                    FIELD_MAC_HI:    mac_hi[k] <= csr_wdata[15:0];
                    FIELD_MAC_LO:    mac_lo[k] <= csr_wdata;
                    FIELD_SND_UNA: begin
                        snd_una[k] <= csr_wdata;
                        ev_una[k]  <= csr_wdata;
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
                        up_on_nx    = 1'b0;
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

    // ---- RX_CONSUMED: the host's credit (RX_DATA may go up to it + SIZE); it never goes
    // back, and goes at most CONST_RX_CREDIT_MAX beyond RX_SENT ----
    S_RXC: begin
        x_bad  <= {1'b0, rxc_slot} >= NSLOTS || !valid[k] || lt(rxc_seq, c_rx_cons);
        x_dist <= rxc_seq - c_rx_sent;
        x_rxc  <= 1'b1;
        state  <= S_RXC3;
    end
    // (after an RX_DATA offer, S_RXD3: how far the window's edge would move)
    S_RXC2: begin
        x_dist <= x_edge - c_rcv_adv;
        if (!lt(c_rcv_adv, x_edge))
            x_edge <= c_rcv_adv;     // no move: x_dist below is then 0
        state  <= S_RXC3;
    end
    S_RXC3: begin
        state   <= S_IDLE;
        if (!x_rxc) begin
            // a window update when the edge would move by at least 2 MSS or half the ring (an
            // MSS would answer every lone segment at once, as it goes up: no delayed ACK)
            if (x_edge != c_rcv_adv && !ooo_on &&
                (x_dist[31:16] != 16'd0 || x_dist[15:0] >= x_step))
                ack_now_nx  = 1'b1;
        end else begin
            rxc_ack <= 1'b1;
            if (x_bad || (!x_dist[31] && x_dist > CONST_RX_CREDIT_MAX)) begin
                inc_data_bad <= 1'b1;
            end else begin
                rx_cons[k] <= rxc_seq;
                rxd_pend_nx  = 1'b1;         // more credit: RX_DATA may go on
                if (rxd_dry_slot == k) rxd_dry <= 1'b0;
            end
        end
    end

    // ---- a SLOT event: a snapshot; a change after it sets ev_dirty again ----
    S_EV: begin
        ev_valid  <= 1'b1;
        ev_fields[LSB_SLOT_EVENT_SLOT +: 8]     <= {{(8-SLOT_BITS){1'b0}}, k};
        ev_fields[LSB_SLOT_EVENT_FLAGS +: 8]    <= c_ev_flags |
            ((c_snd_wnd == 32'd0 && c_tx_end != c_snd_una) ? CONST_EVF_ZERO_WND[7:0] : 8'd0);
        ev_fields[LSB_SLOT_EVENT_SND_UNA +: 32] <= c_snd_una;
        ev_fields[LSB_SLOT_EVENT_SND_WND +: 32] <= c_snd_wnd;
        ev_fields[LSB_SLOT_EVENT_RCV_NXT +: 32] <= c_rcv_nxt;
        ev_fields[LSB_SLOT_EVENT_RTT_US +: 32]  <= c_rtt_sample;
        ev_dirty_nx    = 1'b0;
        una_late_nx    = 1'b0;
        ev_flags[k]   <= 8'd0;
        ev_una[k]     <= c_snd_una;
        rtt_sample[k] <= RTT_NONE;
        state <= S_IDLE;
    end

    // ---- an RX_DATA offer: in-order bytes not yet sent up (RCV.NXT counts a FIN), as far as
    // the host's credit goes; sent, they free ring space, which may reopen the window ----
    S_RXD: begin
        rxd_avail <= c_data_end - c_rx_sent;
        rxd_room  <= c_credit - c_rx_sent;
        state     <= S_RXD2;
    end
    S_RXD2: begin
        if (rxd_room < rxd_avail)
            rxd_avail <= rxd_room;
        x_edge <= c_rx_lim + {31'd0, fin_rcvd};
        x_step <= (SIZE >> 1) < {15'd0, c_mss, 1'b0} ? SIZE[16:1] : {c_mss[14:0], 1'b0};
        x_rxc  <= 1'b0;
        state  <= S_RXD3;
    end
    S_RXD3: begin : rxd
        reg [10:0] chunk;
        chunk = (rxd_avail[31:10] != 22'd0) ? CONST_SLOT_DATA_MAX[10:0] : {1'b0, rxd_avail[9:0]};
        // the ring's room grew as the link read: a window update may be due (S_RXC2, S_RXC3)
        state <= S_RXC2;
        if (rxd_avail == 32'd0) begin
            // nothing, or no credit: RCV.NXT or RX_CONSUMED sets it again; but once more after
            // the link has read this slot's last RX_DATA, for the window
            if (rxd_reading(k)) begin
                rxd_dry      <= 1'b1;
                rxd_dry_slot <= k;
            end else begin
                rxd_pend_nx   = 1'b0;
            end
        end else begin
            rxd_dry    <= 1'b0;
            rxd_valid  <= 1'b1;
            rxd_slot   <= {{(8-SLOT_BITS){1'b0}}, k};
            rxd_seq    <= c_rx_sent;
            rxd_len    <= chunk;
            rx_sent[k] <= c_rx_sent + {21'd0, chunk};
        end
    end

    // ---- RX: acceptance test (RFC 9293 3.10.7.4) and the ACK's arithmetic (tcp_rx_decide,
    // started in S_RX_ACC) ----
    S_RX_ACC: begin
        delack_at  <= now + DELACK_US;
        state      <= valid[k] ? S_RX_ACC2 : S_RX_END3;
        r_acc      <= 1'b0;      // a freed slot: drop
        r_ackok    <= 1'b0;
        r_noack    <= 1'b0;
        r_badack   <= 1'b0;
        r_afterfin <= 1'b0;
    end

    S_RX_ACC2: begin
        r_acc   <= rx_acceptable;
        r_ackok <= rx_ack_ok;
        if (!rx_acceptable)
            ack_now_nx  = 1'b1;            // unacceptable: ACK and drop
        state   <= S_RX_ACK;
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
        end else if (syn_rcvd && (rx_ack_old || rx_ack_beyond_max)) begin
            // SYN-RECEIVED and not SND.UNA < SEG.ACK =< SND.NXT (here SND.UNA is ISS + 1):
            // <SEQ=SEG.ACK><CTL=RST>, drop, stay in SYN-RECEIVED
            rst_pend_nx  = 1'b1;
            rst_seq[k]  <= r_ack;
            r_acc       <= 1'b0;
            r_ackok     <= 1'b0;
            r_badack    <= 1'b1;
        end else if (rx_ack_beyond_max || rx_ack_too_old) begin
            // RFC 5961 5.2: outside [SND.UNA - MAX.SND.WND, SND.NXT] (beyond SND.NXT, data
            // never sent: RFC 9293 alike): a challenge ACK within the budget, drop
            if (ca_room)
                ack_now_nx     = 1'b1;
            ca_send           <= ca_room;
            inc_chack         <= ca_room;
            inc_chack_limited <= !ca_room;
            r_acc             <= 1'b0;
            r_ackok           <= 1'b0;
            r_badack          <= 1'b1;
        end else begin : ackp
            reg [7:0] evf;
            evf = c_ev_flags;
            if (syn_rcvd) begin
                syn_rcvd_nx  = 1'b0;
                evf = evf | CONST_EVF_ESTABLISHED[7:0];
                ev_dirty_nx  = 1'b1;
            end
            // a keepalive's answer changes nothing else: without this the host never sees it
            if (ack_report) begin
                ack_report_nx  = 1'b0;
                evf = evf | CONST_EVF_ACK_SEEN[7:0];
                ev_dirty_nx  = 1'b1;
            end
            if (rx_ack_new) begin
                snd_una[k] <= r_ack;
                if (lt(c_snd_nxt, r_ack))
                    snd_nxt[k] <= r_ack;
                if (rx_snd_up_behind)
                    snd_up[k] <= r_ack;        // SND.UP never falls behind SND.UNA (no wrap)
                dupacks[k]  <= 8'd0;
                // the host hears of SND.UNA's advance a quarter ring at a time, the rest when
                // its link pauses (an event per ACK was 3.6 % of the FT245 link's bytes in a
                // bulk upload)
                if (rx_ack_step)
                    ev_dirty_nx  = 1'b1;
                else
                    una_late_nx  = 1'b1;
                if (fin_queued && rx_ack_covers_fin && !fin_acked) begin
                    fin_acked_nx  = 1'b1;
                    evf = evf | CONST_EVF_FIN_ACKED[7:0];
                    ev_dirty_nx   = 1'b1;
                end
                if (rtt_on && rx_rtt_covered) begin
                    rtt_on_nx      = 1'b0;
                    rtt_sample[k] <= rx_rtt;
                end
                if (in_rec) begin
                    cw_we = 1'b1;
                    if (rx_ack_full) begin
                        in_rec_nx  = 1'b0;         // full ACK: deflate (RFC 6582)
                        cw_a = c_ssthresh;
                        cw_b = 32'd0;
                    end else begin
                        rexmit_one_nx  = 1'b1;     // partial ACK: next hole
                        cw_a = rx_cwnd_gt_acked ? rx_cwnd_less_acked : 32'd0;
                    end
                end else if (c_cwnd < c_ssthresh) begin
                    cw_we = 1'b1;                  // slow start
                    cw_b  = rx_slow_start_inc;
                end else if (rx_ca_sum >= c_cwnd) begin
                    ca_acc[k] <= rx_ca_sum - c_cwnd;   // congestion avoidance (RFC 3465)
                    cw_we = 1'b1;
                end else begin
                    ca_acc[k] <= rx_ca_sum;
                end
            end else if (rx_ack_is_una && r_len == 11'd0 && !r_fin && rx_flight != 32'd0 &&
                         rx_wnd_dup) begin
                inc_dupacks <= 1'b1;
                dupacks[k]  <= c_dupacks == 8'hff ? 8'hff : c_dupacks + 8'd1;
                if (c_dupacks == 8'd2 && !in_rec) begin
                    // third duplicate: fast retransmit, NewReno recovery (RFC 5681, 6582)
                    ssthresh[k]   <= rx_ssthresh_loss;
                    cw_we = 1'b1;
                    cw_a  = rx_ssthresh_loss;
                    cw_b  = c_m3;
                    recover[k]    <= c_snd_max;
                    in_rec_nx      = 1'b1;
                    rexmit_one_nx  = 1'b1;
                    rtt_on_nx      = 1'b0;
                    evf = evf | CONST_EVF_FAST_REXMIT[7:0];
                    ev_dirty_nx    = 1'b1;
                end else if (in_rec) begin
                    cw_we = 1'b1;                 // inflate per further duplicate
                end
            end
            ev_flags[k] <= evf;
            c_ev_flags  <= evf;
            // the peer's window (SND.WL1/WL2 rule)
            if (!rx_ack_old && rx_wnd_update_ok) begin
                snd_wnd[k] <= rx_seg_wnd_scaled;
                wl1[k]     <= r_seq;
                wl2[k]     <= r_ack;
                if (rx_max_wnd_grows)
                    max_wnd[k] <= rx_seg_wnd_scaled;
                // a zero window opens: what was sent beyond it (before it shrank, or a probe
                // byte) was not taken; all of it goes again from SND.UNA, now (as BSD pulls
                // SND.NXT back when the window closes; RFC 9293 3.8.6.1)
                if (rx_wnd_opens) begin
                    snd_nxt[k] <= r_ack;
                    rtt_on_nx   = 1'b0;
                end
                if ((rx_seg_wnd_scaled == 32'd0) != (c_snd_wnd == 32'd0))
                    ev_dirty_nx  = 1'b1;
            end
        end
    end

    // ---- RX: payload into the RX ring ----
    S_RX_DATA: begin
        state <= S_RX_END;
        if (r_acc && fin_rcvd && (r_len != 11'd0 || r_fin)) begin
            // RCV.NXT counts the peer's FIN: text (or a FIN) after it is ignored (RFC 9293
            // 3.10.7.4, seventh), RCV.NXT stays; ACK again
            ack_now_nx  = 1'b1;
            r_afterfin <= 1'b1;
        end else if (r_acc && r_len != 11'd0) begin
            if (rx_nothing_new) begin
                ack_now_nx  = 1'b1;          // nothing new: a duplicate, ACK at once
            end else if (rx_copy) begin
                copy_on    <= 1'b1;          // copy_start: the payload into the RX ring
                copy_slot  <= k;
                copy_at    <= seg_head;
            end else begin
                ack_now_nx  = 1'b1;          // a second hole: drop, duplicate ACK at once
                r_acc      <= 1'b0;
            end
        end
    end

    // ---- RX: RCV.NXT, the held range, the FIN ----
    S_RX_END: begin : rxend
        reg [31:0] nxt;
        nxt = c_rcv_nxt;
        // the urgent pointer (RFC 9293 3.10.7.4, sixth): RCV.UP = max(RCV.UP, SEG.SEQ + SEG.UP);
        // like the ACK also from a segment at RCV.NXT into a zero window (MUST-66)
        rcv_up_new  <= c_rcv_up;
        rcv_up_set <= up_on;
        if (r_ackok && r_urg && rx_up_advances && !fin_rcvd) begin
            rcv_up_new       <= rx_seg_up_at;
            rcv_up_set      <= 1'b1;
            c_ev_flags  <= c_ev_flags | CONST_EVF_URGENT[7:0];
            ev_flags[k] <= c_ev_flags | CONST_EVF_URGENT[7:0];
            ev_dirty_nx  = 1'b1;
        end
        if (r_acc && r_len != 11'd0 && !rx_nothing_new && !fin_rcvd) begin
            if (rx_in_order) begin
                nxt = rx_data_stop;
                if (ooo_on && rx_fills_hole) begin
                    if (rx_stop_before_held_end)
                        nxt = c_ooo_end;
                    ooo_on_nx   = 1'b0;
                    ack_now_nx  = 1'b1;      // a hole filled: ACK at once
                end
            end else begin
                inc_rx_ooo <= 1'b1;
                ack_now_nx  = 1'b1;          // out of order: duplicate ACK at once
                if (ooo_on) begin
                    if (rx_start_before_held_start) ooo_start[k] <= rx_data_start;
                    if (rx_held_end_before_stop)  ooo_end[k]   <= rx_data_stop;
                end else begin
                    ooo_on_nx     = 1'b1;
                    ooo_start[k] <= rx_data_start;
                    ooo_end[k]   <= rx_data_stop;
                end
            end
        end
        rcv_nxt_new     <= nxt;
        state     <= S_RX_END2;
    end

    S_RX_END2: begin
        // the FIN, when everything before it is in
        if (fin_in_order) begin
            rcv_nxt_new       <= rcv_nxt_new + 32'd1;
            fin_rcvd_nx  = 1'b1;
            ack_now_nx   = 1'b1;
            ev_flags[k] <= c_ev_flags | CONST_EVF_FIN_RCVD[7:0];
            ev_dirty_nx  = 1'b1;
        end
        rcv_nxt_moved <= rcv_nxt_new != c_rcv_nxt || fin_in_order;
        unacked_bytes  <= rcv_nxt_new - c_last_ack;
        urgent_in <= !lt(rcv_nxt_new, rcv_up_new);    // RCV.NXT reached RCV.UP: the urgent data is in
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
            rcv_up[k] <= rcv_up_new;
            up_on_nx   = rcv_up_set && !urgent_in;
        end
        if (valid[k] && rcv_nxt_moved) begin
            rcv_nxt[k]  <= rcv_nxt_new;
            rxd_pend_nx  = 1'b1;
            if (rxd_dry_slot == k) rxd_dry <= 1'b0;
            // ACK every second segment (RFC 5681 4.2; RFC 1122 4.2.3.2): two MSS unacknowledged,
            // or a second segment while an ACK is delayed that brings the total to one MSS
            // (a peer whose segments are a little under our idea of its MSS, slirp's 1440 of
            // 1460, gets an ACK every second segment, not one per delayed-ACK timeout; tiny
            // segments still wait)
            if (unacked_bytes[31:17] != 15'd0 || unacked_bytes[16:0] >= {c_mss, 1'b0} ||
                (ack_del[k] && unacked_bytes[16:0] >= {1'b0, c_mss}))
                ack_now_nx  = 1'b1;
            else if (!ack_del[k]) begin
                ack_del_nx  = 1'b1;
                ack_due[k] <= delack_at;
            end
        end
    end

    // ---- TX_DATA into the TX ring ----
    S_TXD:
        if (txd_bad) begin
            inc_data_bad <= 1'b1;
            txd_ack      <= 1'b1;
            state        <= S_IDLE;
        end else begin
            tx_end[k] <= c_tx_end + {21'd0, r_txd_len};   // txc_start: the copy (see txcopy)
            txc_slot  <= k;
            txc_on    <= 1'b1;
            tx_turn   <= 1'b1;
            state     <= S_IDLE;
        end

    // ---- TX: what may slot k send now (tcp_tx_decide, started in S_TX)? ----
    S_TX:
        state <= S_TX_WAIT;

    S_TX_WAIT: begin
        if (tx_decide_valid) begin
            // the flags the decision consumed; nothing to send: nothing was due
            if (rst_pend)        rst_pend_nx  = 1'b0;
            else if (rexmit_one) rexmit_one_nx  = 1'b0;
            if (probe && !rst_pend) probe_nx  = 1'b0;
            if (tx_delack_due)      ack_now_nx  = 1'b1;
            if (!tx_send)
                state <= S_IDLE;
        end
        if (tx_result_valid) begin
            // the scaled window rounds down, which could pull the edge below one advertised
            // before; the acceptance test keeps the furthest edge (RFC 7323 2.4: never shrink)
            if (lt(c_rcv_adv, tx_new_edge) && !tx_rst)
                rcv_adv[k] <= tx_new_edge;
            if (!tx_rst) begin
                last_ack[k] <= c_rcv_nxt;
                ack_now_nx   = 1'b0;
                ack_del_nx   = 1'b0;
            end
            st_start <= 1'b1;
            st_slot  <= k;
            st_mac   <= c_mac;
            st_ip    <= c_rip;
            st_sport <= c_ports[31:16];
            st_dport <= c_ports[15:0];
            st_seq   <= tx_seq;
            // a RST carries no ACK (RFC 9293 3.10.7.4) and no window
            st_ack   <= tx_rst ? 32'd0 : c_rcv_nxt;
            st_flags <= tx_rst ? TCP_RST : TCP_ACK | (tx_fin ? TCP_FIN : 8'h00) |
                                 (tx_psh ? TCP_PSH : 8'h00) | (tx_urg ? TCP_URG : 8'h00);
            st_wnd   <= tx_rst ? 16'd0 : tx_wnd;
            st_urp   <= tx_urg ? tx_urp : 16'd0;
            st_ttl   <= c_ttl_tos[7:0] == 8'd0 ? 8'd64 : c_ttl_tos[7:0];
            st_tos   <= c_ttl_tos[15:8];
            st_len   <= tx_len;
            inc_tx_segs   <= 1'b1;
            inc_tx_rexmit <= tx_rexmit;
            if (tx_seq == c_snd_nxt && !tx_rst) begin
                snd_nxt[k] <= tx_seq_end;
                if (tx_beyond_max) begin
                    snd_max[k] <= tx_seq_end;
                    // time one segment at a time, never a retransmission (Karn)
                    if (!rtt_on && tx_len != 11'd0 && !tx_rexmit) begin
                        rtt_on_nx   = 1'b1;
                        rtt_seq[k] <= tx_seq;
                        rtt_t0[k]  <= now;
                    end
                end
            end
            if (tx_rexmit)
                rexmits[k] <= c_rexmits + 24'd1;
            state <= S_IDLE;
        end
    end

    // ---- after reset: clear the flags in RAM, one slot a cycle ----
    S_INIT: begin
        nagle_nx      = 1'b0;
        syn_rcvd_nx   = 1'b0;
        fin_rcvd_nx   = 1'b0;
        fin_queued_nx = 1'b0;
        fin_acked_nx  = 1'b0;
        ack_report_nx = 1'b0;
        in_rec_nx     = 1'b0;
        rtt_on_nx     = 1'b0;
        ooo_on_nx     = 1'b0;
        rexmit_one_nx = 1'b0;
        probe_nx      = 1'b0;
        rst_pend_nx   = 1'b0;
        ttl_set_nx    = 1'b0;
        up_on_nx      = 1'b0;
        k <= next_slot(k);
        if ({{(32-SLOT_BITS){1'b0}}, k} == SLOTS - 1)
            state <= S_IDLE;
    end

    default: state <= S_IDLE;
    endcase

    // the write itself a cycle later (cw_*_q, below): the decision's compares and the adder
    // do not fit one cycle; no task reads cwnd in the cycle after its write (S_CSR and
    // S_RX_ACK go on to S_IDLE and S_RX_DATA, and S_LOAD comes after S_IDLE)
    cw_we_q <= cw_we;
    cw_k_q  <= k;
    cw_a_q  <= cw_a;
    cw_b_q  <= cw_b;

    // S_IDLE changes no flag (each _nx is then slot k's own): no write-back there, so that the
    // virtual board skips it in the controller's most common state
    if (state != S_IDLE) begin
        valid[k] <= valid_nx;
        ack_now[k] <= ack_now_nx;
        ack_del[k] <= ack_del_nx;
        flag_mem[k] <= {up_on_nx, ttl_set_nx, rst_pend_nx, probe_nx, rexmit_one_nx,
                        ooo_on_nx, rtt_on_nx, in_rec_nx, ack_report_nx, fin_acked_nx,
                        fin_queued_nx, fin_rcvd_nx, syn_rcvd_nx, nagle_nx};
        ev_dirty[k] <= ev_dirty_nx;
        una_late[k] <= una_late_nx;
        rxd_pend[k] <= rxd_pend_nx;
    end

    if (rst) begin
        state      <= S_INIT;
        k          <= {SLOT_BITS{1'b0}};
        rxd_dry    <= 1'b0;
        valid      <= {SLOTS{1'b0}};
        ev_dirty   <= {SLOTS{1'b0}};
        una_late   <= {SLOTS{1'b0}};
        ack_now    <= {SLOTS{1'b0}};
        ack_del    <= {SLOTS{1'b0}};
        rxd_pend   <= {SLOTS{1'b0}};
        tx_ptr     <= 0;
        tx_turn    <= 1'b0;
        rd_ptr     <= 0;
        ev_ptr     <= 0;
        rxd_valid  <= 1'b0;
        ev_valid   <= 1'b0;
        csr_ack    <= 1'b0;
        txd_ack    <= 1'b0;
        txc_on     <= 1'b0;
        rxc_ack    <= 1'b0;
        seg_done   <= 1'b0;
        copy_on    <= 1'b0;
        st_start   <= 1'b0;
        cw_we_q    <= 1'b0;
    end
end

always @(posedge clk)
    if (cw_we_q)
        cwnd[cw_k_q] <= cw_a_q + cw_b_q;

endmodule

`default_nettype wire
