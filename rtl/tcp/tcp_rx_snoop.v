// SPDX-License-Identifier: MIT
// TCP receive snoop: matches segments of offloaded slots beside the parser and queues them.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Watches the words toe_rx_parse accepts (rx_beat) and, for every frame,
 *   - captures the IPv4/TCP fields by word index (layout in docs/ARCHITECTURE.md section 4:
 *     w3 ethertype, w4 ver/ihl totlen, w6 protocol, w7 source IP; then, o = IHL - 5 option
 *     words later, w9+o ports, w10+o seq, w11+o ack, w12+o data offset, flags, window,
 *     w13+o urgent pointer; the IPv4 options are skipped),
 *   - compares {source IP, destination port, source port} with every slot's key, SLOTS
 *     parallel compares registered every cycle once the ports are in,
 *   - writes the TCP payload (frame words 9 + o + doff ..) into a free segment buffer.
 * tcp_match and match_slot are registered at the last beat, so they are valid from the
 * parser's folding cycle until the next frame's last beat. They need the frame to reach at
 * least word 13 + o (every frame that can pass the parser's TCP checks does).
 *
 * 2^SEG_LOG2 segment buffers of 512 words in one ram_sdp. A frame is written into the buffer
 * at the queue's tail if, at its first beat, a buffer is free. The parser's verdict decides:
 * STAT_RX_TCP_SLOT commits the frame (its fields become a queue entry, the tail moves),
 * anything else discards it. A STAT_RX_TCP_SLOT frame that found no free buffer pulses
 * seg_drop instead. The controller reads the head (seg_*) and releases it with seg_done. A
 * payload is read from a buffer (seg_rd_buf, the low bits of its queue position; seg_rd_word ->
 * seg_rd_data one clock later): the head's (seg_head), or one released while its copy still
 * runs: seg_hold keeps the buffer at seg_hold_at, and those after it, from being reused.
 */
module tcp_rx_snoop #(
    parameter SLOTS     = 8,   // connection slots (4..32)
    parameter SLOT_BITS = 3,   // clog2(SLOTS)
    parameter SEG_LOG2  = 2    // 2^SEG_LOG2 segment buffers of 512 words
) (
    input  wire                   clk,
    input  wire                   rst,

    // the parser's input stream, as accepted
    input  wire [31:0]            rx_tdata,
    input  wire [3:0]             rx_tkeep,
    input  wire                   rx_beat,
    input  wire                   rx_tlast,

    // slot keys from the controller
    input  wire [SLOTS-1:0]       key_valid,
    input  wire [SLOTS*32-1:0]    key_ip,      // remote IP of slot i at [32*i +: 32]
    input  wire [SLOTS*32-1:0]    key_ports,   // local port << 16 | remote port

    // to the parser: from the cycle after the last beat until the next frame's last beat
    output reg                    tcp_match,
    output reg  [SLOT_BITS-1:0]   match_slot,  // the matched slot (lowest index if several)

    // the parser's verdict (one per frame, between its last beat and the next first beat)
    input  wire                   verdict_valid,
    input  wire [5:0]             verdict,
    output reg                    seg_drop,    // pulse: a STAT_RX_TCP_SLOT frame found no buffer

    // segment queue head
    output wire                   seg_valid,
    input  wire                   seg_done,
    output wire [SLOT_BITS-1:0]   seg_slot,
    output wire [31:0]            seg_seq,
    output wire [31:0]            seg_ack,
    output wire [15:0]            seg_wnd,
    output wire [15:0]            seg_up,      // the urgent pointer
    output wire [7:0]             seg_flags,
    output wire [10:0]            seg_len,
    output wire [SEG_LOG2:0]      seg_head,    // the head's queue position
    input  wire                   seg_hold,    // the buffer at seg_hold_at is still read
    input  wire [SEG_LOG2:0]      seg_hold_at,
    input  wire [SEG_LOG2-1:0]    seg_rd_buf,  // payload read: this buffer's word seg_rd_word
    input  wire [8:0]             seg_rd_word,
    output wire [31:0]            seg_rd_data
);

`include "toe_defs.vh"

localparam NBUF = 1 << SEG_LOG2;
localparam QW   = SLOT_BITS + 32 + 32 + 16 + 16 + 8 + 11;   // one queue entry

// ---- per-frame capture ----
reg [8:0]  widx;        // index of the next word of the frame (saturates)
reg        taken;       // a buffer was free at the first beat
reg [15:0] ethertype;
reg [7:0]  ver_ihl;
reg [3:0]  ip_opt;      // IPv4 option words: IHL - 5
reg [8:0]  tcp_w13;     // frame word of the TCP checksum and urgent pointer: 13 + IHL - 5
reg [10:0] ip_len;      // IPv4 total length (a fast-path frame's is at most 1500)
reg [7:0]  ip_proto;
reg [31:0] ip_src;
reg [31:0] ports;       // source (remote) port, destination (local) port
reg [31:0] tcp_seq, tcp_ack;
reg [3:0]  tcp_doff;
reg [8:0]  pay_start;   // frame word of payload word 0: 9 + o + data offset
reg [7:0]  tcp_flags;
reg [15:0] tcp_wnd;
reg [15:0] tcp_up;

// ---- queue ----
reg  [SEG_LOG2:0] q_wr, q_rd;   // tail (the buffer being filled) and head
reg  [QW-1:0]     q_mem [0:NBUF-1];
wire [SEG_LOG2:0] q_used = q_wr - (seg_hold ? seg_hold_at : q_rd);   // buffers not free
wire              q_room = q_used < NBUF;

wire first = rx_beat && widx == 9'd0;
// the TCP header's words by their index in a frame without IPv4 options (so from word 9 on,
// once word 4 gave the IHL; before the TCP header it matches none of 9..13)
wire [8:0] tidx = widx - {5'd0, ip_opt};

always @(posedge clk) begin
    if (rx_beat) begin
        case (widx)
            9'd3:  ethertype <= rx_tdata[15:0];
            9'd4:  begin ver_ihl <= rx_tdata[31:24]; ip_len <= rx_tdata[10:0];
                         ip_opt <= rx_tdata[27:24] - 4'd5;
                         tcp_w13 <= {5'd0, rx_tdata[27:24]} + 9'd8; end
            9'd6:  ip_proto <= rx_tdata[23:16];
            9'd7:  ip_src <= rx_tdata;
            default: ;
        endcase
        if (widx >= 9'd9) begin
            case (tidx)
                9'd9:  ports <= rx_tdata;
                9'd10: tcp_seq <= rx_tdata;
                9'd11: tcp_ack <= rx_tdata;
                9'd12: begin tcp_doff <= rx_tdata[31:28]; tcp_flags <= rx_tdata[23:16];
                             tcp_wnd <= rx_tdata[15:0];
                             pay_start <= {5'd0, ip_opt} + 9'd9 + {5'd0, rx_tdata[31:28]}; end
                9'd13: tcp_up <= rx_tdata[15:0];
                default: ;
            endcase
        end
        if (rx_tlast)
            widx <= 9'd0;
        else if (widx != 9'd511)
            widx <= widx + 1'b1;
        if (first)
            taken <= q_room;
    end
    if (rst) begin
        widx  <= 9'd0;
        taken <= 1'b0;
    end
end

// ---- slot lookup: one registered compare per slot, then a priority encoder at the last beat ----
reg [SLOTS-1:0] hit;
integer si;
always @(posedge clk) begin
    for (si = 0; si < SLOTS; si = si + 1)
        hit[si] <= key_valid[si] && key_ip[32 * si +: 32] == ip_src &&
                   key_ports[32 * si +: 32] == {ports[15:0], ports[31:16]};
end

reg [SLOT_BITS-1:0] hit_slot;
integer ei;
always @* begin
    hit_slot = {SLOT_BITS{1'b0}};
    for (ei = SLOTS - 1; ei >= 0; ei = ei - 1)
        if (hit[ei]) hit_slot = ei[SLOT_BITS-1:0];
end

// Flags: SYN 0x02, RST 0x04 go to the slow path. IHL 5..15: options are skipped.
wire frame_match = widx >= tcp_w13 && ethertype == 16'h0800 && ver_ihl[7:4] == 4'd4 &&
                   ver_ihl[3:0] >= 4'd5 && ip_proto == 8'd6 && |hit && !tcp_flags[1] && !tcp_flags[2];

always @(posedge clk) begin
    if (rx_beat && rx_tlast) begin
        tcp_match  <= frame_match;
        match_slot <= hit_slot;
    end
    if (rst) begin
        tcp_match  <= 1'b0;
        match_slot <= {SLOT_BITS{1'b0}};
    end
end

// ---- payload into the tail buffer: frame word 9 + o + doff is payload word 0 ----
wire [8:0]  pay_word  = widx - pay_start;
wire [31:0] keep_mask = {{8{rx_tkeep[3]}}, {8{rx_tkeep[2]}}, {8{rx_tkeep[1]}}, {8{rx_tkeep[0]}}};
wire        buf_wr    = rx_beat && taken && widx >= tcp_w13 && widx >= pay_start;

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(SEG_LOG2 + 9)) seg_buf (
    .clk(clk),
    .wr_en(buf_wr), .wr_addr({q_wr[SEG_LOG2-1:0], pay_word}), .wr_data(rx_tdata & keep_mask),
    .rd_addr({seg_rd_buf, seg_rd_word}), .rd_data(seg_rd_data)
);

// ---- commit at the verdict, release with seg_done ----
wire [10:0] pay_len = ip_len - {5'd0, ver_ihl[3:0], 2'b00} - {5'd0, tcp_doff, 2'b00};
wire        commit  = verdict_valid && verdict == STAT_RX_TCP_SLOT && taken;

always @(posedge clk)
    if (commit)
        q_mem[q_wr[SEG_LOG2-1:0]] <= {match_slot, tcp_seq, tcp_ack, tcp_wnd, tcp_up, tcp_flags, pay_len};

always @(posedge clk) begin
    seg_drop <= 1'b0;
    if (verdict_valid && verdict == STAT_RX_TCP_SLOT) begin
        if (taken) begin
            q_wr <= q_wr + 1'b1;
        end else begin
            seg_drop <= 1'b1;
        end
    end
    if (seg_done && seg_valid)
        q_rd <= q_rd + 1'b1;
    if (rst) begin
        q_wr     <= 0;
        q_rd     <= 0;
        seg_drop <= 1'b0;
    end
end

assign seg_valid = q_wr != q_rd;
assign seg_head  = q_rd;
assign {seg_slot, seg_seq, seg_ack, seg_wnd, seg_up, seg_flags, seg_len} = q_mem[q_rd[SEG_LOG2-1:0]];

endmodule

`default_nettype wire
