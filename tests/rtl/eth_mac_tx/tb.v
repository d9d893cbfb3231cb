// SPDX-License-Identifier: MIT
// Self-checking bench for eth_mac_tx: 8-bit frames in, GMII bursts out.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

/*
 * Feeds frames of random lengths 1..1514 (the source keeps one byte per clock once a
 * frame has started, as the frame-commit FIFO does) with random idle time between
 * them, including none. The GMII monitor checks each burst: 7 x 0x55, 0xD5, the
 * frame bytes, zero padding to 60, a correct FCS (computed here), no tx_er, at least
 * 12 idle cycles between bursts (exactly 12 when the next frame was already waiting),
 * and no burst without a frame (idle input gives idle GMII). A last phase starves the
 * MAC inside some frames: those bursts must carry tx_er, later frames must be intact.
 */
module tb;

`BENCH_CLOCK(clk, 4);   // 125 MHz

reg        rst = 1'b1;
reg  [7:0] s_tdata = 8'd0;
reg        s_tvalid = 1'b0;
wire       s_tready;
reg        s_tlast = 1'b0;
wire [7:0] gmii_txd;
wire       gmii_tx_en;
wire       gmii_tx_er;

eth_mac_tx dut (
    .clk        (clk),
    .rst        (rst),
    .s_tdata    (s_tdata),
    .s_tvalid   (s_tvalid),
    .s_tready   (s_tready),
    .s_tlast    (s_tlast),
    .gmii_txd   (gmii_txd),
    .gmii_tx_en (gmii_tx_en),
    .gmii_tx_er (gmii_tx_er)
);

integer seed;

`include "crc32.vh"

`BENCH_URAND_FN(urand, seed)

// ---------------------------------------------------------------- scoreboard
localparam QB = 1 << 20;
localparam QF = 1 << 12;
reg [7:0] exp_byte [0:QB-1];
integer   exp_start [0:QF-1];
integer   exp_len   [0:QF-1];
reg       exp_b2b   [0:QF-1];   // next frame was waiting: gap before it must be 12
reg       exp_under [0:QF-1];   // source starves this frame: burst must carry tx_er
integer   eb_wr = 0;
integer   ef_wr = 0;
integer   ef_rd = 0;

// ---------------------------------------------------------------- GMII monitor
reg [7:0] burst [0:4095];
integer   bn = 0;
reg       in_burst = 1'b0;
reg       saw_er = 1'b0;
integer   gap = 0;
integer   first_burst = 1;
integer   min_gap = 1000000;

always @(posedge clk) begin : monitor
    integer k, len, plen, idx;
    reg [31:0] c;
    if (!rst) begin
        if (!gmii_tx_en && gmii_tx_er) $fatal(1, "tx_er without tx_en");
        if (!gmii_tx_en && gmii_txd != 8'd0) $fatal(1, "txd not zero while idle");
        if (gmii_tx_en) begin
            if (!in_burst) begin
                // burst starts: check the gap
                if (ef_rd >= ef_wr) $fatal(1, "GMII burst without a frame");
                if (!first_burst) begin
                    if (gap < 12) $fatal(1, "inter-frame gap %0d < 12", gap);
                    if (exp_b2b[ef_rd % QF] && gap != 12)
                        $fatal(1, "frame %0d was waiting but the gap was %0d", ef_rd, gap);
                    if (gap < min_gap) min_gap = gap;
                end
                first_burst = 0;
                bn = 0;
                saw_er = 1'b0;
            end
            in_burst = 1'b1;
            if (bn >= 4096) $fatal(1, "burst too long");
            burst[bn] = gmii_txd;
            bn = bn + 1;
            if (gmii_tx_er) saw_er = 1'b1;
        end else begin
            if (in_burst) begin
                // burst ended: check it against the oldest frame
                idx = exp_start[ef_rd % QF];
                len = exp_len[ef_rd % QF];
                if (exp_under[ef_rd % QF]) begin
                    if (!saw_er) $fatal(1, "frame %0d: starved but no tx_er", ef_rd);
                end else begin
                    if (saw_er) $fatal(1, "frame %0d: unexpected tx_er", ef_rd);
                    plen = (len < 60) ? 60 : len;
                    if (bn != 8 + plen + 4)
                        $fatal(1, "frame %0d: burst of %0d bytes, expected %0d", ef_rd, bn, 8 + plen + 4);
                    for (k = 0; k < 7; k = k + 1)
                        if (burst[k] != 8'h55) $fatal(1, "frame %0d: preamble byte %0d = %02x", ef_rd, k, burst[k]);
                    if (burst[7] != 8'hD5) $fatal(1, "frame %0d: SFD %02x", ef_rd, burst[7]);
                    c = 32'hFFFFFFFF;
                    for (k = 0; k < plen; k = k + 1) begin
                        if (k < len) begin
                            if (burst[8 + k] != exp_byte[(idx + k) % QB])
                                $fatal(1, "frame %0d: byte %0d = %02x, expected %02x", ef_rd, k,
                                       burst[8 + k], exp_byte[(idx + k) % QB]);
                        end else if (burst[8 + k] != 8'd0) begin
                            $fatal(1, "frame %0d: pad byte %0d = %02x", ef_rd, k, burst[8 + k]);
                        end
                        c = crc_byte(c, burst[8 + k]);
                    end
                    c = ~c;
                    if ({burst[8 + plen + 3], burst[8 + plen + 2], burst[8 + plen + 1], burst[8 + plen]} != c)
                        $fatal(1, "frame %0d: FCS %02x%02x%02x%02x, expected %08x", ef_rd,
                               burst[8 + plen + 3], burst[8 + plen + 2], burst[8 + plen + 1], burst[8 + plen], c);
                end
                ef_rd = ef_rd + 1;
                gap = 0;
            end
            in_burst = 1'b0;
            gap = gap + 1;
        end
    end
end

// ---------------------------------------------------------------- source
// send one frame of len random bytes after `idle_n` idle cycles; if under >= 0, the
// source stops for a few cycles before byte `under`
task send_frame(input integer len, input integer idle_n, input integer under);
    integer k, idx;
    begin
        if (ef_wr - ef_rd >= QF) $fatal(1, "frame queue overflow");
        idx = eb_wr;
        for (k = 0; k < len; k = k + 1)
            exp_byte[(idx + k) % QB] = $random(seed);
        eb_wr = eb_wr + len;
        exp_start[ef_wr % QF] = idx;
        exp_len[ef_wr % QF] = len;
        // the previous burst has not ended yet and this frame follows at once:
        // it is waiting when the gap ends, so the gap must be exactly 12
        exp_b2b[ef_wr % QF] = (idle_n == 0) && (ef_rd < ef_wr) && !exp_under[(ef_wr - 1) % QF];
        exp_under[ef_wr % QF] = (under >= 0);
        ef_wr = ef_wr + 1;
        repeat (idle_n) @(posedge clk);
        k = 0;
        s_tvalid <= 1'b1;
        s_tdata  <= exp_byte[idx % QB];
        s_tlast  <= (len == 1);
        while (k < len) begin
            @(posedge clk);
            if (s_tready) begin
                k = k + 1;
                if (k == under) begin
                    s_tvalid <= 1'b0;
                    repeat (urand(1, 5)) @(posedge clk);
                    s_tvalid <= 1'b1;
                end
                if (k < len) begin
                    s_tdata <= exp_byte[(idx + k) % QB];
                    s_tlast <= (k == len - 1);
                end else begin
                    s_tvalid <= 1'b0;
                    s_tlast  <= 1'b0;
                end
            end
        end
    end
endtask

function integer rand_len(input integer dummy);
    integer r;
    begin
        r = urand(0, 9);
        rand_len = (r < 3) ? urand(1, 70) : (r == 3) ? ((urand(0, 1)) ? 59 + urand(0, 2) : 1514) :
                   urand(1, 1514);
    end
endfunction

// ---------------------------------------------------------------- main
integer i, n0, timeout;
initial begin
    `BENCH_WAVES
    `BENCH_SEED(seed);
    exp_under[QF - 1] = 1'b0;
    repeat (5) @(posedge clk);
    rst <= 1'b0;
    repeat (50) @(posedge clk);

    // fixed lengths
    send_frame(1, 0, -1);
    send_frame(59, 0, -1);
    send_frame(60, 0, -1);
    send_frame(61, 0, -1);
    send_frame(1514, 0, -1);
    // random lengths, random idle time (often none: back to back)
    for (i = 0; i < 400; i = i + 1)
        send_frame(rand_len(0), (urand(0, 1) == 0) ? 0 : urand(0, 40), -1);
    // long idle: GMII must stay idle (the monitor fails on any burst without a frame)
    repeat (2000) @(posedge clk);
    if (ef_rd != ef_wr) $fatal(1, "%0d frames sent, %0d seen", ef_wr, ef_rd);
    n0 = ef_wr;

    // starved frames mixed with good ones
    for (i = 0; i < 60; i = i + 1) begin
        if (urand(0, 2) == 0)
            send_frame(80 + urand(0, 200), urand(0, 3), 1 + urand(0, 78));
        else
            send_frame(rand_len(0), urand(0, 3), -1);
    end
    timeout = 0;
    while (ef_rd != ef_wr && timeout < 100000) begin
        @(posedge clk);
        timeout = timeout + 1;
    end
    repeat (100) @(posedge clk);
    if (ef_rd != ef_wr) $fatal(1, "%0d frames sent, %0d seen", ef_wr, ef_rd);
    $display("%0d frames + %0d in the starvation phase, minimum gap %0d", n0, ef_wr - n0, min_gap);
    $display("PASS");
    $finish;
end

initial begin
    #200000000;
    $fatal(1, "global timeout");
end

endmodule

`default_nettype wire
