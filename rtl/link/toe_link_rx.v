// SPDX-License-Identifier: MIT
// Link receive side: COBS decode, CRC-32 check, message buffer, RAW_TX checksums on the fly.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Host-to-device bytes arrive on s_link (docs/LINK.md, section 1). A frame ends at a 0x00;
 * zeros between frames are idle. The COBS decoder emits message bytes (a registered stage),
 * which are CRC-checked, packed big-endian into 32-bit words and written into one half of the
 * message buffer (2 x 512 x 32, two EBR): message byte 0 (type) is tdata[31:24] of word 0, so a
 * RAW_TX Ethernet frame sits in its half exactly in the core's 2-byte-pad word format (type
 * and arg take the pad's place) and the IPv4 header starts at word 4.
 *
 * After the delimiter the frame is judged: malformed COBS, under 6 or over MAX_MSG + 4
 * decoded bytes: bad_frame; CRC residue wrong: bad_crc; else, once the dispatcher holds no
 * message, it is handed over (msg_valid) with its first 8 bytes, its length and checksums in
 * registers, and the next frame comes into the other half while the dispatcher works on this
 * one (a TX_DATA's copy into the TX ring takes a quarter of the frame's time on the link:
 * with one buffer, s_link_tready was low that long, a fifth of the link's time in a bulk
 * upload). Nothing is acted on before its CRC passed and a half is never written while the
 * dispatcher holds it: s_link_tready is low from a frame's end until it is handed over.
 *
 * For RAW_TX the IPv4 header sum and the TCP/UDP/ICMP sum (with the pseudo-header for TCP
 * and UDP) are accumulated byte by byte as the message streams in (one adder per sum), and
 * folded in a few cycles after the check; toe_link patches them in on the way out.
 * Message offset m = frame offset + 2; the even m are the high bytes of 16-bit words.
 */
module toe_link_rx (
    input  wire        clk,
    input  wire        rst,

    input  wire [7:0]  s_link_tdata,
    input  wire        s_link_tvalid,
    output wire        s_link_tready,

    // the checked message
    output reg         msg_valid,
    input  wire        msg_done,        // one-cycle pulse: the held message's half is free again
    output reg  [10:0] msg_len,         // message bytes without the CRC
    output reg  [63:0] msg_head,        // message bytes 0..7, byte 0 in [63:56]
    input  wire [8:0]  buf_rd_addr,
    output wire [31:0] buf_rd_data,

    // RAW_TX checksums (valid with msg_valid)
    output reg         ip_ok,           // an IPv4 header to patch (word 6, bits 15:0)
    output reg  [15:0] ip_csum,
    output reg         l4_ok,           // a TCP/UDP/ICMP checksum to patch
    output reg  [15:0] l4_csum,
    output reg  [8:0]  l4_word,         // its word in the buffer
    output reg         l4_high,         // in bits 31:16 (else 15:0)

    output reg         bad_frame,       // one-cycle pulses
    output reg         bad_crc,
    output wire        idle             // no frame coming in, none checked or held
);

`include "toe_defs.vh"

localparam [10:0] MAX_FRAME = CONST_MAX_MSG[10:0] + 11'd4;  // with the CRC
localparam [2:0] R_RECV = 3'd0, R_CHECK = 3'd1, R_WAIT = 3'd2, R_SUM1 = 3'd3, R_SUM2 = 3'd4,
                 R_SUM3 = 3'd5;

reg [2:0] state;
reg       rx_half;     // the half the frame comes into
reg       hold_half;   // the half of the message the dispatcher holds

// ---- COBS decoder: one input byte per cycle, registered output ----
reg       in_frame;    // a non-zero byte of this frame has been seen
reg [7:0] blk_left;    // data bytes left in the block; 0: the next byte is a code
reg       prev_ff;     // the last code was 0xff (no zero follows its block)
reg       d_valid;
reg [7:0] d_byte;

assign s_link_tready = state == R_RECV;
wire in_beat = s_link_tvalid && s_link_tready;
assign idle = state == R_RECV && !in_frame && !msg_valid;
wire in_zero = s_link_tdata == 8'h00;

always @(posedge clk) begin
    d_valid <= 1'b0;
    if (in_beat && !in_zero) begin
        in_frame <= 1'b1;
        if (blk_left == 8'd0) begin
            // a code byte; the block before it (if any, and not a 0xff one) ended with a zero
            d_valid  <= in_frame && !prev_ff;
            d_byte   <= 8'h00;
            blk_left <= s_link_tdata - 8'd1;
            prev_ff  <= s_link_tdata == 8'hff;
        end else begin
            d_valid  <= 1'b1;
            d_byte   <= s_link_tdata;
            blk_left <= blk_left - 8'd1;
        end
    end
    if ((in_beat && in_zero) || rst) begin
        in_frame <= 1'b0;
        blk_left <= 8'd0;
        prev_ff  <= 1'b0;
    end
    if (rst)
        d_valid <= 1'b0;
end

// ---- CRC, length, packing into the buffer ----
reg  [31:0] crc;
reg  [10:0] len;        // decoded bytes so far (saturates past MAX_FRAME)
reg         too_long;
reg         cobs_bad;
reg  [31:0] wacc;       // the word being packed
wire [31:0] crc_next;

eth_crc32_8 crc_step (.crc_in(crc), .data(d_byte), .crc_out(crc_next));

reg [31:0] wnext;
always @* begin
    wnext = wacc;
    case (len[1:0])
        2'd0: wnext = {d_byte, 24'd0};
        2'd1: wnext[23:16] = d_byte;
        2'd2: wnext[15:8]  = d_byte;
        default: wnext[7:0] = d_byte;
    endcase
end

wire buf_wr = d_valid && !too_long;

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(10)) msg_buf (
    .clk(clk),
    .wr_en(buf_wr), .wr_addr({rx_half, len[10:2]}), .wr_data(wnext),
    .rd_addr({hold_half, buf_rd_addr}), .rd_data(buf_rd_data)
);

wire [10:0] rx_msg_len = len - 11'd4;
wire frame_bad  = cobs_bad || too_long || len < 11'd6 || crc != 32'hdebb20e3;
wire frame_over = (state == R_CHECK && frame_bad) || state == R_SUM3;

// ---- RAW_TX checksum accumulation (m = len is the offset of d_byte) ----
reg [15:0] ethertype;
reg [3:0]  ver, ihl;
reg [15:0] totlen;
reg [13:0] frag;         // MF and the fragment offset
reg [7:0]  proto;
reg [10:0] l4_start;    // m of the first L4 byte: 16 + 4 * IHL
reg [10:0] l4_pos;      // m of the L4 checksum field
reg [63:0] rx_head;     // message bytes 0..7 of the frame coming in
reg [11:0] l4_end;      // m past the last L4 byte: 16 + total length
reg [31:0] ip_sum, l4_sum;

wire        m_even  = !len[0];
wire [15:0] b16     = m_even ? {d_byte, 8'h00} : {8'h00, d_byte};
wire        pseudo  = proto == 8'd6 || proto == 8'd17;
wire        in_iph  = len >= 11'd16 && (len == 11'd16 || len < l4_start) &&
                      len != 11'd26 && len != 11'd27;
wire        in_l4   = len >= l4_start && {1'b0, len} < l4_end && len >= 11'd36 &&
                      len != l4_pos && len != l4_pos + 11'd1;
wire        in_addr = len >= 11'd28 && len < 11'd36 && pseudo;

always @(posedge clk) begin
    if (d_valid) begin
        if (len < 11'd8)
            rx_head <= {rx_head[55:0], d_byte};
        case (len)
            11'd14: ethertype[15:8] <= d_byte;
            11'd15: ethertype[7:0]  <= d_byte;
            11'd16: begin
                ver      <= d_byte[7:4];
                ihl      <= d_byte[3:0];
                l4_start <= 11'd16 + {5'd0, d_byte[3:0], 2'b00};
            end
            11'd18: totlen[15:8] <= d_byte;
            11'd19: totlen[7:0]  <= d_byte;
            11'd20: l4_end <= 12'd16 + totlen[11:0];
            11'd22: frag[13:8] <= d_byte[5:0];
            11'd23: frag[7:0]  <= d_byte;
            11'd25: proto <= d_byte;
            11'd26: l4_pos <= l4_start + (proto == 8'd6 ? 11'd16 : proto == 8'd17 ? 11'd6 : 11'd2);
            default: ;
        endcase
        if (totlen[15:12] != 4'd0 && len == 11'd20)
            l4_end <= 12'hfff;
        if (in_iph)
            ip_sum <= ip_sum + {16'd0, b16};
        if (in_l4 || in_addr)
            l4_sum <= l4_sum + {16'd0, b16};
    end
    if (rst || frame_over) begin
        ip_sum <= 32'd0;
        l4_sum <= 32'd0;
    end
end

// ---- frame end, check, checksum folding, hand-over ----
`include "lib/csum_fold.vh"

reg [31:0] l4_total;
wire [15:0] l4_len = totlen - {10'd0, ihl, 2'b00};

always @(posedge clk) begin
    bad_frame <= 1'b0;
    bad_crc   <= 1'b0;

    if (d_valid) begin
        crc <= crc_next;
        wacc <= wnext;
        if (len == MAX_FRAME)
            too_long <= 1'b1;
        else
            len <= len + 11'd1;
    end

    case (state)
        R_RECV: if (in_beat && in_zero && in_frame) begin
            state    <= R_CHECK;
            cobs_bad <= blk_left != 8'd0;
        end
        R_CHECK: begin
            // the last decoded byte has been through the CRC by now
            if (cobs_bad || too_long || len < 11'd6) begin  // (frame_bad, first part)
                bad_frame <= 1'b1;
                state     <= R_RECV;
            end else if (crc != 32'hdebb20e3) begin
                bad_crc <= 1'b1;
                state   <= R_RECV;
            end else begin
                state <= msg_valid ? R_WAIT : R_SUM1;
            end
        end
        R_WAIT: if (!msg_valid)
            state <= R_SUM1;   // the dispatcher is done with the checksum registers
        R_SUM1: begin
            ip_csum  <= ~fold(ip_sum);
            l4_total <= l4_sum + (pseudo ? {24'd0, proto} : 32'd0);
            ip_ok    <= ethertype == 16'h0800 && ver == 4'd4 && ihl >= 4'd5 &&
                        l4_start <= rx_msg_len;
            state    <= R_SUM2;
        end
        R_SUM2: begin
            l4_total <= l4_total + (pseudo ? {16'd0, l4_len} : 32'd0);
            l4_ok    <= ip_ok && (proto == 8'd1 || pseudo) && frag[13:0] == 14'd0 &&
                        l4_end <= {1'b0, rx_msg_len} && l4_pos + 11'd2 <= rx_msg_len;
            state    <= R_SUM3;
        end
        R_SUM3: begin
            // UDP sends a computed 0 as 0xffff (0 means "no checksum")
            l4_csum   <= (~fold(l4_total) == 16'h0000 && proto == 8'd17) ? 16'hffff : ~fold(l4_total);
            // the hand-over; the next frame comes into the other half
            msg_valid <= 1'b1;
            msg_len   <= rx_msg_len;
            msg_head  <= rx_head;
            l4_word   <= l4_pos[10:2];
            l4_high   <= !l4_pos[1];
            hold_half <= rx_half;
            rx_half   <= !rx_half;
            state     <= R_RECV;
        end
        default: state <= R_RECV;
    endcase
    if (msg_done)
        msg_valid <= 1'b0;

    // frame-local state restarts when a frame is over (rejected at the check, or handed over)
    if (rst || frame_over) begin
        crc      <= 32'hffffffff;
        len      <= 11'd0;
        too_long <= 1'b0;
    end

    if (rst) begin
        state     <= R_RECV;
        rx_half   <= 1'b0;
        msg_valid <= 1'b0;
        bad_frame <= 1'b0;
        bad_crc   <= 1'b0;
    end
end

endmodule

`default_nettype wire
