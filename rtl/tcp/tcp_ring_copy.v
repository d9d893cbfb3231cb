// SPDX-License-Identifier: MIT
// TCP fast path: copies a run of 32-bit message words into a byte ring (tcp_ring), one a cycle.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The copy loop of toe_tcp (two instances): a received segment's payload (the snoop's queue)
 * into the RX ring, and a TX_DATA message (the link's message buffer) into the TX ring. The
 * source is a word-addressed RAM with one cycle of read latency; the copy reads words first_word ..
 * last_word and writes word w at ring position pos + 4 * (w - first_word), byte j of the word
 * (j = 0 in [31:24]) enabled when the message byte 4w + j lies in [lo, hi).
 *
 *   start  ->  rd_word = first_word, first_word + 1, ..., last_word   (one a cycle)
 *              wr_en / wr_pos / wr_data / wr_be one cycle after each word's data came back
 *   done   ->  high for one cycle once the last word is written (the cycle after it)
 *
 * start is taken only while the unit is idle; the caller connects the source and the
 * destination ring.
 */
module tcp_ring_copy #(
    parameter POS_BITS = 13    // ring position bits (the ring's BUF_LOG2)
) (
    input  wire                clk,
    input  wire                rst,

    input  wire                start,
    input  wire [8:0]          first_word,   // source words first_word..last_word
    input  wire [8:0]          last_word,
    input  wire [10:0]         lo,           // message bytes [lo, hi) are written
    input  wire [10:0]         hi,
    input  wire [POS_BITS-1:0] pos,          // ring position of word first_word's byte 0
    output wire                done,

    output reg  [8:0]          rd_word,      // source read, data one cycle later
    input  wire [31:0]         rd_data,

    output reg                 wr_en,
    output reg  [POS_BITS-1:0] wr_pos,
    output reg  [31:0]         wr_data,
    output reg  [3:0]          wr_be
);

function [3:0] word_be;   // byte enables of word w (bytes 4w..4w+3) inside [lo, hi)
    input [8:0]  w;
    input [10:0] b_lo, b_hi;
    reg   [10:0] b;
    integer j;
    begin
        for (j = 0; j < 4; j = j + 1) begin
            b = {w, 2'b00} + j[10:0];
            word_be[3 - j] = b >= b_lo && b < b_hi;
        end
    end
endfunction

reg                active;
reg [8:0]          next_word, cur_word, last;
reg                pending;      // the word read last cycle is still to be written
reg [10:0]         win_lo, win_hi;
reg [POS_BITS-1:0] next_pos;
wire               more = next_word <= last;

assign done = active && !more && !pending;

always @(posedge clk) begin
    wr_en <= 1'b0;
    if (start && !active) begin
        active    <= 1'b1;
        next_word <= first_word;
        rd_word   <= first_word;
        last      <= last_word;
        win_lo    <= lo;
        win_hi    <= hi;
        next_pos  <= pos;
        pending   <= 1'b0;
    end else if (active) begin
        pending  <= more;
        cur_word <= next_word;
        if (more) begin
            next_word <= next_word + 9'd1;
            rd_word   <= next_word + 9'd1;
        end
        if (pending) begin
            wr_en    <= 1'b1;
            wr_pos   <= next_pos;
            wr_data  <= rd_data;
            wr_be    <= word_be(cur_word, win_lo, win_hi);
            next_pos <= next_pos + {{(POS_BITS-3){1'b0}}, 3'd4};
        end
        if (done)
            active <= 1'b0;
    end
    if (rst) begin
        active <= 1'b0;
        wr_en  <= 1'b0;
    end
end

endmodule

`default_nettype wire
