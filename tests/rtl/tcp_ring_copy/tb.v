// SPDX-License-Identifier: MIT
// Bench for tcp_ring_copy: random word runs and byte windows from a random source RAM (one
// cycle read latency) into a byte-array ring model; checks every byte of the ring (written or
// left alone), one write a word, the cycle count (one word a cycle) and that start is ignored
// while a copy runs.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

localparam POS_BITS = 10;
localparam RING     = 1 << POS_BITS;

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg                 start = 0;
reg  [8:0]          first_word = 0, last_word = 0;
reg  [10:0]         lo = 0, hi = 0;
reg  [POS_BITS-1:0] pos = 0;
wire                done;
wire [8:0]          rd_word;
reg  [31:0]         rd_data;
wire                wr_en;
wire [POS_BITS-1:0] wr_pos;
wire [31:0]         wr_data;
wire [3:0]          wr_be;

tcp_ring_copy #(.POS_BITS(POS_BITS)) dut (
    .clk(clk), .rst(rst),
    .start(start), .first_word(first_word), .last_word(last_word), .lo(lo), .hi(hi), .pos(pos),
    .done(done),
    .rd_word(rd_word), .rd_data(rd_data),
    .wr_en(wr_en), .wr_pos(wr_pos), .wr_data(wr_data), .wr_be(wr_be)
);

integer seed;
`BENCH_URAND_FN(urand, seed)

reg [31:0] src  [0:511];
reg [7:0]  ring [0:RING-1];
reg [7:0]  want [0:RING-1];

always @(posedge clk) rd_data <= src[rd_word];

integer writes;
always @(posedge clk) begin : ring_write
    integer j;
    if (wr_en) begin
        writes = writes + 1;
        for (j = 0; j < 4; j = j + 1)
            if (wr_be[3 - j])
                ring[(wr_pos + j) % RING] = wr_data[31 - 8 * j -: 8];
    end
end

integer i, n, cycles, b, words;
initial begin
    `BENCH_SEED(seed);
    `BENCH_WAVES
    for (i = 0; i < RING; i = i + 1) begin ring[i] = 8'h00; want[i] = 8'h00; end
    repeat (3) @(posedge clk);
    rst <= 0;
    for (n = 0; n < 400; n = n + 1) begin
        for (i = 0; i < 512; i = i + 1) src[i] = $random(seed);
        // a run of words, a byte window inside it (as the controller's: the payload's bytes),
        // often a single word or partial first and last words
        first_word = urand(0, 3) == 0 ? 9'd1 : urand(0, 380);
        last_word  = first_word + (urand(0, 3) == 0 ? urand(0, 1) : urand(0, 130));
        lo         = {first_word, 2'b00} + urand(0, 3);
        hi         = {last_word, 2'b00} + urand(1, 4);
        if (hi <= lo) hi = lo + 1;
        pos        = urand(0, RING - 1);
        for (b = lo; b < hi; b = b + 1)
            want[(pos + b - 4 * first_word) % RING] = src[b / 4][31 - 8 * (b % 4) -: 8];
        writes = 0;
        @(negedge clk) start = 1;
        words = last_word - first_word + 1;
        @(negedge clk) begin
            start = 1;   // held: must not restart the copy
            first_word = urand(0, 511);
            pos = urand(0, RING - 1);
        end
        @(negedge clk) start = 0;
        cycles = 2;
        while (!done) begin
            @(negedge clk);
            cycles = cycles + 1;
            if (cycles > 1000) $fatal(1, "copy %0d: no done", n);
        end
        if (cycles != words + 2)
            $fatal(1, "copy %0d: done after %0d cycles for %0d words", n, cycles, words);
        @(negedge clk);
        if (done) $fatal(1, "copy %0d: done for more than one cycle", n);
        for (i = 0; i < RING; i = i + 1)
            if (ring[i] !== want[i])
                $fatal(1, "copy %0d: ring byte %0d = %02x, want %02x", n, i, ring[i], want[i]);
        if (writes != words)
            $fatal(1, "copy %0d: %0d writes for %0d words", n, writes, words);
        repeat (urand(0, 2)) @(negedge clk);
    end
    $display("tcp_ring_copy: 400 copies");
    $display("PASS");
    $finish;
end

initial begin
    #(20000000);
    $fatal(1, "global timeout");
end

endmodule

`default_nettype wire
