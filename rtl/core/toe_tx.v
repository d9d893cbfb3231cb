// SPDX-License-Identifier: MIT
// Transmit builder: ARP replies and ICMP echo replies from descriptors and the frame store.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Pops one descriptor at a time and sends the reply as a 32-bit frame with the 2-byte pad.
 * It starts a frame only when the MAC's transmit FIFO has room for all of it, so a frame is
 * never stalled halfway (it still obeys tready on every beat). m_tx_req asks toe_tx_arb for
 * the MAC; the arbiter shows m_tx_free only to the source it granted. The presented word is a
 * register, built a word ahead: the frame store's read data (block RAM output, slow on -6
 * parts) goes only into that register, not on through the arbiters to the MAC.
 *
 * ARP reply (11 words):               ICMP echo reply (words 0-9 built, 10.. from the store):
 *   0  pad pad tha0 tha1                0-3  Ethernet: requester <- us, type 0x0800
 *   1  tha2..5                          4    45 00 totlen
 *   2  our mac 0..3                     5    id (our counter), flags 0
 *   3  our mac 4 5, type 0x0806         6    ttl 64, proto 1, header checksum
 *   4  htype 1, ptype 0x0800            7    our IP
 *   5  hlen 6, plen 4, oper 2           8    requester's IP
 *   6  sha = our mac 0..3               9    type 0, code, checksum (RFC 1624 update)
 *   7  sha 4 5, spa = our IP 0 1        10.. identifier, sequence, data as received
 *   8  spa 2 3, tha0 tha1
 *   9  tha2..5
 *  10  tpa = requester's IP
 */
module toe_tx #(
    parameter STORE_LOG2   = 11,  // frame store size, 2^N 32-bit words
    parameter TX_FREE_BITS = 11   // width of the MAC's transmit FIFO free count
) (
    input  wire                    clk,
    input  wire                    rst,

    // descriptors from toe_rx_parse
    input  wire                    s_desc_valid,
    output reg                     s_desc_pop,
    input  wire                    s_desc_icmp,
    input  wire [47:0]             s_desc_mac,
    input  wire [31:0]             s_desc_ip,
    input  wire [STORE_LOG2:0]     s_desc_start,
    input  wire [8:0]              s_desc_words,
    input  wire [15:0]             s_desc_len,
    input  wire [15:0]             s_desc_csum,   // the reply's ICMP checksum
    input  wire [7:0]              s_desc_code,

    // frame store read port; store_rd_ptr frees what has been sent
    output wire [STORE_LOG2-1:0]   store_rd_addr,
    input  wire [31:0]             store_rd_data,
    output reg  [STORE_LOG2:0]     store_rd_ptr,

    // frames to the MAC (through toe_tx_arb: m_tx_req while waiting to start a frame)
    output wire                    m_tx_req,
    output reg  [31:0]             m_tx_tdata,
    output reg  [3:0]              m_tx_tkeep,
    output reg                     m_tx_tvalid,
    input  wire                    m_tx_tready,
    output reg                     m_tx_tlast,
    input  wire [TX_FREE_BITS-1:0] m_tx_free,

    // one pulse per frame sent
    output reg                     sent_arp,
    output reg                     sent_icmp,

    input  wire [47:0]             cfg_mac,
    input  wire [31:0]             cfg_ip
);

localparam [1:0] S_IDLE = 2'd0, S_SUM = 2'd1, S_WAIT = 2'd2, S_SEND = 2'd3;
localparam [8:0] ARP_WORDS = 9'd11;

reg [1:0]  state;
reg [8:0]  widx;       // word being built (one after the word presented)
reg [8:0]  nwords;     // words in this reply
reg [3:0]  last_keep;
reg [19:0] hdr_sum;    // IPv4 header sum before folding
reg [15:0] hdr_csum;
reg [15:0] ip_id;

wire beat  = m_tx_tvalid && m_tx_tready;
wire start = state == S_WAIT && {{(20-TX_FREE_BITS){1'b0}}, m_tx_free} >= {11'd0, nwords};
wire take  = !m_tx_tvalid || m_tx_tready;  // the presented word takes the built one
assign m_tx_req = state == S_WAIT;

// Store reads run one word ahead of the word built (registered RAM output). The start moves
// the build to word 1 without a read ahead, so the store's data is right from word 2 on: the
// store's words are 10 on.
wire [8:0] next_widx = beat ? widx + 1'b1 : widx;
assign store_rd_addr = s_desc_start[STORE_LOG2-1:0] + {{(STORE_LOG2-9){1'b0}}, next_widx};

// Reply length in words and the keep of its last word, including the 2-byte pad.
// An echo request passed 14 + length <= 1514, so 11 bits hold the reply's byte count.
wire [10:0] icmp_bytes = s_desc_len[10:0] + 11'd16;
wire [8:0]  icmp_words = icmp_bytes[10:2] + {8'd0, icmp_bytes[1:0] != 2'd0};
wire        unused_len = ^s_desc_len[15:11];

wire [16:0] hdr_fold1 = {1'b0, hdr_sum[15:0]} + {13'd0, hdr_sum[19:16]};

// The built word, as two 16-bit halves, each an AND-OR of the fields that word index can
// hold, over a one-hot word index in flip-flops (yosys maps this to about half the LUTs of a
// case statement on widx). at[i]: header word i (0..9) is built; late: word 10 on (ARP: the
// requester's IP; ICMP: the store). Both move with widx.
reg  [9:0] at;
reg        late;
wire       arp  = !s_desc_icmp;
wire       icmp = s_desc_icmp;
// A function, not a wire: the virtual board then builds the word only in the cycles that take
// it (the same logic in hardware).
function [31:0] header_word;
    input [9:0] at_i;
    input       late_i;
    reg [15:0] word_hi, word_lo;
    begin
        word_hi =
        ({16{at_i[1] | arp & at_i[9]}}       & s_desc_mac[31:16]) |
        ({16{at_i[2] | arp & at_i[6]}}       & cfg_mac[47:32]) |
        ({16{at_i[3] | arp & at_i[7]}}       & cfg_mac[15:0]) |
        ({16{arp & at_i[8]}}                 & cfg_ip[15:0]) |
        ({16{arp & late_i | icmp & at_i[8]}} & s_desc_ip[31:16]) |
        ({16{icmp & at_i[5]}}                & ip_id) |
        ({16{icmp & at_i[7]}}                & cfg_ip[31:16]) |
        ({16{icmp & at_i[9]}}                & {8'h00, s_desc_code}) |
        ({16{icmp & late_i}}                 & store_rd_data[31:16]) |
        ({16{at_i[4]}}                       & (arp ? 16'h0001 : 16'h4500)) |  // htype / ver, ihl
        ({16{arp & at_i[5]}}                 & 16'h0604) |                     // hlen, plen
        ({16{icmp & at_i[6]}}                & 16'h4001);                      // TTL 64, ICMP
        word_lo =
        ({16{at_i[0] | arp & at_i[8]}}       & s_desc_mac[47:32]) |
        ({16{at_i[1] | arp & at_i[9]}}       & s_desc_mac[15:0]) |
        ({16{at_i[2] | arp & at_i[6]}}       & cfg_mac[31:16]) |
        ({16{arp & at_i[7]}}                 & cfg_ip[31:16]) |
        ({16{arp & late_i | icmp & at_i[8]}} & s_desc_ip[15:0]) |
        ({16{icmp & at_i[4]}}                & s_desc_len) |
        ({16{icmp & at_i[6]}}                & hdr_csum) |
        ({16{icmp & at_i[7]}}                & cfg_ip[15:0]) |
        ({16{icmp & at_i[9]}}                & s_desc_csum) |
        ({16{icmp & late_i}}                 & store_rd_data[15:0]) |
        ({16{at_i[3]}}                       & (arp ? 16'h0806 : 16'h0800)) |  // ethertype
        ({16{arp & at_i[4]}}                 & 16'h0800) |                     // ptype
        ({16{arp & at_i[5]}}                 & 16'h0002);                      // oper: reply
        header_word = {word_hi, word_lo};
    end
endfunction

wire        word_last = widx == nwords - 1'b1;

always @(posedge clk) begin
    s_desc_pop <= 1'b0;
    sent_arp   <= 1'b0;
    sent_icmp  <= 1'b0;

    case (state)
        S_IDLE: if (s_desc_valid && !s_desc_pop) begin
            // s_desc_pop takes a cycle to show, so skip the cycle right after a pop.
            if (s_desc_icmp) begin
                nwords    <= icmp_words;
                last_keep <= icmp_bytes[1:0] == 2'd0 ? 4'b1111 : icmp_bytes[1:0] == 2'd1 ? 4'b1000 :
                             icmp_bytes[1:0] == 2'd2 ? 4'b1100 : 4'b1110;
            end else begin
                nwords    <= ARP_WORDS;
                last_keep <= 4'b1111;
            end
            widx      <= 9'd0;
            at        <= 10'd1;
            late      <= 1'b0;
            hdr_sum   <= 20'h4500 + {4'd0, s_desc_len} + {4'd0, ip_id} + 20'h4001 +
                         {4'd0, cfg_ip[31:16]} + {4'd0, cfg_ip[15:0]} +
                         {4'd0, s_desc_ip[31:16]} + {4'd0, s_desc_ip[15:0]};
            state     <= S_SUM;
        end
        S_SUM: begin
            hdr_csum <= ~(hdr_fold1[15:0] + {15'd0, hdr_fold1[16]});
            state    <= S_WAIT;
        end
        S_WAIT: if (start) begin
            m_tx_tvalid <= 1'b1;
            state       <= S_SEND;
        end
        S_SEND: if (beat) begin
            if (m_tx_tlast) begin
                m_tx_tvalid <= 1'b0;
                s_desc_pop  <= 1'b1;
                sent_arp    <= !s_desc_icmp;
                sent_icmp   <= s_desc_icmp;
                if (s_desc_icmp) begin
                    store_rd_ptr <= s_desc_start + {{(STORE_LOG2-8){1'b0}}, s_desc_words};
                    ip_id        <= ip_id + 1'b1;
                end
                state <= S_IDLE;
            end
        end
        default: state <= S_IDLE;
    endcase

    // Waiting, the presented word holds word 0; it moves on at the start and at each beat.
    // Without a descriptor (tvalid low) nothing takes the presented word: the virtual board then
    // skips building it (a test of state instead costs yosys some 40 LUT4 more)
    if (take && s_desc_valid) begin
        m_tx_tdata <= header_word(at, late);
        m_tx_tlast <= word_last;
        m_tx_tkeep <= word_last ? last_keep : 4'b1111;
    end
    if (start || beat) begin
        widx       <= widx + 1'b1;
        at         <= at << 1;
        if (at[9])
            late <= 1'b1;
    end

    if (rst) begin
        state        <= S_IDLE;
        m_tx_tvalid  <= 1'b0;
        s_desc_pop   <= 1'b0;
        store_rd_ptr <= 0;
        ip_id        <= 16'd0;
        sent_arp     <= 1'b0;
        sent_icmp    <= 1'b0;
    end
end

endmodule

`default_nettype wire
