// SPDX-License-Identifier: MIT
// Bench for the link engine (toe_link + toe_tx_arb + toe_stats): COBS/CRC framed messages in
// with random bubbles, device messages out under random backpressure, decoded and checked;
// every CSR, time, alarm events, STAT reads, RAW_TX with checksum insertion, RAW_RX from a
// host queue, and every kind of bad frame counted, never acted on, recovered from.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

module tb;

`include "toe_defs.vh"
`include "frames.vh"

localparam [47:0] MY_MAC = 48'h020000000001;
localparam [31:0] MY_IP  = 32'h0a00020f;
localparam CLK_HZ = 62500000;       // 16 ns clock: 62.5 cycles per microsecond
localparam LINK_RATE = 1200000;

`BENCH_CLOCK(clk, 8);
reg rst = 1;

// ---- DUT ----
reg  [7:0]  s_tdata;
reg         s_tvalid = 0;
wire        s_tready;
wire [7:0]  m_tdata;
wire        m_tvalid;
reg         m_tready = 0;

wire [47:0] cfg_mac;
wire [31:0] cfg_ip, cfg_netmask, cfg_gateway, host_mask, chack_limit;
wire [63:0] now_us;
wire [5:0]  stat2_addr;
wire [31:0] stat_data, walk_data;
wire [5:0]  walk_addr;
wire inc_rx_msgs, inc_bad_msg, inc_bad_frame, inc_bad_crc, inc_tx_msgs, inc_events;
wire inc_tx_raw, inc_tx_raw_bad;

// host queue, loaded by the bench
reg         hq_wr_en = 0;
reg  [10:0] hq_wr_addr;
reg  [31:0] hq_wr_data;
wire [10:0] hq_rd_addr;
wire [31:0] hq_rd_data;
wire [11:0] hq_rd_ptr;
reg         hq_push = 0;
reg  [11:0] hq_in_start;
reg  [8:0]  hq_in_words;
reg  [10:0] hq_in_len;
reg  [5:0]  hq_in_verdict;
reg  [63:0] hq_in_time;
wire        hq_pop, hq_valid;
wire [11:0] hq_start;
wire [8:0]  hq_words;
wire [10:0] hq_len;
wire [5:0]  hq_verdict;
wire [63:0] hq_time;
wire [4:0]  hq_count;

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(11)) hq_ram (
    .clk(clk), .wr_en(hq_wr_en), .wr_addr(hq_wr_addr), .wr_data(hq_wr_data),
    .rd_addr(hq_rd_addr), .rd_data(hq_rd_data)
);
sync_fifo #(.DATA_WIDTH(12 + 9 + 11 + 6 + 64), .ADDR_WIDTH(4)) hq_fifo (
    .clk(clk), .rst(rst), .wr_en(hq_push),
    .wr_data({hq_in_start, hq_in_words, hq_in_len, hq_in_verdict, hq_in_time}),
    .rd_en(hq_pop), .rd_data({hq_start, hq_words, hq_len, hq_verdict, hq_time}),
    .rd_valid(hq_valid), .count(hq_count)
);

wire        tx1_req, tx1_tvalid, tx1_tready, tx1_tlast;
wire [31:0] tx1_tdata;
wire [3:0]  tx1_tkeep;
wire [10:0] tx1_free, tx0_free;
wire        tx0_tready;
wire [31:0] mac_tdata;
wire [3:0]  mac_tkeep;
wire        mac_tvalid, mac_tlast;
reg         mac_tready = 1;
reg  [10:0] mac_free = 11'd1024;

// source 0 of the arbiter: a bench stream of fixed 16-word frames (exercises frame atomicity)
reg         s0_req = 0, s0_tvalid = 0;
reg  [8:0]  s0_idx;
integer     s0_frames = 0;

toe_link #(.CLK_HZ(CLK_HZ), .LINK_KIND(1), .LINK_RATE(LINK_RATE), .HQ_LOG2(11), .TX_FREE_BITS(11)) dut (
    .clk(clk), .rst(rst),
    .s_link_tdata(s_tdata), .s_link_tvalid(s_tvalid), .s_link_tready(s_tready),
    .m_link_tdata(m_tdata), .m_link_tvalid(m_tvalid), .m_link_tready(m_tready),
    .rst_mac(MY_MAC), .rst_ip(MY_IP), .rst_netmask(32'hffffff00), .rst_gateway(32'h0a000202),
    .cfg_mac(cfg_mac), .cfg_ip(cfg_ip), .cfg_netmask(cfg_netmask), .cfg_gateway(cfg_gateway),
    .host_mask(host_mask), .chack_limit(chack_limit), .now_us(now_us),
    .stat_addr(stat2_addr), .stat_data(walk_data), .stat_valid(walk_addr == stat2_addr),
    .inc_rx_msgs(inc_rx_msgs), .inc_bad_msg(inc_bad_msg), .inc_bad_frame(inc_bad_frame),
    .inc_bad_crc(inc_bad_crc), .inc_tx_msgs(inc_tx_msgs), .inc_events(inc_events),
    .inc_tx_raw(inc_tx_raw), .inc_tx_raw_bad(inc_tx_raw_bad),
    .hq_valid(hq_valid), .hq_pop(hq_pop), .hq_start(hq_start), .hq_words(hq_words),
    .hq_len(hq_len), .hq_verdict(hq_verdict), .hq_time(hq_time),
    .hq_rd_addr(hq_rd_addr), .hq_rd_data(hq_rd_data), .hq_rd_ptr(hq_rd_ptr),
    .m_tx_req(tx1_req), .m_tx_tdata(tx1_tdata), .m_tx_tkeep(tx1_tkeep),
    .m_tx_tvalid(tx1_tvalid), .m_tx_tready(tx1_tready), .m_tx_tlast(tx1_tlast),
    .m_tx_free(tx1_free),
    // the TCP engine's side: a stub that answers every request at once (its own bench is
    // tests/rtl/toe_tcp); slot CSRs read back as BAD_ADDR with the address as the value
    .tcp_csr_req(tcp_csr_req), .tcp_csr_we(), .tcp_csr_addr(tcp_csr_addr), .tcp_csr_wdata(),
    .tcp_csr_ack(tcp_csr_req), .tcp_csr_rdata({16'd0, tcp_csr_addr}),
    .tcp_csr_status(CONST_RESP_BAD_ADDR[7:0]),
    .tcp_txd_req(tcp_txd_req), .tcp_txd_slot(), .tcp_txd_seq(), .tcp_txd_len(),
    .tcp_txd_rd_addr(9'd0), .tcp_txd_rd_data(), .tcp_txd_ack(tcp_txd_req),
    .tcp_rxc_req(tcp_rxc_req), .tcp_rxc_slot(), .tcp_rxc_seq(), .tcp_rxc_ack(tcp_rxc_req),
    .tcp_rxd_valid(1'b0), .tcp_rxd_taken(), .tcp_rxd_slot(8'd0), .tcp_rxd_seq(32'd0),
    .tcp_rxd_len(11'd0), .tcp_rxd_rd_slot(), .tcp_rxd_rd_seq(), .tcp_rxd_busy(), .tcp_rxd_rd_data(32'd0),
    .tcp_ev_valid(1'b0), .tcp_ev_taken(), .tcp_ev_fields(144'd0)
);
wire        tcp_csr_req, tcp_txd_req, tcp_rxc_req;
wire [15:0] tcp_csr_addr;
integer     tcp_txd_n = 0, tcp_rxc_n = 0;
always @(posedge clk) begin
    if (tcp_txd_req) tcp_txd_n = tcp_txd_n + 1;
    if (tcp_rxc_req) tcp_rxc_n = tcp_rxc_n + 1;
end

toe_tx_arb #(.FREE_BITS(11)) arb (
    .clk(clk), .rst(rst),
    .s0_req(s0_req), .s0_tdata({23'h5a5a5a, s0_idx}), .s0_tkeep(4'hf), .s0_tvalid(s0_tvalid),
    .s0_tready(tx0_tready), .s0_tlast(s0_idx == 9'd15), .s0_free(tx0_free),
    .s1_req(tx1_req), .s1_tdata(tx1_tdata), .s1_tkeep(tx1_tkeep), .s1_tvalid(tx1_tvalid),
    .s1_tready(tx1_tready), .s1_tlast(tx1_tlast), .s1_free(tx1_free),
    .m_tdata(mac_tdata), .m_tkeep(mac_tkeep), .m_tvalid(mac_tvalid), .m_tready(mac_tready),
    .m_tlast(mac_tlast), .m_free(mac_free)
);

localparam [STAT_COUNT-1:0] ONE = 1;
wire [STAT_COUNT-1:0] inc_ext =
    (mac_tvalid && mac_tready && mac_tlast ? ONE << STAT_TX_FRAMES : {STAT_COUNT{1'b0}}) |
    (inc_tx_raw     ? ONE << STAT_TX_RAW            : {STAT_COUNT{1'b0}}) |
    (inc_tx_raw_bad ? ONE << STAT_TX_RAW_BAD        : {STAT_COUNT{1'b0}}) |
    (inc_rx_msgs    ? ONE << STAT_LINK_RX_MSGS      : {STAT_COUNT{1'b0}}) |
    (inc_bad_frame  ? ONE << STAT_LINK_RX_BAD_FRAME : {STAT_COUNT{1'b0}}) |
    (inc_bad_crc    ? ONE << STAT_LINK_RX_BAD_CRC   : {STAT_COUNT{1'b0}}) |
    (inc_bad_msg    ? ONE << STAT_LINK_RX_BAD_MSG   : {STAT_COUNT{1'b0}}) |
    (inc_tx_msgs    ? ONE << STAT_LINK_TX_MSGS      : {STAT_COUNT{1'b0}}) |
    (inc_events     ? ONE << STAT_EVENTS            : {STAT_COUNT{1'b0}});

toe_stats #(.STAT_N(STAT_COUNT)) stats (
    .clk(clk), .rst(rst), .rx_verdict_valid(1'b0), .rx_verdict(6'd0),
    .tx_arp(1'b0), .tx_icmp(1'b0), .inc_ext(inc_ext),
    .walk_addr(walk_addr), .walk_data(walk_data), .stat_addr(6'd0), .stat_data(stat_data)
);

task tick;
    begin @(posedge clk); #1; end
endtask

// ---- bench source 0: a 16-word frame whenever s0_req is raised by the test ----
always @(posedge clk) begin
    if (!s0_tvalid && s0_req && tx0_free >= 11'd16) begin
        s0_req <= 0; s0_tvalid <= 1; s0_idx <= 0;
    end else if (s0_tvalid && tx0_tready) begin
        s0_idx <= s0_idx + 1'b1;
        if (s0_idx == 9'd15) begin s0_tvalid <= 0; s0_frames = s0_frames + 1; end
    end
end

// ---- MAC side: random backpressure, frames collected (pad stripped) ----
reg [7:0] mf [0:2047];
integer   mf_len = 0, mf_w = 0, mf_frames = 0, mf_s0 = 0;
reg       mf_in_s0 = 0;
always @(posedge clk) mac_tready <= ($random(rnd_seed) % 3) != 0;
integer k;
always @(posedge clk) begin
    if (mac_tvalid && mac_tready) begin
        if (mac_tdata[31:9] == 23'h5a5a5a && mf_w == 0) mf_in_s0 = 1;
        else if (mf_w == 0) mf_len = 0;
        if (mf_in_s0) begin
            if (mac_tdata[8:0] != mf_w[8:0] || mac_tdata[31:9] != 23'h5a5a5a)
                $fatal(1, "source 0 frame interleaved (word %0d: %h)", mf_w, mac_tdata);
        end else begin
            for (k = 0; k < 4; k = k + 1)
                if (mac_tkeep[3 - k] && (mf_w > 0 || k >= 2)) begin
                    mf[mf_len] = mac_tdata[31 - 8 * k -: 8];
                    mf_len = mf_len + 1;
                end
            if (mac_tlast && mac_tkeep != 4'b1000 && mac_tkeep != 4'b1100 && mac_tkeep != 4'b1110 &&
                mac_tkeep != 4'b1111) $fatal(1, "bad tkeep %b", mac_tkeep);
            if (!mac_tlast && mac_tkeep != 4'b1111) $fatal(1, "partial word mid-frame");
        end
        mf_w = mf_w + 1;
        if (mac_tlast) begin
            if (mf_in_s0) mf_s0 = mf_s0 + 1; else mf_frames = mf_frames + 1;
            mf_in_s0 = 0; mf_w = 0;
        end
    end
end

// ---- host -> device: message in mb[0..mb_len-1], CRC appended, COBS encoded, sent ----
`include "crc32.vh"
`include "link_codec.vh"
integer   bubbles = 3;   // 1 in N cycles idle

task put_byte(input [7:0] b);
    reg ok;
    begin
        while ($random(rnd_seed) % bubbles == 0) tick;
        s_tdata = b; s_tvalid = 1;
        ok = 0;
        while (!ok) begin @(negedge clk); ok = s_tready; @(posedge clk); end   // tready is registered state
        #1 s_tvalid = 0;
    end
endtask

task send_enc;
    integer i;
    begin for (i = 0; i < enc_len; i = i + 1) put_byte(enc[i]); end
endtask

task send_msg;
    begin link_encode; send_enc; end
endtask

// ---- device -> host: random tready, COBS decode, CRC check, queue of messages ----
reg [7:0] rq  [0:16*2048-1];     // received messages: 16 slots of 2048 bytes
integer   rq_len [0:15];
integer   rq_wr = 0, rq_rd = 0;
integer   ready_pct = 70;
integer   dev_msgs = 0;
reg       fr_gap = 0;            // m_tvalid fell inside the frame being received
integer   gapless = 0;           // frames checked for gaps

always @(posedge clk) m_tready <= ($random(rnd_seed) % 100 + 100) % 100 < ready_pct;

task decode_frame;
    integer i;
    begin
        link_decode;
        for (i = 0; i < dm_len; i = i + 1) rq[rq_wr * 2048 + i] = dm[i];
        rq_len[rq_wr] = dm_len;
        // a frame the encoder holds whole (under 512 bytes, at most 15 COBS blocks) leaves
        // without a gap: the drain starts once it is all in
        if (fr_len < 512 && dm_blocks <= 15) begin
            if (fr_gap) $fatal(1, "gap inside a device frame (type %h, %0d bytes)", dm[0], fr_len);
            gapless = gapless + 1;
        end
        rq_wr = (rq_wr + 1) % 16;
        if (rq_wr == rq_rd) $fatal(1, "bench message queue overflow");
        dev_msgs = dev_msgs + 1;
    end
endtask

always @(posedge clk) begin
    if (fr_len != 0 && !m_tvalid)
        fr_gap = 1;
    if (m_tvalid && m_tready) begin
        if (m_tdata == 8'h00) begin
            if (fr_len == 0) $fatal(1, "empty device frame");
            decode_frame;
            fr_len = 0;
            fr_gap = 0;
        end else begin
            fr[fr_len] = m_tdata; fr_len = fr_len + 1;
        end
    end
end

// Wait for the next device message (up to `limit` cycles); its bytes in rm[], length rm_len.
reg [7:0] rm [0:2047];
integer   rm_len;
task get_msg(input integer limit);
    integer t, i;
    begin
        t = 0;
        while (rq_rd == rq_wr) begin
            tick; t = t + 1;
            if (t > limit) $fatal(1, "no device message within %0d cycles (rx state %0d, dispatch %0d)", limit, dut.rx.state, dut.dstate);
        end
        rm_len = rq_len[rq_rd];
        for (i = 0; i < rm_len; i = i + 1) rm[i] = rq[rq_rd * 2048 + i];
        rq_rd = (rq_rd + 1) % 16;
    end
endtask

task expect_silence(input integer cycles);
    begin
        repeat (cycles) tick;
        if (rq_rd != rq_wr) $fatal(1, "unexpected device message (type %h)", rq[rq_rd * 2048]);
    end
endtask

// ---- CSR access ----
reg [7:0]  tag = 0;
reg [7:0]  r_status;
reg [31:0] r_value;
integer    good_msgs = 0, bad_msgs = 0, bad_frames = 0, bad_crcs = 0, events = 0;

task csr(input is_write, input [15:0] addr, input [31:0] value);
    begin
        tag = tag + 1;
        mb[0] = is_write ? MSG_CSR_WRITE : MSG_CSR_READ; mb[1] = tag;
        mb[2] = addr[15:8]; mb[3] = addr[7:0];
        mb[4] = value[31:24]; mb[5] = value[23:16]; mb[6] = value[15:8]; mb[7] = value[7:0];
        mb_len = is_write ? 8 : 4;
        send_msg;
        good_msgs = good_msgs + 1;
        get_msg(20000);
        while (rm[0] == MSG_EVENT) begin events = events + 1; get_msg(20000); end
        if (rm_len != 7 || rm[0] != MSG_RESP || rm[1] != tag)
            $fatal(1, "bad RESP to CSR %h (len %0d type %h tag %h/%h)", addr, rm_len, rm[0], rm[1], tag);
        r_status = rm[2];
        r_value  = {rm[3], rm[4], rm[5], rm[6]};
    end
endtask

task csr_expect(input is_write, input [15:0] addr, input [31:0] value, input [7:0] status, input [31:0] want);
    begin
        csr(is_write, addr, value);
        if (r_status != status || (status == 0 && !is_write && r_value != want))
            $fatal(1, "CSR %s %h: status %0d value %h, expected %0d %h", is_write ? "write" : "read",
                   addr, r_status, r_value, status, want);
    end
endtask

task check_stat(input integer i, input integer want);
    begin
        csr(0, CSR_STAT_BASE + i, 0);
        if (r_status != 0 || r_value != want)
            $fatal(1, "STAT %0d = %0d (status %0d), expected %0d", i, r_value, r_status, want);
    end
endtask

// ---- SESSION: expect its SESSION_ACK next (events aside) ----
task session(input [31:0] number);
    begin
        mb[0] = MSG_SESSION; mb[1] = 0;
        mb[2] = number[31:24]; mb[3] = number[23:16]; mb[4] = number[15:8]; mb[5] = number[7:0];
        mb_len = 6;
        send_msg;
        good_msgs = good_msgs + 1;
        get_msg(20000);
        while (rm[0] == MSG_EVENT) begin events = events + 1; get_msg(20000); end
        if (rm_len != 7 || rm[0] != MSG_SESSION_ACK || rm[1] != 0 || rm[2] != 0 ||
            {rm[3], rm[4], rm[5], rm[6]} != number)
            $fatal(1, "bad SESSION_ACK (len %0d type %h value %h)", rm_len, rm[0], {rm[3], rm[4], rm[5], rm[6]});
    end
endtask

// ---- RAW_TX ----
task send_raw(input [7:0] flags);   // fb[0..fb_len-1] as RAW_TX
    integer i;
    begin
        mb[0] = MSG_RAW_TX; mb[1] = flags;
        for (i = 0; i < fb_len; i = i + 1) mb[2 + i] = fb[i];
        mb_len = fb_len + 2;
        send_msg;
    end
endtask

task wait_mac_frame(input integer before);
    integer t;
    begin
        t = 0;
        while (mf_frames == before) begin
            tick; t = t + 1;
            if (t > 50000) $fatal(1, "no RAW_TX frame on the MAC side");
        end
    end
endtask

`INET_CSUM_FN(mf_csum, mf)

integer raw_ok = 0, raw_bad = 0;
// Build a random IPv4 frame of protocol `proto` with wrong checksums, send it with `flags`,
// check the MAC-side copy: identical except the checksums asked for, which must verify.
task raw_case(input [7:0] proto, input [7:0] flags, input integer plen);
    integer i, before, csum_at, l4len;
    reg [31:0] pseudo;
    begin
        fb_eth(48'h0a0b0c0d0e0f, MY_MAC, 16'h0800);
        fb_ipv4(proto, MY_IP, 32'h0a000202, plen);
        if (plen < 26) fb_len = 34 + plen;     // no Ethernet padding: the MAC pads
        fb_put16(24, 16'hdead);                // wrong IPv4 checksum
        csum_at = proto == 8'd6 ? 34 + 16 : proto == 8'd17 ? 34 + 6 : 34 + 2;
        if (proto == 8'd17) fb_put16(38, plen[15:0]);
        if (csum_at + 1 < fb_len) fb_put16(csum_at, 16'hbeef);
        before = mf_frames;
        send_raw(flags);
        good_msgs = good_msgs + 1;
        wait_mac_frame(before);
        raw_ok = raw_ok + 1;
        if (mf_len != fb_len) $fatal(1, "RAW_TX length %0d, expected %0d", mf_len, fb_len);
        for (i = 0; i < fb_len; i = i + 1) begin
            if (mf[i] != fb[i] && !((flags & 1) && (i == 24 || i == 25)) &&
                !((flags & 2) && (i == csum_at || i == csum_at + 1)))
                $fatal(1, "RAW_TX byte %0d differs (%h, sent %h)", i, mf[i], fb[i]);
        end
        if (flags & 1) begin
            if (mf_csum(14, 20, 0) != 16'hffff) $fatal(1, "RAW_TX IPv4 checksum wrong");
        end else if (mf[24] != 8'hde) $fatal(1, "IPv4 checksum changed without the flag");
        if (proto == 8'd47 && (mf[csum_at] != fb[csum_at] || mf[csum_at + 1] != fb[csum_at + 1]))
            $fatal(1, "RAW_TX patched a protocol it does not know");
        if ((flags & 2) && csum_at + 1 < fb_len && proto != 8'd47) begin
            l4len = plen;
            pseudo = proto == 8'd1 ? 0 : MY_IP[31:16] + MY_IP[15:0] + 16'h0a00 + 16'h0202 + proto + l4len;
            if (mf_csum(34, l4len, pseudo) != 16'hffff)
                $fatal(1, "RAW_TX L4 checksum wrong (proto %0d, len %0d)", proto, plen);
            if (proto == 8'd17 && mf[csum_at] == 0 && mf[csum_at + 1] == 0)
                $fatal(1, "UDP checksum sent as 0");
        end
    end
endtask

// ---- RAW_RX: load fb into the host queue and check the message ----
reg [11:0] hq_wp = 0;
task hq_frame(input [5:0] verdict_in, input [63:0] t);
    integer w, kk, n;
    reg [31:0] word;
    begin
        n = (fb_len + 2 + 3) / 4;
        for (w = 0; w < n; w = w + 1) begin
            for (kk = 0; kk < 4; kk = kk + 1)
                word[31 - 8 * kk -: 8] = (w * 4 + kk < 2 || w * 4 + kk >= fb_len + 2) ? 8'h00 : fb[w * 4 + kk - 2];
            hq_wr_en = 1; hq_wr_addr = hq_wp[10:0] + w[10:0]; hq_wr_data = word;
            tick;
        end
        hq_wr_en = 0;
        hq_in_start = hq_wp; hq_in_words = n; hq_in_len = fb_len; hq_in_verdict = verdict_in;
        hq_in_time = t; hq_push = 1; tick; hq_push = 0;
        hq_wp = hq_wp + n;
    end
endtask

task check_raw_rx(input [5:0] verdict_in, input [63:0] t);
    integer i;
    begin
        get_msg(100000);
        if (rm[0] != MSG_RAW_RX || rm[1] != verdict_in || rm_len != 10 + fb_len)
            $fatal(1, "RAW_RX header wrong (type %h arg %h len %0d, expected %0d)", rm[0], rm[1], rm_len, 10 + fb_len);
        if ({rm[2], rm[3], rm[4], rm[5], rm[6], rm[7], rm[8], rm[9]} != t) $fatal(1, "RAW_RX time wrong");
        for (i = 0; i < fb_len; i = i + 1)
            if (rm[10 + i] != fb[i]) $fatal(1, "RAW_RX byte %0d differs", i);
    end
endtask

// ---- the test ----
integer i, n, len, seq;
reg [31:0] v, t0, t1;
reg [63:0] t64, ev_t, alarm;
initial begin
    `BENCH_SEED(rnd_seed);
    `BENCH_WAVES
    repeat (4) tick;
    rst = 0;
    repeat (2) tick;

    // idle zeros are fine and not counted
    for (i = 0; i < 5; i = i + 1) put_byte(8'h00);

    // constants
    csr_expect(0, CSR_ID, 0, 0, CONST_ID);
    csr_expect(0, CSR_VERSION, 0, 0, CONST_VERSION);
    csr_expect(0, CSR_CAPS, 0, 0, 32'h001d0108);   // 8 slots, link kind 1, 8 KiB rings, traffic unit (the defaults)
    csr_expect(0, CSR_LINK_RATE, 0, 0, LINK_RATE);
    csr_expect(0, CSR_HOST_MASK, 0, 0, CONST_HOST_MASK_DEFAULT);
    csr_expect(0, CSR_CHALLENGE_ACK_LIMIT, 0, 0, CONST_CHALLENGE_ACK_LIMIT_DEFAULT);
    if (chack_limit !== CONST_CHALLENGE_ACK_LIMIT_DEFAULT) $fatal(1, "chack_limit after reset");
    csr_expect(0, CSR_MAC_HI, 0, 0, {16'd0, MY_MAC[47:32]});
    csr_expect(0, CSR_MAC_LO, 0, 0, MY_MAC[31:0]);
    csr_expect(0, CSR_IP, 0, 0, MY_IP);
    csr_expect(0, CSR_NETMASK, 0, 0, 32'hffffff00);
    csr_expect(0, CSR_GATEWAY, 0, 0, 32'h0a000202);
    // read-only and unknown addresses
    csr_expect(1, CSR_ID, 1, 2, 0);
    csr_expect(1, CSR_VERSION, 1, 2, 0);
    csr_expect(1, CSR_CAPS, 1, 2, 0);
    csr_expect(1, CSR_LINK_RATE, 1, 2, 0);
    csr_expect(1, CSR_TIME_LO, 1, 2, 0);
    csr_expect(1, CSR_TIME_HI, 1, 2, 0);
    csr_expect(1, CSR_STAT_BASE + 3, 1, 2, 0);
    csr_expect(0, 16'h000f, 0, 1, 0);
    csr_expect(0, 16'h00ff, 0, 1, 0);
    csr_expect(0, CSR_STAT_BASE + STAT_COUNT, 0, 1, 0);
    csr_expect(1, 16'h1234, 0, 1, 0);
    csr_expect(0, CSR_ID, 0, 0, CONST_ID);   // recovered
    // read/write registers
    for (n = 0; n < 4; n = n + 1) begin
        v = $random(rnd_seed);
        csr_expect(1, CSR_MAC_HI, v, 0, 0);     csr_expect(0, CSR_MAC_HI, 0, 0, {16'd0, v[15:0]});
        if (cfg_mac[47:32] != v[15:0]) $fatal(1, "cfg_mac not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_MAC_LO, v, 0, 0);     csr_expect(0, CSR_MAC_LO, 0, 0, v);
        if (cfg_mac[31:0] != v) $fatal(1, "cfg_mac not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_IP, v, 0, 0);         csr_expect(0, CSR_IP, 0, 0, v);
        if (cfg_ip != v) $fatal(1, "cfg_ip not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_NETMASK, v, 0, 0);    csr_expect(0, CSR_NETMASK, 0, 0, v);
        if (cfg_netmask != v) $fatal(1, "cfg_netmask not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_GATEWAY, v, 0, 0);    csr_expect(0, CSR_GATEWAY, 0, 0, v);
        v = $random(rnd_seed);
        csr_expect(1, CSR_HOST_MASK, v, 0, 0);  csr_expect(0, CSR_HOST_MASK, 0, 0, v);
        if (host_mask != v) $fatal(1, "host_mask not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_CHALLENGE_ACK_LIMIT, v, 0, 0);  csr_expect(0, CSR_CHALLENGE_ACK_LIMIT, 0, 0, v);
        if (chack_limit != v) $fatal(1, "chack_limit not written");
        v = $random(rnd_seed);
        csr_expect(1, CSR_ALARM_LO, v, 0, 0);   csr_expect(0, CSR_ALARM_LO, 0, 0, v);
        v = $random(rnd_seed) | 32'h80000000;  // far in the future: never fires here
        csr_expect(1, CSR_ALARM_HI, v, 0, 0);   csr_expect(0, CSR_ALARM_HI, 0, 0, v);
    end
    csr_expect(1, CSR_MAC_HI, MY_MAC[47:32], 0, 0); csr_expect(1, CSR_MAC_LO, MY_MAC[31:0], 0, 0);
    csr_expect(1, CSR_IP, MY_IP, 0, 0);
    csr_expect(1, CSR_HOST_MASK, CONST_HOST_MASK_DEFAULT, 0, 0);
    $display("CSRs: %0d requests answered", good_msgs);

    // time: TIME_LO against simulation time (1 us = 1000 ns; reset ended at 4 clocks)
    for (n = 0; n < 3; n = n + 1) begin
        t0 = ($time - 64) / 1000;
        csr(0, CSR_TIME_LO, 0);
        t1 = ($time - 64) / 1000;
        if (r_value < t0 || r_value > t1 + 1) $fatal(1, "TIME_LO %0d outside [%0d, %0d]", r_value, t0, t1);
        repeat (1000 + $random(rnd_seed) % 500) tick;
    end
    // long-run rate: over 100000 cycles (1600 us), exact to a microsecond
    @(posedge clk); t64 = now_us; repeat (100000) @(posedge clk);
    if (now_us - t64 < 1599 || now_us - t64 > 1601) $fatal(1, "time rate: %0d us in 1600", now_us - t64);
    #1;
    // TIME_HI latch across a 32-bit carry
    dut.now_us = 64'h00000005_ffffff00;
    csr(0, CSR_TIME_LO, 0); t0 = r_value;
    repeat (20000) tick;       // the low word wraps meanwhile (256 us)
    csr(0, CSR_TIME_HI, 0);
    if (r_value != 32'h5 || t0 < 32'hffffff00) $fatal(1, "TIME_HI latch: %h:%h", r_value, t0);
    csr(0, CSR_TIME_LO, 0); t0 = r_value; csr(0, CSR_TIME_HI, 0);
    if (r_value != 32'h6 || t0 > 32'h400) $fatal(1, "TIME_HI after wrap: %h:%h", r_value, t0);
    $display("time: ok");

    // alarm: in the future (fires at the right microsecond), in the past (at once); seq counts
    seq = -1;
    for (n = 0; n < 4; n = n + 1) begin
        alarm = dut.now_us + (n == 2 ? -64'd5 : 64'd50 + {$random(rnd_seed)} % 40);
        csr_expect(1, CSR_ALARM_LO, alarm[31:0], 0, 0);
        csr_expect(1, CSR_ALARM_HI, alarm[63:32], 0, 0);
        get_msg(40000);
        if (rm[0] != MSG_EVENT || rm[1] != EVENT_ALARM || rm_len != 12)
            $fatal(1, "expected an ALARM event (type %h arg %h len %0d)", rm[0], rm[1], rm_len);
        ev_t = {rm[4], rm[5], rm[6], rm[7], rm[8], rm[9], rm[10], rm[11]};
        if (seq >= 0 && {rm[2], rm[3]} != seq + 1) $fatal(1, "event seq %0d after %0d", {rm[2], rm[3]}, seq);
        seq = {rm[2], rm[3]};
        if (n != 2 && ev_t != alarm) $fatal(1, "alarm for %0d fired at %0d", alarm, ev_t);
        if (n == 2 && (ev_t < alarm || ev_t > alarm + 64'd10)) $fatal(1, "past alarm fired at %0d", ev_t);
        events = events + 1;
        expect_silence(8000);   // fires once
    end
    $display("alarm: %0d events", events);

    // RAW_TX: every protocol, with and without checksum flags; lengths at the limits
    for (n = 0; n < 48; n = n + 1) begin
        len = (n < 12) ? 8 + n : 20 + ($random(rnd_seed) & 32'h7ff) % 1461;
        raw_case(n % 4 == 0 ? 8'd1 : n % 4 == 1 ? 8'd6 : n % 4 == 2 ? 8'd17 : 8'd47, (n / 4) % 4, len);
        if (n % 8 == 7) begin s0_req = 1; end   // source 0 competes for the MAC now and then
    end
    raw_case(8'd17, 3, 1480);   // 1514-byte frame
    fb_eth(48'h0a0b0c0d0e0f, MY_MAC, 16'h88b5); fb_len = 14;
    n = mf_frames; send_raw(3); good_msgs = good_msgs + 1; wait_mac_frame(n);
    if (mf_len != 14) $fatal(1, "14-byte RAW_TX came out as %0d", mf_len);
    raw_ok = raw_ok + 1;
    // out of range: 13 and 1515 bytes; also a frame too small to patch: nothing goes out
    n = mf_frames;
    for (i = 0; i < 1515; i = i + 1) fb[i] = $random(rnd_seed);
    fb_len = 13; send_raw(0); good_msgs = good_msgs + 1; raw_bad = raw_bad + 1;
    fb_len = 1515; send_raw(3); good_msgs = good_msgs + 1; raw_bad = raw_bad + 1;
    repeat (3000) tick;
    if (mf_frames != n) $fatal(1, "an out-of-range RAW_TX was sent");
    mac_free = 11'd10;      // no room: the frame waits
    fb_eth(48'h0a0b0c0d0e0f, MY_MAC, 16'h88b5); fb_len = 60;
    send_raw(0); good_msgs = good_msgs + 1;
    repeat (500) tick;
    if (mf_frames != n) $fatal(1, "RAW_TX started without MAC FIFO room");
    mac_free = 11'd1024;
    wait_mac_frame(n); raw_ok = raw_ok + 1;
    while (s0_req || s0_tvalid) tick;
    $display("RAW_TX: %0d frames checked, %0d rejected, %0d bench frames interleaved", raw_ok, raw_bad, mf_s0);

    // RAW_RX from the host queue; RESP and EVENT go first when pending
    for (n = 0; n < 12; n = n + 1) begin
        len = (n < 4) ? n : 14 + ($random(rnd_seed) & 32'h7ff) % 1501;
        for (i = 0; i < len; i = i + 1) fb[i] = $random(rnd_seed);
        if (n % 3 == 0) for (i = 0; i < len; i = i + 1) fb[i] = 0;   // all zeros: COBS worst case
        fb_len = len;
        t64 = {$random(rnd_seed), $random(rnd_seed)};
        hq_frame(n % 18, t64);
        check_raw_rx(n % 18, t64);
        if (hq_rd_ptr != hq_wp) $fatal(1, "host queue not released");
    end
    $display("RAW_RX: ok");

    // bad frames: counted, never acted on, recovery on the next frame
    // bad CRC on a CSR write: register unchanged, no RESP
    mb[0] = MSG_CSR_WRITE; mb[1] = 8'h99; mb[2] = 0; mb[3] = CSR_IP[7:0];
    mb[4] = 8'h01; mb[5] = 8'h02; mb[6] = 8'h03; mb[7] = 8'h04; mb_len = 8;
    corrupt_at = 5; link_encode; corrupt_at = -1; send_enc; bad_crcs = bad_crcs + 1;
    expect_silence(2000);
    csr_expect(0, CSR_IP, 0, 0, MY_IP);
    // a flipped CRC byte
    mb[0] = MSG_CSR_READ; mb[1] = 8'h98; mb[2] = 0; mb[3] = 0; mb_len = 4;
    corrupt_at = 7; link_encode; corrupt_at = -1; send_enc; bad_crcs = bad_crcs + 1;
    expect_silence(2000);
    // malformed COBS: a code promising more bytes than the frame has
    put_byte(8'h09); put_byte(8'h01); put_byte(8'h02); put_byte(8'h00); bad_frames = bad_frames + 1;
    // too short: one message byte (5 bytes with the CRC)
    mb[0] = MSG_CSR_READ; mb_len = 1; send_msg; bad_frames = bad_frames + 1;
    // too long: 1537 message bytes
    mb[0] = MSG_RAW_TX; mb[1] = 0; for (i = 2; i < 1537; i = i + 1) mb[i] = $random(rnd_seed);
    mb_len = 1537; n = mf_frames; send_msg; bad_frames = bad_frames + 1;
    // random garbage, then a delimiter
    put_byte(8'hff);
    for (i = 0; i < 50; i = i + 1) put_byte($random(rnd_seed) | 8'h01);
    put_byte(8'h00); bad_frames = bad_frames + 1;
    expect_silence(2000);
    if (mf_frames != n) $fatal(1, "a bad frame was acted on");
    // unknown type, wrong lengths; TX_DATA and RX_CONSUMED of the right sizes go to the TCP
    // engine once each, with no answer on the link
    mb[0] = 8'h77; mb[1] = 0; mb_len = 6; send_msg; bad_msgs = bad_msgs + 1;
    mb[0] = MSG_TX_DATA; mb_len = 6; send_msg; bad_msgs = bad_msgs + 1;
    mb[0] = MSG_RX_CONSUMED; mb_len = 7; send_msg; bad_msgs = bad_msgs + 1;
    mb[0] = MSG_TX_DATA; mb_len = 10; send_msg; good_msgs = good_msgs + 1;
    mb[0] = MSG_RX_CONSUMED; mb_len = 6; send_msg; good_msgs = good_msgs + 1;
    expect_silence(2000);
    if (tcp_txd_n != 1 || tcp_rxc_n != 1) $fatal(1, "TX_DATA/RX_CONSUMED hand-over: %0d %0d", tcp_txd_n, tcp_rxc_n);
    // slot CSRs: the TCP engine's answer is the RESP
    mb[0] = MSG_CSR_READ; mb[1] = 8'h42; {mb[2], mb[3]} = CSR_SLOT_BASE + 16'd33; mb_len = 4;
    send_msg; good_msgs = good_msgs + 1;
    get_msg(20000);
    if (rm[0] != MSG_RESP || rm[1] != 8'h42 || rm[2] != CONST_RESP_BAD_ADDR ||
        {rm[3], rm[4], rm[5], rm[6]} != CSR_SLOT_BASE + 16'd33) $fatal(1, "slot CSR answer");
    mb[0] = MSG_CSR_READ; mb[1] = 8'h43; mb_len = 5; send_msg; bad_msgs = bad_msgs + 1;
    get_msg(20000);
    if (rm[0] != MSG_RESP || rm[1] != 8'h43 || rm[2] != CONST_RESP_BAD_REQ) $fatal(1, "short CSR answer");
    csr_expect(0, CSR_ID, 0, 0, CONST_ID);

    // link sessions (docs/LINK.md section 2): a host killed in the middle of a RAW_TX frame,
    // then the next host's delimiter and SESSION: the half frame is dropped, nothing goes out,
    // and the SESSION_ACK echoes the number
    csr_expect(0, CSR_LINK_SESSION, 0, 0, 0);
    mb[0] = MSG_RAW_TX; mb[1] = 0; for (i = 0; i < 60; i = i + 1) mb[2 + i] = $random(rnd_seed) | 1;
    mb_len = 62; link_encode; n = mf_frames;
    for (i = 0; i < 30; i = i + 1) put_byte(enc[i]);
    put_byte(8'h00); bad_frames = bad_frames + 1;
    session(32'h5e55_0001);
    csr_expect(0, CSR_LINK_SESSION, 0, 0, 32'h5e55_0001);
    // requests queued before a SESSION are answered before its SESSION_ACK, those after it
    // after: one ACK splits the device's answers into the two sessions
    for (i = 0; i < 6; i = i + 1) begin
        mb[0] = MSG_CSR_READ; mb[1] = 8'h60 + i; {mb[2], mb[3]} = CSR_ID; mb_len = 4;
        send_msg; good_msgs = good_msgs + 1;
    end
    mb[0] = MSG_SESSION; mb[1] = 0; {mb[2], mb[3], mb[4], mb[5]} = 32'h5e55_0002; mb_len = 6;
    send_msg; good_msgs = good_msgs + 1;
    mb[0] = MSG_CSR_READ; mb[1] = 8'h70; {mb[2], mb[3]} = CSR_LINK_SESSION; mb_len = 4;
    send_msg; good_msgs = good_msgs + 1;
    for (i = 0; i < 6; i = i + 1) begin
        get_msg(20000);
        while (rm[0] == MSG_EVENT) begin events = events + 1; get_msg(20000); end
        if (rm[0] != MSG_RESP || rm[1] != 8'h60 + i) $fatal(1, "old-session RESP %0d: type %h tag %h", i, rm[0], rm[1]);
    end
    get_msg(20000);
    while (rm[0] == MSG_EVENT) begin events = events + 1; get_msg(20000); end
    if (rm_len != 7 || rm[0] != MSG_SESSION_ACK || rm[1] != 0 || rm[2] != 0 ||
        {rm[3], rm[4], rm[5], rm[6]} != 32'h5e55_0002) $fatal(1, "SESSION_ACK after the old answers: type %h len %0d", rm[0], rm_len);
    get_msg(20000);
    while (rm[0] == MSG_EVENT) begin events = events + 1; get_msg(20000); end
    if (rm[0] != MSG_RESP || rm[1] != 8'h70 || {rm[3], rm[4], rm[5], rm[6]} != 32'h5e55_0002)
        $fatal(1, "new-session RESP: type %h tag %h", rm[0], rm[1]);
    // a SESSION of the wrong length is a bad message: no ACK, the session stays
    mb[0] = MSG_SESSION; mb[1] = 0; mb_len = 5; send_msg; bad_msgs = bad_msgs + 1;
    expect_silence(2000);
    if (mf_frames != n) $fatal(1, "the half RAW_TX frame went out");
    csr_expect(0, CSR_LINK_SESSION, 0, 0, 32'h5e55_0002);

    // counters through STAT reads (each check is itself a good message)
    repeat (100) tick;
    check_stat(STAT_LINK_RX_BAD_CRC, bad_crcs);
    check_stat(STAT_LINK_RX_BAD_FRAME, bad_frames);
    check_stat(STAT_LINK_RX_BAD_MSG, bad_msgs);
    check_stat(STAT_TX_RAW, raw_ok);
    check_stat(STAT_TX_RAW_BAD, raw_bad);
    check_stat(STAT_TX_FRAMES, raw_ok + s0_frames);   // every frame through the arbiter
    check_stat(STAT_EVENTS, events);
    check_stat(STAT_LINK_RX_MSGS, good_msgs + 1);   // the read itself counts before its value is taken
    // ... whatever the statistics walk's phase when the read arrives (it waits for its counter)
    for (i = 0; i < STAT_COUNT + 2; i = i + 1) begin
        repeat (i) tick;
        check_stat(STAT_LINK_RX_MSGS, good_msgs + 1);
    end
    check_stat(STAT_LINK_TX_MSGS, dev_msgs);
    check_stat(STAT_RX_FRAMES, 0);

    if (gapless == 0) $fatal(1, "no device frame checked for gaps");
    $display("PASS: toe_link, %0d messages from the host, %0d from the device (%0d checked without a gap)", good_msgs, dev_msgs, gapless);
    $finish;
end

endmodule

`default_nettype wire
