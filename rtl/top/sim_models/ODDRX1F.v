// SPDX-License-Identifier: MIT
// Behavioural simulation model of the ECP5 ODDRX1F (x1 output DDR register). Not for synthesis.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * ODDRX1F (simulation only: synthesis uses the Yosys/nextpnr primitive)
 *
 * D0 and D1 are sampled on the rising edge of SCLK; Q shows D0 while SCLK is high and D1
 * while it is low. Functional only: no clock-to-output delay and none of the extra pipeline
 * latency of the real cell. RST clears the sampled values.
 */
module ODDRX1F (
    input  wire D0,
    input  wire D1,
    input  wire SCLK,
    input  wire RST,
    output wire Q
);

reg d0 = 1'b0, d1 = 1'b0, d1_low = 1'b0;

always @(posedge SCLK or posedge RST) begin
    if (RST) begin
        d0 <= 1'b0;
        d1 <= 1'b0;
    end else begin
        d0 <= D0;
        d1 <= D1;
    end
end

always @(negedge SCLK or posedge RST) begin
    if (RST)
        d1_low <= 1'b0;
    else
        d1_low <= d1;
end

assign Q = SCLK ? d0 : d1_low;

endmodule

`default_nettype wire
