// SPDX-License-Identifier: MIT
// Link transmit side: RESP (or SESSION_ACK), EVENT, RAW_RX and RX_DATA messages, CRC-32, COBS, 0x00.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Message-level arbitration: when idle, a pending RESP goes first, then an EVENT, then the
 * oldest frame of the host queue as RAW_RX, then an RX_DATA offer of the TCP engine; the
 * bytes of two messages never interleave. The generator produces one byte per cycle: the
 * message header (and an event's fields) from a shift register, the body (the RAW_RX frame
 * from the host queue RAM, 32-bit words with the 2-byte pad; or RX_DATA bytes from the slot's
 * RX ring) read one word ahead, then the four CRC bytes (least significant first).
 *
 * The COBS encoder needs a whole block (up to 254 non-zero bytes) before it can send the
 * block's code byte, so it fills a 1 KiB circular buffer (one EBR) while the blocks closed
 * before drain to m_link: code, the block's bytes, and 0x00 after the message's last block.
 * m_link_tvalid/tdata come from registers and the buffer's output register.
 */
module toe_link_tx #(
    parameter HQ_LOG2 = 11
) (
    input  wire               clk,
    input  wire               rst,

    input  wire               resp_valid,
    output reg                resp_taken,     // one-cycle pulse: the RESP register is free
    input  wire               resp_session,   // send it as a SESSION_ACK (same layout)
    input  wire [7:0]         resp_tag,
    input  wire [7:0]         resp_status,
    input  wire [31:0]        resp_value,

    input  wire               ev_valid,
    output reg                ev_taken,
    input  wire [7:0]         ev_kind,
    input  wire [15:0]        ev_seq,
    input  wire [63:0]        ev_time,
    input  wire               ev_has_fields,  // SLOT events carry ev_fields after the time
    input  wire [143:0]       ev_fields,

    // host queue: descriptor head and frame RAM read port
    input  wire               hq_valid,
    output reg                hq_pop,
    input  wire [HQ_LOG2:0]   hq_start,
    input  wire [8:0]         hq_words,
    input  wire [10:0]        hq_len,
    input  wire [5:0]         hq_verdict,
    input  wire [63:0]        hq_time,
    output wire [HQ_LOG2-1:0] hq_rd_addr,
    input  wire [31:0]        hq_rd_data,
    output reg  [HQ_LOG2:0]   hq_rd_ptr,      // frees the host queue up to here

    // RX_DATA offer and the RX ring read port (the word at rxd_rd_seq, at most two cycles
    // later: the body is read a word ahead; rxd_rd_seq is a register, stepped with the word
    // read ahead, so that the ring's row carry has the cycle to itself)
    input  wire               rxd_valid,
    output reg                rxd_taken,
    input  wire [7:0]         rxd_slot,
    input  wire [31:0]        rxd_seq,
    input  wire [10:0]        rxd_len,
    output reg  [7:0]         rxd_rd_slot,
    output reg  [31:0]        rxd_rd_seq,
    output wire               rxd_busy,     // an RX_DATA taken is still being read (rxd_rd_*)
    input  wire [31:0]        rxd_rd_data,

    output wire [7:0]         m_link_tdata,
    output wire               m_link_tvalid,
    input  wire               m_link_tready,

    output reg                sent_msg,       // one-cycle pulses
    output reg                sent_event
);

`include "toe_defs.vh"

localparam [2:0] G_IDLE = 3'd0, G_HDR = 3'd1, G_BODY = 3'd2, G_DRAIN = 3'd3, G_CRC = 3'd4;
localparam [1:0] K_RESP = 2'd0, K_EVENT = 2'd1, K_RAW = 2'd2, K_DATA = 2'd3;

// ---- message generator ----
reg [2:0]  gstate;
reg [1:0]  kind;
// The longest fixed part is an EVENT's with a SLOT event's fields; the layouts (byte offsets
// AT_*, lengths HDR_*) are generated from spec/toe.spec, as the host's codec's are.
localparam HDR_BITS = 8 * (HDR_EVENT + HDR_SLOT_EVENT);
// The top bit of header byte i (byte 0, the type, goes out first).
function integer hbit(input integer i);
    hbit = HDR_BITS - 1 - 8 * i;
endfunction
localparam [4:0] HDR_LEN_RESP = HDR_RESP, HDR_LEN_EVENT = HDR_EVENT,
                 HDR_LEN_SLOT = HDR_EVENT + HDR_SLOT_EVENT, HDR_LEN_RAW = HDR_RAW_RX,
                 HDR_LEN_DATA = HDR_RX_DATA;
reg [HDR_BITS-1:0] hdr; // header bytes, next one in the top byte
reg [4:0]  hcnt;       // header bytes left
reg [10:0] p;          // position of the next body byte (RAW_RX: in the padded frame, from 2)
reg [31:0] w_cur;      // the body word holding byte p
reg [8:0]  w_next;     // the word read ahead (w_cur's next), from the message's start
reg [10:0] p_last;     // position of the body's last byte
reg [31:0] crc;
reg [1:0]  ccnt;

wire       e_ready;
reg  [7:0] e_byte;
wire       e_valid = gstate == G_HDR || gstate == G_BODY || gstate == G_CRC;
wire       e_last  = gstate == G_CRC && ccnt == 2'd3;
wire       e_beat  = e_valid && e_ready;
wire [31:0] crc_next;
// The body word read ahead. The ring's and the host queue's block RAM outputs go straight into
// w_cur: their clock-to-output and a route across the die leave no time for the byte
// multiplexer and the register slice behind them. The address is stable for at least two
// cycles before w_cur takes the word (the header's bytes, then four body bytes per word; the
// host queue's one-cycle RAM also covers RAW_RX's first word of two bytes).
wire [31:0] body_word = kind == K_RAW ? hq_rd_data : rxd_rd_data;

always @* begin
    case (gstate)
        G_HDR:   e_byte = hdr[HDR_BITS-1 -: 8];
        G_BODY:  case (p[1:0])
                     2'd0: e_byte = w_cur[31:24];
                     2'd1: e_byte = w_cur[23:16];
                     2'd2: e_byte = w_cur[15:8];
                     default: e_byte = w_cur[7:0];
                 endcase
        default: e_byte = ~crc[7:0];
    endcase
end

// The CRC is taken behind the register slice (the body byte comes from a block RAM: no time
// left for the CRC in the same cycle). G_DRAIN waits until the slice has passed every message
// byte into it; the CRC bytes themselves go through the slice marked, and are not summed.
wire [7:0] c_byte;
wire       c_valid, c_last, c_is_crc;
wire       c_ready;
wire       c_beat  = c_valid && c_ready;
wire       slice_empty = !c_valid && e_ready;

eth_crc32_8 crc_step (.crc_in(crc), .data(c_byte), .crc_out(crc_next));

always @(posedge clk) begin
    if (gstate == G_IDLE)
        crc <= 32'hffffffff;
    else if (gstate == G_CRC && e_beat)
        crc <= {8'd0, crc[31:8]};
    else if (c_beat && !c_is_crc)
        crc <= crc_next;
end

wire [10:0] p_inc  = p + 11'd1;
assign hq_rd_addr = hq_start[HQ_LOG2-1:0] + {{(HQ_LOG2-9){1'b0}}, w_next};
assign rxd_busy   = kind == K_DATA && (gstate == G_HDR || gstate == G_BODY);
wire body_end = p == p_last;

always @(posedge clk) begin
    resp_taken <= 1'b0;
    ev_taken   <= 1'b0;
    rxd_taken  <= 1'b0;
    hq_pop     <= 1'b0;
    sent_msg   <= 1'b0;
    sent_event <= 1'b0;

    case (gstate)
        G_IDLE: begin
            p      <= 11'd2;
            w_next <= 9'd0;
            hdr    <= {HDR_BITS{1'b0}};
            if (resp_valid) begin
                kind       <= K_RESP;
                hdr[hbit(0) -: 8] <= resp_session ? MSG_SESSION_ACK : MSG_RESP;
                hdr[hbit(1) -: 8] <= resp_tag;
                hdr[hbit(AT_RESP_STATUS) -: 8] <= resp_status;   // SESSION_ACK: the same layout
                hdr[hbit(AT_RESP_VALUE) -: 32] <= resp_value;
                hcnt       <= HDR_LEN_RESP;
                resp_taken <= 1'b1;
                gstate     <= G_HDR;
            end else if (ev_valid) begin
                kind     <= K_EVENT;
                hdr[hbit(0) -: 8] <= MSG_EVENT;
                hdr[hbit(1) -: 8] <= ev_kind;
                hdr[hbit(AT_EVENT_SEQ) -: 16] <= ev_seq;
                hdr[hbit(AT_EVENT_TIME) -: 64] <= ev_time;
                hdr[hbit(HDR_EVENT) -: 8 * HDR_SLOT_EVENT] <= ev_fields;
                hcnt     <= ev_has_fields ? HDR_LEN_SLOT : HDR_LEN_EVENT;
                ev_taken <= 1'b1;
                gstate   <= G_HDR;
            end else if (hq_valid && !hq_pop) begin
                // hq_pop takes a cycle to show in hq_valid: skip the cycle right after a pop
                kind   <= K_RAW;
                hdr[hbit(0) -: 8] <= MSG_RAW_RX;
                hdr[hbit(1) -: 8] <= {2'b00, hq_verdict};
                hdr[hbit(AT_RAW_RX_TIME) -: 64] <= hq_time;
                hcnt   <= HDR_LEN_RAW;
                p_last <= hq_len + 11'd1;
                gstate <= G_HDR;
            end else if (rxd_valid && !rxd_taken) begin
                kind        <= K_DATA;
                hdr[hbit(0) -: 8] <= MSG_RX_DATA;
                hdr[hbit(1) -: 8] <= rxd_slot;
                hdr[hbit(AT_RX_DATA_SEQ) -: 32] <= rxd_seq;
                hcnt        <= HDR_LEN_DATA;
                p           <= 11'd0;
                p_last      <= rxd_len - 11'd1;
                rxd_rd_seq  <= rxd_seq;
                rxd_rd_slot <= rxd_slot;
                rxd_taken   <= 1'b1;
                gstate      <= G_HDR;
            end
        end
        G_HDR: if (e_beat) begin
            hdr  <= {hdr[HDR_BITS-9:0], 8'd0};
            hcnt <= hcnt - 5'd1;
            if (hcnt == 5'd1) begin
                gstate <= ((kind == K_RAW && hq_len != 11'd0) || kind == K_DATA) ? G_BODY : G_DRAIN;
                w_cur  <= body_word;      // the first body word (p is in word 0)
                w_next <= 9'd1;
                rxd_rd_seq <= rxd_rd_seq + 32'd4;
            end
        end
        G_BODY: if (e_beat) begin
            p   <= p_inc;
            if (p[1:0] == 2'd3) begin     // on into the word read ahead
                w_cur  <= body_word;
                w_next <= w_next + 9'd1;
                rxd_rd_seq <= rxd_rd_seq + 32'd4;
            end
            if (body_end)
                gstate <= G_DRAIN;
        end
        G_DRAIN: if (slice_empty)
            gstate <= G_CRC;
        default: if (e_beat) begin  // G_CRC
            ccnt <= ccnt + 2'd1;
            if (e_last) begin
                gstate     <= G_IDLE;
                sent_msg   <= 1'b1;
                sent_event <= kind == K_EVENT;
                if (kind == K_RAW) begin
                    hq_pop    <= 1'b1;
                    hq_rd_ptr <= hq_start + {{(HQ_LOG2-8){1'b0}}, hq_words};
                end
            end
        end
    endcase
    if (gstate != G_CRC)
        ccnt <= 2'd0;

    if (rst) begin
        gstate     <= G_IDLE;
        hq_rd_ptr  <= 0;
        resp_taken <= 1'b0;
        ev_taken   <= 1'b0;
        rxd_taken  <= 1'b0;
        hq_pop     <= 1'b0;
        sent_msg   <= 1'b0;
        sent_event <= 1'b0;
    end
end

// ---- COBS encoder: blocks in a 1 KiB circular buffer, a queue of up to 15 closed blocks. The
// filler closes a block at a zero byte, at 254 bytes or at the message's end and goes straight
// on with the next while the closed ones wait for the drain; it waits only when the buffer
// could not take a whole block more. (With two 256-byte halves, a block closed early - a zero
// byte, a header's zero fields - stopped the filler for the whole drain of the block before,
// and the link ran at about half its rate.) The drain sends a message without a gap: it takes
// the next block in the cycle the last byte of the one before leaves, and it starts a message
// only once the message is all in the buffer (or 257 bytes of it, or the queue is full). A
// gap ends the PHY's burst: over the FT245 model the bus went to the host for 512 bytes at
// every block boundary, and a SLOT event, split at each of its zero bytes, reached the host
// some 5 KB of upload later, which left the host without TX ring room for a fifth of the time.
// ----
reg [9:0] f_base;       // buffer address of the block being filled
reg [7:0] f_cnt;        // non-zero bytes in the block being filled
reg [3:0] q_head, q_tail;
reg [3:0] q_n;          // closed blocks waiting for the drain
reg [3:0] q_msgs;       // of them, the last blocks of a message
reg [9:0] q_base [0:15];
reg [7:0] q_len  [0:15];
reg       q_end  [0:15]; // the message's last block: 0x00 follows
reg       final_empty;  // the message ended with a zero byte: an empty last block follows

reg        d_busy;
reg [9:0]  d_base;
reg [7:0]  d_len;
reg [8:0]  d_idx;       // 0 code, 1..d_len data, d_len+1 the delimiter
reg        d_end;       // the block taken last ends its message (or none was taken yet)
reg        held_many;   // 512 bytes held from the drained block on (at least 257 after it)
wire [7:0] buf_rd_data;

// the oldest byte still needed, and room for a whole block more (and a descriptor)
wire [9:0] held_from = d_busy ? d_base : q_n != 4'd0 ? q_base[q_head] : f_base;
wire [9:0] held      = f_base + {2'b00, f_cnt} - held_from;
wire       q_room    = held < 10'd768 && q_n != 4'd15;
assign c_ready = q_room && !final_empty;

axis_register #(.DATA_WIDTH(9)) cobs_slice (
    .clk(clk), .rst(rst),
    .s_tdata({gstate == G_CRC, e_byte}), .s_tvalid(e_valid), .s_tready(e_ready), .s_tlast(e_last),
    .m_tdata({c_is_crc, c_byte}), .m_tvalid(c_valid), .m_tready(c_ready), .m_tlast(c_last)
);

// The drain's read address is a multiplexer between two registers (d_ptr, d_ptr_nx), and its
// end a compare with a register (d_last): the sums they replace were three carry chains in a
// row before the buffer's address (colorlight-i5, core clock: 66.4 MHz of 62.5 + 10 %).
reg  [8:0] d_last;      // the index of the block's last byte: d_len, + 1 with the delimiter
reg  [9:0] d_ptr;       // buffer address of byte d_idx (d_base + d_idx - 1)
reg  [9:0] d_ptr_nx;    // d_ptr + 1
wire d_beat = d_busy && m_link_tready;
wire d_done = d_idx == d_last;
wire d_adv  = d_beat && !d_done;
wire blk_take = q_n != 4'd0 && (!d_busy || (d_beat && d_done)) &&
                (!d_end || q_msgs != 4'd0 || q_n == 4'd15 || held_many);

ram_sdp #(.DATA_WIDTH(8), .ADDR_WIDTH(10)) cobs_buf (
    .clk(clk),
    .wr_en(c_beat && c_byte != 8'h00), .wr_addr(f_base + {2'b00, f_cnt}), .wr_data(c_byte),
    .rd_addr(d_adv ? d_ptr_nx : d_ptr), .rd_data(buf_rd_data)
);

assign m_link_tvalid = d_busy;
assign m_link_tdata  = d_idx == 9'd0 ? d_len + 8'd1 :
                       d_idx <= {1'b0, d_len} ? buf_rd_data : 8'h00;

// a block closes this cycle: its length and whether it ends the message
reg       cl;
reg [7:0] cl_len;
reg       cl_end;
always @* begin
    cl = 1'b0;
    cl_len = f_cnt;
    cl_end = 1'b0;
    if (c_beat) begin
        if (c_byte == 8'h00) begin
            cl = 1'b1;
        end else if (f_cnt == 8'd253 || c_last) begin
            cl = 1'b1;
            cl_len = f_cnt + 8'd1;
            cl_end = c_last;
        end
    end else if (final_empty && q_n != 4'd15) begin
        cl = 1'b1;
        cl_len = 8'd0;
        cl_end = 1'b1;
    end
end

always @(posedge clk) begin
    if (c_beat && !cl)
        f_cnt <= f_cnt + 8'd1;
    if (c_beat && c_byte == 8'h00)
        final_empty <= c_last;
    else if (!c_beat && final_empty && q_n != 4'd15)
        final_empty <= 1'b0;
    if (cl) begin
        q_base[q_tail] <= f_base;
        q_len[q_tail]  <= cl_len;
        q_end[q_tail]  <= cl_end;
        q_tail         <= q_tail + 4'd1;
        f_base         <= f_base + {2'b00, cl_len};
        f_cnt          <= 8'd0;
    end
    q_n <= q_n + {3'b000, cl} - {3'b000, blk_take};
    q_msgs <= q_msgs + {3'b000, cl && cl_end} - {3'b000, blk_take && q_end[q_head]};
    held_many <= held >= 10'd512;

    if (blk_take) begin
        q_head   <= q_head + 4'd1;
        d_busy   <= 1'b1;
        d_base   <= q_base[q_head];
        d_len    <= q_len[q_head];
        d_end    <= q_end[q_head];
        d_last   <= {1'b0, q_len[q_head]} + {8'd0, q_end[q_head]};
        d_ptr    <= q_base[q_head] - 10'd1;
        d_ptr_nx <= q_base[q_head];
        d_idx    <= 9'd0;
    end else if (d_beat) begin
        if (d_done)
            d_busy <= 1'b0;
        if (d_adv) begin
            d_idx    <= d_idx + 9'd1;
            d_ptr    <= d_ptr_nx;
            d_ptr_nx <= d_ptr_nx + 10'd1;
        end
    end

    if (rst) begin
        f_base      <= 10'd0;
        f_cnt       <= 8'd0;
        q_head      <= 4'd0;
        q_tail      <= 4'd0;
        q_n         <= 4'd0;
        q_msgs      <= 4'd0;
        final_empty <= 1'b0;
        d_busy      <= 1'b0;
        d_end       <= 1'b1;
        d_base      <= 10'd0;
        d_idx       <= 9'd0;
    end
end

endmodule

`default_nettype wire
