// SPDX-License-Identifier: MIT
// Bench for tcp_seg_tx with a tcp_ring as the payload source and toe_tx_arb in front of the
// MAC: random payload lengths 0..1460, random seq (unaligned ring offsets, ring wrap), random
// addresses, ports, flags, urgent pointer, TTL and DS field, random tready and transmit-FIFO
// room stalls, ring writes outside the segment while it is sent; then every payload length
// 0..1460 once, every third one placed across the ring's end. The sink applies patch beats
// (tkeep 0: the word replaces word 13 of the frame, as eth_mac's transmit FIFO does) and
// checks there is exactly one per segment with payload, after word 13 and before the last
// word. Every byte is checked against a frame built by the bench, with the IPv4 and TCP
// checksums (pseudo-header included) computed here independently. Ends with a back-to-back
// run of 1460-byte segments at full speed to measure latency and throughput.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

module tb;

localparam SLOT_BITS = 2;
localparam BUF_LOG2  = 11;
localparam RING      = 1 << BUF_LOG2;
localparam SLOTS     = 1 << SLOT_BITS;
localparam PACE_LEAD = 8;

`BENCH_CLOCK(clk, 8);
reg rst = 1;
integer seed;
`BENCH_URAND_FN(urand, seed)

// ---- descriptor ----
reg                  start = 0;
wire                 busy;
reg  [SLOT_BITS-1:0] d_slot = 0;
reg  [47:0]          d_dst_mac = 0, d_src_mac = 0;
reg  [31:0]          d_src_ip = 0, d_dst_ip = 0, d_seq = 0, d_ack = 0;
reg  [15:0]          d_src_port = 0, d_dst_port = 0, d_wnd = 0, d_urp = 0;
reg  [7:0]           d_flags = 0, d_ttl = 0, d_tos = 0;
reg  [10:0]          d_len = 0;
wire                 sent;

// ---- ring ----
reg                  wr_en = 0;
reg  [SLOT_BITS-1:0] wr_slot = 0;
reg  [BUF_LOG2-1:0]  wr_off = 0;
reg  [31:0]          wr_data = 0;
reg  [3:0]           wr_be = 0;
wire [SLOT_BITS-1:0] rd_slot;
wire [BUF_LOG2-1:0]  rd_off;
wire [31:0]          rd_data;

// ---- source <-> arbiter <-> MAC ----
wire        s_req, s_tvalid, s_tready, s_tlast;
wire [31:0] s_tdata;
wire [3:0]  s_tkeep;
wire [10:0] s_free;
wire        m_tvalid, m_tlast;
wire [31:0] m_tdata;
wire [3:0]  m_tkeep;
reg         m_tready = 1;
reg  [10:0] m_free = 11'd1024;

tcp_ring #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2)) ring (
    .clk(clk),
    .wr_en(wr_en), .wr_slot(wr_slot), .wr_off(wr_off), .wr_data(wr_data), .wr_be(wr_be),
    .rd_slot(rd_slot), .rd_off(rd_off), .rd_data(rd_data)
);

tcp_seg_tx #(.SLOT_BITS(SLOT_BITS), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(11), .PACE_LEAD(PACE_LEAD)) dut (
    .clk(clk), .rst(rst),
    .start(start), .busy(busy), .slot(d_slot), .dst_mac(d_dst_mac), .src_mac(d_src_mac),
    .src_ip(d_src_ip), .dst_ip(d_dst_ip), .src_port(d_src_port), .dst_port(d_dst_port),
    .seq(d_seq), .ack(d_ack), .flags(d_flags), .wnd(d_wnd), .urp(d_urp), .ttl(d_ttl), .tos(d_tos),
    .len(d_len),
    .ring_rd_slot(rd_slot), .ring_rd_off(rd_off), .ring_rd_data(rd_data),
    .m_tx_req(s_req), .m_tx_tdata(s_tdata), .m_tx_tkeep(s_tkeep), .m_tx_tvalid(s_tvalid),
    .m_tx_tready(s_tready), .m_tx_tlast(s_tlast), .m_tx_free(s_free), .sent(sent)
);

// Source 0 stays idle; the arbiter gives the grant and shows the free count only to us.
wire        s0_tready_unused;
wire [10:0] s0_free_unused;
toe_tx_arb #(.FREE_BITS(11)) arb (
    .clk(clk), .rst(rst),
    .s0_req(1'b0), .s0_tdata(32'd0), .s0_tkeep(4'd0), .s0_tvalid(1'b0), .s0_tready(s0_tready_unused),
    .s0_tlast(1'b0), .s0_free(s0_free_unused),
    .s1_req(s_req), .s1_tdata(s_tdata), .s1_tkeep(s_tkeep), .s1_tvalid(s_tvalid), .s1_tready(s_tready),
    .s1_tlast(s_tlast), .s1_free(s_free),
    .m_tdata(m_tdata), .m_tkeep(m_tkeep), .m_tvalid(m_tvalid), .m_tready(m_tready), .m_tlast(m_tlast),
    .m_free(m_free)
);

task tick;
    begin @(posedge clk); #1; end
endtask

integer cycle = 0;
always @(posedge clk) cycle <= cycle + 1;

// ---- ring model and a writer that touches only bytes outside the segment being sent ----
reg [7:0] model [0:SLOTS*RING-1];
reg       writer_on = 0;
reg       filled = 0;                   // the bench's initial fill owns the write port until then
integer   win_slot, win_seq, win_len;   // the segment being sent

function outside_window(input integer slot, input integer off);
    integer k, ok;
    begin
        ok = 1;
        if (slot == win_slot)
            for (k = 0; k < 4; k = k + 1)
                if (((off + k - win_seq) % RING + RING) % RING < win_len) ok = 0;
        outside_window = ok;
    end
endfunction

integer wk;
always @(posedge clk) if (filled) begin
    #1;
    wr_en = 0;
    if (writer_on && urand(0, 1) == 0) begin
        wr_slot = urand(0, SLOTS - 1);
        wr_off  = urand(0, RING - 1);
        wr_data = $random(seed);
        wr_be   = urand(0, 15);
        if (outside_window(wr_slot, wr_off)) begin
            wr_en = 1;
            for (wk = 0; wk < 4; wk = wk + 1)
                if (wr_be[3 - wk]) model[wr_slot * RING + (wr_off + wk) % RING] = wr_data[31 - 8 * wk -: 8];
        end
    end
end

// ---- the sink: random tready, every beat collected; protocol checks ----
reg [7:0] rx [0:2047];
integer   rx_len = 0, rx_words = 0, frames_rx = 0, first_beat_cycle = 0, last_beat_cycle = 0;
integer   cur_words = 0;      // words of the frame expected now
integer   patches = 0;        // patch beats in the frame being collected
reg       in_frame = 0, free_ok_prev = 0, fast = 1;
integer   k_s;
always @(posedge clk) if (!rst) begin
    if (s_tvalid && s_req) $fatal(1, "m_tx_req high during the frame");
    if (s_tvalid && !in_frame) begin
        if (!free_ok_prev) $fatal(1, "frame started without room for %0d words (free was not shown or too low)", cur_words);
        in_frame = 1;
    end
    if (m_tvalid && m_tready && m_tkeep == 4'b0000) begin
        // patch beat: word 13 of this frame (bytes 50..53 after the two pad bytes)
        if (m_tlast) $fatal(1, "patch beat with tlast");
        if (rx_words < 14) $fatal(1, "patch beat after %0d words, before word 13 was sent", rx_words);
        for (k_s = 0; k_s < 4; k_s = k_s + 1) rx[50 + k_s] = m_tdata[31 - 8 * k_s -: 8];
        patches = patches + 1;
    end else if (m_tvalid && m_tready) begin
        if (rx_words == 0) first_beat_cycle = cycle;
        if (!m_tlast && m_tkeep !== 4'b1111) $fatal(1, "partial tkeep %b before the last word", m_tkeep);
        for (k_s = 0; k_s < 4; k_s = k_s + 1)
            if (m_tkeep[3 - k_s]) begin
                if (k_s > 0 && !m_tkeep[4 - k_s]) $fatal(1, "tkeep %b not contiguous", m_tkeep);
                if (rx_words > 0 || k_s >= 2) begin rx[rx_len] = m_tdata[31 - 8 * k_s -: 8]; rx_len = rx_len + 1; end
            end
        rx_words = rx_words + 1;
        if (m_tlast) begin
            frames_rx = frames_rx + 1;
            last_beat_cycle = cycle;
            in_frame = 0;
        end
    end
    free_ok_prev = s_free >= cur_words;
end
always @(posedge clk) begin
    #1;
    m_tready = fast ? 1'b1 : urand(0, 2) != 0;
end

`INET_CSUM_FN(rx_csum, rx)

// ---- the expected frame ----
reg [7:0] ex [0:2047];
integer   ex_len;
`INET_CSUM_FN(ex_csum, ex)

task ex_put16(input integer at, input [15:0] v); begin ex[at] = v[15:8]; ex[at + 1] = v[7:0]; end endtask
task ex_put32(input integer at, input [31:0] v); begin ex_put16(at, v[31:16]); ex_put16(at + 2, v[15:0]); end endtask

reg [15:0] ip_id_exp = 0;
task build_expected;
    integer i;
    reg [15:0] c;
    begin
        ex_len = 54 + d_len;
        ex_put32(0, d_dst_mac[47:16]); ex_put16(4, d_dst_mac[15:0]);
        ex_put32(6, d_src_mac[47:16]); ex_put16(10, d_src_mac[15:0]);
        ex_put16(12, 16'h0800);
        ex_put32(14, {8'h45, d_tos, 16'd40 + {5'd0, d_len}});
        ex_put32(18, {ip_id_exp, 16'h4000});
        ex_put32(22, {d_ttl, 8'd6, 16'h0000});
        ex_put32(26, d_src_ip); ex_put32(30, d_dst_ip);
        ex_put32(34, {d_src_port, d_dst_port});
        ex_put32(38, d_seq); ex_put32(42, d_ack);
        ex_put32(46, {8'h50, d_flags, d_wnd});
        ex_put32(50, {16'd0, d_urp});
        for (i = 0; i < d_len; i = i + 1) ex[54 + i] = model[d_slot * RING + (d_seq + i) % RING];
        c = ~ex_csum(14, 20, 0);
        ex_put16(24, c);
        c = ~ex_csum(34, 20 + d_len, d_src_ip[31:16] + d_src_ip[15:0] + d_dst_ip[31:16] + d_dst_ip[15:0] +
                                     32'd6 + 32'd20 + d_len);
        ex_put16(50, c);
    end
endtask

// ---- one segment: pick, start, collect, check ----
integer n, i, t_start, t_sent, stall, words, n_wrap, n_unal, n_stall, n_zero, n_full;
task random_desc;
    integer r;
    begin
        d_slot = urand(0, SLOTS - 1);
        d_dst_mac = {$random(seed), $random(seed)};
        d_src_mac = {$random(seed), $random(seed)};
        d_src_ip = $random(seed); d_dst_ip = $random(seed);
        d_src_port = $random(seed); d_dst_port = $random(seed);
        d_seq = $random(seed); d_ack = $random(seed);
        d_flags = $random(seed); d_wnd = $random(seed);
        d_urp = urand(0, 1) ? 16'd0 : $random(seed);
        d_ttl = urand(0, 1) ? 8'd64 : $random(seed);
        d_tos = urand(0, 1) ? 8'd0 : $random(seed);
        r = urand(0, 9);
        d_len = r < 2 ? urand(0, 8) : r < 4 ? urand(1452, 1460) : urand(0, 1460);
    end
endtask

// len_set >= 0: that payload length (else random); wrap: the payload crosses the ring's end
task run_segment(input integer free_stall, input integer len_set, input integer wrap);
    begin
        while (busy) tick;
        writer_on = 0;
        tick;
        random_desc;
        if (len_set >= 0) d_len = len_set;
        if (wrap && d_len > 1) d_seq = {d_seq[31:BUF_LOG2], {BUF_LOG2{1'b0}}} - urand(1, d_len - 1);
        win_slot = d_slot; win_seq = d_seq % RING; win_len = d_len;
        words = (56 + d_len + 3) / 4;
        cur_words = words;
        build_expected;
        if (d_seq % 4 != 0) n_unal = n_unal + 1;
        if (d_seq % RING + d_len > RING) n_wrap = n_wrap + 1;
        if (d_len == 0) n_zero = n_zero + 1;
        if (d_len == 1460) n_full = n_full + 1;
        // room one word short for a while
        if (free_stall) begin m_free = words - 1 - urand(0, 3); n_stall = n_stall + 1; end
        else m_free = 11'd1024;
        rx_len = 0; rx_words = 0; patches = 0;
        start = 1;
        t_start = cycle;
        tick;
        start = 0;
        writer_on = 1;
        // scribble over the descriptor inputs: they are sampled at start
        random_desc;
        if (free_stall) begin
            stall = urand(0, 400);
            while (stall > 0) begin
                if (s_tvalid) $fatal(1, "frame started without room");
                tick; stall = stall - 1;
            end
            m_free = urand(words, 1024);
        end
        while (!sent) begin
            tick;
            if (cycle - t_start > 20000) $fatal(1, "segment never sent");
        end
        t_sent = cycle;
        if (last_beat_cycle != t_sent - 1) $fatal(1, "sent not the cycle after the last beat");
        if (rx_words != words) $fatal(1, "%0d words, expected %0d (len %0d)", rx_words, words, ex_len - 54);
        if (rx_len != ex_len) $fatal(1, "%0d bytes, expected %0d", rx_len, ex_len);
        if (patches != (ex_len > 54)) $fatal(1, "%0d patch beats for %0d payload bytes", patches, ex_len - 54);
        for (i = 0; i < ex_len; i = i + 1)
            if (rx[i] !== ex[i]) $fatal(1, "segment %0d (len %0d seq %h): byte %0d is %h, expected %h",
                                       n, ex_len - 54, {ex[38], ex[39], ex[40], ex[41]}, i, rx[i], ex[i]);
        // the checksums verify on the received bytes too
        if (rx_csum(14, 20, 0) != 16'hffff) $fatal(1, "IPv4 header checksum does not verify");
        if (rx_csum(34, ex_len - 34, {rx[26], rx[27]} + {rx[28], rx[29]} + {rx[30], rx[31]} + {rx[32], rx[33]} +
                    32'd6 + ex_len - 34) != 16'hffff)
            $fatal(1, "TCP checksum does not verify");
        ip_id_exp = ip_id_exp + 1;
        // paced: busy until (frame words - PACE_LEAD) cycles after the last beat, at least one
        while (busy) tick;
        if (cycle - t_sent != (words > PACE_LEAD ? words - PACE_LEAD : 1))
            $fatal(1, "busy %0d cycles after a frame of %0d words", cycle - t_sent, words);
    end
endtask

integer t_first, lat, lat_max, period, nb, t_prev;
initial begin
    `BENCH_SEED(seed);
    `BENCH_WAVES
    n_wrap = 0; n_unal = 0; n_stall = 0; n_zero = 0; n_full = 0;
    win_slot = -1; win_seq = 0; win_len = 0;
    repeat (4) tick;
    rst = 0;
    // fill the rings
    for (i = 0; i < SLOTS * RING / 4; i = i + 1) begin
        wr_en = 1; wr_slot = i / (RING / 4); wr_off = (i % (RING / 4)) * 4; wr_data = $random(seed); wr_be = 4'hf;
        model[i * 4] = wr_data[31:24]; model[i * 4 + 1] = wr_data[23:16];
        model[i * 4 + 2] = wr_data[15:8]; model[i * 4 + 3] = wr_data[7:0];
        tick;
    end
    wr_en = 0;
    filled = 1;
    tick;

    for (n = 0; n < 400; n = n + 1) begin
        fast = urand(0, 3) == 0;
        run_segment(urand(0, 3) == 0, -1, 0);
    end
    // every payload length once, every third across the ring's end
    for (n = 0; n <= 1460; n = n + 1) begin
        fast = urand(0, 3) != 0;
        run_segment(urand(0, 15) == 0, n, n % 3 == 1);
    end

    // back to back full segments at full speed: latency and period
    writer_on = 0; fast = 1; m_free = 11'd1024;
    tick;
    lat_max = 0; nb = 0; t_prev = 0; period = 0;
    for (n = 0; n < 8; n = n + 1) begin
        random_desc; d_len = 1460;
        win_slot = d_slot; win_seq = d_seq % RING; win_len = d_len;
        cur_words = (56 + 1460 + 3) / 4;
        build_expected;
        rx_len = 0; rx_words = 0; patches = 0;
        start = 1; t_start = cycle;
        if (n > 0) period = t_start - t_prev;
        t_prev = t_start;
        tick;
        start = 0;
        while (rx_words == 0) tick;
        lat = first_beat_cycle - t_start;
        while (!sent) tick;
        for (i = 0; i < ex_len; i = i + 1)
            if (rx[i] !== ex[i]) $fatal(1, "back-to-back segment %0d: byte %0d is %h, expected %h", n, i, rx[i], ex[i]);
        ip_id_exp = ip_id_exp + 1;
        while (busy) tick;   // start again once the pacing ends
    end
    $display("tcp_seg_tx: 1460-byte segment: %0d cycles from start to first beat, %0d cycles from start to start (379 words and a patch beat; wire time 769)",
             lat, period);
    if (period > 769) $fatal(1, "slower than the wire: %0d cycles per segment", period);
    lat_max = lat; nb = period;

    // the same for pure ACKs (no payload)
    for (n = 0; n < 4; n = n + 1) begin
        random_desc; d_len = 0;
        cur_words = 14;
        build_expected;
        rx_len = 0; rx_words = 0; patches = 0;
        start = 1; t_start = cycle;
        if (n > 0) period = t_start - t_prev;
        t_prev = t_start;
        tick;
        start = 0;
        while (rx_words == 0) tick;
        lat = first_beat_cycle - t_start;
        while (!sent) tick;
        for (i = 0; i < ex_len; i = i + 1)
            if (rx[i] !== ex[i]) $fatal(1, "back-to-back ACK %0d: byte %0d is %h, expected %h", n, i, rx[i], ex[i]);
        ip_id_exp = ip_id_exp + 1;
        while (busy) tick;
    end
    $display("tcp_seg_tx: pure ACK: %0d cycles from start to first beat, %0d cycles from start to start (14 words)",
             lat, period);

    $display("PASS: tcp_seg_tx, %0d segments checked (%0d unaligned, %0d wrapping the ring, %0d empty, %0d of 1460 bytes, %0d with FIFO-room stalls)",
             ip_id_exp, n_unal, n_wrap, n_zero, n_full, n_stall);
    $finish;
end

endmodule

`default_nettype wire
