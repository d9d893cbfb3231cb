// SPDX-License-Identifier: MIT
// The DP16KD block-RAM model of the netlist bench (tests/rtl/lib/DP16KD.v) against a plain
// array of the port's width, in the configurations yosys's brams_map uses: x1, x9 (both
// ports reading and writing, READBEFOREWRITE), x18 with byte enables, x36 written on port A
// and read on port B (pseudo dual port). Random addresses, data and enables; every read
// compared one clock later.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "DP16KD.v"

module tb;
`BENCH_CLOCK(clk, 5);
integer seed, i, errors = 0;

// One instance per width; port A and B share the clock.
reg  [13:0] ada [0:3], adb [0:3];
reg  [35:0] di  [0:3];
reg  [3:0]  wea, web, ceb;
wire [17:0] doa [0:3], dob [0:3];

`define RAM(n, w) \
DP16KD #(.DATA_WIDTH_A(w), .DATA_WIDTH_B(w), .WRITEMODE_A("READBEFOREWRITE"), \
         .WRITEMODE_B("READBEFOREWRITE"), .RESETMODE("ASYNC")) ram``n ( \
    .ADA13(ada[n][13]), .ADA12(ada[n][12]), .ADA11(ada[n][11]), .ADA10(ada[n][10]), \
    .ADA9(ada[n][9]), .ADA8(ada[n][8]), .ADA7(ada[n][7]), .ADA6(ada[n][6]), .ADA5(ada[n][5]), \
    .ADA4(ada[n][4]), .ADA3(ada[n][3]), .ADA2(ada[n][2]), .ADA1(ada[n][1]), .ADA0(ada[n][0]), \
    .ADB13(adb[n][13]), .ADB12(adb[n][12]), .ADB11(adb[n][11]), .ADB10(adb[n][10]), \
    .ADB9(adb[n][9]), .ADB8(adb[n][8]), .ADB7(adb[n][7]), .ADB6(adb[n][6]), .ADB5(adb[n][5]), \
    .ADB4(adb[n][4]), .ADB3(adb[n][3]), .ADB2(adb[n][2]), .ADB1(adb[n][1]), .ADB0(adb[n][0]), \
    .DIA17(di[n][17]), .DIA16(di[n][16]), .DIA15(di[n][15]), .DIA14(di[n][14]), \
    .DIA13(di[n][13]), .DIA12(di[n][12]), .DIA11(di[n][11]), .DIA10(di[n][10]), \
    .DIA9(di[n][9]), .DIA8(di[n][8]), .DIA7(di[n][7]), .DIA6(di[n][6]), .DIA5(di[n][5]), \
    .DIA4(di[n][4]), .DIA3(di[n][3]), .DIA2(di[n][2]), .DIA1(di[n][1]), .DIA0(di[n][0]), \
    .DIB17(di[n][35]), .DIB16(di[n][34]), .DIB15(di[n][33]), .DIB14(di[n][32]), \
    .DIB13(di[n][31]), .DIB12(di[n][30]), .DIB11(di[n][29]), .DIB10(di[n][28]), \
    .DIB9(di[n][27]), .DIB8(di[n][26]), .DIB7(di[n][25]), .DIB6(di[n][24]), .DIB5(di[n][23]), \
    .DIB4(di[n][22]), .DIB3(di[n][21]), .DIB2(di[n][20]), .DIB1(di[n][19]), .DIB0(di[n][18]), \
    .CEA(1'b1), .OCEA(1'b1), .CLKA(clk), .WEA(wea[n]), .RSTA(1'b0), \
    .CSA2(1'b0), .CSA1(1'b0), .CSA0(1'b0), \
    .CEB(ceb[n]), .OCEB(1'b1), .CLKB(clk), .WEB(web[n]), .RSTB(1'b0), \
    .CSB2(1'b0), .CSB1(1'b0), .CSB0(1'b0), \
    .DOA17(doa[n][17]), .DOA16(doa[n][16]), .DOA15(doa[n][15]), .DOA14(doa[n][14]), \
    .DOA13(doa[n][13]), .DOA12(doa[n][12]), .DOA11(doa[n][11]), .DOA10(doa[n][10]), \
    .DOA9(doa[n][9]), .DOA8(doa[n][8]), .DOA7(doa[n][7]), .DOA6(doa[n][6]), .DOA5(doa[n][5]), \
    .DOA4(doa[n][4]), .DOA3(doa[n][3]), .DOA2(doa[n][2]), .DOA1(doa[n][1]), .DOA0(doa[n][0]), \
    .DOB17(dob[n][17]), .DOB16(dob[n][16]), .DOB15(dob[n][15]), .DOB14(dob[n][14]), \
    .DOB13(dob[n][13]), .DOB12(dob[n][12]), .DOB11(dob[n][11]), .DOB10(dob[n][10]), \
    .DOB9(dob[n][9]), .DOB8(dob[n][8]), .DOB7(dob[n][7]), .DOB6(dob[n][6]), .DOB5(dob[n][5]), \
    .DOB4(dob[n][4]), .DOB3(dob[n][3]), .DOB2(dob[n][2]), .DOB1(dob[n][1]), .DOB0(dob[n][0]))

`RAM(0, 1);
`RAM(1, 9);
`RAM(2, 18);
`RAM(3, 36);

// The reference: the same contents as plain arrays of each width.
reg        ref1  [0:16383];
reg [8:0]  ref9  [0:2047];
reg [17:0] ref18 [0:1023];
reg [35:0] ref36 [0:511];
reg [35:0] want_a [0:3], want_b [0:3];
reg [3:0]  check_a, check_b;

task expect(input [255:0] what, input [35:0] got, input [35:0] want);
    if (got !== want) begin
        errors = errors + 1;
        if (errors < 10) $display("FAIL %0s: got %h, want %h at %0t", what, got, want, $time);
    end
endtask

integer b;
initial begin
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    for (i = 0; i < 16384; i = i + 1) ref1[i] = 0;
    for (i = 0; i < 2048; i = i + 1) ref9[i] = 0;
    for (i = 0; i < 1024; i = i + 1) ref18[i] = 0;
    for (i = 0; i < 512; i = i + 1) ref36[i] = 0;
    wea = 0; web = 0; ceb = 0; check_a = 0; check_b = 0;
    for (i = 0; i < 4; i = i + 1) begin
        ada[i] = 0; adb[i] = 0; di[i] = 0; want_a[i] = 0; want_b[i] = 0;
    end
    repeat (20000) begin
        @(negedge clk);
        // Compare what the last edge read.
        expect("x1 A",  doa[0][0],  want_a[0][0]);  if (check_b[0]) expect("x1 B",  dob[0][0],  want_b[0][0]);
        expect("x9 A",  doa[1][8:0], want_a[1][8:0]); if (check_b[1]) expect("x9 B", dob[1][8:0], want_b[1][8:0]);
        expect("x18 A", doa[2], want_a[2][17:0]); if (check_b[2]) expect("x18 B", dob[2], want_b[2][17:0]);
        if (check_b[3]) expect("x36 B", {dob[3], doa[3]}, want_b[3]);
        // New inputs; the reference reads before it writes (READBEFOREWRITE), port A then B.
        for (i = 0; i < 4; i = i + 1) begin
            ada[i] = $random(seed); adb[i] = $random(seed);
            di[i] = {$random(seed), $random(seed)};
        end
        adb[0] = ada[0] ^ ($random(seed) & 3);      // often the same or a close address
        wea = $random(seed); web = $random(seed) & 4'b0011; ceb = $random(seed) | 4'b1000;
        web[1] = web[1] & (adb[1][13:3] != ada[1][13:3]);   // no same-word write collision
        web[0] = web[0] & (adb[0] != ada[0]);
        check_b = ceb & ~web;
        // x1: AD[13:0]
        want_a[0] = ref1[ada[0]]; if (ceb[0]) want_b[0] = ref1[adb[0]];
        // x9: AD[13:3]
        want_a[1] = ref9[ada[1][13:3]]; if (ceb[1]) want_b[1] = ref9[adb[1][13:3]];
        // x18: AD[13:4], AD[1:0] byte enables on writes
        want_a[2] = ref18[ada[2][13:4]]; if (ceb[2]) want_b[2] = ref18[adb[2][13:4]];
        // x36: A writes, B reads; AD[13:5], AD[3:0] byte enables
        if (ceb[3]) want_b[3] = ref36[adb[3][13:5]];
        if (wea[0]) ref1[ada[0]] = di[0][0];
        if (web[0] && ceb[0]) ref1[adb[0]] = di[0][18];
        if (wea[1]) ref9[ada[1][13:3]] = di[1][8:0];
        if (web[1] && ceb[1]) ref9[adb[1][13:3]] = di[1][26:18];
        if (wea[2]) for (b = 0; b < 2; b = b + 1) if (ada[2][b]) ref18[ada[2][13:4]][b*9 +: 9] = di[2][b*9 +: 9];
        if (wea[3]) for (b = 0; b < 4; b = b + 1) if (ada[3][b]) ref36[ada[3][13:5]][b*9 +: 9] = di[3][b*9 +: 9];
        web[2] = 0; web[3] = 0;
    end
    @(negedge clk);
    if (errors) $fatal(1, "dp16kd_model: %0d mismatches", errors);
    $display("PASS dp16kd_model: x1, x9, x18 (byte enables), x36 (pseudo dual port), 20000 cycles");
    $finish;
end
endmodule
