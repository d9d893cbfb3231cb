// SPDX-License-Identifier: MIT
// Statistics counters: one 32-bit wrapping counter per STAT_* index of spec/toe.spec.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Each receive verdict increments RX_FRAMES and the verdict's own counter, so RX_FRAMES is
 * always the sum of the verdict counters. Transmit pulses increment TX_FRAMES and the reply
 * kind's counter. stat_data is a combinational read of counter stat_addr (0 past the last).
 */
module toe_stats (
    input  wire        clk,
    input  wire        rst,
    input  wire        rx_verdict_valid,
    input  wire [5:0]  rx_verdict,
    input  wire        tx_arp,
    input  wire        tx_icmp,
    input  wire [5:0]  stat_addr,
    output reg  [31:0] stat_data
);

`include "toe_defs.vh"

localparam [STAT_COUNT-1:0] ONE = 1;

wire [STAT_COUNT-1:0] inc =
    (rx_verdict_valid ? (ONE << rx_verdict) | (ONE << STAT_RX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_arp  ? (ONE << STAT_TX_ARP_REPLY)  | (ONE << STAT_TX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_icmp ? (ONE << STAT_TX_ICMP_REPLY) | (ONE << STAT_TX_FRAMES) : {STAT_COUNT{1'b0}});

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

always @* begin
    stat_data = 32'd0;
    for (i = 0; i < STAT_COUNT; i = i + 1)
        if (stat_addr == i[5:0])
            stat_data = count[i];
end

endmodule

`default_nettype wire
