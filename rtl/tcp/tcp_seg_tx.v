// SPDX-License-Identifier: MIT
// TCP segment builder: one Ethernet/IPv4/TCP frame from a descriptor and a TX ring, to toe_tx_arb.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * At start it samples a descriptor (addresses, ports, seq, ack, flags, window, urgent pointer,
 * TTL, DS field, payload length).
 * The payload is the ring bytes at (seq + i) mod 2^BUF_LOG2, i = 0 .. len-1, of ring `slot`.
 *
 * One pass over the ring: the frame streams out as the payload is read, and the payload is
 * summed on the way. The TCP checksum sits in the header, before the payload, so a segment
 * with payload sends word 13 with the header's sum only (a placeholder) and, once the last
 * payload word has been read and summed, a patch beat (tkeep 0, tlast 0, data {TCP checksum,
 * urgent pointer}) just before that last word: the MAC's transmit FIFO (eth_mac, frame commit)
 * writes a patch beat over word 13 of the frame it is collecting, before the frame's tlast
 * commits it (docs/ARCHITECTURE.md section 3). A segment without payload has its checksum in
 * word 13 and no patch beat. (A store-and-forward frame buffer here would take an EBR, two to
 * overlap frames, and checksums kept beside the ring for every word half as many EBR as the
 * rings again; the MAC's FIFO holds the frame already, and the patch costs it an adder and a
 * multiplexer on its write address.) The pseudo-header and the TCP header are summed beside the frame
 * from the descriptor (registered every cycle). m_tx_req (toe_tx_arb) is high while waiting
 * to start, and the frame starts only when m_tx_free (shown by the arbiter to the granted
 * source) holds all its words (the patch beat takes none); tvalid drops only for the few
 * cycles before the patch beat.
 *
 * Pacing: busy stays high for (frame words - PACE_LEAD) cycles after the last beat. The MAC
 * sends a frame once all of it is in its FIFO, two cycles a word, so a segment decided at once
 * would wait in the FIFO behind the one before with the ACK and window of its decision, a frame
 * or more old when it goes: the peer's round trip, which the 8 KiB rings bound (tests/rtl/
 * toe_tcp_b2b). Paced, the next segment is decided about one frame time after the last one's
 * start and, if no longer, is in the FIFO about PACE_LEAD cycles before the wire is free.
 *
 * Frame (32-bit words, 2 pad bytes first):
 *   0  pad pad dst0 dst1    5  id, 0x4000 (DF)        10  seq
 *   1  dst2..5              6  ttl, proto 6, csum     11  ack
 *   2  src0..3              7  source IP              12  0x50, flags, window
 *   3  src4 src5 0x0800     8  destination IP         13  TCP checksum, urgent pointer
 *   4  0x45 DS totlen       9  source port, dest port 14.. payload (bytes past len are 0)
 * Words: 14 + ceil(len / 4), plus the patch beat when len > 0. The identification counts
 * frames sent (from 0 after reset).
 *
 * The presented payload word is a register (q_word), loaded from the ring as the word before
 * it goes: the ring's block RAM output (5.8 ns clock-to-output on a -6 part) and its lane
 * rotation then end at a flip-flop, not in the arbiters and the transmit slice behind this
 * module. Ring reads therefore run one word ahead of q_word: ring_rd_off is the offset of the
 * word after the presented one, or of the one after that on a beat that loads q_word.
 */
module tcp_seg_tx #(
    parameter SLOT_BITS    = 3,
    parameter BUF_LOG2     = 13,
    parameter TX_FREE_BITS = 11,
    parameter PACE_LEAD    = 8      // cycles of slack of the next segment against the wire
) (
    input  wire                    clk,
    input  wire                    rst,

    // descriptor, sampled at start (a one-cycle pulse while !busy)
    input  wire                    start,
    output wire                    busy,
    input  wire [SLOT_BITS-1:0]    slot,
    input  wire [47:0]             dst_mac,
    input  wire [47:0]             src_mac,
    input  wire [31:0]             src_ip,
    input  wire [31:0]             dst_ip,
    input  wire [15:0]             src_port,
    input  wire [15:0]             dst_port,
    input  wire [31:0]             seq,
    input  wire [31:0]             ack,
    input  wire [7:0]              flags,
    input  wire [15:0]             wnd,
    input  wire [15:0]             urp,       // urgent pointer (sent as is; URG is in flags)
    input  wire [7:0]              ttl,
    input  wire [7:0]              tos,       // the DS field (DSCP and ECN bits)
    input  wire [10:0]             len,       // payload bytes, 0..1460

    // TX ring read port (tcp_ring, one clock latency)
    output wire [SLOT_BITS-1:0]    ring_rd_slot,
    output wire [BUF_LOG2-1:0]     ring_rd_off,
    input  wire [31:0]             ring_rd_data,

    // frames to the MAC through toe_tx_arb
    output wire                    m_tx_req,
    output reg  [31:0]             m_tx_tdata,
    output reg  [3:0]              m_tx_tkeep,
    output reg                     m_tx_tvalid,
    input  wire                    m_tx_tready,
    output reg                     m_tx_tlast,
    input  wire [TX_FREE_BITS-1:0] m_tx_free,

    output reg                     sent       // pulse the cycle after the last beat
);

`include "lib/csum_fold.vh"

localparam [2:0] S_IDLE = 3'd0, S_WAIT = 3'd1, S_SEND = 3'd2, S_SUM = 3'd3, S_PATCH = 3'd4,
                 S_PACE = 3'd5;
localparam [9:0] LEAD = PACE_LEAD;
localparam [BUF_LOG2-1:0] WORD = 4;  // ring bytes per word

// ---- descriptor ----
reg [SLOT_BITS-1:0] d_slot;
reg [47:0] d_dst_mac, d_src_mac;
reg [31:0] d_src_ip, d_dst_ip;
reg [15:0] d_src_port, d_dst_port;
reg [31:0] d_seq, d_ack;
reg [7:0]  d_flags;
reg [15:0] d_wnd, d_urp;
reg [7:0]  d_ttl, d_tos;
reg [15:0] ip_len;       // IPv4 total length: 40 + payload
reg [15:0] k_tcp, k_ip;  // the header sums' constants plus the length (see below)
reg [9:0]  nwords_m1;    // frame words - 1
reg        has_pay;      // len > 0: the frame has a patch beat
reg [3:0]  last_keep;
reg [31:0] last_mask;    // payload bytes of the last word
reg [15:0] ip_id;
reg [9:0]  pace;         // S_PACE: cycles left after this one

reg [2:0]  state;
assign busy = state != S_IDLE;

// Payload words, from the length at start.
wire [9:0] pay_words = {1'b0, len[10:2]} + {9'd0, len[1:0] != 2'd0};

// ---- the frame's words ----
reg  [9:0]          widx;      // word presented
reg  [BUF_LOG2-1:0] pay_off;   // ring offset of the word q_word loads next (seq until word 13 goes)
reg  [BUF_LOG2-1:0] pay_off_nx;   // pay_off + WORD, kept ready: the read address is a mux only
reg  [31:0]         q_word;       // the presented payload word
reg                 past_hdr;     // widx >= 14: the payload is being presented
reg  [1:0]          wait_sum;     // S_SUM: cycles until tcp_csum includes the last word
wire                beat = m_tx_tvalid && m_tx_tready;
wire                adv  = beat && past_hdr && state == S_SEND;   // a payload word taken
// q_word takes the next payload word: on a payload word's beat, or word 13's
wire                take = beat && state == S_SEND && (past_hdr || widx == 10'd13);
wire                at_last = widx == nwords_m1;
wire [31:0]         free32 = {{(32 - TX_FREE_BITS){1'b0}}, m_tx_free};
wire [31:0]         pay_word = q_word & (at_last ? last_mask : 32'hffffffff);

assign m_tx_req     = state == S_WAIT;
assign ring_rd_slot = d_slot;
assign ring_rd_off  = take ? pay_off_nx : pay_off;

// ---- payload sum: each payload word as it goes out, the last one in S_SUM, before it ----
reg        p_v;       // p_word registered (the presented word is masked on its way out),
reg [31:0] p_word;    // summed a cycle later
reg [31:0] p_sum;

always @(posedge clk) begin
    p_v    <= (adv && !at_last) || (state == S_SUM && wait_sum == 2'd2);
    p_word <= pay_word;
    if (p_v)
        p_sum <= p_sum + {16'd0, p_word[31:16]} + {16'd0, p_word[15:0]};
    if (start && !busy)
        p_sum <= 32'd0;
    if (rst)
        p_v <= 1'b0;
end

// ---- header sums and checksums, registered every cycle from the descriptor ----
// A tree of registered two-operand adds (yosys maps a sum of many operands in one expression
// to LUT adders, several times the size of these carry chains). The IPv4 and the pseudo-header
// sums share the addresses' sum; the constants ride on the length (k_tcp, k_ip, from start):
//   IPv4   0x4500 + 0x4000 + (40 + len) + {ttl, 0x06} + tos = 0x852e + len + {ttl, tos}
//   TCP    6 + (20 + len) + 0x5000 + flags = 26 + len + {0x50, flags}
// ip_csum is valid 5 cycles after start, tcp_csum 6 after start (word 6 goes out 8 or more
// cycles after start) and 3 cycles after S_SUM takes the last payload word.
reg [16:0] a_src, a_dst, a_ttl_id, a_ports, a_seq, a_ack, a_fw, a_urp;
reg [17:0] b_ips, b_t1, b_t2, b_ip;
reg [16:0] b_urp;
reg [18:0] c_ip, c_t, c_ips_urp;
reg [19:0] sum_tcp;
reg [15:0] tcp_csum, ip_csum;

always @(posedge clk) begin
    a_src     <= {1'b0, d_src_ip[31:16]} + {1'b0, d_src_ip[15:0]};
    a_dst     <= {1'b0, d_dst_ip[31:16]} + {1'b0, d_dst_ip[15:0]};
    a_ttl_id  <= {1'b0, d_ttl, d_tos} + {1'b0, ip_id};
    a_ports   <= {1'b0, d_src_port} + {1'b0, d_dst_port};
    a_seq     <= {1'b0, d_seq[31:16]} + {1'b0, d_seq[15:0]};
    a_ack     <= {1'b0, d_ack[31:16]} + {1'b0, d_ack[15:0]};
    a_fw      <= {1'b0, 8'h50, d_flags} + {1'b0, d_wnd};
    a_urp     <= {1'b0, d_urp} + {1'b0, k_tcp};
    b_ips     <= {1'b0, a_src} + {1'b0, a_dst};
    b_t1      <= {1'b0, a_ports} + {1'b0, a_seq};
    b_t2      <= {1'b0, a_ack} + {1'b0, a_fw};
    b_ip      <= {1'b0, a_ttl_id} + {2'b0, k_ip};
    b_urp     <= a_urp;
    c_ip      <= {1'b0, b_ips} + {1'b0, b_ip};
    c_t       <= {1'b0, b_t1} + {1'b0, b_t2};
    c_ips_urp <= {1'b0, b_ips} + {2'b0, b_urp};
    sum_tcp   <= {1'b0, c_t} + {1'b0, c_ips_urp};
    ip_csum   <= ~fold({13'd0, c_ip});
    tcp_csum  <= ~fold({12'd0, sum_tcp} + p_sum);
end

// ---- the frame ----
always @(posedge clk) begin
    sent <= 1'b0;
    case (state)
        S_IDLE: if (start) begin
            d_slot     <= slot;
            d_dst_mac  <= dst_mac;
            d_src_mac  <= src_mac;
            d_src_ip   <= src_ip;
            d_dst_ip   <= dst_ip;
            d_src_port <= src_port;
            d_dst_port <= dst_port;
            d_seq      <= seq;
            d_ack      <= ack;
            d_flags    <= flags;
            d_wnd      <= wnd;
            d_urp      <= urp;
            d_ttl      <= ttl;
            d_tos      <= tos;
            ip_len     <= 16'd40 + {5'd0, len};
            k_tcp      <= 16'd26 + {5'd0, len};
            k_ip       <= 16'h852e + {5'd0, len};
            nwords_m1  <= pay_words + 10'd13;
            has_pay    <= len != 11'd0;
            last_keep  <= len[1:0] == 2'd1 ? 4'b1000 : len[1:0] == 2'd2 ? 4'b1100 :
                          len[1:0] == 2'd3 ? 4'b1110 : 4'b1111;
            last_mask  <= len[1:0] == 2'd1 ? 32'hff000000 : len[1:0] == 2'd2 ? 32'hffff0000 :
                          len[1:0] == 2'd3 ? 32'hffffff00 : 32'hffffffff;
            pay_off    <= seq[BUF_LOG2-1:0];
            pay_off_nx <= seq[BUF_LOG2-1:0] + WORD;
            state      <= S_WAIT;
        end
        S_WAIT: if (free32 > {22'd0, nwords_m1}) begin
            widx        <= 10'd0;
            past_hdr    <= 1'b0;
            m_tx_tvalid <= 1'b1;
            state       <= S_SEND;
        end
        S_SEND: if (beat) begin
            widx <= widx + 1'b1;
            if (widx == 10'd13)
                past_hdr <= 1'b1;
            if (take) begin
                q_word     <= ring_rd_data;
                pay_off    <= pay_off_nx;
                pay_off_nx <= pay_off_nx + WORD;
            end
            if (has_pay && widx + 1'b1 == nwords_m1) begin
                // the last word is next: sum it first, patch word 13, then send it
                m_tx_tvalid <= 1'b0;
                wait_sum    <= 2'd2;
                state       <= S_SUM;
            end
            if (m_tx_tlast) begin
                m_tx_tvalid <= 1'b0;
                sent        <= 1'b1;
                ip_id       <= ip_id + 1'b1;
                pace        <= nwords_m1 > LEAD ? nwords_m1 - LEAD : 10'd0;
                state       <= S_PACE;
            end
        end
        S_SUM: begin
            wait_sum <= wait_sum - 1'b1;
            if (wait_sum == 2'd0) begin
                m_tx_tvalid <= 1'b1;
                state       <= S_PATCH;
            end
        end
        S_PATCH: if (beat)
            state <= S_SEND;
        S_PACE: begin
            pace <= pace - 10'd1;
            if (pace == 10'd0)
                state <= S_IDLE;
        end
        default: state <= S_IDLE;
    endcase
    if (rst) begin
        state       <= S_IDLE;
        m_tx_tvalid <= 1'b0;
        sent        <= 1'b0;
        ip_id       <= 16'd0;
        widx        <= 10'd0;
        nwords_m1   <= 10'd13;
    end
end

always @* begin
    m_tx_tlast = at_last && state != S_PATCH;
    m_tx_tkeep = state == S_PATCH ? 4'b0000 : m_tx_tlast ? last_keep : 4'b1111;
    case (widx)
        10'd0:  m_tx_tdata = {16'h0000, d_dst_mac[47:32]};
        10'd1:  m_tx_tdata = d_dst_mac[31:0];
        10'd2:  m_tx_tdata = d_src_mac[47:16];
        10'd3:  m_tx_tdata = {d_src_mac[15:0], 16'h0800};
        10'd4:  m_tx_tdata = {8'h45, d_tos, ip_len};
        10'd5:  m_tx_tdata = {ip_id, 16'h4000};
        10'd6:  m_tx_tdata = {d_ttl, 8'h06, ip_csum};
        10'd7:  m_tx_tdata = d_src_ip;
        10'd8:  m_tx_tdata = d_dst_ip;
        10'd9:  m_tx_tdata = {d_src_port, d_dst_port};
        10'd10: m_tx_tdata = d_seq;
        10'd11: m_tx_tdata = d_ack;
        10'd12: m_tx_tdata = {8'h50, d_flags, d_wnd};
        10'd13: m_tx_tdata = {tcp_csum, d_urp};
        default: m_tx_tdata = state == S_PATCH ? {tcp_csum, d_urp} : pay_word;
    endcase
end

endmodule

`default_nettype wire
