// SPDX-License-Identifier: MIT
// Bench for tcp_ring: random unaligned writes (random byte enables) and reads against a byte
// array model, offsets biased to the ring end so wrap is common, all slots at once; a second
// ring with RD_REG = 1 gets the same accesses and must return each read one clock later.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

localparam SLOT_BITS = 2;
localparam BUF_LOG2  = 10;
localparam RING      = 1 << BUF_LOG2;
localparam SLOTS     = 1 << SLOT_BITS;

`BENCH_CLOCK(clk, 8);

reg                  wr_en = 0;
reg  [SLOT_BITS-1:0] wr_slot = 0;
reg  [BUF_LOG2-1:0]  wr_off = 0;
reg  [31:0]          wr_data = 0;
reg  [3:0]           wr_be = 0;
reg  [SLOT_BITS-1:0] rd_slot = 0;
reg  [BUF_LOG2-1:0]  rd_off = 0;
wire [31:0]          rd_data, rd_data_reg;

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2)) dut (
    .clk(clk),
    .wr_en(wr_en), .wr_slot(wr_slot), .wr_off(wr_off), .wr_data(wr_data), .wr_be(wr_be),
    .rd_slot(rd_slot), .rd_off(rd_off), .rd_data(rd_data)
);

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2), .RD_REG(1)) dut_reg (
    .clk(clk),
    .wr_en(wr_en), .wr_slot(wr_slot), .wr_off(wr_off), .wr_data(wr_data), .wr_be(wr_be),
    .rd_slot(rd_slot), .rd_off(rd_off), .rd_data(rd_data_reg)
);

// the RD_REG ring returns the previous cycle's read: check it against that read's expectation
reg [31:0] expect_prev;
reg        prev_valid = 0;
task check_reg;
    input [31:0] expect_now;
    begin
        if (prev_valid && rd_data_reg !== expect_prev)
            $fatal(1, "RD_REG read: got %h, expected %h", rd_data_reg, expect_prev);
        expect_prev = expect_now;
        prev_valid  = 1;
    end
endtask

integer seed;
`BENCH_URAND_FN(urand, seed)

reg [7:0] model [0:SLOTS*RING-1];

function [BUF_LOG2-1:0] rand_off(input integer dummy);
    begin
        // a quarter near the ring end (wrap), the rest anywhere
        if (urand(0, 3) == 0) rand_off = RING - 1 - urand(0, 6);
        else rand_off = urand(0, RING - 1);
    end
endfunction

function [31:0] model_word(input integer slot, input integer off);
    integer k;
    begin
        for (k = 0; k < 4; k = k + 1)
            model_word[31 - 8 * k -: 8] = model[slot * RING + (off + k) % RING];
    end
endfunction

integer i, k, n, reads, writes, wraps;
reg [31:0] expect_q;
reg        check_q;
initial begin
    `BENCH_SEED(seed);
    `BENCH_WAVES
    reads = 0; writes = 0; wraps = 0; check_q = 0;

    // Fill every ring with aligned full-word writes so the model is defined everywhere.
    for (i = 0; i < SLOTS * RING / 4; i = i + 1) begin
        wr_en = 1; wr_slot = i / (RING / 4); wr_off = (i % (RING / 4)) * 4;
        wr_data = $random(seed); wr_be = 4'b1111;
        for (k = 0; k < 4; k = k + 1) model[i * 4 + k] = wr_data[31 - 8 * k -: 8];
        @(posedge clk); #1;
    end
    wr_en = 0;

    for (n = 0; n < 40000; n = n + 1) begin
        // this cycle's accesses
        wr_en   = urand(0, 2) != 0;
        wr_slot = urand(0, SLOTS - 1);
        wr_off  = rand_off(0);
        wr_data = $random(seed);
        wr_be   = urand(0, 3) == 0 ? 4'b1111 : urand(0, 15);
        rd_slot = urand(0, 4) == 0 ? wr_slot : urand(0, SLOTS - 1);
        rd_off  = urand(0, 4) == 0 ? wr_off + urand(0, 3) - 2'd2 : rand_off(0);
        @(posedge clk);
        // the read sees the contents before this cycle's write (ram_sdp)
        expect_q = model_word(rd_slot, rd_off);
        if (wr_en) begin
            for (k = 0; k < 4; k = k + 1)
                if (wr_be[3 - k]) model[wr_slot * RING + (wr_off + k) % RING] = wr_data[31 - 8 * k -: 8];
            writes = writes + 1;
            if (wr_off > RING - 4) wraps = wraps + 1;
        end
        #1;
        if (rd_data !== expect_q)
            $fatal(1, "read slot %0d off %0d: got %h, expected %h", rd_slot, rd_off, rd_data, expect_q);
        check_reg(expect_q);
        reads = reads + 1;
    end

    // Finally read every offset of every slot back.
    wr_en = 0;
    for (i = 0; i < SLOTS * RING; i = i + 1) begin
        rd_slot = i / RING; rd_off = i % RING;
        @(posedge clk); #1;
        if (rd_data !== model_word(i / RING, i % RING))
            $fatal(1, "final read slot %0d off %0d: got %h, expected %h", i / RING, i % RING, rd_data,
                   model_word(i / RING, i % RING));
        check_reg(model_word(i / RING, i % RING));
        reads = reads + 1;
    end

    $display("PASS: tcp_ring, %0d writes (%0d wrapping), %0d reads checked", writes, wraps, reads);
    $finish;
end

endmodule

`default_nettype wire
