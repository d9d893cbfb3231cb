// SPDX-License-Identifier: MIT
// Receive parser: one verdict per frame, checksums on the fly, frames to answer into the store.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Reads each frame from the MAC (32-bit words with the 2-byte alignment pad, see
 * docs/ARCHITECTURE.md) in one pass. While the frame streams in it
 *   - captures the Ethernet, ARP, IPv4 and ICMP header fields by word index,
 *   - sums the IPv4 header and the ICMP message (one's complement, 16-bit halves),
 *   - writes every word into the frame store at the store's write pointer.
 * One cycle after the last beat it gives the frame exactly one verdict (a STAT_RX_* index from
 * spec/toe.spec) on `verdict`/`verdict_valid`. For ARP requests and ICMP echo requests it
 * also pushes a descriptor for toe_tx; echo requests stay in the store (the write pointer
 * moves past them), everything else is rolled back.
 *
 * A frame is taken only if, at its first beat, the store has room for a maximum-size frame
 * and the descriptor queue has room; otherwise it is read and counted as RX_OVERFLOW. So the
 * store never overflows mid-frame and the parser never stalls the MAC for more than two
 * cycles per frame (the verdict cycle and the host queue's commit cycle).
 *
 * The host queue (the slow path, docs/LINK.md section 4) is a second ring written in parallel
 * with its own pointers and room check at the first beat. In the cycle after the verdict a
 * frame whose verdict bit is set in host_mask is committed there with a descriptor (to_host),
 * or counted as host_drop if the queue had no room at its first beat.
 *
 * Fields (word: bytes, first byte in tdata[31:24]):
 *   0  pad pad dst0 dst1     4  IPv4 ver/ihl tos totlen     | ARP htype ptype
 *   1  dst2..dst5            5  id flags/fragment           | hlen plen oper
 *   2  src0..src3            6  ttl proto hdr-checksum      | sha0..3
 *   3  src4 src5 type        7  source address              | sha4 sha5 spa0 spa1
 *                            8  destination address         | spa2 spa3 tha0 tha1
 *                            9  ICMP type code checksum     | tha2..5
 *                           10                              | tpa
 * With IPv4 options (IHL over 5) everything after word 8 comes IHL - 5 words later. Only TCP
 * is taken with options (its checksum and header checks from word 4 + IHL on, the options
 * ignored); any other protocol with options is RX_IP_OPTIONS.
 */
module toe_rx_parse #(
    parameter STORE_LOG2 = 11, // frame store size, 2^N 32-bit words
    parameter HQ_LOG2    = 11  // host queue size, 2^N 32-bit words
) (
    input  wire                  clk,
    input  wire                  rst,

    // frames from the MAC
    input  wire [31:0]           s_rx_tdata,
    input  wire [3:0]            s_rx_tkeep,
    input  wire                  s_rx_tvalid,
    output wire                  s_rx_tready,
    input  wire                  s_rx_tlast,
    input  wire [1:0]            s_rx_tuser,

    // frame store write port and pointers
    output wire                  store_wr_en,
    output wire [STORE_LOG2-1:0] store_wr_addr,
    output wire [31:0]           store_wr_data,
    input  wire [STORE_LOG2:0]   store_rd_ptr,    // start of the oldest frame still in use

    // descriptors for toe_tx
    output reg                   m_desc_valid,    // one-cycle push
    input  wire                  m_desc_room,     // the queue can take one more
    output reg                   m_desc_icmp,     // 1 echo request, 0 ARP request
    output reg  [47:0]           m_desc_mac,      // requester's MAC
    output reg  [31:0]           m_desc_ip,       // requester's IP
    output reg  [STORE_LOG2:0]   m_desc_start,    // echo request: first store word
    output reg  [8:0]            m_desc_words,    // echo request: store words used
    output reg  [15:0]           m_desc_len,      // echo request: IPv4 total length
    output reg  [15:0]           m_desc_csum,     // echo request: the reply's ICMP checksum
    output reg  [7:0]            m_desc_code,     // echo request: ICMP code

    // host queue (the slow path): its own write port, pointers and descriptors
    output wire                  hq_wr_en,
    output wire [HQ_LOG2-1:0]    hq_wr_addr,
    output wire [31:0]           hq_wr_data,
    input  wire [HQ_LOG2:0]      hq_rd_ptr,       // start of the oldest frame not yet sent up
    output reg                   m_hq_valid,      // one-cycle push
    input  wire                  m_hq_room,       // the descriptor queue can take one more
    output reg  [HQ_LOG2:0]      m_hq_start,
    output reg  [8:0]            m_hq_words,
    output reg  [10:0]           m_hq_len,        // frame bytes (no pad)
    output reg  [5:0]            m_hq_verdict,
    output reg  [63:0]           m_hq_time,       // device time (us) at the verdict
    input  wire [31:0]           host_mask,       // bit N: frames with verdict N go up
    input  wire [63:0]           now_us,

    // one verdict per frame, for the counters
    output reg                   verdict_valid,
    output reg  [5:0]            verdict,
    output reg                   to_host,         // one-cycle pulses, the cycle after the verdict
    output reg                   host_drop,

    input  wire [47:0]           cfg_mac,
    input  wire [31:0]           cfg_ip,
    input  wire [31:0]           cfg_netmask,
    input  wire                  tcp_match        // toe_tcp: the frame is an offloaded slot's segment
);

`include "toe_defs.vh"

localparam MAX_FRAME_WORDS = 380;  // (2 pad + 1514 bytes) / 4, rounded up: the MAC cuts longer frames
localparam STORE_WORDS = 1 << STORE_LOG2;
localparam HQ_WORDS = 1 << HQ_LOG2;
localparam [1:0] MAC_FCS = 2'd1,  // 0 is a good frame
                  MAC_FRAMING = 2'd2, MAC_TOO_LONG = 2'd3;

// Illegal parameters stop elaboration: the store must hold two maximum-size frames.
generate if (STORE_WORDS < 2 * MAX_FRAME_WORDS) begin : g_check
    STORE_LOG2_too_small_for_two_frames check();
end endgenerate
generate if (HQ_WORDS < 2 * MAX_FRAME_WORDS) begin : g_check_hq
    HQ_LOG2_too_small_for_two_frames check();
end endgenerate

// ---- frame state ----
reg [STORE_LOG2:0] store_wr_ptr;  // end of the last committed frame
reg        folding;      // the cycle after a frame's last beat: checksums folded, fields compared
reg        finish;       // the verdict cycle
reg        finish2;      // the host queue's commit cycle after the verdict
reg [HQ_LOG2:0] hq_wr_ptr;  // end of the last frame committed to the host queue
reg        hq_taken;     // this frame has host queue room
reg [8:0]  widx;         // index of the next word in the frame (saturates)
reg        taken;        // this frame has store and descriptor room
reg [10:0] nbytes;       // frame bytes received, without the pad
reg [1:0]  mac_status;

// ---- captured fields ----
reg [47:0] dst_mac;
reg [47:0] src_mac;
reg [15:0] ethertype;
reg [31:0] w4, w5;       // IPv4 ver/ihl/tos/totlen, id/flags | ARP types, sizes/oper
reg [7:0]  ip_proto;
reg [31:0] ip_src, ip_dst;
reg [31:0] w6, w7;       // ARP sender fields
reg [15:0] w8_hi;        // ARP sender IP, low half
reg [31:0] arp_tpa;
reg [15:0] icmp_w0;      // type, code

// ---- checksums ----
reg [31:0] ip_sum;
reg [3:0]  ip_hdr_left;  // IPv4 header words still to sum
reg [31:0] l4_sum;       // the IPv4 payload (ICMP message or TCP segment), to verify it
reg [31:0] icmp_data;    // the ICMP message after type/code/checksum, for the reply's checksum
reg [15:0] l4_left;      // payload bytes still to sum
reg [15:0] l4_len;       // IPv4 payload bytes: total length - 4 * IHL
reg [8:0]  l4_start;     // frame word of the first payload word: 4 + IHL
reg [31:0] tcp_pseudo;   // the TCP pseudo-header: addresses, protocol, segment length
reg [3:0]  tcp_doff;     // TCP data offset (header length in words)

assign s_rx_tready = !folding && !finish && !finish2;

wire beat = s_rx_tvalid && s_rx_tready;
wire sof  = beat && widx == 0;

// Room is judged at the first beat and held for the frame.
wire [STORE_LOG2:0] store_used = store_wr_ptr - store_rd_ptr;
wire room_now = (STORE_WORDS - store_used >= MAX_FRAME_WORDS) && m_desc_room;
wire taking   = sof ? room_now : taken;

assign store_wr_en   = beat && taking && widx < MAX_FRAME_WORDS;
assign store_wr_addr = store_wr_ptr[STORE_LOG2-1:0] + {{(STORE_LOG2-9){1'b0}}, widx};
assign store_wr_data = s_rx_tdata;

// The host queue takes every frame it has room for (judged at the first beat, like the
// store); the verdict decides whether it is committed or rolled back.
wire [HQ_LOG2:0] hq_used = hq_wr_ptr - hq_rd_ptr;
wire hq_room_now = (HQ_WORDS - hq_used >= MAX_FRAME_WORDS) && m_hq_room;
wire hq_taking   = sof ? hq_room_now : hq_taken;

assign hq_wr_en   = beat && hq_taking && widx < MAX_FRAME_WORDS;
assign hq_wr_addr = hq_wr_ptr[HQ_LOG2-1:0] + {{(HQ_LOG2-9){1'b0}}, widx};
assign hq_wr_data = s_rx_tdata;

// Byte count of this beat (tkeep is contiguous from the top).
wire [2:0] beat_bytes = s_rx_tkeep[0] ? 3'd4 : s_rx_tkeep[1] ? 3'd3 : s_rx_tkeep[2] ? 3'd2 :
                        s_rx_tkeep[3] ? 3'd1 : 3'd0;

// Payload bytes of this word that belong to the IPv4 packet (padding past its length is not).
wire [2:0] l4_lanes = l4_left >= 4 ? 3'd4 : l4_left[2:0];
wire [31:0] l4_mask = l4_lanes == 3'd4 ? 32'hffffffff : l4_lanes == 3'd3 ? 32'hffffff00 :
                        l4_lanes == 3'd2 ? 32'hffff0000 : l4_lanes == 3'd1 ? 32'hff000000 : 32'h0;
wire [31:0] l4_word = s_rx_tdata & l4_mask;

// At word 4 the IHL and total length come from the live beat: the IPv4 payload's length.
wire [15:0] l4_len_now = s_rx_tdata[15:0] - {10'd0, s_rx_tdata[27:24], 2'b00};
wire [16:0] word_halves = {1'b0, s_rx_tdata[31:16]} + {1'b0, s_rx_tdata[15:0]};
wire [16:0] l4_halves = {1'b0, l4_word[31:16]} + {1'b0, l4_word[15:0]};

always @(posedge clk) begin
    if (beat) begin
        case (widx)
            9'd0: dst_mac[47:32] <= s_rx_tdata[15:0];
            9'd1: dst_mac[31:0]  <= s_rx_tdata;
            9'd2: src_mac[47:16] <= s_rx_tdata;
            9'd3: {src_mac[15:0], ethertype} <= s_rx_tdata;
            9'd4: w4 <= s_rx_tdata;
            9'd5: w5 <= s_rx_tdata;
            9'd6: begin w6 <= s_rx_tdata; ip_proto <= s_rx_tdata[23:16]; end
            9'd7: begin w7 <= s_rx_tdata; ip_src <= s_rx_tdata; end
            9'd8: begin w8_hi <= s_rx_tdata[31:16]; ip_dst <= s_rx_tdata; end
            9'd9: icmp_w0 <= s_rx_tdata[31:16];
            9'd10: arp_tpa <= s_rx_tdata;
            default: ;
        endcase
        if (widx == l4_start + 9'd3 && widx > 9'd4)
            tcp_doff <= s_rx_tdata[31:28];

        // IPv4 header sum: words 4 .. 3+IHL.
        if (widx == 4) begin
            ip_sum      <= {15'd0, word_halves};
            ip_hdr_left <= s_rx_tdata[27:24] - 1'b1;
        end else if (widx > 4 && ip_hdr_left != 0) begin
            ip_sum      <= ip_sum + {15'd0, word_halves};
            ip_hdr_left <= ip_hdr_left - 1'b1;
        end

        // Payload sum (ICMP, TCP): from word 4 + IHL (ICMP with options never reaches an
        // ICMP verdict, so its reply data is summed for IHL 5 only). The TCP pseudo-header is
        // summed beside it, one field per word.
        if (widx == 4) begin
            l4_left    <= l4_len_now;
            l4_len     <= l4_len_now;
            l4_start   <= {5'd0, s_rx_tdata[27:24]} + 9'd4;
            l4_sum     <= 32'd0;
            icmp_data  <= 32'd0;
            tcp_pseudo <= {16'd0, l4_len_now};
        end else if (widx == 6) begin
            tcp_pseudo <= tcp_pseudo + {24'd0, s_rx_tdata[23:16]};
        end else if (widx == 7 || widx == 8) begin
            tcp_pseudo <= tcp_pseudo + {15'd0, word_halves};
        end
        if (widx >= 9 && widx >= l4_start && !l4_left[15]) begin
            l4_sum  <= l4_sum + {15'd0, l4_halves};
            if (widx >= 10)
                icmp_data <= icmp_data + {15'd0, l4_halves};
            l4_left <= l4_left - {13'd0, l4_lanes};
        end
    end
end

// ---- the verdict: fields compared and checksums folded in one cycle (folding), the verdict
// chosen from those registered results in the next (finish), so neither is a long path ----
`include "lib/csum_fold.vh"

wire [3:0]  ihl      = w4[27:24];
wire [15:0] ip_len   = w4[15:0];
wire [47:0] bcast_mac = 48'hffffffffffff;
reg  addr_miss, ip_ours, ip_bcast, ip_hdr_bad, ip_csum_bad, ip_frag, arp_bad, arp_request;
reg  icmp_csum_bad, echo_ok, tcp_bad;
reg  [15:0] reply_csum;

// The echo reply's checksum, summed afresh over its data (type 0, the code, then everything
// after the checksum field) rather than patched from the request's: a patch (RFC 1624) gives
// 0x0000 where an all-zero message needs 0xffff.
always @(posedge clk) begin
    if (folding) begin
        addr_miss     <= dst_mac != cfg_mac && dst_mac != bcast_mac;
        ip_ours       <= ip_dst == cfg_ip;
        ip_bcast      <= ip_dst == 32'hffffffff || ip_dst == (cfg_ip | ~cfg_netmask);
        ip_hdr_bad    <= w4[31:28] != 4'd4 || ihl < 4'd5 || ip_len < {10'd0, ihl, 2'b00} ||
                         {1'b0, ip_len} + 17'd14 > {6'd0, nbytes};
        ip_csum_bad   <= fold(ip_sum) != 16'hffff;
        ip_frag       <= w5[13] || w5[12:0] != 13'd0;
        arp_bad       <= w4 != 32'h00010800 || w5[31:16] != 16'h0604 || nbytes < 11'd42;
        arp_request   <= w5[15:0] == 16'd1 && arp_tpa == cfg_ip;
        icmp_csum_bad <= ip_proto == 8'd1 && fold(l4_sum) != 16'hffff;
        // A TCP header is at least 20 bytes and lies within the segment.
        tcp_bad       <= fold(l4_sum + tcp_pseudo) != 16'hffff || l4_len < 16'd20 ||
                         tcp_doff < 4'd5 || {10'd0, tcp_doff, 2'b00} > l4_len;
        // RFC 1122 3.2.1.3: no reply to a source that names no single host (0, a broadcast,
        // multicast); and an echo request has at least its 8-byte header.
        echo_ok       <= ip_proto == 8'd1 && icmp_w0[15:8] == 8'd8 && ip_dst == cfg_ip &&
                         ip_len >= 16'd28 && ip_src != 32'd0 && ip_src[31:28] != 4'he &&
                         ip_src != 32'hffffffff && ip_src != (cfg_ip | ~cfg_netmask);
        reply_csum    <= ~fold(icmp_data + {24'd0, icmp_w0[7:0]});
    end
end

reg [5:0] decide;
always @* begin
    if (mac_status == MAC_FRAMING)                         decide = STAT_RX_FRAMING_ERR;
    else if (mac_status == MAC_TOO_LONG)                   decide = STAT_RX_TOO_LONG;
    else if (mac_status == MAC_FCS)                        decide = STAT_RX_FCS_ERR;
    else if (!taken)                                       decide = STAT_RX_OVERFLOW;
    else if (addr_miss)                                    decide = STAT_RX_ADDR_MISS;
    else if (ethertype == 16'h0806) begin
        if (arp_bad)                                       decide = STAT_RX_ARP_BAD;
        else if (arp_request)                              decide = STAT_RX_ARP_REQ;
        else                                               decide = STAT_RX_ARP_OTHER;
    end else if (ethertype == 16'h0800) begin
        if (ip_hdr_bad)                                    decide = STAT_RX_IP_BAD_HDR;
        else if (ip_csum_bad)                              decide = STAT_RX_IP_CSUM;
        else if (!ip_ours && !ip_bcast)                    decide = STAT_RX_IP_NOT_OURS;
        else if (ip_frag)                                  decide = STAT_RX_IP_FRAG;
        else if (ihl != 4'd5 && ip_proto != 8'd6)          decide = STAT_RX_IP_OPTIONS;
        else if (icmp_csum_bad)                            decide = STAT_RX_ICMP_CSUM;
        else if (echo_ok)                                  decide = STAT_RX_ICMP_ECHO;
        else if (ip_proto == 8'd6 && tcp_bad)              decide = STAT_RX_TCP_BAD;
        else if (ip_proto == 8'd6 && ip_ours)              decide = tcp_match ? STAT_RX_TCP_SLOT
                                                                              : STAT_RX_TCP;
        else                                               decide = STAT_RX_IP_OTHER;
    end else                                               decide = STAT_RX_ETHERTYPE;
end

wire [8:0] frame_words = widx > MAX_FRAME_WORDS ? MAX_FRAME_WORDS[8:0] : widx;

always @(posedge clk) begin
    verdict_valid <= 1'b0;
    m_desc_valid  <= 1'b0;
    m_hq_valid    <= 1'b0;
    to_host       <= 1'b0;
    host_drop     <= 1'b0;
    finish2       <= finish;
    folding       <= 1'b0;
    if (folding)
        finish    <= 1'b1;

    if (beat) begin
        if (sof) begin
            taken      <= room_now;
            hq_taken   <= hq_room_now;
            nbytes     <= {8'd0, beat_bytes} - 11'd2;
        end else begin
            nbytes     <= nbytes + {8'd0, beat_bytes};  // at most 1514: the MAC cuts longer frames
        end
        if (widx != 9'd511)
            widx <= widx + 1'b1;
        if (s_rx_tlast) begin
            folding    <= 1'b1;
            mac_status <= s_rx_tuser;
        end
    end

    if (finish) begin
        finish        <= 1'b0;
        widx          <= 9'd0;
        verdict_valid <= 1'b1;
        verdict       <= decide;
        m_desc_icmp   <= decide == STAT_RX_ICMP_ECHO;
        m_desc_mac    <= decide == STAT_RX_ICMP_ECHO ? src_mac : {w6, w7[31:16]};
        m_desc_ip     <= decide == STAT_RX_ICMP_ECHO ? ip_src : {w7[15:0], w8_hi};
        m_desc_start  <= store_wr_ptr;
        m_desc_words  <= frame_words;
        m_desc_len    <= ip_len;
        m_desc_csum   <= reply_csum;
        m_desc_code   <= icmp_w0[7:0];
        if (decide == STAT_RX_ICMP_ECHO || decide == STAT_RX_ARP_REQ)
            m_desc_valid <= 1'b1;
        if (decide == STAT_RX_ICMP_ECHO)
            store_wr_ptr <= store_wr_ptr + {{(STORE_LOG2-8){1'b0}}, frame_words};
    end

    // The slow path, from the registered verdict. Frames the hardware answers (ARP_REQ,
    // ICMP_ECHO) never go up, even if their HOST_MASK bit is set; bit 0 (RX_FRAMES) is no
    // verdict. RX_TO_HOST / RX_HOST_DROP count in addition to the verdict's own counter.
    if (finish2 && !verdict[5] && host_mask[verdict[4:0]] && verdict != STAT_RX_FRAMES &&
        verdict != STAT_RX_ARP_REQ && verdict != STAT_RX_ICMP_ECHO) begin
        if (hq_taken) begin
            m_hq_valid   <= 1'b1;
            m_hq_start   <= hq_wr_ptr;
            m_hq_words   <= m_desc_words;
            m_hq_len     <= nbytes;
            m_hq_verdict <= verdict;
            m_hq_time    <= now_us;
            hq_wr_ptr    <= hq_wr_ptr + {{(HQ_LOG2-8){1'b0}}, m_desc_words};
            to_host      <= 1'b1;
        end else begin
            host_drop    <= 1'b1;
        end
    end

    if (rst) begin
        folding       <= 1'b0;
        finish        <= 1'b0;
        widx          <= 9'd0;
        taken         <= 1'b0;
        store_wr_ptr  <= 0;
        finish2       <= 1'b0;
        hq_taken      <= 1'b0;
        hq_wr_ptr     <= 0;
        m_hq_valid    <= 1'b0;
        to_host       <= 1'b0;
        host_drop     <= 1'b0;
        verdict_valid <= 1'b0;
        m_desc_valid  <= 1'b0;
    end
end

endmodule

`default_nettype wire
