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
 * Storage: the 32-bit totals live in a RAM with one write and one read port (distributed RAM
 * on the ECP5), not in flip-flops; each counter also has a narrow pending count in flip-flops
 * that takes its events. A walk pointer visits the counters round-robin, one per cycle, and
 * adds the pending count of counter `walk_addr` to its total (read, add, write in that cycle)
 * while the pending count restarts from this cycle's event:
 *
 *   total[walk]  <= total[walk] + pending[walk]
 *   pending[i]   <= (i == walk ? 0 : pending[i]) + inc[i]
 *
 * No event is lost: a counter is visited every STAT_COUNT cycles and takes at most one event
 * a cycle, so its pending count never exceeds STAT_COUNT, which PEND_W bits hold (checked at
 * elaboration). The value of a counter in a cycle, the number of its events before that cycle
 * (what the flip-flop counters of the previous version held), is total + pending.
 *
 * Reads: walk_data is the value of counter walk_addr in this cycle, for every counter in turn
 * (the link engine's CSR reads wait for their counter to come by, at most STAT_COUNT cycles;
 * the board tops' status LEDs sum them). With DEBUG_PORT set, stat_data is the value of
 * counter stat_addr (0 past the last), combinational, for the bench (tests/rtl/toe_stats); it
 * costs a second copy of the RAM, a multiplexer over the pending counts and an adder, so
 * toe_core leaves it out (the virtual board reads the registers: sim/vboard.cpp).
 *
 * Reset: the totals cannot all be cleared in one cycle, so the first walk after reset writes
 * 0 + pending instead of total + pending (`clearing`), and debug reads of counters the walk has
 * not reached yet see 0. Every read is exact from the first cycle after reset.
 */
module toe_stats #(
    parameter STAT_N     = 64,  // width of inc_ext: pass STAT_COUNT of toe_defs.vh (at least that)
    parameter DEBUG_PORT = 0    // 1: stat_addr/stat_data read any counter (else stat_data is 0)
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        rx_verdict_valid,
    input  wire [5:0]  rx_verdict,
    input  wire        tx_arp,
    input  wire        tx_icmp,
    input  wire [STAT_N-1:0] inc_ext,   // one bit per counter, for everything else
    output wire [5:0]  walk_addr,       // every counter in turn, one a cycle
    output wire [31:0] walk_data,       // value of counter walk_addr
    input  wire [5:0]  stat_addr,       // debug read port (DEBUG_PORT)
    output reg  [31:0] stat_data
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

(* ram_style = "distributed" *)
reg [31:0] total [0:STAT_COUNT-1];
reg [STAT_COUNT*8-1:0] pending;   // counter i's pending count in bits [i*8 +: PEND_W]; rest 0
reg [5:0] walk;
reg       clearing;   // first walk after reset: totals not yet written are 0

wire [PEND_W-1:0] walk_pending = pending[{walk, 3'd0} +: PEND_W];
assign walk_addr = walk;
assign walk_data = (clearing ? 32'd0 : total[walk]) + {{(32-PEND_W){1'b0}}, walk_pending};

always @(posedge clk) begin
    total[walk] <= walk_data;
end

// Pending counts: each field is flip-flops with a clock enable (its event) and a synchronous
// reset (its visit) around an incrementer. Fields are 8 bits apart (the bits above PEND_W are
// constant 0 and synthesise to nothing), so the walk's read is a plain multiplexer. The |inc
// test lets Verilator skip the per-counter increments in the (common) cycles without events:
// the virtual board runs this block every core cycle (yosys: fewer LUTs than per-counter
// always blocks over an array).
integer k;
always @(posedge clk) begin
    if (|inc) begin
        for (k = 0; k < STAT_COUNT; k = k + 1)
            if (inc[k])
                pending[k * 8 +: PEND_W] <= pending[k * 8 +: PEND_W] + 1'b1;
    end
    for (k = 0; k < STAT_COUNT; k = k + 1)
        if ({26'd0, walk} == k)
            pending[k * 8 +: PEND_W] <= {{(PEND_W-1){1'b0}}, inc[k]};
    if (rst)
        pending <= {(STAT_COUNT*8){1'b0}};
end

always @(posedge clk) begin
    walk <= walk == LAST ? 6'd0 : walk + 6'd1;
    if (walk == LAST)
        clearing <= 1'b0;
    if (rst) begin
        walk     <= 6'd0;
        clearing <= 1'b1;
    end
end

// Explicit expressions, not a function: a function's reads of module state are not in the
// sensitivity of `always @*`.
generate if (DEBUG_PORT != 0) begin : g_debug
    always @*
        stat_data = stat_addr >= STAT_COUNT ? 32'd0 :
                    (clearing && stat_addr >= walk ? 32'd0 : total[stat_addr]) +
                    {{(32-PEND_W){1'b0}}, pending[{stat_addr, 3'd0} +: PEND_W]};
end else begin : g_no_debug
    wire unused_stat_addr = |stat_addr;
    always @* stat_data = 32'd0;
end endgenerate

endmodule

`default_nettype wire
