// SPDX-License-Identifier: MIT
// Self-checking bench for uart_phy: both directions against a far-side UART model with an offset clock.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

/*
 * uart_harness: one uart_phy (CLK_HZ, BAUD) and a far-side UART model running in real
 * time with its own bit period 1e9 / (BAUD * (1 + delta)) ns. The far transmitter drives
 * uart_rxd; the far receiver samples uart_txd at the centre of its own bits. Phases:
 *  A  delta +2 %: random bytes both ways, far side back-to-back, the DUT's input always
 *     valid; checks the DUT transmits back-to-back frames 10 bits apart (one stop bit,
 *     exact average rate); m_tready with random bubbles.
 *  B  delta -2 %: the same with random gaps and random s_tvalid bubbles.
 *  C  backpressure: m_tready held low for long random stretches; every byte is either
 *     delivered in order or counted by stat_rx_overrun (exactly that byte is missing).
 *  D  framing: frames with a low stop bit and one long break between good frames;
 *     one stat_rx_framing_err per bad frame, no byte delivered for them, the good
 *     bytes all arrive.
 *  E  idle: uart_txd stays high and m_tvalid low for several frame times.
 *  S  (SWEEP) the far side's offset swept from -SWEEP_MAX to +SWEEP_MAX; at each point
 *     SWEEP_N random bytes back-to-back both ways; reports the contiguous range around
 *     0 where every byte was right (DUT receive tolerance, and the far model's
 *     tolerance to the DUT's transmit timing). The range must cover +-2 %.
 * Always checked: the valid/ready rule on m_*, no byte out of nowhere, txd high outside
 * frames.
 */
module uart_harness #(
    parameter ID        = 0,         // harness number (seed offset, messages)
    parameter CLK_HZ    = 62500000,  // DUT clock, Hz
    parameter BAUD      = 12000000,  // bit rate
    parameter NLOOP     = 400,       // bytes each way in phases A and B
    parameter NBP       = 200,       // bytes in phase C
    parameter NFE       = 40,        // frames in phase D
    parameter SWEEP     = 0,         // 1: run phase S
    parameter SWEEP_MAX = 60,        // sweep limit, 0.1 % units
    parameter SWEEP_STP = 5,         // sweep step, 0.1 % units
    parameter SWEEP_N   = 150        // bytes each way per sweep point
) (
    output reg done
);

localparam real CLK_NS   = 1.0e9 / CLK_HZ;
localparam real T_NS     = 1.0e9 / BAUD;          // DUT's bit period
localparam      CPF      = (10 * CLK_HZ) / BAUD;  // clocks per frame
localparam      QS       = 1 << 16;

`BENCH_CLOCK(clk, CLK_NS / 2.0);

reg        rst = 1'b1;
reg        rxd = 1'b1;
wire       txd;
reg  [7:0] s_tdata = 8'd0;
reg        s_tvalid = 1'b0;
wire       s_tready;
wire [7:0] m_tdata;
wire       m_tvalid;
reg        m_tready = 1'b0;
wire       ferr;
wire       ovr;

uart_phy #(
    .CLK_HZ (CLK_HZ),
    .BAUD   (BAUD)
) dut (
    .clk                 (clk),
    .rst                 (rst),
    .uart_rxd            (rxd),
    .uart_txd            (txd),
    .s_tdata             (s_tdata),
    .s_tvalid            (s_tvalid),
    .s_tready            (s_tready),
    .m_tdata             (m_tdata),
    .m_tvalid            (m_tvalid),
    .m_tready            (m_tready),
    .stat_rx_framing_err (ferr),
    .stat_rx_overrun     (ovr)
);

integer seed, fseed;
real    delta = 0.0;         // far side's clock offset (fraction)
real    bt = T_NS;           // far side's bit period, ns
reg     strict = 1'b1;       // 0: count errors instead of stopping (sweep)

// ---------------------------------------------------------------- far transmitter
reg [7:0] ftx_data [0:QS-1];
reg [1:0] ftx_kind [0:QS-1];  // 0 good, 1 low stop bit, 2 break
integer   ftx_gap  [0:QS-1];  // idle after the frame, ps
integer   ftx_wr = 0, ftx_rd = 0;
reg [7:0] exp_rx [0:QS-1];    // good bytes the DUT must deliver (or count as overrun)
integer   erx_wr = 0;
integer   exp_ferr = 0;
integer   fi;
reg [7:0] fd;
reg [1:0] fk;
integer   fg;

always begin
    wait (ftx_rd < ftx_wr);
    fd = ftx_data[ftx_rd];
    fk = ftx_kind[ftx_rd];
    fg = ftx_gap[ftx_rd];
    if (fk == 2'd0) begin
        exp_rx[erx_wr] = fd;
        erx_wr = erx_wr + 1;
    end else begin
        exp_ferr = exp_ferr + 1;
    end
    rxd = 1'b0;
    #(bt);
    for (fi = 0; fi < 8; fi = fi + 1) begin
        rxd = (fk == 2'd2) ? 1'b0 : fd[fi];
        #(bt);
    end
    rxd = (fk == 2'd0);
    #(bt);
    if (fk == 2'd2)
        #(bt * 25.0);
    rxd = 1'b1;
    if (fk != 2'd0)
        #(bt);                      // a bad frame is followed by at least one idle bit
    if (fg > 0)
        #(fg / 1000.0);
    ftx_rd = ftx_rd + 1;
end

task far_send;
    input [7:0] d;
    input [1:0] kind;
    input integer gap_ps;
    begin
        ftx_data[ftx_wr] = d;
        ftx_kind[ftx_wr] = kind;
        ftx_gap[ftx_wr]  = gap_ps;
        ftx_wr = ftx_wr + 1;
    end
endtask

// ---------------------------------------------------------------- DUT receive checker
integer   rx_rd = 0;           // index in exp_rx of the byte expected next
integer   skip = 0;            // overruns since the held byte arrived
integer   rx_got = 0, n_ovr = 0, n_ferr = 0, rx_err = 0;
reg       held_v = 1'b0;
reg [7:0] held_d;

always @(posedge clk) begin
    if (!rst) begin
        if (held_v && (!m_tvalid || m_tdata != held_d))
            $fatal(1, "uart %0d: m_* beat not held while m_tready low", ID);
        // stat_rx_overrun is registered: it reports a byte dropped in the previous cycle
        if (ovr) begin
            n_ovr = n_ovr + 1;
            skip  = skip + 1;
            if (!held_v)
                $fatal(1, "uart %0d: overrun reported with room in the output", ID);
        end
        held_v <= m_tvalid && !m_tready;
        held_d <= m_tdata;
        if (ferr)
            n_ferr = n_ferr + 1;
        if (m_tvalid && m_tready) begin
            if (rx_rd >= erx_wr) begin
                if (strict) $fatal(1, "uart %0d: received %02x out of nowhere", ID, m_tdata);
                rx_err = rx_err + 1;
            end else if (m_tdata !== exp_rx[rx_rd]) begin
                if (strict)
                    $fatal(1, "uart %0d: byte %0d received %02x, expected %02x", ID, rx_rd,
                           m_tdata, exp_rx[rx_rd]);
                rx_err = rx_err + 1;
            end
            rx_rd  = rx_rd + 1 + skip;
            skip   = 0;
            rx_got = rx_got + 1;
        end
    end
end

// m_tready: mode 0 random bubbles (rdy_pct), mode 1 long stalls
integer rdy_mode = 0, rdy_pct = 100, stall = 0;
always @(posedge clk) begin
    if (rdy_mode == 0) begin
        m_tready <= ({$random(seed)} % 100) < rdy_pct;
    end else if (stall > 0) begin
        stall = stall - 1;
        m_tready <= 1'b0;
    end else if (({$random(seed)} % 32) == 0) begin
        stall = {$random(seed)} % (4 * CPF);
        m_tready <= 1'b0;
    end else begin
        m_tready <= 1'b1;
    end
end

// ---------------------------------------------------------------- DUT transmit driver
reg [7:0] exp_tx [0:QS-1];
integer   etx_wr = 0;
integer   tx_left = 0, s_pct = 100;
always @(posedge clk) begin
    if (!rst) begin
        if (s_tvalid && s_tready) begin
            exp_tx[etx_wr] = s_tdata;
            etx_wr = etx_wr + 1;
            s_tvalid <= 1'b0;
        end
        if ((!s_tvalid || s_tready) && tx_left > 0 && ({$random(seed)} % 100) < s_pct) begin
            s_tvalid <= 1'b1;
            s_tdata  <= $random(seed);
            tx_left  = tx_left - 1;
        end
    end
end

// ---------------------------------------------------------------- far receiver
integer   frx_rd = 0, frx_err = 0;
integer   ri;
reg [7:0] rb;
reg       rstop;
realtime  t_start, t_prev = 0.0, t_first = 0.0;
integer   frx_run = 0;          // frames in the current back-to-back check run
reg       check_b2b = 1'b0;     // phase A: frames must follow 10 bits apart

always begin
    @(negedge txd);
    t_start = $realtime;
    #(bt * 0.5);
    if (txd !== 1'b0) begin
        if (strict) $fatal(1, "uart %0d: start bit not low at its centre", ID);
        frx_err = frx_err + 1;
    end
    for (ri = 0; ri < 8; ri = ri + 1) begin
        #(bt);
        rb[ri] = txd;
    end
    #(bt);
    rstop = txd;
    if (rstop !== 1'b1) begin
        if (strict) $fatal(1, "uart %0d: DUT stop bit low", ID);
        frx_err = frx_err + 1;
    end
    if (frx_rd >= etx_wr) begin
        if (strict) $fatal(1, "uart %0d: DUT sent %02x out of nowhere", ID, rb);
        frx_err = frx_err + 1;
    end else if (rb !== exp_tx[frx_rd]) begin
        if (strict)
            $fatal(1, "uart %0d: DUT byte %0d sent %02x, expected %02x", ID, frx_rd, rb,
                   exp_tx[frx_rd]);
        frx_err = frx_err + 1;
    end
    frx_rd = frx_rd + 1;
    if (check_b2b) begin
        if (frx_run == 0) begin
            t_first = t_start;
        end else if (t_start - t_prev > 10.0 * T_NS + CLK_NS ||
                     t_start - t_prev < 10.0 * T_NS - CLK_NS) begin
            $fatal(1, "uart %0d: back-to-back frames %0.3f ns apart, expected %0.3f", ID,
                   t_start - t_prev, 10.0 * T_NS);
        end
        frx_run = frx_run + 1;
    end
    t_prev = t_start;
end

// ---------------------------------------------------------------- helpers
task wait_clocks;
    input integer n;
    begin
        repeat (n) @(posedge clk);
    end
endtask

task set_delta;
    input integer per_mille_x10;  // offset in 0.1 % units
    begin
        delta = per_mille_x10 / 1000.0;
        bt    = 1.0e9 / (BAUD * (1.0 + delta));
    end
endtask

// wait until the far transmitter, the DUT transmitter and both receivers are quiet
task drain;
    begin
        wait (ftx_rd == ftx_wr && tx_left == 0 && !s_tvalid);
        wait_clocks(3 * CPF);
        @(posedge clk);
    end
endtask

task check_accounting;
    input [8*8-1:0] name;
    begin
        if (rx_rd != erx_wr)
            $fatal(1, "uart %0d phase %0s: %0d good bytes sent, %0d received or counted (%0d overruns)",
                   ID, name, erx_wr, rx_rd, n_ovr);
        if (n_ferr != exp_ferr)
            $fatal(1, "uart %0d phase %0s: %0d framing errors reported, %0d expected", ID, name,
                   n_ferr, exp_ferr);
        if (frx_rd != etx_wr)
            $fatal(1, "uart %0d phase %0s: DUT accepted %0d bytes, far side received %0d", ID,
                   name, etx_wr, frx_rd);
    end
endtask

integer i, k, pt, lo_ok, hi_ok, tx_lo_ok, tx_hi_ok, rxok, txok, n_ovr0;
reg     rx_run_ok, tx_run_ok;
realtime t_span;

initial begin
    done = 1'b0;
    `BENCH_SEED(seed);
    seed  = seed * 131 + ID * 7919;
    fseed = seed + 3;
    wait_clocks(10);
    rst = 1'b0;
    // right after reset the line must idle high
    for (i = 0; i < 2 * CPF; i = i + 1) begin
        @(posedge clk);
        if (txd !== 1'b1) $fatal(1, "uart %0d: txd not high after reset", ID);
    end

    // ---- A: +2 %, back-to-back both ways
    set_delta(20);
    #({$random(fseed)} % 16000 / 1000.0);
    rdy_mode = 0; rdy_pct = 80; s_pct = 100;
    check_b2b = 1'b1; frx_run = 0;
    tx_left = NLOOP;
    for (i = 0; i < NLOOP; i = i + 1)
        far_send($random(fseed), 2'd0, 0);
    drain;
    check_b2b = 1'b0;
    t_span = t_prev - t_first;
    if (t_span > (NLOOP - 1) * 10.0 * T_NS + CLK_NS / 2.0 + 0.01 ||
        t_span < (NLOOP - 1) * 10.0 * T_NS - CLK_NS / 2.0 - 0.01)
        $fatal(1, "uart %0d: %0d frames took %0.3f ns, expected %0.3f", ID, NLOOP - 1, t_span,
               (NLOOP - 1) * 10.0 * T_NS);
    check_accounting("A");
    if (n_ovr != 0) $fatal(1, "uart %0d: overrun without backpressure", ID);
    $display("uart %0d (%0d baud): A +2%%: %0d bytes each way, DUT tx rate exact (%0.3f ns per frame, ideal %0.3f)",
             ID, BAUD, NLOOP, t_span / (NLOOP - 1), 10.0 * T_NS);

    // ---- B: -2 %, gaps and bubbles
    set_delta(-20);
    rdy_pct = 60; s_pct = 30;
    tx_left = NLOOP;
    for (i = 0; i < NLOOP; i = i + 1)
        far_send($random(fseed), 2'd0, ({$random(fseed)} % 4 == 0) ? {$random(fseed)} % (3 * 1000 * CPF * 16) : 0);
    drain;
    check_accounting("B");
    if (n_ovr != 0) $fatal(1, "uart %0d: overrun without backpressure", ID);
    $display("uart %0d (%0d baud): B -2%%: %0d bytes each way with gaps and bubbles", ID, BAUD, NLOOP);

    // ---- C: backpressure
    set_delta(0);
    rdy_mode = 1; s_pct = 100;
    n_ovr0 = n_ovr;
    for (i = 0; i < NBP; i = i + 1)
        far_send($random(fseed), 2'd0, 0);
    drain;
    rdy_mode = 0; rdy_pct = 100;
    wait_clocks(4);
    check_accounting("C");
    if (n_ovr == n_ovr0) $fatal(1, "uart %0d: backpressure phase saw no overrun", ID);
    $display("uart %0d (%0d baud): C backpressure: %0d bytes, %0d delivered in order, %0d dropped and counted as overruns",
             ID, BAUD, NBP, rx_got - 2 * NLOOP, n_ovr);

    // ---- D: framing errors and a break
    rdy_pct = 90;
    for (i = 0; i < NFE; i = i + 1) begin
        k = {$random(fseed)} % 4;
        if (i == NFE / 2)
            far_send(8'h00, 2'd2, 0);
        else
            far_send($random(fseed), (k == 0) ? 2'd1 : 2'd0, 0);
    end
    drain;
    check_accounting("D");
    if (n_ferr == 0) $fatal(1, "uart %0d: no framing error seen", ID);
    $display("uart %0d (%0d baud): D framing: %0d frames, %0d framing errors (one break) reported, good bytes intact",
             ID, BAUD, NFE, n_ferr);

    // ---- E: idle
    for (i = 0; i < 5 * CPF; i = i + 1) begin
        @(posedge clk);
        if (txd !== 1'b1) $fatal(1, "uart %0d: txd not high while idle", ID);
        if (m_tvalid) $fatal(1, "uart %0d: byte out of an idle line", ID);
    end
    $display("uart %0d (%0d baud): E idle line high, nothing received", ID, BAUD);

    // ---- S: tolerance sweep
    if (SWEEP) begin
        strict = 1'b0;
        lo_ok = 1; hi_ok = -1; tx_lo_ok = 1; tx_hi_ok = -1;
        rx_run_ok = 1'b1; tx_run_ok = 1'b1;
        // from 0 upwards, then from 0 downwards; stop each side at its first failure
        for (k = 0; k < 2; k = k + 1) begin
            rx_run_ok = 1'b1; tx_run_ok = 1'b1;
            for (pt = 0; pt <= SWEEP_MAX && (rx_run_ok || tx_run_ok); pt = pt + SWEEP_STP) begin
                set_delta(k == 0 ? pt : -pt);
                rst = 1'b1;
                wait_clocks(4);
                rst = 1'b0;
                rx_rd = erx_wr; skip = 0; frx_rd = etx_wr;
                rx_err = 0; frx_err = 0; n_ferr = 0; exp_ferr = 0; n_ovr = 0; rx_got = 0;
                #({$random(fseed)} % 16000 / 1000.0);
                rdy_pct = 100; s_pct = 100;
                tx_left = SWEEP_N;
                for (i = 0; i < SWEEP_N; i = i + 1)
                    far_send($random(fseed), 2'd0, 0);
                drain;
                rxok = (rx_err == 0 && rx_got == SWEEP_N && n_ferr == 0 && n_ovr == 0);
                txok = (frx_err == 0 && frx_rd == etx_wr);
                if (rx_run_ok && rxok) begin
                    if (k == 0) hi_ok = pt; else lo_ok = -pt;
                end else begin
                    rx_run_ok = 1'b0;
                end
                if (tx_run_ok && txok) begin
                    if (k == 0) tx_hi_ok = pt; else tx_lo_ok = -pt;
                end else begin
                    tx_run_ok = 1'b0;
                end
                // the far receiver may be mid-frame after a failure: let it finish
                wait_clocks(2 * CPF);
                frx_rd = etx_wr;
            end
        end
        strict = 1'b1;
        $display("uart %0d (%0d baud): S tolerance (far clock offset, %0d back-to-back bytes per point, step %0d.%0d %%): DUT rx %0d.%0d %% .. +%0d.%0d %%, far rx of DUT tx %0d.%0d %% .. +%0d.%0d %%",
                 ID, BAUD, SWEEP_N, SWEEP_STP / 10, SWEEP_STP % 10,
                 lo_ok / 10, (-lo_ok) % 10, hi_ok / 10, hi_ok % 10,
                 tx_lo_ok / 10, (-tx_lo_ok) % 10, tx_hi_ok / 10, tx_hi_ok % 10);
        if (lo_ok > -20 || hi_ok < 20)
            $fatal(1, "uart %0d: receive tolerance below +-2 %%", ID);
    end
    done = 1'b1;
end

endmodule

module tb;

wire [2:0] done;

uart_harness #(.ID(0), .BAUD(12000000), .NLOOP(1500), .NBP(400), .NFE(60), .SWEEP(1),
               .SWEEP_MAX(60), .SWEEP_STP(1), .SWEEP_N(200)) h0 (.done(done[0]));
uart_harness #(.ID(1), .BAUD(3000000), .NLOOP(300), .NBP(100), .NFE(30), .SWEEP(1),
               .SWEEP_MAX(70), .SWEEP_STP(2), .SWEEP_N(60)) h1 (.done(done[1]));
uart_harness #(.ID(2), .BAUD(115200), .NLOOP(16), .NBP(16), .NFE(8), .SWEEP(0)) h2 (.done(done[2]));

`BENCH_PASS_WHEN_DONE(done, 200_000_000)

endmodule

`default_nettype wire
