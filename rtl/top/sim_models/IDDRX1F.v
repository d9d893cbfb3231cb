// SPDX-License-Identifier: MIT
// Behavioural simulation model of the ECP5 IDDRX1F (x1 input DDR register). Not for synthesis.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * IDDRX1F (simulation only: synthesis uses the Yosys/nextpnr primitive)
 *
 * D is captured on every SCLK edge. At each rising edge Q0 presents the value captured at
 * the previous rising edge and Q1 the one captured at the falling edge after it, so
 * {Q1, Q0} is one RGMII byte (rising nibble in Q0). Functional only: no setup/hold checks.
 */
module IDDRX1F (
    input  wire D,
    input  wire SCLK,
    input  wire RST,
    output reg  Q0 = 1'b0,
    output reg  Q1 = 1'b0
);

reg rise = 1'b0, fall = 1'b0;

always @(posedge SCLK or posedge RST) begin
    if (RST) begin
        rise <= 1'b0;
        Q0   <= 1'b0;
        Q1   <= 1'b0;
    end else begin
        rise <= D;
        Q0   <= rise;
        Q1   <= fall;
    end
end

always @(negedge SCLK or posedge RST) begin
    if (RST)
        fall <= 1'b0;
    else
        fall <= D;
end

endmodule

`default_nettype wire
