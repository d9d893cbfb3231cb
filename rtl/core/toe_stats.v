// SPDX-License-Identifier: MIT
// Statistics counters: one 32-bit wrapping counter per STAT_* index of spec/toe.spec.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Each receive verdict increments RX_FRAMES and the verdict's own counter, so RX_FRAMES is
 * always the sum of the verdict counters. Transmit pulses increment the reply kind's counter
 * (TX_FRAMES comes in inc_ext, from the last transmit arbiter); inc_ext increments any counter
 * (several at once, at most once each per cycle).
 *
 * Storage: the 32-bit totals live in a RAM with one write port (distributed RAM on the ECP5),
 * not in flip-flops; each counter also has a narrow pending count in flip-flops that takes
 * its events. A drain pointer walks the counters round-robin, one per cycle, and adds the
 * pending count of counter `drain` to its total (read, add, write in that cycle) while the
 * pending count restarts from this cycle's event:
 *
 *   total[drain] <= total[drain] + pending[drain]
 *   pending[i]   <= (i == drain ? 0 : pending[i]) + inc[i]
 *
 * No event is lost: a counter is drained every STAT_COUNT cycles and takes at most one event
 * a cycle, so its pending count never exceeds STAT_COUNT, which PEND_W bits hold (checked at
 * elaboration). A read returns total[a] + pending[a], so it equals, in every cycle, the number
 * of events before that cycle: the value the flip-flop counters of the previous version held.
 *
 * Reset: the totals cannot all be cleared in one cycle, so after reset the drain's first walk
 * writes 0 + pending instead of total + pending (`clearing`), and reads of counters the walk
 * has not reached yet return 0 + pending. Reads are exact from the first cycle after reset.
 *
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
localparam PEND_W = 6;   // pending count per counter: holds 0..STAT_COUNT
localparam [5:0] LAST = STAT_COUNT - 1;

// The default is the widest index space, so a tool that elaborates the module with its
// defaults (yosys does) passes the check.
generate if (STAT_N < STAT_COUNT) begin : g_check
    STAT_N_must_be_at_least_STAT_COUNT check();
end endgenerate
generate if (STAT_COUNT > (1 << PEND_W) - 1) begin : g_check_pend
    PEND_W_must_hold_STAT_COUNT_events check();
end endgenerate

wire [STAT_COUNT-1:0] inc =
    (rx_verdict_valid ? (ONE << rx_verdict) | (ONE << STAT_RX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_arp  ? ONE << STAT_TX_ARP_REPLY  : {STAT_COUNT{1'b0}}) |
    (tx_icmp ? ONE << STAT_TX_ICMP_REPLY : {STAT_COUNT{1'b0}}) |
    inc_ext[STAT_COUNT-1:0];

reg [31:0] total [0:STAT_COUNT-1];
reg [STAT_COUNT*PEND_W-1:0] pending;
reg [5:0] drain;
reg       clearing;   // first walk after reset: totals not yet written are 0

// Counter a is its total (0 where the clearing walk has not written yet) plus its pending
// events. Explicit wires per read port, not a function: a function's reads of module state are
// not in the sensitivity of `always @*`.
wire [31:0] drain_total = clearing ? 32'd0 : total[drain];
wire [31:0] drain_value = drain_total + {{(32-PEND_W){1'b0}}, pending[drain*PEND_W +: PEND_W]};
wire [31:0] rd1_total   = clearing && stat_addr >= drain ? 32'd0 : total[stat_addr];
wire [31:0] rd1_value   = rd1_total + {{(32-PEND_W){1'b0}}, pending[stat_addr*PEND_W +: PEND_W]};
wire [31:0] rd2_total   = clearing && stat2_addr >= drain ? 32'd0 : total[stat2_addr];
wire [31:0] rd2_value   = rd2_total + {{(32-PEND_W){1'b0}}, pending[stat2_addr*PEND_W +: PEND_W]};

always @(posedge clk) begin
    total[drain] <= drain_value;
end

integer i;
always @(posedge clk) begin
    for (i = 0; i < STAT_COUNT; i = i + 1)
        pending[i*PEND_W +: PEND_W] <=
            (drain == i[5:0] ? {PEND_W{1'b0}} : pending[i*PEND_W +: PEND_W]) +
            {{(PEND_W-1){1'b0}}, inc[i]};
    drain <= drain == LAST ? 6'd0 : drain + 6'd1;
    if (drain == LAST)
        clearing <= 1'b0;
    if (rst) begin
        pending  <= {STAT_COUNT*PEND_W{1'b0}};
        drain    <= 6'd0;
        clearing <= 1'b1;
    end
end

always @* begin
    stat_data  = stat_addr  < STAT_COUNT ? rd1_value : 32'd0;
    stat2_data = stat2_addr < STAT_COUNT ? rd2_value : 32'd0;
end

endmodule

`default_nettype wire
