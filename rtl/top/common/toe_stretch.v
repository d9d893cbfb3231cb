// SPDX-License-Identifier: MIT
// Pulse stretcher for LEDs: the output stays high 2^LEN_LOG2 clk cycles after the last pulse.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_stretch
 *
 * Makes single-cycle events (a frame, an error) visible on an LED. No reset: it starts
 * dark after configuration and needs none afterwards.
 */
module toe_stretch #(
    parameter LEN_LOG2 = 22      // 2^22 cycles = 34 ms at 125 MHz
) (
    input  wire clk,
    input  wire in,
    output wire out
);

reg [LEN_LOG2:0] count = {(LEN_LOG2 + 1){1'b0}};

always @(posedge clk) begin
    if (in)
        count <= {1'b1, {LEN_LOG2{1'b0}}};
    else if (count != 0)
        count <= count + 1'b1;
end

assign out = count[LEN_LOG2];

endmodule

`default_nettype wire
