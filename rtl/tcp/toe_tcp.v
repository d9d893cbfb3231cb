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
 * about 375 (the payload copy), every other task a handful, so the controller keeps up with
 * line rate both ways. Ring positions are sequence numbers modulo the ring size.
 *
 * Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4): a < b iff (a - b) is negative.
 */
module toe_tcp #(
    parameter SLOTS     = 8,       // connection slots (4..32)
    parameter BUF_LOG2  = 13,      // bytes per ring (TX and RX, each slot), 2^N
    parameter TX_FREE_BITS = 11,
    parameter DELACK_US = 40000    // delayed ACK (RFC 1122: under 500 ms)
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire [47:0]             cfg_mac,
    input  wire [31:0]             cfg_ip,
    input  wire [63:0]             now_us,

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
    output reg                     inc_data_bad
);

`include "toe_defs.vh"

localparam SLOT_BITS = SLOTS <= 2 ? 1 : $clog2(SLOTS);
localparam [31:0] SIZE = 32'd1 << BUF_LOG2;
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
reg [SLOTS-1:0] in_rec, rtt_on, ooo_on, ack_now, ack_del, rexmit_one, probe, ev_dirty;
reg [31:0] rip        [0:SLOTS-1];
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
wire [15:0]          seg_wnd;
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
    .seg_flags(seg_flags), .seg_len(seg_len),
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
reg [15:0]           st_wnd;
reg [10:0]           st_len;

tcp_seg_tx #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(TX_FREE_BITS)) seg_tx (
    .clk(clk), .rst(rst),
    .start(st_start), .busy(st_busy),
    .slot(st_slot), .dst_mac(st_mac), .src_mac(cfg_mac), .src_ip(cfg_ip), .dst_ip(st_ip),
    .src_port(st_sport), .dst_port(st_dport), .seq(st_seq), .ack(st_ack), .flags(st_flags),
    .wnd(st_wnd), .len(st_len),
    .ring_rd_slot(txr_rd_slot), .ring_rd_off(txr_rd_off), .ring_rd_data(txr_rd_data),
    .m_tx_req(m_tx_req), .m_tx_tdata(m_tx_tdata), .m_tx_tkeep(m_tx_tkeep),
    .m_tx_tvalid(m_tx_tvalid), .m_tx_tready(m_tx_tready), .m_tx_tlast(m_tx_tlast),
    .m_tx_free(m_tx_free), .sent(unused_st_sent)
);

// ---------------------------------------------------------------- controller
localparam [4:0] S_IDLE = 5'd0, S_CSR = 5'd1, S_RX_ACC = 5'd2, S_RX_ACK = 5'd3,
                 S_RX_WND = 5'd4, S_RX_DATA = 5'd5, S_RX_COPY = 5'd6, S_RX_END = 5'd7,
                 S_TXD = 5'd8, S_TXD_COPY = 5'd9, S_TX = 5'd10, S_TX2 = 5'd11,
                 S_TX3 = 5'd12, S_RXC = 5'd13;
reg [4:0] state;

reg [SLOT_BITS-1:0] k;         // the slot of the task
reg [SLOT_BITS-1:0] tx_ptr, rd_ptr, ev_ptr;
reg                 tx_turn;   // the transmitter goes before the next TX_DATA

// CSR decode
wire        csr_is_cmd  = csr_addr == CSR_SLOT_CMD;
wire [15:0] csr_rel     = csr_addr - CSR_SLOT_BASE;
wire        csr_in_slot = csr_addr >= CSR_SLOT_BASE && {16'd0, csr_rel} < SLOTS * CONST_SLOT_STRIDE;
wire [4:0]  csr_field   = csr_rel[4:0];

// RX segment decode (registered per step)
reg [31:0] r_seq, r_ack, r_end, r_wnd, r_start, r_stop;
reg [10:0] r_len;
reg        r_fin, r_ackf, r_acc, r_ackok, r_drop;
reg [8:0]  copy_w, copy_last;
reg        copy_pend;          // a ring write for the word read last cycle
reg [31:0] copy_base;          // ring position of payload word 0

// TX decisions
reg [31:0] t_len, t_seq, t_flight, t_usable, t_avail;
reg        t_fin, t_rexmit;

wire [SLOT_BITS-1:0] seg_k = seg_slot;
wire [SLOT_BITS-1:0] unused_match_slot;            // the queue entry carries the slot
wire unused_flags = |{seg_flags[7:5], seg_flags[3:1]};   // ACK and FIN are used; SYN/RST never get here
wire unused_pos = |{rxr_pos[31:BUF_LOG2], txr_pos[31:BUF_LOG2]};

// the window to advertise for slot s: free ring space, receiver SWS avoidance (RFC 9293
// 3.8.6.2.2: move the right edge only by min(size/2, MSS) or more), never shrinking
function [31:0] adv_edge;
    input [31:0] cons, nxt, adv_in, fin;
    input [15:0] m;
    reg [31:0] cand, step, adv;
    begin
        cand = cons + SIZE + fin;
        step = umin(SIZE >> 1, {16'd0, m});
        adv  = lt(adv_in, nxt) ? nxt : adv_in;
        adv_edge = (lt(adv, cand) && cand - adv >= step) ? cand : adv;
    end
endfunction

reg [31:0] w_edge;
wire [10:0] txd_last_word = txd_len + 11'd5;     // message byte index of the last payload byte
wire [1:0]  unused_last_byte = txd_last_word[1:0];
// RX_DATA offer for slot rd_ptr: in-order bytes not yet sent up (RCV.NXT counts a FIN)
wire [31:0] rxd_avail = rcv_nxt[rd_ptr] - {31'd0, fin_rcvd[rd_ptr]} - rx_sent[rd_ptr];
wire [31:0] rxd_chunk = umin(rxd_avail, CONST_SLOT_DATA_MAX);
reg [3:0]  w_ws;

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
    if (rxd_taken)
        rxd_valid <= 1'b0;
    if (ev_taken)
        ev_valid <= 1'b0;

    case (state)
    S_IDLE: begin
        if (csr_req && !csr_ack) begin
            k     <= csr_is_cmd ? csr_wdata[SLOT_BITS-1:0] : csr_rel[SLOT_BITS+4:5];
            state <= S_CSR;
        end else if (rxc_req && !rxc_ack) begin
            k     <= rxc_slot[SLOT_BITS-1:0];
            state <= S_RXC;
        end else if (!ev_valid && ev_dirty[ev_ptr]) begin
            // snapshot; a change after this sets ev_dirty again and makes another event
            ev_valid  <= 1'b1;
            ev_fields <= {{{(8-SLOT_BITS){1'b0}}, ev_ptr},
                          ev_flags[ev_ptr] |
                          ((snd_wnd[ev_ptr] == 32'd0 && tx_end[ev_ptr] != snd_una[ev_ptr]) ?
                           CONST_EVF_ZERO_WND[7:0] : 8'd0),
                          snd_una[ev_ptr], snd_wnd[ev_ptr], rcv_nxt[ev_ptr], rtt_sample[ev_ptr]};
            ev_dirty[ev_ptr]   <= 1'b0;
            ev_flags[ev_ptr]   <= 8'd0;
            rtt_sample[ev_ptr] <= RTT_NONE;
            ev_ptr <= next_slot(ev_ptr);
        end else if (!rxd_valid && valid[rd_ptr] && rxd_avail != 32'd0) begin
            rxd_valid <= 1'b1;
            rxd_slot  <= {{(8-SLOT_BITS){1'b0}}, rd_ptr};
            rxd_seq   <= rx_sent[rd_ptr];
            rxd_len   <= rxd_chunk[10:0];
            rx_sent[rd_ptr] <= rx_sent[rd_ptr] + rxd_chunk;
            rd_ptr <= next_slot(rd_ptr);
        end else if (seg_valid && !seg_done) begin
            // seg_done (registered in S_RX_END) releases the head only at this edge: without
            // the guard the same segment would be processed a second time (as a duplicate)
            k     <= seg_k;
            r_seq <= seg_seq;
            r_ack <= seg_ack;
            r_len <= seg_len;
            r_fin <= seg_flags[0];
            r_ackf <= seg_flags[4];
            r_wnd <= {16'd0, seg_wnd};
            state <= S_RX_ACC;
        end else if (txd_req && !txd_ack && !(tx_turn && !st_busy && !st_start)) begin
            k       <= txd_slot[SLOT_BITS-1:0];
            tx_turn <= 1'b1;
            state   <= S_TXD;
        end else if (!st_busy && !st_start) begin
            // after a TX_DATA copy the transmitter gets the next turn, kept until it has
            // visited an open slot: back-to-back TX_DATA must not starve segments and ACKs
            if (valid[tx_ptr])
                tx_turn <= 1'b0;
            k     <= tx_ptr;
            tx_ptr <= next_slot(tx_ptr);
            state <= S_TX;
        end
        if (!ev_dirty[ev_ptr] && !ev_valid)
            ev_ptr <= next_slot(ev_ptr);
        if (!rxd_valid && (!valid[rd_ptr] || rxd_avail == 32'd0))
            rd_ptr <= next_slot(rd_ptr);
    end

    // ---- CSR: slot fields and commands ----
    S_CSR: begin
        csr_ack    <= 1'b1;
        csr_status <= CONST_RESP_OK[7:0];
        csr_rdata  <= 32'd0;
        state      <= S_IDLE;
        if (csr_is_cmd) begin
            if (!csr_we) begin
                csr_rdata <= 32'd0;
            end else if (csr_wdata[7:0] >= SLOTS || csr_wdata[31:16] != 16'd0) begin
                csr_status <= CONST_RESP_BAD_REQ[7:0];
            end else begin
                case (csr_wdata[15:8])
                CMD_OPEN: begin
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
                    ev_dirty[k]   <= 1'b0;
                    ev_flags[k]   <= 8'd0;
                    dupacks[k]    <= 8'd0;
                    rexmits[k]    <= 24'd0;
                    ca_acc[k]     <= 32'd0;
                    rtt_sample[k] <= RTT_NONE;
                    // what the host's SYN or SYN-ACK advertised: min(ring, 65535)
                    rcv_adv[k]    <= rcv_nxt[k] + umin(SIZE, 32'd65535);
                    last_ack[k]   <= rcv_nxt[k];
                    wl1[k]        <= rcv_nxt[k] - 32'd1;
                    wl2[k]        <= snd_una[k];
                end
                CMD_ACK:        ack_now[k] <= valid[k];
                CMD_RETRANSMIT: if (valid[k]) begin
                    snd_nxt[k]    <= snd_una[k];
                    rtt_on[k]     <= 1'b0;
                    in_rec[k]     <= 1'b0;
                    dupacks[k]    <= 8'd0;
                    rexmits[k]    <= rexmits[k] + 24'd1;
                end
                CMD_PROBE:      probe[k] <= valid[k];
                CMD_CLOSE:      fin_queued[k] <= valid[k];
                CMD_FREE:       valid[k] <= 1'b0;
                default:        csr_status <= CONST_RESP_BAD_REQ[7:0];
                endcase
            end
        end else if (!csr_in_slot) begin
            csr_status <= CONST_RESP_BAD_ADDR[7:0];
        end else if (!csr_we) begin
            case (csr_field)
            FIELD_FLAGS:       csr_rdata <= {26'd0, fin_acked[k], fin_queued[k], fin_rcvd[k],
                                             syn_rcvd[k], nagle[k], valid[k]};
            FIELD_REMOTE_IP:   csr_rdata <= rip[k];
            FIELD_PORTS:       csr_rdata <= ports[k];
            FIELD_MAC_HI:      csr_rdata <= {16'd0, mac[k][47:32]};
            FIELD_MAC_LO:      csr_rdata <= mac[k][31:0];
            FIELD_MSS:         csr_rdata <= {8'd0, rcv_ws[k], snd_ws[k], mss[k]};
            FIELD_SND_UNA:     csr_rdata <= snd_una[k];
            FIELD_SND_NXT:     csr_rdata <= snd_nxt[k];
            FIELD_SND_WND:     csr_rdata <= snd_wnd[k];
            FIELD_RCV_NXT:     csr_rdata <= rcv_nxt[k];
            FIELD_CWND:        csr_rdata <= cwnd[k];
            FIELD_SSTHRESH:    csr_rdata <= ssthresh[k];
            FIELD_TX_END:      csr_rdata <= tx_end[k];
            FIELD_RX_SENT:     csr_rdata <= rx_sent[k];
            FIELD_RX_CONSUMED: csr_rdata <= rx_cons[k];
            FIELD_RCV_WND:     csr_rdata <= rcv_adv[k] - rcv_nxt[k];
            FIELD_STATS:       csr_rdata <= {rexmits[k], dupacks[k]};
            FIELD_SND_MAX:     csr_rdata <= snd_max[k];
            default:           csr_status <= CONST_RESP_BAD_ADDR[7:0];
            endcase
        end else begin
            // programming fields only while the slot is free; the rest also while open
            case (csr_field)
            FIELD_FLAGS: begin
                nagle[k]    <= |(csr_wdata & CONST_SF_NAGLE);
                syn_rcvd[k] <= |(csr_wdata & CONST_SF_SYN_RCVD);
            end
            FIELD_SND_WND:  snd_wnd[k]  <= csr_wdata;
            FIELD_CWND:     cwnd[k]     <= csr_wdata;
            FIELD_SSTHRESH: ssthresh[k] <= csr_wdata;
            FIELD_RX_SENT:  rx_sent[k]  <= csr_wdata;
            default:
                if (valid[k]) begin
                    csr_status <= CONST_RESP_READ_ONLY[7:0];
                end else begin
                    case (csr_field)
                    FIELD_REMOTE_IP: rip[k]   <= csr_wdata;
                    FIELD_PORTS:     ports[k] <= csr_wdata;
                    FIELD_MAC_HI:    mac[k][47:32] <= csr_wdata[15:0];
                    FIELD_MAC_LO:    mac[k][31:0]  <= csr_wdata;
                    FIELD_MSS: begin
                        mss[k]    <= (csr_wdata[15:0] > MSS_MAX || csr_wdata[15:0] == 16'd0) ?
                                     MSS_MAX : csr_wdata[15:0];
                        snd_ws[k] <= csr_wdata[19:16] > 4'd14 ? 4'd14 : csr_wdata[19:16];
                        rcv_ws[k] <= csr_wdata[23:20] > 4'd14 ? 4'd14 : csr_wdata[23:20];
                    end
                    FIELD_SND_UNA: begin
                        snd_una[k] <= csr_wdata;
                        snd_nxt[k] <= csr_wdata;
                        snd_max[k] <= csr_wdata;
                        tx_end[k]  <= csr_wdata;
                    end
                    FIELD_RCV_NXT: begin
                        rcv_nxt[k] <= csr_wdata;
                        rx_sent[k] <= csr_wdata;
                        rx_cons[k] <= csr_wdata;
                    end
                    default: csr_status <= CONST_RESP_READ_ONLY[7:0];
                    endcase
                end
            endcase
        end
    end

    // ---- RX_CONSUMED: within [RX_CONSUMED, RX_SENT]; may reopen the window ----
    S_RXC: begin
        rxc_ack <= 1'b1;
        state   <= S_IDLE;
        if (rxc_slot >= SLOTS || !valid[k] || lt(rxc_seq, rx_cons[k]) || lt(rx_sent[k], rxc_seq)) begin
            inc_data_bad <= 1'b1;
        end else begin
            rx_cons[k] <= rxc_seq;
            // a window update when the edge would move by at least 2 MSS or half the ring
            if (rxc_seq + SIZE + {31'd0, fin_rcvd[k]} - rcv_adv[k] >=
                umin(SIZE >> 1, {15'd0, mss[k], 1'b0}) &&
                lt(rcv_adv[k], rxc_seq + SIZE + {31'd0, fin_rcvd[k]}))
                ack_now[k] <= 1'b1;
        end
    end

    // ---- RX: acceptance test (RFC 9293 3.10.7.4) ----
    S_RX_ACC: begin
        // r_end: sequence after the segment's data; the FIN counts one more
        r_end <= r_seq + {21'd0, r_len};
        if (!valid[k]) begin
            r_drop <= 1'b1;
            r_acc  <= 1'b0;
            r_ackok <= 1'b0;
        end else begin : acc
            reg [31:0] wnd, off, last;
            reg        ok;
            wnd  = rcv_adv[k] - rcv_nxt[k];
            if (lt(rcv_adv[k], rcv_nxt[k])) wnd = 32'd0;
            off  = r_seq - rcv_nxt[k];
            last = r_seq + {21'd0, r_len} + {31'd0, r_fin} - 32'd1 - rcv_nxt[k];
            if (r_len == 11'd0 && !r_fin)
                ok = wnd == 32'd0 ? off == 32'd0 : off < wnd;
            else
                ok = wnd != 32'd0 && (off < wnd || last < wnd);
            r_acc   <= ok;
            r_ackok <= ok || off == 32'd0;   // zero window: still take the ACK at RCV.NXT
            r_drop  <= 1'b0;
            if (!ok)
                ack_now[k] <= 1'b1;          // unacceptable: ACK and drop
        end
        state <= S_RX_ACK;
    end

    // ---- RX: ACK processing ----
    S_RX_ACK: begin
        state <= S_RX_WND;
        if (r_drop || !r_ackok || !r_ackf) begin
            // nothing to process
        end else if (lt(snd_max[k], r_ack)) begin
            ack_now[k] <= 1'b1;              // acknowledges something never sent
            r_acc      <= 1'b0;
            r_ackok    <= 1'b0;
        end else begin : ackp
            reg [7:0] evf;
            evf = ev_flags[k];
            if (syn_rcvd[k]) begin
                syn_rcvd[k] <= 1'b0;
                evf = evf | CONST_EVF_ESTABLISHED[7:0];
                ev_dirty[k] <= 1'b1;
            end
            if (lt(snd_una[k], r_ack)) begin : newack
                reg [31:0] acked, m;
                acked = r_ack - snd_una[k];
                m     = {16'd0, mss[k]};
                snd_una[k] <= r_ack;
                if (lt(snd_nxt[k], r_ack))
                    snd_nxt[k] <= r_ack;
                dupacks[k]  <= 8'd0;
                ev_dirty[k] <= 1'b1;
                if (fin_queued[k] && r_ack == tx_end[k] + 32'd1 && !fin_acked[k]) begin
                    fin_acked[k] <= 1'b1;
                    evf = evf | CONST_EVF_FIN_ACKED[7:0];
                end
                if (rtt_on[k] && lt(rtt_seq[k], r_ack)) begin
                    rtt_on[k]     <= 1'b0;
                    rtt_sample[k] <= now - rtt_t0[k];
                end
                if (in_rec[k]) begin
                    if (!lt(r_ack, recover[k])) begin
                        in_rec[k] <= 1'b0;         // full ACK: deflate (RFC 6582)
                        cwnd[k]   <= ssthresh[k];
                    end else begin
                        rexmit_one[k] <= 1'b1;     // partial ACK: next hole
                        cwnd[k] <= (cwnd[k] > acked + m) ? cwnd[k] - acked + m : m;
                    end
                end else if (cwnd[k] < ssthresh[k]) begin
                    cwnd[k] <= cwnd[k] + umin(acked, m);
                end else if (ca_acc[k] + acked >= cwnd[k]) begin
                    ca_acc[k] <= ca_acc[k] + acked - cwnd[k];
                    cwnd[k]   <= cwnd[k] + m;
                end else begin
                    ca_acc[k] <= ca_acc[k] + acked;
                end
            end else if (r_ack == snd_una[k] && r_len == 11'd0 && !r_fin &&
                         snd_max[k] != snd_una[k] &&
                         (r_wnd << snd_ws[k]) == snd_wnd[k]) begin : dup
                reg [31:0] half, m;
                m    = {16'd0, mss[k]};
                half = (snd_max[k] - snd_una[k]) >> 1;
                inc_dupacks <= 1'b1;
                dupacks[k]  <= dupacks[k] == 8'hff ? 8'hff : dupacks[k] + 8'd1;
                if (dupacks[k] == 8'd2 && !in_rec[k]) begin
                    // third duplicate: fast retransmit, NewReno recovery (RFC 5681, 6582)
                    ssthresh[k]   <= half > 2 * m ? half : 2 * m;
                    cwnd[k]       <= (half > 2 * m ? half : 2 * m) + 3 * m;
                    recover[k]    <= snd_max[k];
                    in_rec[k]     <= 1'b1;
                    rexmit_one[k] <= 1'b1;
                    rtt_on[k]     <= 1'b0;
                    evf = evf | CONST_EVF_FAST_REXMIT[7:0];
                    ev_dirty[k]   <= 1'b1;
                end else if (in_rec[k]) begin
                    cwnd[k] <= cwnd[k] + m;        // inflate per further duplicate
                end
            end
            ev_flags[k] <= evf;
        end
    end

    // ---- RX: window update (SND.WL1/WL2), data range ----
    S_RX_WND: begin
        state <= S_RX_DATA;
        if (r_ackok && r_ackf && !lt(r_ack, snd_una[k]) &&
            (lt(wl1[k], r_seq) || (wl1[k] == r_seq && !lt(r_ack, wl2[k])))) begin
            snd_wnd[k] <= r_wnd << snd_ws[k];
            wl1[k]     <= r_seq;
            wl2[k]     <= r_ack;
            if (((r_wnd << snd_ws[k]) == 32'd0) != (snd_wnd[k] == 32'd0))
                ev_dirty[k] <= 1'b1;
        end
        // payload bytes to keep: from RCV.NXT (or the segment start) to the ring's room
        r_start <= lt(r_seq, rcv_nxt[k]) ? rcv_nxt[k] : r_seq;
        r_stop  <= smin(r_end, rx_cons[k] + SIZE);
    end

    S_RX_DATA: begin
        state <= S_RX_END;
        if (r_acc && r_len != 11'd0) begin
            if (!lt(r_start, r_stop)) begin
                ack_now[k] <= 1'b1;          // nothing new: a duplicate, ACK at once
            end else if (r_start == rcv_nxt[k] || (ooo_on[k] ?
                         (!lt(ooo_end[k], r_start) && !lt(r_stop, ooo_start[k])) : 1'b1)) begin
                // in order, a first hole, or touching the held range: copy
                copy_base <= r_seq;
                copy_w    <= word_of(r_start - r_seq);
                copy_last <= word_of(r_stop - r_seq - 32'd1);
                seg_rd_word <= word_of(r_start - r_seq);
                copy_pend <= 1'b0;
                state     <= S_RX_COPY;
            end else begin
                ack_now[k]  <= 1'b1;         // a second hole: drop, duplicate ACK at once
                r_acc       <= 1'b0;
            end
        end
    end

    S_RX_COPY: begin
        // one payload word per cycle: read word copy_w, write it a cycle later
        copy_pend <= copy_w <= copy_last;
        if (copy_w <= copy_last) begin
            copy_w      <= copy_w + 9'd1;
            seg_rd_word <= copy_w + 9'd1;
        end
        if (copy_pend) begin : wr
            reg [31:0] b0;
            reg [3:0]  be;
            integer j;
            b0 = copy_base + {21'd0, seg_rd_word - 9'd1, 2'b00};
            for (j = 0; j < 4; j = j + 1)
                be[3 - j] = !lt(b0 + j, r_start) && lt(b0 + j, r_stop);
            rxr_we   <= 1'b1;
            rxr_slot <= k;
            rxr_pos  <= b0;
            rxr_data <= seg_rd_data;
            rxr_be   <= be;
        end
        if (!(copy_w <= copy_last) && !copy_pend)
            state <= S_RX_END;
    end

    S_RX_END: begin : rxend
        reg [31:0] nxt;
        seg_done <= 1'b1;
        state    <= S_IDLE;
        inc_rx_segs <= r_acc;
        inc_rx_drop <= seg_drop || !r_acc;
        nxt = rcv_nxt[k];
        if (r_acc && r_len != 11'd0 && lt(r_start, r_stop)) begin
            if (r_start == rcv_nxt[k]) begin
                nxt = r_stop;
                if (ooo_on[k] && !lt(nxt, ooo_start[k])) begin
                    nxt = smax(nxt, ooo_end[k]);
                    ooo_on[k]  <= 1'b0;
                    ack_now[k] <= 1'b1;      // a hole filled: ACK at once
                end
            end else begin
                inc_rx_ooo <= 1'b1;
                ack_now[k] <= 1'b1;          // out of order: duplicate ACK at once
                if (ooo_on[k]) begin
                    ooo_start[k] <= smin(ooo_start[k], r_start);
                    ooo_end[k]   <= smax(ooo_end[k], r_stop);
                end else begin
                    ooo_on[k]    <= 1'b1;
                    ooo_start[k] <= r_start;
                    ooo_end[k]   <= r_stop;
                end
            end
        end
        // the FIN, when everything before it is in
        if (r_acc && r_fin && nxt == r_end && !fin_rcvd[k]) begin
            nxt = nxt + 32'd1;
            fin_rcvd[k] <= 1'b1;
            ack_now[k]  <= 1'b1;
            ev_flags[k] <= ev_flags[k] | CONST_EVF_FIN_RCVD[7:0];
            ev_dirty[k] <= 1'b1;
        end
        if (nxt != rcv_nxt[k]) begin
            // ACK every second full-sized segment's worth, otherwise delay
            if (nxt - last_ack[k] >= {15'd0, mss[k], 1'b0})
                ack_now[k] <= 1'b1;
            else if (!ack_del[k]) begin
                ack_del[k] <= 1'b1;
                ack_due[k] <= now + DELACK_US;
            end
        end
        rcv_nxt[k] <= nxt;
    end

    // ---- TX_DATA into the TX ring ----
    S_TXD: begin
        if (txd_slot >= SLOTS || !valid[k] || fin_queued[k] || txd_seq != tx_end[k] ||
            txd_len == 11'd0 || {21'd0, txd_len} > CONST_SLOT_DATA_MAX ||
            {21'd0, txd_len} > SIZE - (tx_end[k] - snd_una[k])) begin
            inc_data_bad <= 1'b1;
            txd_ack      <= 1'b1;
            state        <= S_IDLE;
        end else begin
            // message byte 6 + i is payload byte i; word w holds message bytes 4w..4w+3
            copy_w      <= 9'd1;
            txd_rd_addr <= 9'd1;
            copy_last   <= txd_last_word[10:2];
            copy_pend   <= 1'b0;
            state       <= S_TXD_COPY;
        end
    end

    S_TXD_COPY: begin
        copy_pend <= copy_w <= copy_last;
        if (copy_w <= copy_last) begin
            copy_w      <= copy_w + 9'd1;
            txd_rd_addr <= copy_w + 9'd1;
        end
        if (copy_pend) begin : twr
            reg [10:0] m0;
            reg [3:0]  be;
            integer j;
            m0 = {txd_rd_addr - 9'd1, 2'b00};
            for (j = 0; j < 4; j = j + 1)
                be[3 - j] = m0 + j[10:0] >= 11'd6 && m0 + j[10:0] < txd_len + 11'd6;
            txr_we   <= 1'b1;
            txr_slot <= k;
            txr_pos  <= txd_seq - 32'd6 + {21'd0, m0};
            txr_data <= txd_rd_data;
            txr_be   <= be;
        end
        if (!(copy_w <= copy_last) && !copy_pend) begin
            tx_end[k] <= tx_end[k] + {21'd0, txd_len};
            txd_ack   <= 1'b1;
            state     <= S_IDLE;
        end
    end

    // ---- TX: what may slot k send now? ----
    S_TX: begin
        t_flight <= snd_nxt[k] - snd_una[k];
        t_avail  <= lt(snd_nxt[k], tx_end[k]) ? tx_end[k] - snd_nxt[k] : 32'd0;
        t_usable <= umin(cwnd[k], snd_wnd[k]);
        if (ack_del[k] && !lt(now, ack_due[k]))
            ack_now[k] <= 1'b1;
        state <= valid[k] ? S_TX2 : S_IDLE;
    end

    S_TX2: begin : tx2
        reg [31:0] m, room, len, seq;
        reg        fin, send, rx;
        m    = {16'd0, mss[k]};
        room = t_usable > t_flight ? t_usable - t_flight : 32'd0;
        rx   = 1'b0;
        fin  = 1'b0;
        if (rexmit_one[k]) begin
            // fast retransmit / partial ACK: the first unacknowledged segment
            seq = snd_una[k];
            len = umin(m, smin(snd_max[k], tx_end[k]) - snd_una[k]);
            if (lt(smin(snd_max[k], tx_end[k]), snd_una[k])) len = 32'd0;
            fin = fin_queued[k] && seq + len == tx_end[k] && lt(tx_end[k], snd_max[k]);
            rx  = 1'b1;
            send = 1'b1;
        end else if (probe[k] && snd_wnd[k] == 32'd0) begin
            seq  = snd_nxt[k];
            len  = umin(t_avail, 32'd1);
            send = 1'b1;
            rx   = 1'b1;
        end else begin
            seq = snd_nxt[k];
            len = umin(umin(t_avail, m), room);
            // sender SWS avoidance and Nagle: a short segment only when it empties the
            // buffer and (no Nagle or nothing in flight)
            if (len < m && t_flight != 32'd0 && (len < t_avail || nagle[k]))
                len = 32'd0;
            fin  = fin_queued[k] && !lt(tx_end[k], snd_nxt[k]) && seq + len == tx_end[k];
            rx   = lt(seq, snd_max[k]);
            send = len != 32'd0 || fin || ack_now[k];
        end
        t_seq    <= seq;
        t_len    <= len;
        t_fin    <= fin;
        t_rexmit <= rx && (len != 32'd0 || fin);
        if (rexmit_one[k]) rexmit_one[k] <= 1'b0;
        if (probe[k])      probe[k] <= 1'b0;
        // the window to advertise
        w_edge <= adv_edge(rx_cons[k], rcv_nxt[k], rcv_adv[k], {31'd0, fin_rcvd[k]}, mss[k]);
        w_ws   <= rcv_ws[k];
        state  <= send ? S_TX3 : S_IDLE;
    end

    S_TX3: begin : tx3
        reg [31:0] wnd, nxt;
        wnd = (w_edge - rcv_nxt[k]) >> w_ws;
        if (wnd > 32'd65535) wnd = 32'd65535;
        // the scaled window rounds down, which could pull the edge below one advertised
        // before; the acceptance test keeps the furthest edge (RFC 7323 2.4: never shrink)
        rcv_adv[k]  <= smax(rcv_adv[k], rcv_nxt[k] + (wnd << w_ws));
        last_ack[k] <= rcv_nxt[k];
        ack_now[k]  <= 1'b0;
        ack_del[k]  <= 1'b0;
        st_start <= 1'b1;
        st_slot  <= k;
        st_mac   <= mac[k];
        st_ip    <= rip[k];
        st_sport <= ports[k][31:16];
        st_dport <= ports[k][15:0];
        st_seq   <= t_seq;
        st_ack   <= rcv_nxt[k];
        st_flags <= 8'h10 | (t_fin ? 8'h01 : 8'h00) |
                    (t_len != 32'd0 && t_seq + t_len == tx_end[k] ? 8'h08 : 8'h00);
        st_wnd   <= wnd[15:0];
        st_len   <= t_len[10:0];
        inc_tx_segs   <= 1'b1;
        inc_tx_rexmit <= t_rexmit;
        nxt = t_seq + t_len + {31'd0, t_fin};
        if (t_seq == snd_nxt[k]) begin
            snd_nxt[k] <= nxt;
            if (lt(snd_max[k], nxt)) begin
                snd_max[k] <= nxt;
                // time one segment at a time, never a retransmission (Karn)
                if (!rtt_on[k] && t_len != 32'd0 && !t_rexmit) begin
                    rtt_on[k]  <= 1'b1;
                    rtt_seq[k] <= t_seq;
                    rtt_t0[k]  <= now;
                end
            end
        end
        if (t_rexmit)
            rexmits[k] <= rexmits[k] + 24'd1;
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
        ack_now    <= {SLOTS{1'b0}};
        ack_del    <= {SLOTS{1'b0}};
        rexmit_one <= {SLOTS{1'b0}};
        probe      <= {SLOTS{1'b0}};
        ev_dirty   <= {SLOTS{1'b0}};
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
