// SPDX-License-Identifier: MIT
// Self-checking bench for eth_mac: three clock domains, GMII RX -> core and core -> GMII TX.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

/*
 * mac_harness: one eth_mac with its own three clocks and two independent scoreboards.
 *  Receive: random bursts (good, bad FCS, RX_ER, runts, no SFD, oversize, short
 *  preambles, 12-cycle gaps) on GMII RX must come out on m_rx as 32-bit frames with
 *  the two zero pad bytes, the right tkeep on the last word (1111 elsewhere), tuser =
 *  status on the last word (0 elsewhere), one frame per burst, in order. First with
 *  m_rx_tready always high, then with random bubbles. With OVF_TEST the core then
 *  stops reading for long stretches so the receive FIFO overflows: every burst must
 *  still give exactly one frame; good-status frames must be exact, the others
 *  flagged and a prefix of what was sent (or a single zero byte).
 *  Transmit: random frames of 1..1514 bytes are written to s_tx as padded 32-bit
 *  words (random pad bytes, random tvalid bubbles, each frame started only when
 *  s_tx_free says it fits) and must come out on GMII TX intact: preamble, SFD, bytes,
 *  zero padding to 60, correct FCS, no tx_er, inter-frame gap of at least 12.
 */
module mac_harness #(
    parameter ID              = 0,      // harness number (seed offset, messages)
    parameter real CORE_HALF  = 8.0,    // core clock half period, ns
    parameter real RX_HALF    = 4.0,    // GMII RX clock half period, ns
    parameter real TX_HALF    = 4.0,    // GMII TX clock half period, ns
    parameter real TX_PHASE   = 1.7,    // GMII TX clock start offset, ns
    parameter RX_FRAMES       = 150,    // bursts per receive phase
    parameter TX_FRAMES       = 250,    // transmit frames
    parameter RX_READY_PCT    = 70,     // m_rx_tready probability in the bubble phase (%)
    parameter TX_VALID_PCT    = 80,     // s_tx_tvalid probability (%)
    parameter OVF_TEST        = 0       // add the receive FIFO overflow phase
) (
    output reg done
);

localparam QB = 1 << 20;
localparam QF = 1 << 12;

`BENCH_CLOCK(clk, CORE_HALF);
`BENCH_CLOCK(gmii_rx_clk, RX_HALF);
reg gmii_tx_clk = 1'b0;
initial begin
    #(TX_PHASE);
    forever #(TX_HALF) gmii_tx_clk = !gmii_tx_clk;
end

reg         rst = 1'b1;
reg         gmii_rx_rst = 1'b1;
reg         gmii_tx_rst = 1'b1;
reg  [7:0]  gmii_rxd = 8'd0;
reg         gmii_rx_dv = 1'b0;
reg         gmii_rx_er = 1'b0;
wire [7:0]  gmii_txd;
wire        gmii_tx_en;
wire        gmii_tx_er;
wire [31:0] m_rx_tdata;
wire [3:0]  m_rx_tkeep;
wire        m_rx_tvalid;
reg         m_rx_tready = 1'b1;
wire        m_rx_tlast;
wire [1:0]  m_rx_tuser;
reg  [31:0] s_tx_tdata = 32'd0;
reg  [3:0]  s_tx_tkeep = 4'd0;
reg         s_tx_tvalid = 1'b0;
wire        s_tx_tready;
reg         s_tx_tlast = 1'b0;
wire [10:0] s_tx_free;

eth_mac #(
    .RX_FIFO_LOG2 (9),
    .TX_FIFO_LOG2 (10)
) dut (
    .clk         (clk),
    .rst         (rst),
    .gmii_rx_clk (gmii_rx_clk),
    .gmii_rx_rst (gmii_rx_rst),
    .gmii_rxd    (gmii_rxd),
    .gmii_rx_dv  (gmii_rx_dv),
    .gmii_rx_er  (gmii_rx_er),
    .gmii_tx_clk (gmii_tx_clk),
    .gmii_tx_rst (gmii_tx_rst),
    .gmii_txd    (gmii_txd),
    .gmii_tx_en  (gmii_tx_en),
    .gmii_tx_er  (gmii_tx_er),
    .m_rx_tdata  (m_rx_tdata),
    .m_rx_tkeep  (m_rx_tkeep),
    .m_rx_tvalid (m_rx_tvalid),
    .m_rx_tready (m_rx_tready),
    .m_rx_tlast  (m_rx_tlast),
    .m_rx_tuser  (m_rx_tuser),
    .s_tx_tdata  (s_tx_tdata),
    .s_tx_tkeep  (s_tx_tkeep),
    .s_tx_tvalid (s_tx_tvalid),
    .s_tx_tready (s_tx_tready),
    .s_tx_tlast  (s_tx_tlast),
    .s_tx_free   (s_tx_free)
);

integer rseed, tseed, cseed;

`include "crc32.vh"

`BENCH_URAND_FN(rrand, rseed)
`BENCH_URAND_FN(trand, tseed)

reg rx_started = 1'b0;   // resets released
reg rx_done = 1'b0;
reg tx_done = 1'b0;

initial begin
    `BENCH_SEED(rseed);
    rseed = rseed * 1009 + ID * 104729;
    tseed = rseed + 11;
    cseed = rseed + 23;
    done = 1'b0;
    #400;
    @(posedge clk) rst <= 1'b0;
    @(posedge gmii_rx_clk) gmii_rx_rst <= 1'b0;
    @(posedge gmii_tx_clk) gmii_tx_rst <= 1'b0;
    #200;
    rx_started = 1'b1;
    wait (rx_done && tx_done);
    done = 1'b1;
end

// ================================================================ receive
reg [7:0] rexp [0:QB-1];          // expected bytes after the pad
integer   rexp_start [0:QF-1];
integer   rexp_len   [0:QF-1];
reg [1:0] rexp_stat  [0:QF-1];
integer   reb_wr = 0;
integer   ref_wr = 0;
integer   ref_rd = 0;
integer   rx_strict = 1;
integer   rx_degraded = 0;
integer   rx_stat_n [0:3];
reg [7:0] fb [0:4095];

task rx_expect(input integer sfd, input integer total, input integer bad);
    integer n, k, st;
    begin
        if (ref_wr - ref_rd >= QF) $fatal(1, "h%0d: rx scoreboard overflow", ID);
        st = !sfd ? 2 : (total < 64) ? 2 : (total > 1518) ? 3 : bad ? 1 : 0;
        n = sfd ? total - 4 : 0;
        if (n > 1514) n = 1514;
        rexp_start[ref_wr % QF] = reb_wr;
        rexp_stat[ref_wr % QF] = st;
        if (n <= 0) begin
            rexp[reb_wr % QB] = 8'd0;
            reb_wr = reb_wr + 1;
            rexp_len[ref_wr % QF] = 1;
        end else begin
            for (k = 0; k < n; k = k + 1)
                rexp[(reb_wr + k) % QB] = fb[k];
            reb_wr = reb_wr + n;
            rexp_len[ref_wr % QF] = n;
        end
        ref_wr = ref_wr + 1;
    end
endtask

`define GMII_RX_CLK gmii_rx_clk
`define GMII_SEED rseed
`define GMII_IDLE_NOISE 0
`include "gmii_rx.vh"

task rx_random_burst;
    integer kind, n, pre, gap, pos, total, bad, er_at;
    begin
        pre = (rrand(0, 3) == 0) ? rrand(0, 7) : 7;
        gap = (rrand(0, 3) == 0) ? rrand(12, 30) : 12;
        kind = rrand(0, 15);
        er_at = -1;
        bad = 0;
        if (kind < 9) begin                      // good
            n = rrand(0, 9);
            n = (n == 0) ? 60 : (n == 1) ? 1514 : rrand(60, 1514);
            make_frame(n);
            total = n + 4;
        end else if (kind < 11) begin            // bad FCS or RX_ER
            n = rrand(60, 1000);
            make_frame(n);
            total = n + 4;
            if (kind == 9) begin
                pos = rrand(0, total - 1);
                fb[pos] = fb[pos] ^ 8'h10;
            end else begin
                er_at = pre + 1 + rrand(0, total - 1);
            end
            bad = 1;
        end else if (kind < 13) begin            // runt
            total = rrand(0, 63);
            if (total < 4) begin
                for (pos = 0; pos < total; pos = pos + 1) fb[pos] = $random(rseed);
            end else begin
                make_frame(total - 4);
            end
        end else if (kind < 14) begin            // oversize
            n = rrand(1515, 1600);
            make_frame(n);
            total = n + 4;
        end else begin                           // no SFD
            total = (kind == 14) ? 0 : rrand(0, 30);   // preamble only, or a bad SFD
            for (pos = 0; pos < total; pos = pos + 1) fb[pos] = $random(rseed);
            rx_expect(0, total, 0);
            gmii_burst(rrand(1, 8), (kind == 14) ? -1 : 8'h5D, total, -1, gap);
        end
        if (kind < 14) begin
            rx_expect(1, total, bad);
            gmii_burst(pre, 8'hD5, total, er_at, gap);
        end
    end
endtask

// core-side receive monitor
reg [7:0] rgot [0:4095];
integer   rgot_n = 0;
reg       rprev_stall = 1'b0;
reg [38:0] rprev_beat;

always @(posedge clk) begin : rx_monitor
    integer k, idx, len, ok, prefix, zero, nb;
    if (!rst) begin
        if (rprev_stall && !(m_rx_tvalid &&
            {m_rx_tdata, m_rx_tkeep, m_rx_tlast, m_rx_tuser} == rprev_beat))
            $fatal(1, "h%0d: m_rx stalled beat not held", ID);
        rprev_stall <= m_rx_tvalid && !m_rx_tready;
        rprev_beat  <= {m_rx_tdata, m_rx_tkeep, m_rx_tlast, m_rx_tuser};
        if (m_rx_tvalid && m_rx_tready) begin
            if (!m_rx_tlast && (m_rx_tkeep != 4'b1111 || m_rx_tuser != 2'd0))
                $fatal(1, "h%0d: non-last rx word with tkeep %b tuser %0d", ID, m_rx_tkeep, m_rx_tuser);
            case (m_rx_tkeep)
            4'b1000: nb = 1;
            4'b1100: nb = 2;
            4'b1110: nb = 3;
            4'b1111: nb = 4;
            default: begin nb = 0; $fatal(1, "h%0d: bad tkeep %b", ID, m_rx_tkeep); end
            endcase
            for (k = 0; k < nb; k = k + 1) begin
                if (rgot_n >= 4096) $fatal(1, "h%0d: rx frame too long", ID);
                rgot[rgot_n] = m_rx_tdata[31 - 8 * k -: 8];
                rgot_n = rgot_n + 1;
            end
            if (m_rx_tlast) begin
                if (ref_rd >= ref_wr) $fatal(1, "h%0d: rx frame without a burst", ID);
                if (rgot_n < 3 || rgot[0] != 8'd0 || rgot[1] != 8'd0)
                    $fatal(1, "h%0d: rx frame %0d: missing or non-zero pad (%0d bytes)", ID, ref_rd, rgot_n);
                idx = rexp_start[ref_rd % QF];
                len = rexp_len[ref_rd % QF];
                ok = (rgot_n - 2 == len) && (m_rx_tuser == rexp_stat[ref_rd % QF]);
                for (k = 0; k < rgot_n - 2 && k < len; k = k + 1)
                    if (rgot[k + 2] != rexp[(idx + k) % QB]) ok = 0;
                if (!ok) begin
                    prefix = (rgot_n - 2 <= len);
                    for (k = 0; k < rgot_n - 2 && k < len; k = k + 1)
                        if (rgot[k + 2] != rexp[(idx + k) % QB]) prefix = 0;
                    zero = (rgot_n == 3) && (rgot[2] == 8'd0);
                    if (rx_strict || m_rx_tuser == 2'd0 ||
                        !(m_rx_tuser == 2'd1 || m_rx_tuser == rexp_stat[ref_rd % QF]) ||
                        !(prefix || zero)) begin
                        $display("h%0d: rx frame %0d: got %0d bytes status %0d, expected %0d bytes status %0d",
                                 ID, ref_rd, rgot_n - 2, m_rx_tuser, len, rexp_stat[ref_rd % QF]);
                        $fatal(1, "h%0d: rx frame mismatch", ID);
                    end
                    rx_degraded = rx_degraded + 1;
                end
                rx_stat_n[m_rx_tuser] = rx_stat_n[m_rx_tuser] + 1;
                ref_rd = ref_rd + 1;
                rgot_n = 0;
            end
        end
    end
end

// core-side receive backpressure: 0 always ready, 1 random bubbles, 2 long stalls
integer rx_ready_mode = 0;
integer rx_stall_left = 0;
always @(posedge clk) begin : rx_ready_gen
    integer r;
    r = {$random(cseed)} % 100;
    case (rx_ready_mode)
    0: m_rx_tready <= 1'b1;
    1: m_rx_tready <= (r < RX_READY_PCT);
    default: begin
        if (rx_stall_left > 0) begin
            m_rx_tready <= 1'b0;
            rx_stall_left = rx_stall_left - 1;
        end else if (({$random(cseed)} % 20000) == 0) begin
            m_rx_tready <= 1'b0;
            rx_stall_left = 2000 + ({$random(cseed)} % 10000);
        end else begin
            m_rx_tready <= 1'b1;
        end
    end
    endcase
end

task rx_drain;
    integer t;
    begin
        t = 0;
        while (ref_rd != ref_wr && t < 200000) begin
            @(posedge gmii_rx_clk);
            t = t + 1;
        end
        if (ref_rd != ref_wr) $fatal(1, "h%0d: %0d bursts sent, %0d rx frames", ID, ref_wr, ref_rd);
    end
endtask

integer ri;
initial begin : rx_main
    for (ri = 0; ri < 4; ri = ri + 1) rx_stat_n[ri] = 0;
    wait (rx_started);
    gmii_idle(10);
    rx_ready_mode = 0;
    for (ri = 0; ri < RX_FRAMES; ri = ri + 1) rx_random_burst;
    rx_drain;
    rx_ready_mode = 1;
    for (ri = 0; ri < RX_FRAMES; ri = ri + 1) rx_random_burst;
    rx_drain;
    if (rx_degraded != 0) $fatal(1, "h%0d: %0d rx frames degraded without overflow", ID, rx_degraded);
    if (OVF_TEST) begin
        rx_strict = 0;
        rx_ready_mode = 2;
        for (ri = 0; ri < 3 * RX_FRAMES; ri = ri + 1) rx_random_burst;
        rx_ready_mode = 0;
        rx_drain;
        if (rx_degraded == 0) $fatal(1, "h%0d: overflow phase never overflowed", ID);
    end
    $display("h%0d: rx %0d bursts, status counts %0d/%0d/%0d/%0d, %0d degraded by overflow", ID,
             ref_wr, rx_stat_n[0], rx_stat_n[1], rx_stat_n[2], rx_stat_n[3], rx_degraded);
    rx_done = 1'b1;
end

// ================================================================ transmit
reg [7:0] texp [0:QB-1];
integer   texp_start [0:QF-1];
integer   texp_len   [0:QF-1];
integer   teb_wr = 0;
integer   tef_wr = 0;
integer   tef_rd = 0;

// core-side writer: one frame of len bytes (plus 2 random pad bytes) as words
task tx_frame(input integer len);
    integer k, nw, w, idx, nb, free_now;
    reg [31:0] word;
    reg [7:0]  b;
    begin
        if (tef_wr - tef_rd >= QF) $fatal(1, "h%0d: tx scoreboard overflow", ID);
        idx = teb_wr;
        for (k = 0; k < len; k = k + 1)
            texp[(idx + k) % QB] = $random(tseed);
        nw = (len + 2 + 3) / 4;
        // wait until the whole frame fits (s_tx_free is sampled at clock edges)
        free_now = -1;
        while (free_now < nw) begin
            @(posedge clk);
            free_now = s_tx_free;
            if (s_tx_tvalid && s_tx_tready) free_now = free_now - 1;
        end
        texp_start[tef_wr % QF] = idx;
        texp_len[tef_wr % QF] = len;
        tef_wr = tef_wr + 1;
        teb_wr = teb_wr + len;
        for (w = 0; w < nw; w = w + 1) begin
            word = 32'd0;
            nb = 0;
            for (k = 0; k < 4; k = k + 1) begin
                if (4 * w + k < 2) begin
                    b = $random(tseed);          // pad: ignored on transmit
                    nb = nb + 1;
                end else if (4 * w + k - 2 < len) begin
                    b = texp[(idx + 4 * w + k - 2) % QB];
                    nb = nb + 1;
                end else begin
                    b = $random(tseed);          // beyond tkeep: must be ignored
                end
                word[31 - 8 * k -: 8] = b;
            end
            // random bubble before the word
            while (trand(0, 99) >= TX_VALID_PCT) begin
                s_tx_tvalid <= 1'b0;
                @(posedge clk);
            end
            s_tx_tdata  <= word;
            s_tx_tkeep  <= (w == nw - 1) ? ((nb == 1) ? 4'b1000 : (nb == 2) ? 4'b1100 :
                                            (nb == 3) ? 4'b1110 : 4'b1111) : 4'b1111;
            s_tx_tlast  <= (w == nw - 1);
            s_tx_tvalid <= 1'b1;
            @(posedge clk);
            while (!s_tx_tready) @(posedge clk);
        end
        s_tx_tvalid <= 1'b0;
        s_tx_tlast  <= 1'b0;
    end
endtask

// GMII TX monitor
reg [7:0] tb_burst [0:4095];
integer   tbn = 0;
reg       tin_burst = 1'b0;
reg       tfirst = 1'b1;
integer   tgap = 0;

always @(posedge gmii_tx_clk) begin : tx_monitor
    integer k, len, plen, idx;
    reg [31:0] c;
    if (!gmii_tx_rst) begin
        if (gmii_tx_er) $fatal(1, "h%0d: gmii_tx_er asserted", ID);
        if (gmii_tx_en) begin
            if (!tin_burst) begin
                if (tef_rd >= tef_wr) $fatal(1, "h%0d: GMII burst without a frame", ID);
                if (!tfirst && tgap < 12) $fatal(1, "h%0d: inter-frame gap %0d", ID, tgap);
                tfirst = 1'b0;
                tbn = 0;
            end
            tin_burst = 1'b1;
            if (tbn >= 4096) $fatal(1, "h%0d: tx burst too long", ID);
            tb_burst[tbn] = gmii_txd;
            tbn = tbn + 1;
        end else begin
            if (tin_burst) begin
                idx = texp_start[tef_rd % QF];
                len = texp_len[tef_rd % QF];
                plen = (len < 60) ? 60 : len;
                if (tbn != 8 + plen + 4)
                    $fatal(1, "h%0d: tx frame %0d: burst of %0d bytes, expected %0d", ID, tef_rd,
                           tbn, 8 + plen + 4);
                for (k = 0; k < 7; k = k + 1)
                    if (tb_burst[k] != 8'h55) $fatal(1, "h%0d: tx frame %0d: bad preamble", ID, tef_rd);
                if (tb_burst[7] != 8'hD5) $fatal(1, "h%0d: tx frame %0d: bad SFD", ID, tef_rd);
                c = 32'hFFFFFFFF;
                for (k = 0; k < plen; k = k + 1) begin
                    if (k < len) begin
                        if (tb_burst[8 + k] != texp[(idx + k) % QB])
                            $fatal(1, "h%0d: tx frame %0d: byte %0d = %02x, expected %02x", ID, tef_rd,
                                   k, tb_burst[8 + k], texp[(idx + k) % QB]);
                    end else if (tb_burst[8 + k] != 8'd0) begin
                        $fatal(1, "h%0d: tx frame %0d: non-zero pad", ID, tef_rd);
                    end
                    c = crc_byte(c, tb_burst[8 + k]);
                end
                c = ~c;
                if ({tb_burst[8 + plen + 3], tb_burst[8 + plen + 2], tb_burst[8 + plen + 1],
                     tb_burst[8 + plen]} != c)
                    $fatal(1, "h%0d: tx frame %0d: bad FCS", ID, tef_rd);
                tef_rd = tef_rd + 1;
                tgap = 0;
            end
            tin_burst = 1'b0;
            tgap = tgap + 1;
        end
    end
end

integer ti, tlen, tw;
initial begin : tx_main
    wait (rx_started);
    tx_frame(1);
    tx_frame(1514);
    tx_frame(58);
    tx_frame(59);
    for (ti = 0; ti < TX_FRAMES; ti = ti + 1) begin
        tlen = trand(0, 9);
        tlen = (tlen < 3) ? trand(1, 70) : (tlen == 3) ? 1514 : trand(1, 1514);
        tx_frame(tlen);
        if (trand(0, 3) == 0) repeat (trand(0, 300)) @(posedge clk);
    end
    tw = 0;
    while (tef_rd != tef_wr && tw < 400000) begin
        @(posedge clk);
        tw = tw + 1;
    end
    if (tef_rd != tef_wr) $fatal(1, "h%0d: %0d tx frames written, %0d sent", ID, tef_wr, tef_rd);
    $display("h%0d: tx %0d frames", ID, tef_wr);
    tx_done = 1'b1;
end

endmodule

module tb;

wire [2:0] done;

// core 62.5 MHz, GMII 125 MHz with the TX clock phase shifted; overflow phase
mac_harness #(.ID(0), .CORE_HALF(8.0), .RX_HALF(4.0), .TX_HALF(4.0), .TX_PHASE(1.7),
              .OVF_TEST(1)) h0 (.done(done[0]));
// odd core clock (about 54.9 MHz), TX clock slightly slower than RX
mac_harness #(.ID(1), .CORE_HALF(9.1), .RX_HALF(4.0), .TX_HALF(4.0004), .TX_PHASE(2.9),
              .RX_READY_PCT(75)) h1 (.done(done[1]));
// odd core clock faster than 62.5 MHz (about 74.6 MHz), TX clock slightly faster
mac_harness #(.ID(2), .CORE_HALF(6.7), .RX_HALF(3.9996), .TX_HALF(3.9997), .TX_PHASE(0.3),
              .RX_READY_PCT(60), .TX_VALID_PCT(50)) h2 (.done(done[2]));

`BENCH_PASS_WHEN_DONE(done, 200000000)

endmodule

`default_nettype wire
