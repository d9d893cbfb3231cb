// SPDX-License-Identifier: MIT
// toe_traffic: the on-chip traffic source and sink of one connection slot (toe iperf).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Sits between the link engine (toe_link) and the TCP engine (toe_tcp) on their TX_DATA,
 * RX_CONSUMED, RX_DATA offer and CSR paths, and passes everything through except:
 *
 *   CSR      the slot fields TRAFFIC, TRAFFIC_SEQ and TRAFFIC_LEN (spec/toe.spec), answered
 *            here; every other CSR goes on to toe_tcp unchanged.
 *   source   (TRAFFIC = 1) the unit writes TX_DATA of its slot itself, as the link would:
 *            chunks of 2^CHUNK_LOG2 bytes (a last shorter one for TRAFFIC_LEN) from
 *            TRAFFIC_SEQ on, each as soon as the TX ring has room for it. Room is judged on
 *            the slot's SND.UNA as the unit last saw it, never ahead of toe_tcp's own, so a
 *            chunk is not refused for room: from the SLOT events the link takes, and from its
 *            own CSR reads of field SND_UNA, every 64 cycles while the ring looks full (the
 *            events wait for the link, which may be slow). The payload byte at stream
 *            offset o (o = seq - TRAFFIC_SEQ) is o[7:0] ^ o[15:8] ^ o[23:16] ^ o[31:24].
 *   sink     (TRAFFIC = 2) the unit takes toe_tcp's RX_DATA offers of its slot (the link
 *            never sees them) and gives the credit back with its own RX_CONSUMED (the latest
 *            end taken; one in flight at a time), once that is past the slot's last
 *            RX_CONSUMED (TRAFFIC_SEQ at the start, then any of the link's that passes: the
 *            device refuses one that goes back). The bytes are not
 *            read: toe_tcp frees ring space once an offer is taken and not being read.
 *
 * One slot at a time: writing 1 or 2 to a slot's TRAFFIC moves the unit there (and restarts
 * its count), 0 to the unit's slot stops it, and so does a FREE or OPEN of its slot. A TX_DATA or RX_CONSUMED of the unit that
 * toe_tcp rejects (slot not open, FIN queued) stops it and pulses inc_bad. Requests of the
 * link and of the unit to toe_tcp are granted one at a time, the link first; a grant lasts to
 * toe_tcp's ack. A TRAFFIC write waits until the unit has no request in flight.
 *
 * Counters: inc_src_kib / inc_snk_kib pulse once per 1024 bytes generated / taken (the rest
 * carried to the next chunk); the exact count is TRAFFIC_LEN's read value.
 */
module toe_traffic #(
    parameter SLOTS    = 8,    // connection slots of toe_tcp (4..32)
    parameter BUF_LOG2 = 13,   // bytes per TX ring, 2^N
    // bytes of the source's TX_DATA, 2^N (at most SLOT_DATA_MAX): toe_tcp's controller copies
    // each in one task, and a transmit decision due meanwhile waits behind it
    parameter CHUNK_LOG2 = 8
) (
    input  wire         clk,
    input  wire         rst,

    // CSR from the link engine, and on to toe_tcp (held until ack)
    input  wire         s_csr_req,
    input  wire         s_csr_we,
    input  wire [15:0]  s_csr_addr,
    input  wire [31:0]  s_csr_wdata,
    output wire         s_csr_ack,
    output wire [31:0]  s_csr_rdata,
    output wire [7:0]   s_csr_status,
    output wire         m_csr_req,
    output wire         m_csr_we,
    output wire [15:0]  m_csr_addr,
    input  wire         m_csr_ack,
    input  wire [31:0]  m_csr_rdata,
    input  wire [7:0]   m_csr_status,

    // TX_DATA from the link, and on to toe_tcp (the unit's own when granted)
    input  wire         s_txd_req,
    input  wire [7:0]   s_txd_slot,
    input  wire [31:0]  s_txd_seq,
    input  wire [10:0]  s_txd_len,
    output wire [8:0]   s_txd_rd_addr,
    input  wire [31:0]  s_txd_rd_data,
    output wire         s_txd_ack,
    output wire         m_txd_req,
    output wire [7:0]   m_txd_slot,
    output wire [31:0]  m_txd_seq,
    output wire [10:0]  m_txd_len,
    input  wire [8:0]   m_txd_rd_addr,
    output wire [31:0]  m_txd_rd_data,
    input  wire         m_txd_ack,

    // RX_CONSUMED from the link, and on to toe_tcp
    input  wire         s_rxc_req,
    input  wire [7:0]   s_rxc_slot,
    input  wire [31:0]  s_rxc_seq,
    output wire         s_rxc_ack,
    output wire         m_rxc_req,
    output wire [7:0]   m_rxc_slot,
    output wire [31:0]  m_rxc_seq,
    input  wire         m_rxc_ack,

    // toe_tcp's RX_DATA offer (slot, seq, len go to the link as they are)
    input  wire         t_rxd_valid,
    output wire         t_rxd_taken,
    input  wire [7:0]   t_rxd_slot,
    input  wire [31:0]  t_rxd_seq,
    input  wire [10:0]  t_rxd_len,
    output wire         l_rxd_valid,
    input  wire         l_rxd_taken,

    // SLOT events as the link takes them; toe_tcp's reject pulse (TX_DATA or RX_CONSUMED)
    input  wire         ev_valid,
    input  wire         ev_taken,
    input  wire [143:0] ev_fields,
    input  wire         data_bad,

    output reg          inc_src_kib,
    output reg          inc_snk_kib,
    output reg          inc_bad
);

`include "toe_defs.vh"

// Illegal parameters stop elaboration: a chunk is one TX_DATA.
generate if ((32'd1 << CHUNK_LOG2) > CONST_SLOT_DATA_MAX || CHUNK_LOG2 < 2) begin : g_check
    CHUNK_LOG2_must_give_4_to_SLOT_DATA_MAX_bytes check();
end endgenerate

localparam [31:0] SIZE = 32'd1 << BUF_LOG2;
localparam [31:0] CHUNK = 32'd1 << CHUNK_LOG2;
localparam [1:0]  M_OFF = 2'd0, M_SOURCE = 2'd1, M_SINK = 2'd2;

// ---- state ----
reg  [1:0]  mode;
reg  [7:0]  slot;
reg  [31:0] nxt;      // source: seq of the next byte to generate; sink: after the last taken
reg  [31:0] base;     // source: seq of stream offset 0
reg  [31:0] una;      // source: SND.UNA of the slot's last SLOT event
reg  [31:0] left;     // source: bytes still to generate (lim)
reg         lim;
reg  [31:0] count;    // bytes generated or taken since the mode was set
reg  [31:0] p_seq, p_len;   // TRAFFIC_SEQ / TRAFFIC_LEN as written, for the next start
reg  [9:0]  kib_src, kib_snk;

// ---- grants to toe_tcp: the link first, held to the ack ----
reg g_txd_link, g_txd_src, g_rxc_link, g_rxc_snk;
reg src_req, snk_req;
reg [10:0] src_len;
reg [31:0] src_off;   // stream offset of the granted chunk's first byte, less 6
reg [31:0] snk_seq;   // the RX_CONSUMED in flight
reg [31:0] snk_floor; // the slot's RX_CONSUMED as far as the unit knows (TRAFFIC_SEQ at the
                      // start, then the link's): the unit sends none up to it

wire txd_free = !g_txd_link && !g_txd_src;
wire rxc_free = !g_rxc_link && !g_rxc_snk;

assign m_txd_req     = (g_txd_link && s_txd_req) || (g_txd_src && src_req);
assign m_txd_slot    = g_txd_src ? slot : s_txd_slot;
assign m_txd_seq     = g_txd_src ? nxt : s_txd_seq;
assign m_txd_len     = g_txd_src ? src_len : s_txd_len;
assign s_txd_ack     = g_txd_link && m_txd_ack;
assign s_txd_rd_addr = m_txd_rd_addr;

assign m_rxc_req  = (g_rxc_link && s_rxc_req) || (g_rxc_snk && snk_req);
assign m_rxc_slot = g_rxc_snk ? slot : s_rxc_slot;
assign m_rxc_seq  = g_rxc_snk ? snk_seq : s_rxc_seq;
assign s_rxc_ack  = g_rxc_link && m_rxc_ack;

// ---- the source's payload: one cycle of read latency, as the link's message buffer. Byte j of
// word w is at offset o = src_off + 4w + j (src_off already less the 6 header bytes); the four
// offsets share their upper 24 bits but for a carry out of the low byte, so one adder gives
// the word's first offset and one incrementer the folded upper bits after a carry. ----
function [7:0] fold;
    input [23:0] u;
    begin fold = u[7:0] ^ u[15:8] ^ u[23:16]; end
endfunction

reg  [31:0] src_data;
wire [31:0] rd_off = src_off + {21'd0, m_txd_rd_addr, 2'b00};
wire [23:0] rd_up1 = rd_off[31:8] + 24'd1;
wire [7:0]  up0 = fold(rd_off[31:8]), up1 = fold(rd_up1);
wire [8:0]  lo1 = {1'b0, rd_off[7:0]} + 9'd1, lo2 = {1'b0, rd_off[7:0]} + 9'd2,
            lo3 = {1'b0, rd_off[7:0]} + 9'd3;
always @(posedge clk)
    src_data <= {rd_off[7:0] ^ up0, lo1[7:0] ^ (lo1[8] ? up1 : up0),
                 lo2[7:0] ^ (lo2[8] ? up1 : up0), lo3[7:0] ^ (lo3[8] ? up1 : up0)};
reg rd_src;   // the word read last cycle was the unit's
always @(posedge clk) rd_src <= g_txd_src;
assign m_txd_rd_data = rd_src ? src_data : s_txd_rd_data;

// ---- the source's next chunk: registered in two steps (used, then the room test); settle
// holds a new request back until both have seen the last ack ----
reg  [31:0] used;
reg         room_ok;
reg  [5:0]  poll_wait;   // cycles to the source's next read of SND_UNA
reg  [1:0]  settle;
wire [31:0] need = (lim && left < CHUNK) ? left : CHUNK;
always @(posedge clk) begin
    used    <= nxt - una;
    room_ok <= used + need <= SIZE;
end

// ---- RX_DATA offers of the sink's slot ----
wire snk_offer = mode == M_SINK && t_rxd_valid && t_rxd_slot == slot;
reg  snk_taken;
reg  snk_due;    // bytes taken since the last RX_CONSUMED was latched
assign l_rxd_valid = t_rxd_valid && !snk_offer;
assign t_rxd_taken = l_rxd_taken || snk_taken;

// ---- CSR fields of the unit ----
wire [15:0] csr_rel  = s_csr_addr - CSR_SLOT_BASE;
wire [4:0]  csr_fld  = csr_rel[4:0];
wire [7:0]  csr_slot = csr_rel[12:5];
wire        csr_mine = s_csr_addr >= CSR_SLOT_BASE && {16'd0, csr_rel} < SLOTS * CONST_SLOT_STRIDE &&
                       (csr_fld == FIELD_TRAFFIC || csr_fld == FIELD_TRAFFIC_SEQ ||
                        csr_fld == FIELD_TRAFFIC_LEN);
wire        csr_here = csr_slot == slot;
wire        busy     = src_req || snk_req || g_txd_src || g_rxc_snk || snk_taken || una_req;
reg         u_ack;
reg  [31:0] u_rdata;
reg  [7:0]  u_status;
reg         u_last;   // the last CSR answer was the unit's
// the link's CSRs for toe_tcp and the source's own reads of its slot's SND_UNA, granted one
// at a time (the link first) to toe_tcp's ack
reg  g_csr_link, g_csr_src, una_req;
wire csr_fwd  = s_csr_req && !csr_mine;
wire csr_free = !g_csr_link && !g_csr_src;
assign m_csr_req    = (g_csr_link && csr_fwd) || (g_csr_src && una_req);
assign m_csr_we     = !g_csr_src && s_csr_we;
assign m_csr_addr   = g_csr_src ? CSR_SLOT_BASE + {6'd0, slot[4:0], FIELD_SND_UNA} : s_csr_addr;
assign s_csr_ack    = u_ack || (g_csr_link && m_csr_ack);
assign s_csr_rdata  = u_last ? u_rdata : m_csr_rdata;
assign s_csr_status = u_last ? u_status : m_csr_status;
wire unused_csr = |{csr_rel[15:13], slot[7:5]};

`include "tcp/tcp_seq.vh"
wire [7:0]  ev_slot = ev_fields[LSB_SLOT_EVENT_SLOT +: 8];
wire [31:0] ev_una  = ev_fields[LSB_SLOT_EVENT_SND_UNA +: 32];
wire unused_ev = |{ev_fields[LSB_SLOT_EVENT_FLAGS +: 8], ev_fields[LSB_SLOT_EVENT_SND_WND +: 32],
                   ev_fields[LSB_SLOT_EVENT_RCV_NXT +: 32], ev_fields[LSB_SLOT_EVENT_RTT_US +: 32]};

always @(posedge clk) begin
    inc_src_kib <= 1'b0;
    inc_snk_kib <= 1'b0;
    inc_bad     <= 1'b0;
    u_ack       <= 1'b0;
    snk_taken   <= 1'b0;
    if (settle != 2'd0)
        settle <= settle - 2'd1;

    // grants
    if (txd_free) begin
        if (s_txd_req)     g_txd_link <= 1'b1;
        else if (src_req)  g_txd_src  <= 1'b1;
    end
    if (m_txd_ack) begin
        g_txd_link <= 1'b0;
        g_txd_src  <= 1'b0;
    end
    if (rxc_free) begin
        if (s_rxc_req)     g_rxc_link <= 1'b1;
        else if (snk_req)  g_rxc_snk  <= 1'b1;
    end
    if (m_rxc_ack) begin
        g_rxc_link <= 1'b0;
        g_rxc_snk  <= 1'b0;
    end

    if (csr_free) begin
        if (csr_fwd)       g_csr_link <= 1'b1;
        else if (una_req)  g_csr_src  <= 1'b1;
    end
    if (m_csr_ack) begin
        g_csr_link <= 1'b0;
        g_csr_src  <= 1'b0;
    end

    // the source's SND.UNA: read from toe_tcp every 64 cycles while the ring looks full (the
    // SLOT events that also bring it wait for the link, slow on a UART)
    if (poll_wait != 6'd0)
        poll_wait <= poll_wait - 6'd1;
    if (mode == M_SOURCE && !una_req && !src_req && settle == 2'd0 && !room_ok &&
        poll_wait == 6'd0)
        una_req <= 1'b1;
    if (g_csr_src && m_csr_ack) begin
        una_req   <= 1'b0;
        poll_wait <= 6'd63;
        settle    <= 2'd2;
        if (mode == M_SOURCE && lt(una, m_csr_rdata))
            una <= m_csr_rdata;
    end

    // the source: a chunk when the ring has room for it
    if (mode == M_SOURCE && !src_req && settle == 2'd0 && room_ok) begin
        src_req <= 1'b1;
        src_len <= need[10:0];
        src_off <= nxt - base - 32'd6;      // message byte 6 is payload byte 0
    end
    if (g_txd_src && m_txd_ack) begin
        src_req <= 1'b0;
        settle  <= 2'd3;
        if (data_bad) begin
            mode    <= M_OFF;
            inc_bad <= 1'b1;
        end else begin
            nxt   <= nxt + {21'd0, src_len};
            count <= count + {21'd0, src_len};
            left  <= left - {21'd0, src_len};
            if (lim && left == {21'd0, src_len})
                mode <= M_OFF;      // TRAFFIC_LEN bytes generated
            {inc_src_kib, kib_src} <= {1'b0, kib_src} + src_len;
        end
    end
    if (mode == M_SOURCE && ev_valid && ev_taken && ev_slot == slot && lt(una, ev_una))
        una <= ev_una;

    // the sink: give the credit back (a take in the same cycle sets snk_due again), take
    // the offer
    if (!snk_req && snk_due && !snk_taken) begin
        snk_req <= lt(snk_floor, nxt);
        snk_due <= 1'b0;
        snk_seq <= nxt;
    end
    // (not the cycle the link took it: the mode may have changed under its registered take)
    if (snk_offer && !snk_taken && !l_rxd_taken) begin
        snk_taken <= 1'b1;
        snk_due   <= 1'b1;
        nxt       <= t_rxd_seq + {21'd0, t_rxd_len};
        count     <= count + {21'd0, t_rxd_len};
        {inc_snk_kib, kib_snk} <= {1'b0, kib_snk} + t_rxd_len;
    end
    // the host's credit for the slot moves the floor too (a take may be behind it)
    // (withdrawing a request of the unit's not granted yet that it covers)
    if (g_rxc_link && m_rxc_ack && !data_bad && s_rxc_slot == slot && lt(snk_floor, s_rxc_seq)) begin
        snk_floor <= s_rxc_seq;
        if (snk_req && !lt(s_rxc_seq, snk_seq))
            snk_req <= 1'b0;
    end
    if (g_rxc_snk && m_rxc_ack) begin
        snk_req <= 1'b0;
        if (data_bad) begin
            mode    <= M_OFF;
            inc_bad <= 1'b1;
        end
    end

    // CSR; a FREE or OPEN of the unit's slot stops it (the slot's next connection is not its)
    if (m_csr_ack && g_csr_link)
        u_last <= 1'b0;
    // (with its requests not granted yet: they would only be refused)
    if (m_csr_ack && g_csr_link && s_csr_we && s_csr_addr == CSR_SLOT_CMD && s_csr_wdata[7:0] == slot &&
        (s_csr_wdata[15:8] == CMD_FREE || s_csr_wdata[15:8] == CMD_OPEN)) begin
        mode    <= M_OFF;
        snk_due <= 1'b0;
        if (!g_txd_src && !(txd_free && !s_txd_req))
            src_req <= 1'b0;
        if (!g_rxc_snk && !(rxc_free && !s_rxc_req))
            snk_req <= 1'b0;
    end
    if (s_csr_req && csr_mine && !u_ack && !(s_csr_we && csr_fld == FIELD_TRAFFIC && busy)) begin
        u_ack    <= 1'b1;
        u_last   <= 1'b1;
        u_status <= CONST_RESP_OK[7:0];
        u_rdata  <= 32'd0;
        if (!s_csr_we) begin
            if (csr_here)
                u_rdata <= csr_fld == FIELD_TRAFFIC ? {30'd0, mode} :
                           csr_fld == FIELD_TRAFFIC_SEQ ? nxt : count;
        end else if (csr_fld == FIELD_TRAFFIC_SEQ) begin
            p_seq <= s_csr_wdata;
        end else if (csr_fld == FIELD_TRAFFIC_LEN) begin
            p_len <= s_csr_wdata;
        end else if (s_csr_wdata > 32'd2) begin
            u_status <= CONST_RESP_BAD_REQ[7:0];
        end else if (s_csr_wdata[1:0] == M_OFF) begin
            if (csr_here)
                mode <= M_OFF;
        end else begin
            mode    <= s_csr_wdata[1:0];
            slot    <= csr_slot;
            nxt     <= p_seq;
            base    <= p_seq;
            una     <= p_seq;
            if (s_csr_wdata[1:0] == M_SINK)
                snk_floor <= p_seq;
            left    <= p_len;
            lim     <= p_len != 32'd0;
            count   <= 32'd0;
            settle  <= 2'd3;
        end
    end

    if (rst) begin
        mode       <= M_OFF;
        slot       <= 8'd0;
        count      <= 32'd0;
        nxt        <= 32'd0;
        p_seq      <= 32'd0;
        p_len      <= 32'd0;
        kib_src    <= 10'd0;
        kib_snk    <= 10'd0;
        g_txd_link <= 1'b0;
        g_txd_src  <= 1'b0;
        g_rxc_link <= 1'b0;
        g_rxc_snk  <= 1'b0;
        src_req    <= 1'b0;
        snk_req    <= 1'b0;
        settle     <= 2'd0;
        g_csr_link <= 1'b0;
        g_csr_src  <= 1'b0;
        una_req    <= 1'b0;
        poll_wait  <= 6'd0;
        u_ack      <= 1'b0;
        u_last     <= 1'b0;
        snk_taken  <= 1'b0;
        snk_due    <= 1'b0;
        inc_src_kib <= 1'b0;
        inc_snk_kib <= 1'b0;
        inc_bad    <= 1'b0;
    end
end

endmodule

`default_nettype wire
