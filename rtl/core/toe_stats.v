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
 * Storage: each counter's low LOW_W bits are a free-running counter in flip-flops that takes
 * its events (an incrementer with a clock enable, nothing else); the 32-bit values live in a
 * RAM with one write and one read port (distributed RAM on the ECP5). A walk pointer visits
 * the counters round-robin, one per cycle, and writes the value of counter `walk` into the RAM
 * (read, carry, write in that cycle): the low bits as they are now, the high bits as the RAM
 * last saw them plus one if the low bits wrapped since (they are below what the RAM saw):
 *
 *   seen         = total[walk]                        (the value at the last visit)
 *   value[walk]  = {seen[31:LOW_W] + (low[walk] < seen[LOW_W-1:0]), low[walk]}
 *   total[walk] <= value[walk]
 *
 * No event is lost: a counter is visited every STAT_COUNT cycles and takes at most one event
 * a cycle, so its low bits move by at most STAT_COUNT < 2^LOW_W between visits (checked at
 * elaboration) and wrap at most once. The value of a counter in a cycle is the number of its
 * events before that cycle (what flip-flop counters would hold).
 *
 * Reads: walk_data is the value of counter walk_addr in the cycle before (both registered),
 * for every counter in turn (the link engine's CSR reads wait for their counter to come by, at
 * most STAT_COUNT + 1 cycles; the board tops' status LEDs sum them). With DEBUG_PORT set,
 * stat_data is the value of counter stat_addr in this cycle (0 past the last), combinational,
 * for the bench (tests/rtl/toe_stats); it costs a second copy of the RAM, a multiplexer over
 * the low bits and a carry, so toe_core leaves it out (the virtual board reads the registers:
 * sim/vboard.cpp).
 *
 * Reset: the low bits clear in one cycle, the RAM cannot, so the first walk after reset reads
 * 0 instead of total[walk] (`clearing`), and debug reads of counters the walk has not reached
 * yet see 0. Every read is exact from the first cycle after reset.
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
    output reg  [5:0]  walk_addr,       // every counter in turn, one a cycle
    output reg  [31:0] walk_data,       // value of counter walk_addr in the cycle before
    input  wire [5:0]  stat_addr,       // debug read port (DEBUG_PORT)
    output wire [31:0] stat_data
);

`include "toe_defs.vh"

localparam [STAT_COUNT-1:0] ONE = 1;
localparam LOW_W = 6;   // low bits per counter in flip-flops: 2^LOW_W > STAT_COUNT
localparam [5:0] LAST = STAT_COUNT - 1;

// The default is the widest index space, so a tool that elaborates the module with its
// defaults (yosys does) passes the check.
generate if (STAT_N < STAT_COUNT) begin : g_check
    STAT_N_must_be_at_least_STAT_COUNT check();
end endgenerate
generate if (STAT_COUNT > (1 << LOW_W) - 1) begin : g_check_low
    LOW_W_must_count_STAT_COUNT_events_without_a_second_wrap check();
end endgenerate

wire [STAT_COUNT-1:0] inc =
    (rx_verdict_valid ? (ONE << rx_verdict) | (ONE << STAT_RX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_arp  ? ONE << STAT_TX_ARP_REPLY  : {STAT_COUNT{1'b0}}) |
    (tx_icmp ? ONE << STAT_TX_ICMP_REPLY : {STAT_COUNT{1'b0}}) |
    inc_ext[STAT_COUNT-1:0];

(* ram_style = "distributed" *)
reg [31:0] total [0:STAT_COUNT-1];   // each counter's value at the walk's last visit
reg [STAT_COUNT*8-1:0] low;   // counter i's low bits in bits [i*8 +: LOW_W]; the rest 0
reg [5:0] walk;
reg [STAT_COUNT-1:0] walk_hot;   // the walk again, one-hot (bit walk set)
reg       clearing;   // first walk after reset: totals not yet written are 0

// The value of a counter from what the RAM saw at the last visit and its low bits now.
function [31:0] value(input [31:0] seen, input [LOW_W-1:0] now);
    value = {seen[31:LOW_W] + {{(31-LOW_W){1'b0}}, now < seen[LOW_W-1:0]}, now};
endfunction

// The low bits of counter walk, registered: in the cycle before, the next counter's low bits
// plus its event then, which is exactly what its low bits hold now. The low bits sit beside
// their events, spread over the die: their multiplexer ends at a flip-flop, not in the carry
// into the RAM. An AND-OR over the one-hot walk (yosys maps it to about half the LUTs of a
// multiplexer indexed by the binary walk).
wire [STAT_COUNT-1:0] hot_next = {walk_hot[STAT_COUNT-2:0], walk_hot[STAT_COUNT-1]};
reg  [LOW_W-1:0] next_low, walk_low;
integer w;
always @* begin
    next_low = {LOW_W{1'b0}};
    for (w = 0; w < STAT_COUNT; w = w + 1)
        next_low = next_low | (hot_next[w] ? low[w * 8 +: LOW_W] : {LOW_W{1'b0}});
end
always @(posedge clk) begin
    walk_low <= next_low + {{(LOW_W-1){1'b0}}, |(hot_next & inc)};
    if (rst)
        walk_low <= {LOW_W{1'b0}};   // the walk starts at counter 0, its low bits cleared
end

wire [31:0] walk_value = value(clearing ? 32'd0 : total[walk], walk_low);

// The outputs are registered: the carries stay beside the RAM, and the readers (the link
// engine's CSR block, the board's status LEDs) may sit anywhere on the die.
always @(posedge clk) begin
    total[walk] <= walk_value;
    walk_addr   <= walk;
    walk_data   <= walk_value;
end

// Low bits: each field is flip-flops with a clock enable (its event) around an incrementer.
// Fields are 8 bits apart (the bits above LOW_W are constant 0 and synthesise to nothing), so
// the debug port's read is a plain index. The |inc test lets Verilator skip the per-counter
// increments in the (common) cycles without events: the virtual board runs this block every
// core cycle.
integer k;
always @(posedge clk) begin
    if (|inc) begin
        for (k = 0; k < STAT_COUNT; k = k + 1)
            if (inc[k])
                low[k * 8 +: LOW_W] <= low[k * 8 +: LOW_W] + 1'b1;
    end
    if (rst)
        low <= {(STAT_COUNT*8){1'b0}};
end

always @(posedge clk) begin
    walk     <= walk == LAST ? 6'd0 : walk + 6'd1;
    walk_hot <= {walk_hot[STAT_COUNT-2:0], walk_hot[STAT_COUNT-1]};
    if (walk == LAST)
        clearing <= 1'b0;
    if (rst) begin
        walk     <= 6'd0;
        walk_hot <= ONE;
        clearing <= 1'b1;
    end
end

generate if (DEBUG_PORT != 0) begin : g_debug
    assign stat_data = stat_addr >= STAT_COUNT ? 32'd0 :
                       value(clearing && stat_addr >= walk ? 32'd0 : total[stat_addr],
                             low[{stat_addr, 3'd0} +: LOW_W]);
end else begin : g_no_debug
    // a constant by assign: Icarus never runs an `always @*` that reads nothing
    wire unused_stat_addr = |stat_addr;
    assign stat_data = 32'd0;
end endgenerate

endmodule

`default_nettype wire
