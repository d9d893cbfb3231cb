// SPDX-License-Identifier: MIT
// Clock presence and frequency check of an external clock against the board oscillator.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_clk_meter
 *
 * The measured clock drives a free-running divider by 2^DIV_LOG2; its top bit is brought into
 * the reference domain through a two-flop synchroniser (it must toggle slower than half the
 * reference clock) and its rising edges are counted over windows of 2^WIN_LOG2 reference
 * cycles. At the end of each window:
 *   count    = edges in the window (f_meas = count * 2^DIV_LOG2 * f_ref / 2^WIN_LOG2),
 *   present  = at least one edge,
 *   in_range = EXPECT_LO <= count <= EXPECT_HI (for example "RGMII RX clock is 125 MHz",
 *              that is a 1000 Mb/s link).
 */
module toe_clk_meter #(
    parameter DIV_LOG2  = 6,
    parameter WIN_LOG2  = 14,
    parameter CW        = 16,    // count width
    parameter EXPECT_LO = 1216,
    parameter EXPECT_HI = 1344
) (
    input  wire          clk_meas,
    input  wire          clk_ref,
    output reg  [CW-1:0] count = {CW{1'b0}},
    output reg           present = 1'b0,
    output reg           in_range = 1'b0
);

localparam [CW-1:0] LO = EXPECT_LO[CW-1:0];
localparam [CW-1:0] HI = EXPECT_HI[CW-1:0];

reg [DIV_LOG2-1:0] div = {DIV_LOG2{1'b0}};

always @(posedge clk_meas)
    div <= div + 1'b1;

wire div_s;
toe_sync_bit sync_div (.clk(clk_ref), .d(div[DIV_LOG2-1]), .q(div_s));

reg              div_d = 1'b0;
reg [WIN_LOG2:0] win = {(WIN_LOG2 + 1){1'b0}};
reg [CW-1:0]     edges = {CW{1'b0}};

always @(posedge clk_ref) begin
    div_d <= div_s;
    if (win[WIN_LOG2]) begin
        win      <= {(WIN_LOG2 + 1){1'b0}};
        count    <= edges;
        present  <= edges != 0;
        in_range <= edges >= LO && edges <= HI;
        edges    <= {{(CW - 1){1'b0}}, div_s && !div_d};
    end else begin
        win <= win + 1'b1;
        if (div_s && !div_d && edges != {CW{1'b1}})
            edges <= edges + 1'b1;
    end
end

endmodule

`default_nettype wire
