// SPDX-License-Identifier: MIT
// Statistics counters: one 32-bit wrapping counter per STAT_* index of spec/toe.spec.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Each receive verdict increments RX_FRAMES and the verdict's own counter, so RX_FRAMES is
 * always the sum of the verdict counters. Transmit pulses increment the reply kind's counter
 * (TX_FRAMES comes in inc_ext, from the last transmit arbiter); inc_ext increments any counter (several at once, at most once each per cycle).
 * stat_data/stat2_data are combinational reads of counter stat_addr/stat2_addr (0 past the last).
 */
module toe_stats #(
    parameter STAT_N = 64  // width of inc_ext: pass STAT_COUNT of toe_defs.vh (at least that)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        rx_verdict_valid,
    input  wire [5:0]  rx_verdict,
    input  wire        tx_arp,
    input  wire        tx_icmp,
    input  wire [STAT_N-1:0] inc_ext,   // one bit per counter, for everything else
    input  wire [5:0]  stat_addr,       // debug read port
    output reg  [31:0] stat_data,
    input  wire [5:0]  stat2_addr,      // CSR read port (the link engine registers it)
    output reg  [31:0] stat2_data
);

`include "toe_defs.vh"

localparam [STAT_COUNT-1:0] ONE = 1;

// The default is the widest index space, so a tool that elaborates the module with its
// defaults (yosys does) passes the check.
generate if (STAT_N < STAT_COUNT) begin : g_check
    STAT_N_must_be_at_least_STAT_COUNT check();
end endgenerate

wire [STAT_COUNT-1:0] inc =
    (rx_verdict_valid ? (ONE << rx_verdict) | (ONE << STAT_RX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_arp  ? ONE << STAT_TX_ARP_REPLY  : {STAT_COUNT{1'b0}}) |
    (tx_icmp ? ONE << STAT_TX_ICMP_REPLY : {STAT_COUNT{1'b0}}) |
    inc_ext[STAT_COUNT-1:0];

reg [31:0] count [0:STAT_COUNT-1];

integer i;
always @(posedge clk) begin
    for (i = 0; i < STAT_COUNT; i = i + 1) begin
        if (rst)
            count[i] <= 32'd0;
        else if (inc[i])
            count[i] <= count[i] + 1'b1;
    end
end

// Indexed reads, so synthesis builds one multiplexer tree per port (a chain of compares, one
// per counter, is what a loop would describe, and it cost thousands of LUTs).
always @* begin
    stat_data  = stat_addr  < STAT_COUNT ? count[stat_addr]  : 32'd0;
    stat2_data = stat2_addr < STAT_COUNT ? count[stat2_addr] : 32'd0;
end

endmodule

`default_nettype wire
