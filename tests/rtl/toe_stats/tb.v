// SPDX-License-Identifier: MIT
// Bench for toe_stats: random simultaneous events into every counter (up to all of them in
// every cycle), the walk (the CSR read path) and the debug read port checked against a
// reference count in every cycle, resets in the middle of traffic, reads past the last counter;
// a second instance without the debug port (the boards' configuration) walks the same values.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

`include "toe_defs.vh"

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg                  verdict_valid = 0;
reg  [5:0]           verdict = 0;
reg                  tx_arp = 0, tx_icmp = 0;
reg  [STAT_COUNT-1:0] inc_ext = 0;
reg  [5:0]           addr1 = 0;
wire [31:0]          data1, walk_data;
wire [5:0]           walk_addr;

toe_stats #(.STAT_N(STAT_COUNT), .DEBUG_PORT(1)) dut (
    .clk(clk), .rst(rst),
    .rx_verdict_valid(verdict_valid), .rx_verdict(verdict),
    .tx_arp(tx_arp), .tx_icmp(tx_icmp), .inc_ext(inc_ext),
    .walk_addr(walk_addr), .walk_data(walk_data),
    .stat_addr(addr1), .stat_data(data1)
);

// the boards' configuration: no debug port (stat_data 0), the same walk
wire [31:0] data0, walk_data0;
wire [5:0]  walk_addr0;
toe_stats #(.STAT_N(STAT_COUNT), .DEBUG_PORT(0)) dut0 (
    .clk(clk), .rst(rst),
    .rx_verdict_valid(verdict_valid), .rx_verdict(verdict),
    .tx_arp(tx_arp), .tx_icmp(tx_icmp), .inc_ext(inc_ext),
    .walk_addr(walk_addr0), .walk_data(walk_data0),
    .stat_addr(addr1), .stat_data(data0)
);

integer seed;
`BENCH_URAND_FN(urand, seed)

// Reference: the counters as the interface defines them (each counter at most once a cycle).
localparam [STAT_COUNT-1:0] ONE = 1;
wire [STAT_COUNT-1:0] events =
    (verdict_valid ? (ONE << verdict) | (ONE << STAT_RX_FRAMES) : {STAT_COUNT{1'b0}}) |
    (tx_arp  ? ONE << STAT_TX_ARP_REPLY  : {STAT_COUNT{1'b0}}) |
    (tx_icmp ? ONE << STAT_TX_ICMP_REPLY : {STAT_COUNT{1'b0}}) |
    inc_ext;

reg [31:0] ref_count [0:STAT_COUNT-1];
integer i;
always @(posedge clk)
    for (i = 0; i < STAT_COUNT; i = i + 1)
        ref_count[i] <= rst ? 32'd0 : ref_count[i] + {31'd0, events[i]};

function [31:0] want(input [5:0] a);
    want = a < STAT_COUNT ? ref_count[a] : 32'd0;
endfunction

// the walk is registered: it shows the counts of the cycle before
reg [31:0] ref_prev [0:STAT_COUNT-1];
always @(posedge clk)
    for (i = 0; i < STAT_COUNT; i = i + 1)
        ref_prev[i] <= ref_count[i];

function [31:0] want_walk(input [5:0] a);
    want_walk = a < STAT_COUNT ? ref_prev[a] : 32'd0;
endfunction

integer checks = 0, total_events = 0;
reg [5:0] walk_prev = 0;
reg       after_rst = 1;

// One cycle: new events with probability pct % each (pct 100: every counter), a random read
// on the debug port and the walk checked; the walk must visit the counters in turn.
task cycle(input integer pct);
    integer k;
    begin
        @(negedge clk);
        verdict_valid = urand(0, 99) < pct;
        verdict       = urand(0, 99) < 90 ? urand(0, STAT_COUNT - 1) : urand(0, 63);
        tx_arp        = urand(0, 99) < pct;
        tx_icmp       = urand(0, 99) < pct;
        for (k = 0; k < STAT_COUNT; k = k + 1)
            inc_ext[k] = urand(0, 99) < pct;
        addr1 = urand(0, 99) < 5 ? urand(STAT_COUNT, 63) : urand(0, STAT_COUNT - 1);
        #1;
        if (data1 !== want(addr1))
            $fatal(1, "debug port: counter %0d = %0d, expected %0d (t=%0t)", addr1, data1, want(addr1), $time);
        if (walk_addr >= STAT_COUNT || walk_data !== want_walk(walk_addr))
            $fatal(1, "walk: counter %0d = %0d, expected %0d (t=%0t)", walk_addr, walk_data, want_walk(walk_addr), $time);
        if (walk_addr0 !== walk_addr || walk_data0 !== walk_data || data0 !== 32'd0)
            $fatal(1, "no debug port: walk %0d = %0d, stat_data %0d (with it: %0d = %0d)", walk_addr0,
                   walk_data0, data0, walk_addr, walk_data);
        if (!rst && !after_rst && walk_addr != (walk_prev == STAT_COUNT - 1 ? 0 : walk_prev + 1))
            $fatal(1, "walk: counter %0d after %0d", walk_addr, walk_prev);
        walk_prev = walk_addr;
        after_rst = rst;
        checks = checks + 2;
        if (!rst)
            for (k = 0; k < STAT_COUNT; k = k + 1)
                total_events = total_events + events[k];
    end
endtask

task run(input integer cycles, input integer pct);
    integer n;
    begin
        for (n = 0; n < cycles; n = n + 1)
            cycle(pct);
    end
endtask

integer phase, k;
initial begin
    `BENCH_WAVES
    `BENCH_SEED(seed);
    $display("toe_stats: seed %0d, %0d counters", seed, STAT_COUNT);
    repeat (3) @(negedge clk);
    run(4, 50);          // events during reset are not counted
    rst = 0;
    run(STAT_COUNT * 20, 100);   // every counter every cycle: the pending counts' worst case
    for (phase = 0; phase < 40; phase = phase + 1) begin
        case (urand(0, 4))
            0: run(urand(1, 3000), 100);
            1: run(urand(1, 3000), 50);
            2: run(urand(1, 3000), 5);
            3: run(urand(1, 300), 0);
            default: begin   // reset in the middle of traffic, 1 to 3 cycles
                rst = 1;
                run(urand(1, 3), 50);
                rst = 0;
            end
        endcase
    end
    run(STAT_COUNT * 3, 0);
    // every index through the debug port, once the traffic is over
    for (k = 0; k < 64; k = k + 1) begin
        @(negedge clk);
        addr1 = k;
        #1;
        if (data1 !== want(addr1))
            $fatal(1, "final read: counter %0d = %0d, expected %0d", addr1, data1, want(addr1));
        checks = checks + 1;
    end
    $display("PASS: toe_stats, %0d reads checked, %0d events", checks, total_events);
    $finish;
end

endmodule

`default_nettype wire
