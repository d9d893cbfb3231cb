// SPDX-License-Identifier: MIT
// Bench for tcp_rx_snoop: random frames (slot and non-slot TCP, SYN/RST, TCP options, IPv4
// options, short payloads with Ethernet padding, other protocols, truncated frames) with random beat gaps,
// a parser model giving random verdicts, a queue consumer with random delays and long pauses
// (queue full -> seg_drop) that sometimes releases a segment first and reads its payload after,
// holding its buffer (seg_hold) as toe_tcp's RX copy does. Checks tcp_match/match_slot over the
// whole folding..verdict window, every queue field and every payload byte.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

`include "toe_defs.vh"
`include "frames.vh"

localparam SLOTS     = 8;
localparam SLOT_BITS = 3;
localparam SEG_LOG2  = 2;
localparam NBUF      = 1 << SEG_LOG2;
localparam MQ        = 16;            // model queue entries (more than NBUF)

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg  [31:0]          rx_tdata = 0;
reg  [3:0]           rx_tkeep = 0;
reg                  rx_beat = 0, rx_tlast = 0;
reg  [SLOTS-1:0]     key_valid = 0;
reg  [SLOTS*32-1:0]  key_ip = 0, key_ports = 0;
wire                 tcp_match;
wire [SLOT_BITS-1:0] match_slot;
reg                  verdict_valid = 0;
reg  [5:0]           verdict = 0;
wire                 seg_drop, seg_valid;
reg                  seg_done = 0;
wire [SLOT_BITS-1:0] seg_slot;
wire [31:0]          seg_seq, seg_ack;
wire [15:0]          seg_wnd, seg_up;
wire [7:0]           seg_flags;
wire [10:0]          seg_len;
wire [SEG_LOG2:0]    seg_head;
reg                  seg_hold = 0;
reg  [SEG_LOG2:0]    seg_hold_at = 0;
reg  [SEG_LOG2-1:0]  seg_rd_buf = 0;
reg  [8:0]           seg_rd_word = 0;
wire [31:0]          seg_rd_data;

tcp_rx_snoop #(.SLOTS(SLOTS), .SLOT_BITS(SLOT_BITS), .SEG_LOG2(SEG_LOG2)) dut (
    .clk(clk), .rst(rst),
    .rx_tdata(rx_tdata), .rx_tkeep(rx_tkeep), .rx_beat(rx_beat), .rx_tlast(rx_tlast),
    .key_valid(key_valid), .key_ip(key_ip), .key_ports(key_ports),
    .tcp_match(tcp_match), .match_slot(match_slot),
    .verdict_valid(verdict_valid), .verdict(verdict), .seg_drop(seg_drop),
    .seg_valid(seg_valid), .seg_done(seg_done), .seg_slot(seg_slot), .seg_seq(seg_seq),
    .seg_ack(seg_ack), .seg_wnd(seg_wnd), .seg_up(seg_up), .seg_flags(seg_flags), .seg_len(seg_len),
    .seg_head(seg_head), .seg_hold(seg_hold), .seg_hold_at(seg_hold_at), .seg_rd_buf(seg_rd_buf),
    .seg_rd_word(seg_rd_word), .seg_rd_data(seg_rd_data)
);

`BENCH_URAND_FN(urand, rnd_seed)

task tick;
    begin @(posedge clk); #1; end
endtask

// ---- the frame under way and what the snoop should make of it ----
reg                 cur_match;
reg [SLOT_BITS-1:0] cur_slot;
reg [31:0]          cur_seq, cur_ack;
reg [15:0]          cur_wnd, cur_up;
reg [7:0]           cur_flags;
integer             cur_len, cur_pay;  // payload bytes and where they start in fb

// ---- model queue (filled by the monitor at the verdict, emptied by the consumer) ----
reg [SLOT_BITS-1:0] mq_slot [0:MQ-1];
reg [31:0]          mq_seq [0:MQ-1], mq_ack [0:MQ-1];
reg [15:0]          mq_wnd [0:MQ-1], mq_up [0:MQ-1];
reg [7:0]           mq_flags [0:MQ-1];
integer             mq_len [0:MQ-1];
reg [7:0]           mq_pay [0:MQ*2048-1];
integer             mq_wr = 0, mq_rd = 0;

// ---- monitor: buffer room at the first beat, commits, releases, seg_drop ----
integer outstanding = 0;      // committed and not yet released, as the DUT counts
reg     held_m = 0;           // a released segment's buffer is held
reg     first_pending = 1;    // the next beat is a frame's first
reg     taken_exp = 0;
reg     drop_pending = 0;
integer commits = 0, drops = 0, discards = 0, k_m;
always @(posedge clk) if (!rst) begin
    if (seg_drop !== drop_pending) $fatal(1, "seg_drop is %b, expected %b", seg_drop, drop_pending);
    drop_pending = 0;
    if (seg_valid !== (outstanding != 0)) $fatal(1, "seg_valid %b with %0d segments queued", seg_valid, outstanding);
    if (!seg_hold) held_m = 0;
    if (rx_beat && first_pending) taken_exp = outstanding + held_m < NBUF;
    if (rx_beat) first_pending = rx_tlast;
    if (verdict_valid) begin
        if (verdict == STAT_RX_TCP_SLOT && taken_exp) begin
            mq_slot[mq_wr % MQ] = cur_slot; mq_seq[mq_wr % MQ] = cur_seq; mq_ack[mq_wr % MQ] = cur_ack;
            mq_wnd[mq_wr % MQ] = cur_wnd; mq_up[mq_wr % MQ] = cur_up; mq_flags[mq_wr % MQ] = cur_flags; mq_len[mq_wr % MQ] = cur_len;
            for (k_m = 0; k_m < cur_len; k_m = k_m + 1) mq_pay[(mq_wr % MQ) * 2048 + k_m] = fb[cur_pay + k_m];
            mq_wr = mq_wr + 1;
            outstanding = outstanding + 1;
            commits = commits + 1;
        end else if (verdict == STAT_RX_TCP_SLOT) begin
            drop_pending = 1;
            drops = drops + 1;
        end else begin
            discards = discards + 1;
        end
    end
    if (seg_done && seg_valid) begin
        outstanding = outstanding - 1;
        if (seg_hold) held_m = 1;
    end
end

// ---- consumer: checks the head and every payload byte, releases it after random delays ----
reg     consumer_pause = 0;
integer released = 0, n_held = 0;
task release_head;
    begin
        seg_done = 1;
        mq_rd = mq_rd + 1;
        released = released + 1;
        tick;
        seg_done = 0;
    end
endtask
task consume_one;
    integer j, k, e;
    reg [31:0] w;
    reg held;
    begin
        e = mq_rd % MQ;
        if (mq_rd >= mq_wr) $fatal(1, "seg_valid with no segment committed");
        if (seg_slot !== mq_slot[e] || seg_seq !== mq_seq[e] || seg_ack !== mq_ack[e] ||
            seg_wnd !== mq_wnd[e] || seg_up !== mq_up[e] || seg_flags !== mq_flags[e] || seg_len !== mq_len[e])
            $fatal(1, "segment %0d head: slot %0d seq %h ack %h wnd %h up %h flags %h len %0d, expected %0d %h %h %h %h %h %0d",
                   mq_rd, seg_slot, seg_seq, seg_ack, seg_wnd, seg_up, seg_flags, seg_len,
                   mq_slot[e], mq_seq[e], mq_ack[e], mq_wnd[e], mq_up[e], mq_flags[e], mq_len[e]);
        // released first (the buffer held while its payload is read, frames still coming in),
        // or read at the head
        held = urand(0, 1);
        seg_rd_buf = seg_head[SEG_LOG2-1:0];
        if (held) begin
            seg_hold_at = seg_head;
            seg_hold = 1;
            n_held = n_held + 1;
            release_head;
        end
        // payload words, in order with random gaps, sometimes backwards
        for (j = 0; j < (mq_len[e] + 3) / 4; j = j + 1) begin
            seg_rd_word = urand(0, 1) ? j : (mq_len[e] + 3) / 4 - 1 - j;
            tick;
            w = seg_rd_data;
            for (k = 0; k < 4; k = k + 1)
                if (seg_rd_word * 4 + k < mq_len[e] && w[31 - 8 * k -: 8] !== mq_pay[e * 2048 + seg_rd_word * 4 + k])
                    $fatal(1, "segment %0d payload byte %0d: got %h, expected %h", mq_rd,
                           seg_rd_word * 4 + k, w[31 - 8 * k -: 8], mq_pay[e * 2048 + seg_rd_word * 4 + k]);
            if (urand(0, 7) == 0) repeat (held ? urand(1, 20) : 1) tick;
        end
        if (held)
            seg_hold = 0;
        else
            release_head;
    end
endtask

initial begin : consumer
    wait (!rst);
    forever begin
        tick;
        if (urand(0, 400) == 0) begin
            consumer_pause = 1;
            repeat (urand(1000, 5000)) tick;
            consumer_pause = 0;
        end
        if (seg_valid) begin
            repeat (urand(0, 3) == 0 ? urand(1, 40) : 0) tick;
            consume_one;
        end
    end
end

// ---- keys ----
task new_keys;
    integer s;
    begin
        for (s = 0; s < SLOTS; s = s + 1) begin
            key_valid[s] = urand(0, 4) != 0;
            key_ip[32 * s +: 32] = {8'd10, s[7:0], 16'd0} | urand(0, 65535);
            key_ports[32 * s + 16 +: 16] = urand(1, 65535);   // local port
            key_ports[32 * s +: 16] = urand(1, 65535);        // remote port
        end
    end
endtask

// ---- frames ----
integer n_match = 0, n_nomatch = 0, n_synrst = 0, n_opts = 0, n_ipopts = 0, n_short = 0, n_other = 0, n_trunc = 0;

// Build a frame in fb and the expectation in cur_*.
task make_frame;
    integer kind, s, doff, plen, maxp, i, o, th;
    reg [31:0] rip;
    reg [15:0] lport, rport;
    reg [7:0]  flags;
    reg [15:0] wnd;
    begin
        kind = urand(0, 99);
        s = urand(0, SLOTS - 1);
        rip = key_ip[32 * s +: 32];
        lport = key_ports[32 * s + 16 +: 16];
        rport = key_ports[32 * s +: 16];
        // a near miss: one field of the tuple differs
        if (kind >= 70 && kind < 82) begin
            case (urand(0, 2))
                0: rip = rip ^ (32'd1 << urand(0, 31));
                1: lport = lport ^ (16'd1 << urand(0, 15));
                default: rport = rport ^ (16'd1 << urand(0, 15));
            endcase
        end
        flags = urand(0, 255);
        if (urand(0, 4) != 0) flags = flags & 8'hf9;   // mostly neither SYN nor RST
        doff = urand(0, 1) ? 5 : urand(5, 15);
        o = urand(0, 2) ? 0 : urand(1, 10);             // IPv4 option words
        th = 34 + 4 * o;                                // the TCP header
        maxp = 1460 - 4 * (doff - 5) - 4 * o;
        case (urand(0, 3))
            0: plen = urand(0, 12);                      // short: Ethernet padding follows
            1: plen = maxp - urand(0, 8);
            default: plen = urand(0, maxp);
        endcase

        fb_eth(48'h020000000001, {$random(rnd_seed), 16'h1234} & 48'hffffffffffff, 16'h0800);
        fb_put32(14, {4'h4, 4'd5 + o[3:0], 8'h00, 16'd20 + o[15:0] * 16'd4 + doff[15:0] * 16'd4 + plen[15:0]});
        fb_put32(18, {$random(rnd_seed)} & 32'hffff3fff);
        fb_put32(22, {8'd64, 8'd6, 16'h0000});
        fb_put32(26, rip);
        fb_put32(30, 32'h0a00020f);
        for (i = 34; i < th; i = i + 1) fb[i] = $random(rnd_seed);
        fb_put32(th, {rport, lport});
        fb_put32(th + 4, $random(rnd_seed));
        fb_put32(th + 8, $random(rnd_seed));
        wnd = urand(0, 65535);
        fb_put32(th + 12, {doff[3:0], 4'h0, flags, wnd});
        fb_put32(th + 16, $random(rnd_seed));
        for (i = th + 20; i < th + 4 * doff + plen; i = i + 1) fb[i] = $random(rnd_seed);
        fb_len = th + 4 * doff + plen;
        for (i = fb_len; i < 60; i = i + 1) fb[i] = $random(rnd_seed);  // Ethernet padding
        if (fb_len < 60) fb_len = 60;

        cur_match = key_valid[s] && !(kind >= 70 && kind < 82) && !flags[1] && !flags[2];
        // not IPv4 / IPv4 with options / another protocol / cut short
        if (kind >= 82 && kind < 86) begin fb_put16(12, urand(0, 1) ? 16'h0806 : 16'h86dd); cur_match = 0; end
        if (kind >= 86 && kind < 90) begin fb[14] = urand(0, 1) ? 8'h44 : 8'h65; cur_match = 0; end
        if (kind >= 90 && kind < 95) begin fb[23] = urand(0, 1) ? 8'd17 : 8'd1; cur_match = 0; end
        if (kind >= 95) begin fb_len = urand(20, 49); cur_match = 0; end

        cur_slot  = s;
        cur_seq   = {fb[th + 4], fb[th + 5], fb[th + 6], fb[th + 7]};
        cur_ack   = {fb[th + 8], fb[th + 9], fb[th + 10], fb[th + 11]};
        cur_wnd   = {fb[th + 14], fb[th + 15]};
        cur_up    = {fb[th + 18], fb[th + 19]};
        cur_flags = flags;
        cur_len   = plen;
        cur_pay   = th + 4 * doff;

        if (cur_match) n_match = n_match + 1; else n_nomatch = n_nomatch + 1;
        if (flags[1] || flags[2]) n_synrst = n_synrst + 1;
        if (doff > 5) n_opts = n_opts + 1;
        if (o > 0) n_ipopts = n_ipopts + 1;
        if (plen < 6) n_short = n_short + 1;
        if (kind >= 82 && kind < 95) n_other = n_other + 1;
        if (kind >= 95) n_trunc = n_trunc + 1;
    end
endtask

// Stream fb (with the 2-byte pad) with random gaps; garbage on the bus between beats.
task send_frame;
    integer w, k, nw, b;
    begin
        nw = (fb_len + 2 + 3) / 4;
        for (w = 0; w < nw; w = w + 1) begin
            while (urand(0, 3) == 0) begin
                rx_beat = 0; rx_tdata = $random(rnd_seed); rx_tkeep = urand(0, 15); rx_tlast = urand(0, 1);
                tick;
            end
            for (k = 0; k < 4; k = k + 1) begin
                b = w * 4 + k - 2;
                rx_tdata[31 - 8 * k -: 8] = (b < 0) ? 8'h00 : (b < fb_len) ? fb[b] : 8'hxx;
                rx_tkeep[3 - k] = b < fb_len;
            end
            rx_beat = 1; rx_tlast = w == nw - 1;
            tick;
        end
        rx_beat = 0; rx_tlast = 0; rx_tdata = $random(rnd_seed);
    end
endtask

task check_match;
    begin
        if (tcp_match !== cur_match) $fatal(1, "tcp_match %b, expected %b (ihl %h len %0d doff %h)", tcp_match, cur_match, fb[14], fb_len, dut.tcp_doff);
        if (cur_match && match_slot !== cur_slot) $fatal(1, "match_slot %0d, expected %0d", match_slot, cur_slot);
    end
endtask

integer n, d;
initial begin
    `BENCH_SEED(rnd_seed);
    `BENCH_WAVES
    new_keys;
    repeat (4) tick;
    rst = 0;
    tick;

    for (n = 0; n < 1500; n = n + 1) begin
        if (urand(0, 20) == 0) new_keys;
        make_frame;
        send_frame;
        // folding cycle, then the verdict 1..3 cycles later; tcp_match holds throughout
        check_match;
        for (d = urand(1, 3); d > 0; d = d - 1) begin
            if (urand(0, 3) == 0) new_keys;   // keys may change after the last beat
            tick;
            check_match;
        end
        verdict_valid = 1;
        if (cur_match && urand(0, 3) != 0) verdict = STAT_RX_TCP_SLOT;
        else if (urand(0, 1)) verdict = cur_match ? STAT_RX_TCP_BAD : STAT_RX_TCP;
        else verdict = urand(0, 19) == 0 ? STAT_RX_OVERFLOW : urand(1, 19);
        if (verdict == STAT_RX_TCP_SLOT && !cur_match) verdict = STAT_RX_TCP;
        tick;
        verdict_valid = 0;
        verdict = urand(0, 63);                // garbage when not valid
        repeat (urand(0, 2)) tick;
    end
    // drain
    d = 0;
    while ((outstanding != 0 || consumer_pause) && d < 20000) begin tick; d = d + 1; end
    repeat (5) tick;
    if (mq_rd != mq_wr || seg_valid) $fatal(1, "queue not drained");
    if (commits < 100 || drops == 0 || discards < 100 || n_held < 50)
        $fatal(1, "coverage: %0d commits, %0d drops, %0d discards, %0d held", commits, drops, discards, n_held);
    $display("PASS: tcp_rx_snoop, %0d frames (%0d matching, %0d not; %0d SYN/RST, %0d with TCP options, %0d with IPv4 options, %0d short, %0d other protocols, %0d cut), %0d segments committed and checked (%0d read after their release), %0d dropped (queue full), %0d discarded",
             n, n_match, n_nomatch, n_synrst, n_opts, n_ipopts, n_short, n_other, n_trunc, commits, n_held, drops, discards);
    $finish;
end

endmodule

`default_nettype wire
