// SPDX-License-Identifier: MIT
// Bench boilerplate as macros (seed, waves, clock, random range, PASS/timeout); `include "bench.vh" at the top of a bench.
`ifndef BENCH_VH
`define BENCH_VH

// `BENCH_SEED(v); sets v from +seed=N (1 without it).
`define BENCH_SEED(V) if (!$value$plusargs("seed=%d", V)) V = 1

// `BENCH_WAVES (a statement, no semicolon): with WAVES=1 dumps all of tb to `WAVES_FILE, else nothing.
`ifdef WAVES
`define BENCH_WAVES begin $dumpfile(`WAVES_FILE); $dumpvars(0, tb); end
`else
`define BENCH_WAVES
`endif

// `BENCH_CLOCK(clk, half); declares reg clk (0 at start) toggling every half ns.
`define BENCH_CLOCK(CLK, HALF) reg CLK = 1'b0; always #(HALF) CLK = !CLK

// `BENCH_URAND_FN(name, seed) defines function integer name(lo, hi): uniform in lo..hi from $random(seed).
`define BENCH_URAND_FN(NAME, SEED) \
function integer NAME(input integer lo, input integer hi); \
    begin \
        NAME = lo + ({$random(SEED)} % (hi - lo + 1)); \
    end \
endfunction

// `BENCH_PASS_WHEN_DONE(done, limit): prints PASS once every bit of done is set; $fatal at time limit.
`define BENCH_PASS_WHEN_DONE(DONE, LIMIT) \
initial begin \
    `BENCH_WAVES \
    wait (&DONE); \
    $display("PASS"); \
    $finish; \
end \
initial begin \
    #(LIMIT); \
    $fatal(1, "global timeout, done = %b", DONE); \
end

`endif
