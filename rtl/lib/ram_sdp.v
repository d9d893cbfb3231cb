// SPDX-License-Identifier: MIT
// Simple dual-port RAM: one write port, one registered read port, one clock.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Inferred as block RAM (DP16KD on ECP5). The read data appears one cycle after the address.
 * A read of the address being written in the same cycle returns the old contents.
 */
module ram_sdp #(
    parameter DATA_WIDTH = 32,  // bits per word
    parameter ADDR_WIDTH = 11   // 2^ADDR_WIDTH words
) (
    input  wire                  clk,
    input  wire                  wr_en,
    input  wire [ADDR_WIDTH-1:0] wr_addr,
    input  wire [DATA_WIDTH-1:0] wr_data,
    input  wire [ADDR_WIDTH-1:0] rd_addr,
    output reg  [DATA_WIDTH-1:0] rd_data
);

reg [DATA_WIDTH-1:0] mem [0:(1 << ADDR_WIDTH)-1];

always @(posedge clk) begin
    if (wr_en)
        mem[wr_addr] <= wr_data;
    rd_data <= mem[rd_addr];
end

endmodule

`default_nettype wire
