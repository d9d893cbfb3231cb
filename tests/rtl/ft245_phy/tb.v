// SPDX-License-Identifier: MIT
// Self-checking bench for ft245_phy against a behavioural FT232H 245 synchronous FIFO model.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

/*
 * The FT232H model runs on its own 60 MHz clock (ft_clk); the core side on 62.5 MHz,
 * asynchronous to it. The model:
 *  - has an RX buffer (host->device, FT_CAP bytes) the host fills with random bytes,
 *    either as fast as it empties or in 512-byte USB packets at random times; RXF# is
 *    low while it holds a byte, and can be forced high at random for 1..8 cycles;
 *  - has a TX buffer (device->host, FT_CAP bytes) drained either at once or in
 *    512-byte packets at random times; TXE# is high while it is full or forced high at
 *    random, and once high stays high for at least two cycles (see ft245_phy);
 *  - moves a byte at each ft_clk edge where RD# and RXF# (read, D driven by the model
 *    while OE# is low) or WR# and TXE# (write, D driven by the PHY) are both low, with
 *    outputs (RXF#, TXE#, D) changing only after the edge;
 *  - checks the protocol: never both drivers on D, one turnaround cycle each way, OE#
 *    low for a cycle before RD#, never RD# and WR# together, WR# only while the PHY
 *    drives D, SIWU# high.
 * Scoreboards check that every byte arrives in order, none lost or duplicated, in both
 * directions. Phases: read only, write only, both (throughput measured in bytes per
 * ft_clk cycle from the first to the last byte of the phase), then random stress with
 * RXF#/TXE# deassertion, USB-packet host behaviour and core-side bubbles and
 * backpressure.
 */
module tb;

localparam QS     = 1 << 17;
localparam FT_CAP = 1024;

reg ft_clk = 1'b0;
initial begin
    #3.1;
    forever #(50.0 / 6.0) ft_clk = !ft_clk;   // 60 MHz
end
`BENCH_CLOCK(clk, 8.0);                        // 62.5 MHz

reg        rst    = 1'b1;
reg        ft_rst = 1'b1;
reg  [7:0] s_tdata  = 8'd0;
reg        s_tvalid = 1'b0;
wire       s_tready;
wire [7:0] m_tdata;
wire       m_tvalid;
reg        m_tready = 1'b0;
wire [7:0] ft_data_o;
wire       ft_data_oe;
wire       ft_rd_n, ft_wr_n, ft_oe_n, ft_siwu_n;
reg        ft_rxf_n = 1'b1;
reg        ft_txe_n = 1'b1;
reg  [7:0] model_d = 8'd0;
wire [7:0] ft_bus;

assign ft_bus = ft_data_oe ? ft_data_o : 8'bzzzz_zzzz;
assign ft_bus = !ft_oe_n   ? model_d   : 8'bzzzz_zzzz;

ft245_phy dut (
    .clk        (clk),
    .rst        (rst),
    .s_tdata    (s_tdata),
    .s_tvalid   (s_tvalid),
    .s_tready   (s_tready),
    .m_tdata    (m_tdata),
    .m_tvalid   (m_tvalid),
    .m_tready   (m_tready),
    .ft_clk     (ft_clk),
    .ft_rst     (ft_rst),
    .ft_data_i  (ft_bus),
    .ft_data_o  (ft_data_o),
    .ft_data_oe (ft_data_oe),
    .ft_rxf_n   (ft_rxf_n),
    .ft_txe_n   (ft_txe_n),
    .ft_rd_n    (ft_rd_n),
    .ft_wr_n    (ft_wr_n),
    .ft_oe_n    (ft_oe_n),
    .ft_siwu_n  (ft_siwu_n)
);

integer seed, mseed, cseed;

// ---------------------------------------------------------------- model knobs
reg     host_fast  = 1'b1;   // 1: RX buffer refilled as fast as it empties; 0: 512-byte packets
reg     drain_fast = 1'b1;   // 1: TX buffer never fills; 0: drained in 512-byte packets
integer rxf_force_pct = 0;   // per cycle chance (0.1 %) to force RXF# high
integer txe_force_pct = 0;   // per cycle chance (0.1 %) to force TXE# high
integer usb_pct = 0;         // per cycle chance (0.1 %) of a USB packet (push / drain)

// ---------------------------------------------------------------- host->device data
reg [7:0] h2d [0:QS-1];
integer   h_total = 0;       // bytes the host has to send (so far)
integer   h_push  = 0;       // bytes put into the FTDI RX buffer
integer   h_rd    = 0;       // bytes read by the PHY
integer   c_rd    = 0;       // bytes delivered on m_*

// ---------------------------------------------------------------- device->host data
reg [7:0] d2h [0:QS-1];
integer   d_total = 0;       // bytes the core has to send (so far)
integer   d_acc   = 0;       // bytes accepted on s_*
integer   d_wr    = 0;       // bytes written to the FTDI
integer   t_cnt   = 0;       // bytes in the FTDI TX buffer

// ---------------------------------------------------------------- throughput
integer cyc = 0;
integer rd_first = -1, rd_last = -1, rd_n_ph = 0;
integer n_rmiss = 0, n_wfail = 0;   // read attempts with RXF# high, write attempts with TXE# high
integer wr_first = -1, wr_last = -1, wr_n_ph = 0;

// ---------------------------------------------------------------- FT232H model
reg     prev_oe_n = 1'b1, prev_doe = 1'b0;
integer rxf_force = 0, txe_force = 0, txe_hold = 0;
integer avail, nh, nt, k;
reg     txe_next;

always @(posedge ft_clk) begin
    cyc = cyc + 1;
    if (!ft_rst) begin
        // protocol checks on the pins as driven before this edge
        if (ft_siwu_n !== 1'b1) $fatal(1, "SIWU# not high");
        if (!ft_rd_n && !ft_wr_n) $fatal(1, "RD# and WR# both low");
        if (ft_data_oe && !ft_oe_n) $fatal(1, "bus contention: PHY drives D while OE# is low");
        if (ft_data_oe && !prev_oe_n) $fatal(1, "no turnaround: PHY drives D right after OE# low");
        if (!ft_oe_n && prev_doe) $fatal(1, "no turnaround: OE# low right after the PHY drove D");
        if (!ft_rd_n && (ft_oe_n || prev_oe_n)) $fatal(1, "RD# low without OE# low a cycle before");
        if (!ft_wr_n && !ft_data_oe) $fatal(1, "WR# low while the PHY does not drive D");
        if (ft_oe_n !== 1'b0 && ft_oe_n !== 1'b1) $fatal(1, "OE# unknown");
        prev_oe_n <= ft_oe_n;
        prev_doe  <= ft_data_oe;

        nh = h_rd;
        nt = t_cnt;
        if (!ft_rd_n && ft_rxf_n) n_rmiss = n_rmiss + 1;
        if (!ft_wr_n && ft_txe_n) n_wfail = n_wfail + 1;
        if (dut.res_dead && !dut.txe_q) $fatal(1, "PHY: voided write attempt went through");
        if (dut.rd_at && !dut.rxf_q && !dut.u_rx_fifo.s_tready) $fatal(1, "PHY: read byte with no room");
        // read: the byte on D moves
        if (!ft_rd_n && !ft_rxf_n) begin
            if (ft_bus !== h2d[h_rd % QS]) $fatal(1, "model: bus %02x, presenting %02x", ft_bus, h2d[h_rd % QS]);
            nh = h_rd + 1;
            if (rd_first < 0) rd_first = cyc;
            rd_last = cyc;
            rd_n_ph = rd_n_ph + 1;
        end
        // write: the byte on D is taken
        if (!ft_wr_n && !ft_txe_n) begin
            if (d_wr >= d_acc) $fatal(1, "write %02x out of nowhere", ft_bus);
            if (ft_bus !== d2h[d_wr % QS])
                $fatal(1, "device->host byte %0d: FTDI got %02x, expected %02x", d_wr, ft_bus,
                       d2h[d_wr % QS]);
            d_wr = d_wr + 1;
            nt = nt + 1;
            if (wr_first < 0) wr_first = cyc;
            wr_last = cyc;
            wr_n_ph = wr_n_ph + 1;
            if (t_cnt >= FT_CAP) $fatal(1, "model: TX buffer overflow");
        end
        h_rd = nh;
        // host side of the FTDI: fill the RX buffer, drain the TX buffer
        if (host_fast) begin
            h_push = (h_rd + FT_CAP < h_total) ? h_rd + FT_CAP : h_total;
        end else if (({$random(mseed)} % 1000) < usb_pct) begin
            k = h_push + 512;
            if (k > h_rd + FT_CAP) k = h_rd + FT_CAP;
            if (k > h_total) k = h_total;
            h_push = k;
        end
        if (drain_fast)
            nt = 0;
        else if (({$random(mseed)} % 1000) < usb_pct)
            nt = (nt > 512) ? nt - 512 : 0;
        t_cnt = nt;
        // forced deassertions
        if (rxf_force > 0) rxf_force = rxf_force - 1;
        else if (({$random(mseed)} % 1000) < rxf_force_pct) rxf_force = 1 + {$random(mseed)} % 8;
        if (txe_force > 0) txe_force = txe_force - 1;
        else if (({$random(mseed)} % 1000) < txe_force_pct) txe_force = 2 + {$random(mseed)} % 8;
        // outputs after the edge
        avail = h_push - h_rd;
        ft_rxf_n <= (avail == 0) || (rxf_force > 0);
        model_d  <= (avail > 0) ? h2d[h_rd % QS] : $random(mseed);
        txe_next = (t_cnt >= FT_CAP) || (txe_force > 0);
        if (txe_hold > 0) begin
            txe_next = 1'b1;
            txe_hold = txe_hold - 1;
        end else if (txe_next && !ft_txe_n) begin
            txe_hold = 1;                         // high for at least two cycles
        end
        ft_txe_n <= txe_next;
    end
end

// ---------------------------------------------------------------- core side
integer s_pct = 100, m_pct = 100, c_stall = 0, stall_pct = 0;

always @(posedge clk) begin
    if (!rst) begin
        if (m_tvalid && m_tready) begin
            if (c_rd >= h_rd) $fatal(1, "host->device byte %02x out of nowhere", m_tdata);
            if (m_tdata !== h2d[c_rd % QS])
                $fatal(1, "host->device byte %0d: core got %02x, expected %02x", c_rd, m_tdata,
                       h2d[c_rd % QS]);
            c_rd = c_rd + 1;
        end
        if (c_stall > 0) begin
            c_stall = c_stall - 1;
            m_tready <= 1'b0;
        end else if (({$random(cseed)} % 1000) < stall_pct) begin
            c_stall = {$random(cseed)} % 3000;
            m_tready <= 1'b0;
        end else begin
            m_tready <= ({$random(cseed)} % 100) < m_pct;
        end

        if (s_tvalid && s_tready) begin
            d2h[d_acc % QS] = s_tdata;
            d_acc = d_acc + 1;
            s_tvalid <= 1'b0;
        end
        if ((!s_tvalid || s_tready) && (d_acc + s_tvalid < d_total) &&
            ({$random(cseed)} % 100) < s_pct) begin
            s_tvalid <= 1'b1;
            s_tdata  <= $random(cseed);
        end
    end
end

// ---------------------------------------------------------------- phases
task add_host;
    input integer n;
    integer j;
    begin
        for (j = 0; j < n; j = j + 1)
            h2d[(h_total + j) % QS] = $random(seed);
        h_total = h_total + n;
    end
endtask

task add_dev;
    input integer n;
    begin
        d_total = d_total + n;
    end
endtask

task start_measure;
    begin
        rd_first = -1; rd_last = -1; rd_n_ph = 0;
        wr_first = -1; wr_last = -1; wr_n_ph = 0;
    end
endtask

task finish;
    begin
        wait (c_rd == h_total && d_wr == d_total);
        repeat (20) @(posedge ft_clk);
        if (c_rd != h_total || d_wr != d_total || m_tvalid)
            $fatal(1, "extra bytes after the phase");
    end
endtask

task report;
    input [8*16-1:0] name;
    real rt, wt;
    begin
        rt = (rd_n_ph > 1) ? (rd_n_ph - 1.0) / (rd_last - rd_first) : 0.0;
        wt = (wr_n_ph > 1) ? (wr_n_ph - 1.0) / (wr_last - wr_first) : 0.0;
        $display("ft245 %0s: host->device %0d bytes %0.3f B/cycle (%0.1f MB/s), device->host %0d bytes %0.3f B/cycle (%0.1f MB/s)",
                 name, rd_n_ph, rt, rt * 60.0, wr_n_ph, wt, wt * 60.0);
    end
endtask

real rt0, wt0;
integer r;

initial begin
    `BENCH_WAVES
    `BENCH_SEED(seed);
    mseed = seed * 3 + 1;
    cseed = seed * 5 + 2;
    repeat (10) @(posedge ft_clk);
    @(posedge clk);
    rst = 1'b0;
    @(posedge ft_clk);
    ft_rst = 1'b0;
    repeat (20) @(posedge ft_clk);

    // read only, as fast as the FTDI gives
    start_measure;
    add_host(20000);
    finish;
    report("read only");
    rt0 = (rd_n_ph - 1.0) / (rd_last - rd_first);
    if (rt0 < 0.99) $fatal(1, "read-only throughput %0.3f below 0.99 B/cycle", rt0);

    // write only
    start_measure;
    add_dev(20000);
    finish;
    report("write only");
    wt0 = (wr_n_ph - 1.0) / (wr_last - wr_first);
    if (wt0 < 0.99) $fatal(1, "write-only throughput %0.3f below 0.99 B/cycle", wt0);

    // both at once
    start_measure;
    add_host(20000);
    add_dev(20000);
    finish;
    report("both");
    rt0 = (rd_n_ph - 1.0) / (rd_last - rd_first);
    wt0 = (wr_n_ph - 1.0) / (wr_last - wr_first);
    if (rt0 < 0.45 || wt0 < 0.45) $fatal(1, "unfair or slow alternation");

    // random stress: RXF#/TXE# deassertion, USB packets, core bubbles and stalls
    for (r = 0; r < 4; r = r + 1) begin
        start_measure;
        host_fast     = (r == 1);
        drain_fast    = (r == 2);
        usb_pct       = 5 + r * 5;
        rxf_force_pct = 20 + 20 * r;
        txe_force_pct = 20 + 20 * r;
        s_pct         = (r == 3) ? 20 : 70;
        m_pct         = (r == 3) ? 20 : 70;
        stall_pct     = (r == 0) ? 1 : 0;
        add_host(15000);
        add_dev(15000);
        finish;
        report("stress");
    end

    // a host burst while the core does not read: RD# must stop at full
    start_measure;
    host_fast = 1'b1; drain_fast = 1'b1; rxf_force_pct = 0; txe_force_pct = 0;
    m_pct = 0; stall_pct = 0; s_pct = 100;
    add_host(6000);
    add_dev(3000);
    repeat (20000) @(posedge ft_clk);
    // the FIFO holds 2^11 bytes in RAM plus its output registers
    if (h_rd - c_rd > (1 << 11) + 2) $fatal(1, "more read than the FIFO holds");
    $display("ft245 core not reading: %0d bytes read into the %0d-byte FIFO, then RD# held off",
             h_rd - c_rd, 1 << 11);
    m_pct = 100;
    finish;
    report("after it");
    if (n_rmiss == 0 || n_wfail == 0) $fatal(1, "RXF#/TXE# deassertion during attempts not exercised");
    $display("ft245: %0d read attempts met RXF# high (not taken), %0d write attempts met TXE# high (re-sent)",
             n_rmiss, n_wfail);

    $display("PASS");
    $finish;
end

initial begin
    #(50_000_000);
    $fatal(1, "global timeout: host->device %0d/%0d delivered, device->host %0d/%0d written",
           c_rd, h_total, d_wr, d_total);
end

endmodule

`default_nettype wire
