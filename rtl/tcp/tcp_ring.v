// SPDX-License-Identifier: MIT
// Per-slot byte rings for the TCP fast path (a TX ring and an RX ring), unaligned word access.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * 2^SLOT_BITS rings of 2^BUF_LOG2 bytes each. A ring position is a TCP sequence number modulo
 * the ring size (docs/TCP.md section 2), so both ports take any byte offset: a word access
 * covers offsets off, off+1, off+2, off+3 (mod the ring size, never into the next slot), the
 * byte at `off` in [31:24].
 *
 * Four 8-bit block RAM lanes, lane = offset mod 4, row = {slot, offset >> 2}. For an access
 * at offset off (a = off mod 4) lane L holds byte k = (L - a) mod 4 of the word, at row
 * off >> 2, or the next row (wrapping inside the slot) when L < a. The read data is rotated
 * back into byte order behind the registered RAM outputs.
 *
 * Write: byte k of wr_data (k = 0 is wr_data[31:24]) goes to offset wr_off + k when
 * wr_be[3 - k] is set. Read: rd_data one clock after rd_slot/rd_off, or two with RD_REG = 1
 * (the lanes registered again before the rotation: a block RAM's clock-to-output is about
 * 5.8 ns on a -6 part, which leaves no time for a route across the die and logic behind it).
 * A read of a byte written in the same cycle returns the old byte (ram_sdp).
 */
module tcp_ring #(
    parameter SLOT_BITS = 3,   // 2^SLOT_BITS rings (1..5)
    parameter BUF_LOG2  = 13,  // bytes per ring, 2^BUF_LOG2 (10..15)
    parameter RD_REG    = 0    // 1: rd_data two clocks after the address instead of one
) (
    input  wire                 clk,

    input  wire                 wr_en,
    input  wire [SLOT_BITS-1:0] wr_slot,
    input  wire [BUF_LOG2-1:0]  wr_off,
    input  wire [31:0]          wr_data,
    input  wire [3:0]           wr_be,

    input  wire [SLOT_BITS-1:0] rd_slot,
    input  wire [BUF_LOG2-1:0]  rd_off,
    output reg  [31:0]          rd_data
);

localparam ROW_BITS  = BUF_LOG2 - 2;
localparam ADDR_BITS = SLOT_BITS + ROW_BITS;

wire [1:0]          wr_a   = wr_off[1:0];
wire [ROW_BITS-1:0] wr_row = wr_off[BUF_LOG2-1:2];
wire [1:0]          rd_a   = rd_off[1:0];
wire [ROW_BITS-1:0] rd_row = rd_off[BUF_LOG2-1:2];

// Lanes below the access's byte offset take the next row: lane L when L < a.
wire [3:0] wr_next = {1'b0, wr_a == 2'd3, wr_a[1], wr_a != 2'd0};
wire [3:0] rd_next = {1'b0, rd_a == 2'd3, rd_a[1], rd_a != 2'd0};

reg  [1:0] rd_a_q;           // byte offset of the read being returned
wire [31:0] lane_ram;        // the lanes' block RAM outputs, lane L at [8*L +: 8]
wire [31:0] lane_q;          // the lanes as rotated (lane_ram, or registered again: RD_REG)

genvar L;
generate for (L = 0; L < 4; L = L + 1) begin : g_lane
    localparam [1:0] LN = L;
    wire [1:0]          wk   = LN - wr_a;   // which byte of the written word lands in this lane (enable wr_be[3 - wk])
    wire [ROW_BITS-1:0] wrow = wr_next[L] ? wr_row + 1'b1 : wr_row;
    wire [ROW_BITS-1:0] rrow = rd_next[L] ? rd_row + 1'b1 : rd_row;
    wire [7:0]          wbyte = wk == 2'd0 ? wr_data[31:24] : wk == 2'd1 ? wr_data[23:16] :
                                wk == 2'd2 ? wr_data[15:8]  : wr_data[7:0];
    wire                wen   = wr_en && wr_be[~wk];

    ram_sdp #(.DATA_WIDTH(8), .ADDR_WIDTH(ADDR_BITS)) ram (
        .clk(clk),
        .wr_en(wen), .wr_addr({wr_slot, wrow}), .wr_data(wbyte),
        .rd_addr({rd_slot, rrow}), .rd_data(lane_ram[8 * L +: 8])
    );
end endgenerate

reg [1:0] rd_a_ram;          // byte offset of the read at the RAM outputs
generate if (RD_REG != 0) begin : g_rd_reg
    reg [31:0] lane_r;
    reg [1:0]  rd_a_r;
    always @(posedge clk) begin
        lane_r <= lane_ram;
        rd_a_r <= rd_a;
    end
    assign lane_q = lane_r;
    always @* begin
        rd_a_ram = rd_a_r;
    end
end else begin : g_rd_direct
    assign lane_q = lane_ram;
    always @* begin
        rd_a_ram = rd_a;
    end
end endgenerate

always @(posedge clk)
    rd_a_q <= rd_a_ram;

// Byte k of the result comes from lane (a + k) mod 4.
wire [1:0] sel1 = rd_a_q + 2'd1;
wire [1:0] sel2 = rd_a_q + 2'd2;
wire [1:0] sel3 = rd_a_q + 2'd3;

always @* begin
    rd_data[31:24] = lane_q[8 * rd_a_q +: 8];
    rd_data[23:16] = lane_q[8 * sel1 +: 8];
    rd_data[15:8]  = lane_q[8 * sel2 +: 8];
    rd_data[7:0]   = lane_q[8 * sel3 +: 8];
end

endmodule

`default_nettype wire
