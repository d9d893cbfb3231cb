// SPDX-License-Identifier: MIT
// Small show-ahead FIFO in one clock domain (distributed RAM).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The head word is visible on rd_data whenever rd_valid is high; rd_en pops it. A write when
 * full and a pop when empty are ignored (callers check count / rd_valid). `count` is the
 * number of words held.
 */
module sync_fifo #(
    parameter DATA_WIDTH = 32,  // bits per word
    parameter ADDR_WIDTH = 3    // 2^ADDR_WIDTH words
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire                  wr_en,
    input  wire [DATA_WIDTH-1:0] wr_data,
    input  wire                  rd_en,
    output wire [DATA_WIDTH-1:0] rd_data,
    output wire                  rd_valid,
    output wire [ADDR_WIDTH:0]   count
);

reg [DATA_WIDTH-1:0] mem [0:(1 << ADDR_WIDTH)-1];
reg [ADDR_WIDTH:0] wr_ptr;
reg [ADDR_WIDTH:0] rd_ptr;

wire wr_ready = count != (1 << ADDR_WIDTH);

assign count    = wr_ptr - rd_ptr;
assign rd_valid = wr_ptr != rd_ptr;
assign rd_data  = mem[rd_ptr[ADDR_WIDTH-1:0]];

always @(posedge clk) begin
    if (wr_en && wr_ready)
        mem[wr_ptr[ADDR_WIDTH-1:0]] <= wr_data;
    if (rst) begin
        wr_ptr <= 0;
        rd_ptr <= 0;
    end else begin
        if (wr_en && wr_ready)
            wr_ptr <= wr_ptr + 1'b1;
        if (rd_en && rd_valid)
            rd_ptr <= rd_ptr + 1'b1;
    end
end

endmodule

`default_nettype wire
