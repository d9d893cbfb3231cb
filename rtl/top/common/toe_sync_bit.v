// SPDX-License-Identifier: MIT
// Two-flop synchroniser for a slow level signal entering the clk domain.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_sync_bit
 *
 * For levels that change rarely (status bits, a PLL lock, a push-button) or for a divided
 * clock slower than half of clk. Multi-bit values must not be passed through several of
 * these in parallel.
 */
module toe_sync_bit #(
    parameter INIT = 1'b0    // value after configuration
) (
    input  wire clk,
    input  wire d,           // asynchronous to clk
    output wire q
);

(* async_reg = "true" *)
reg [1:0] s = {2{INIT}};

always @(posedge clk)
    s <= {s[0], d};

assign q = s[1];

endmodule

`default_nettype wire
