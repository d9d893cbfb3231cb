// SPDX-License-Identifier: MIT
// Bench for toe_rx_parse: one verdict per frame for ARP, IPv4 and ICMP cases, store writes,
// descriptors, overflow, under random input bubbles; the host queue (slow path): frames whose
// verdict bit is set in host_mask committed with a descriptor and their contents, hardware-
// answered verdicts never, room checked at the first beat (host_drop).
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

`include "toe_defs.vh"
`include "frames.vh"

localparam [47:0] MY_MAC   = 48'h020000000001;
localparam [47:0] PEER_MAC = 48'h0a0b0c0d0e0f;
localparam [31:0] MY_IP    = 32'h0a00020f;
localparam [31:0] PEER_IP  = 32'h0a000202;
localparam [31:0] NETMASK  = 32'hffffff00;

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg  [31:0] s_tdata;
reg  [3:0]  s_tkeep;
reg         s_tvalid = 0, s_tlast = 0;
reg  [1:0]  s_tuser;
wire        s_tready;
wire        store_wr_en;
wire [10:0] store_wr_addr;
wire [31:0] store_wr_data;
reg  [11:0] store_rd_ptr = 0;
reg         free_store = 1;
reg         desc_room = 1;
wire        desc_valid, desc_icmp;
wire [47:0] desc_mac;
wire [31:0] desc_ip;
wire [11:0] desc_start;
wire [8:0]  desc_words;
wire [15:0] desc_len, desc_csum;
wire [7:0]  desc_code;
wire        verdict_valid;
wire [5:0]  verdict;
wire        hq_wr_en;
wire [10:0] hq_wr_addr;
wire [31:0] hq_wr_data;
reg  [11:0] hq_rd_ptr = 0;
reg         free_hq = 1;
reg         hq_room = 1;
wire        hq_valid;
wire [11:0] hq_start;
wire [8:0]  hq_words;
wire [10:0] hq_len;
wire [5:0]  hq_verdict;
wire [63:0] hq_time;
reg  [31:0] host_mask = 32'h0;
reg  [63:0] now_us = 64'd0;
wire        to_host, host_drop;
always @(posedge clk) now_us <= now_us + 64'd1;

reg tcp_match = 0;   // toe_tcp's lookup: a good TCP segment for an offloaded slot

toe_rx_parse #(.STORE_LOG2(11)) dut (
    .clk(clk), .rst(rst),
    .s_rx_tdata(s_tdata), .s_rx_tkeep(s_tkeep), .s_rx_tvalid(s_tvalid), .s_rx_tready(s_tready),
    .s_rx_tlast(s_tlast), .s_rx_tuser(s_tuser),
    .store_wr_en(store_wr_en), .store_wr_addr(store_wr_addr), .store_wr_data(store_wr_data),
    .store_rd_ptr(store_rd_ptr),
    .m_desc_valid(desc_valid), .m_desc_room(desc_room), .m_desc_icmp(desc_icmp),
    .m_desc_mac(desc_mac), .m_desc_ip(desc_ip), .m_desc_start(desc_start),
    .m_desc_words(desc_words), .m_desc_len(desc_len), .m_desc_csum(desc_csum),
    .m_desc_code(desc_code),
    .hq_wr_en(hq_wr_en), .hq_wr_addr(hq_wr_addr), .hq_wr_data(hq_wr_data), .hq_rd_ptr(hq_rd_ptr),
    .m_hq_valid(hq_valid), .m_hq_room(hq_room), .m_hq_start(hq_start), .m_hq_words(hq_words),
    .m_hq_len(hq_len), .m_hq_verdict(hq_verdict), .m_hq_time(hq_time),
    .host_mask(host_mask), .now_us(now_us),
    .verdict_valid(verdict_valid), .verdict(verdict), .to_host(to_host), .host_drop(host_drop),
    .cfg_mac(MY_MAC), .cfg_ip(MY_IP), .cfg_netmask(NETMASK), .tcp_match(tcp_match)
);

// The store is freed as soon as a frame is committed, unless a test holds it.
always @(posedge clk) if (free_store) store_rd_ptr <= dut.store_wr_ptr;

// Store writes must carry the frame's words (with the pad) at consecutive addresses.
reg [10:0] frame_base;
integer    stored_words;
always @(posedge clk) begin
    if (store_wr_en) begin
        if (stored_words == 0) frame_base = store_wr_addr;
        if (store_wr_addr != frame_base + stored_words[10:0])
            $fatal(1, "store address %0d, expected %0d", store_wr_addr, frame_base + stored_words);
        stored_words = stored_words + 1;
    end
end

// Host queue writes: consecutive addresses from the write pointer, contents kept for checking.
always @(posedge clk) if (free_hq) hq_rd_ptr <= dut.hq_wr_ptr;
reg [31:0] hq_data [0:511];
reg [10:0] hq_base;
integer    hq_stored;
always @(posedge clk) begin
    if (hq_wr_en) begin
        if (hq_stored == 0) hq_base = hq_wr_addr;
        if (hq_wr_addr != hq_base + hq_stored[10:0])
            $fatal(1, "host queue address %0d, expected %0d", hq_wr_addr, hq_base + hq_stored);
        if (hq_base != dut.hq_wr_ptr[10:0]) $fatal(1, "host queue write not at its write pointer");
        hq_data[hq_stored] = hq_wr_data;
        hq_stored = hq_stored + 1;
    end
end

// Collected outputs of the last frame.
reg [5:0] got_verdict;
reg       got_desc;
integer   verdicts, got_hq, got_drop, got_to_host;
reg [11:0] got_hq_start;
reg [8:0]  got_hq_words;
reg [10:0] got_hq_len;
reg [5:0]  got_hq_verdict;
always @(posedge clk) begin
    if (verdict_valid) begin got_verdict <= verdict; verdicts = verdicts + 1; end
    if (desc_valid) got_desc <= 1'b1;
    if (hq_valid) begin
        got_hq = got_hq + 1; got_hq_start = hq_start; got_hq_words = hq_words;
        got_hq_len = hq_len; got_hq_verdict = hq_verdict;
    end
    if (to_host) got_to_host = got_to_host + 1;
    if (host_drop) got_drop = got_drop + 1;
end

// Inputs change 1 ns after the clock edge, so the DUT never samples them mid-update.
task tick;
    begin @(posedge clk); #1; end
endtask

// Drive fb[0..fb_len-1] (plus the 2-byte pad) with random bubbles; status on the last beat.
task send(input [1:0] status);
    integer nbytes, w, k;
    reg [7:0] b;
    begin
        nbytes = fb_len + 2;
        stored_words = 0;
        hq_stored = 0;
        got_desc = 0; got_hq = 0; got_drop = 0; got_to_host = 0;
        for (w = 0; w * 4 < nbytes; w = w + 1) begin
            while ($random(rnd_seed) % 4 == 0) tick;
            for (k = 0; k < 4; k = k + 1) begin
                b = (w * 4 + k < 2) ? 8'h00 : (w * 4 + k < nbytes) ? fb[w * 4 + k - 2] : 8'h00;
                s_tdata[31 - 8 * k -: 8] = b;
                s_tkeep[3 - k] = w * 4 + k < nbytes;
            end
            s_tlast  = (w + 1) * 4 >= nbytes;
            s_tuser  = s_tlast ? status : 2'd0;
            s_tvalid = 1;
            while (!s_tready) tick;
            tick;
            s_tvalid = 0;
        end
        repeat (5) tick;
    end
endtask

// The echo reply's checksum: the request's message with type 0, summed afresh.
function [15:0] reply_csum(input integer len);
    reg [7:0] t0, c0, c1;
    begin
        t0 = fb[34]; c0 = fb[36]; c1 = fb[37];
        fb[34] = 8'd0; fb[36] = 8'd0; fb[37] = 8'd0;
        reply_csum = ~fb_csum(34, len, 0);
        fb[34] = t0; fb[36] = c0; fb[37] = c1;
    end
endfunction

integer checks, hq_frames = 0, hq_drops = 0;
reg     expect_drop = 0;   // the host queue is expected to be full for this frame
task expect_verdict(input [5:0] want, input [1:0] status);
    integer before, w, k, up;
    reg [31:0] word;
    reg [11:0] wp_before;
    begin
        wp_before = dut.hq_wr_ptr;
        before = verdicts;
        send(status);
        if (verdicts != before + 1)
            $fatal(1, "expected one verdict, got %0d", verdicts - before);
        if (got_verdict != want)
            $fatal(1, "verdict %0d, expected %0d (frame of %0d bytes, dst %h)", got_verdict, want, fb_len, dut.dst_mac);
        if (got_desc != (want == STAT_RX_ARP_REQ || want == STAT_RX_ICMP_ECHO))
            $fatal(1, "descriptor %0d for verdict %0d", got_desc, want);
        // the slow path: never the hardware-answered verdicts
        up = host_mask[want] && want != STAT_RX_ARP_REQ && want != STAT_RX_ICMP_ECHO;
        if (got_hq + got_drop != up || got_to_host != got_hq || got_drop != (up && expect_drop))
            $fatal(1, "host queue: verdict %0d mask %h: %0d pushes, %0d drops, %0d to_host", want,
                   host_mask, got_hq, got_drop, got_to_host);
        if (got_hq) begin
            if (got_hq_start != wp_before || got_hq_len != fb_len || got_hq_verdict != want ||
                got_hq_words != hq_stored || got_hq_words != (fb_len + 2 + 3) / 4 ||
                dut.hq_wr_ptr != wp_before + got_hq_words)
                $fatal(1, "host queue descriptor wrong (verdict %0d len %0d words %0d/%0d)", want,
                       got_hq_len, got_hq_words, hq_stored);
            for (w = 0; w < hq_stored; w = w + 1) begin
                for (k = 0; k < 4; k = k + 1)
                    word[31 - 8 * k -: 8] = (w * 4 + k < 2 || w * 4 + k >= fb_len + 2) ? 8'h00 : fb[w * 4 + k - 2];
                if (hq_data[w] != word) $fatal(1, "host queue word %0d: %h, expected %h", w, hq_data[w], word);
            end
            hq_frames = hq_frames + 1;
        end else if (dut.hq_wr_ptr != wp_before)
            $fatal(1, "host queue pointer moved for a frame not sent up");
        if (got_drop) hq_drops = hq_drops + 1;
        checks = checks + 1;
    end
endtask

integer i, n, len, pass;
initial begin
    `BENCH_SEED(rnd_seed);
    `BENCH_WAVES
    verdicts = 0; checks = 0; stored_words = 0; hq_stored = 0;
    repeat (4) @(posedge clk);
    rst = 0;

    // Pass 1 with no frames for the host, pass 2 with every verdict's bit set, pass 3 with the
    // default mask: the same frames, the same verdicts; the slow path checked on each.
    for (pass = 0; pass < 3; pass = pass + 1) begin
    host_mask = pass == 0 ? 32'h0 : pass == 1 ? 32'hffffffff : CONST_HOST_MASK_DEFAULT;

    // ARP
    fb_eth(48'hffffffffffff, PEER_MAC, 16'h0806); fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, MY_IP);
    expect_verdict(STAT_RX_ARP_REQ, 2'd0);
    if (desc_icmp || desc_mac != PEER_MAC || desc_ip != PEER_IP) $fatal(1, "ARP descriptor fields");
    fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, MY_IP + 1);   expect_verdict(STAT_RX_ARP_OTHER, 2'd0);
    fb_arp(16'd2, PEER_MAC, PEER_IP, MY_MAC, MY_IP);      expect_verdict(STAT_RX_ARP_OTHER, 2'd0);
    fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, MY_IP); fb[15] = 8'h02;
    expect_verdict(STAT_RX_ARP_BAD, 2'd0);
    fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, MY_IP); fb[19] = 8'h06;
    expect_verdict(STAT_RX_ARP_BAD, 2'd0);

    // MAC status and addressing come first
    fb_eth(MY_MAC, PEER_MAC, 16'h0806); fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, MY_IP);
    expect_verdict(STAT_RX_FCS_ERR, 2'd1);
    expect_verdict(STAT_RX_FRAMING_ERR, 2'd2);
    expect_verdict(STAT_RX_TOO_LONG, 2'd3);
    fb_eth(MY_MAC + 1, PEER_MAC, 16'h0806); expect_verdict(STAT_RX_ADDR_MISS, 2'd0);
    fb_eth(MY_MAC, PEER_MAC, 16'h86dd);     expect_verdict(STAT_RX_ETHERTYPE, 2'd0);

    // ICMP echo of every size class, payload stored, descriptor right
    for (n = 0; n < 40; n = n + 1) begin
        len = (n < 20) ? 8 + n : 8 + ($random(rnd_seed) & 32'h7ff) % 1473;
        fb_eth(MY_MAC, PEER_MAC, 16'h0800); fb_icmp(8'd8, PEER_IP, MY_IP, len);
        expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);
        if (!desc_icmp || desc_mac != PEER_MAC || desc_ip != PEER_IP || desc_len != 20 + len ||
            desc_csum != reply_csum(len) || desc_words != stored_words)
            $fatal(1, "echo descriptor fields (len %0d)", len);
    end

    // IPv4 header checks, in order
    fb_eth(MY_MAC, PEER_MAC, 16'h0800); fb_icmp(8'd8, PEER_IP, MY_IP, 64);
    fb[14] = 8'h65; fb_ipv4_fix; expect_verdict(STAT_RX_IP_BAD_HDR, 2'd0);      // version 6
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[14] = 8'h44;
    expect_verdict(STAT_RX_IP_BAD_HDR, 2'd0);                                     // IHL 4
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb_put16(16, 16'd200); fb_ipv4_fix;
    expect_verdict(STAT_RX_IP_BAD_HDR, 2'd0);                                     // longer than frame
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb_put16(16, 16'd16); fb_ipv4_fix;
    expect_verdict(STAT_RX_IP_BAD_HDR, 2'd0);                                     // shorter than header
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[24] = fb[24] ^ 8'h01;
    expect_verdict(STAT_RX_IP_CSUM, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP + 1, 64);     expect_verdict(STAT_RX_IP_NOT_OURS, 2'd0);
    fb_icmp(8'd8, PEER_IP, 32'h0a0002ff, 64);  expect_verdict(STAT_RX_IP_OTHER, 2'd0); // subnet broadcast echo
    fb_icmp(8'd8, PEER_IP, 32'hffffffff, 64);  expect_verdict(STAT_RX_IP_OTHER, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[20] = 8'h20; fb_ipv4_fix;
    expect_verdict(STAT_RX_IP_FRAG, 2'd0);                                        // MF
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[21] = 8'h08; fb_ipv4_fix;
    expect_verdict(STAT_RX_IP_FRAG, 2'd0);                                        // offset
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[14] = 8'h46; fb_ipv4_fix;
    expect_verdict(STAT_RX_IP_OPTIONS, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb[40] = fb[40] ^ 8'h80;
    expect_verdict(STAT_RX_ICMP_CSUM, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 9); fb[42] = fb[42] ^ 8'h01;                   // odd length, last byte
    expect_verdict(STAT_RX_ICMP_CSUM, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 9); fb[45] = 8'h5a;                            // padding is not summed
    expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 8); fb_put32(38, 32'd0); fb_put16(36, 16'h0000);
    fb_put16(36, ~fb_csum(34, 8, 0));                                            // all-zero reply data
    expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);
    if (desc_csum != 16'hffff) $fatal(1, "all-zero echo reply checksum %h, expected ffff", desc_csum);
    fb_icmp(8'd0, PEER_IP, MY_IP, 64);         expect_verdict(STAT_RX_IP_OTHER, 2'd0); // echo reply
    fb_icmp(8'd8, 32'hffffffff, MY_IP, 64);    expect_verdict(STAT_RX_IP_OTHER, 2'd0); // from a broadcast
    fb_icmp(8'd8, 32'h0a0002ff, MY_IP, 64);    expect_verdict(STAT_RX_IP_OTHER, 2'd0); // from the subnet broadcast
    fb_icmp(8'd8, 32'he0000001, MY_IP, 64);    expect_verdict(STAT_RX_IP_OTHER, 2'd0); // from multicast
    fb_icmp(8'd8, 32'h00000000, MY_IP, 64);    expect_verdict(STAT_RX_IP_OTHER, 2'd0); // from 0.0.0.0
    fb_icmp(8'd8, PEER_IP, MY_IP, 4);          expect_verdict(STAT_RX_IP_OTHER, 2'd0); // no room for id/seq
    // TCP: checksum over pseudo-header and segment, header length, our address
    for (n = 0; n < 20; n = n + 1) begin
        len = (n < 10) ? n : ($random(rnd_seed) & 32'h7ff) % 1461;
        fb_tcp(PEER_IP, MY_IP, len);               expect_verdict(STAT_RX_TCP, 2'd0);
        fb[34 + 20 + len - 1] = fb[34 + 20 + len - 1] ^ 8'h10;
        if (len > 0) expect_verdict(STAT_RX_TCP_BAD, 2'd0);                     // payload flipped
        // the same segments for an offloaded slot: the fast path's verdict, unless bad
        tcp_match = 1;
        if (len > 0) expect_verdict(STAT_RX_TCP_BAD, 2'd0);
        fb[34 + 20 + len - 1] = fb[34 + 20 + len - 1] ^ 8'h10;
        expect_verdict(STAT_RX_TCP_SLOT, 2'd0);
        tcp_match = 0;
    end
    fb_tcp(PEER_IP, MY_IP, 100); fb[50] = fb[50] ^ 8'h01;
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // checksum field
    fb_tcp(PEER_IP, MY_IP, 100); fb_put32(26, PEER_IP + 1); fb_ipv4_fix;
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // pseudo-header: source
    fb_tcp(PEER_IP, MY_IP, 100); fb[46] = 8'h40; fb_tcp_fix;
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // data offset 4
    fb_tcp(PEER_IP, MY_IP, 16); fb[46] = 8'ha0; fb_tcp_fix;
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // header past the segment
    fb_tcp(PEER_IP, MY_IP, 40); fb[46] = 8'hf0; fb_tcp_fix;
    expect_verdict(STAT_RX_TCP, 2'd0);                                           // 60-byte header fits
    fb_ipv4(8'd6, PEER_IP, MY_IP, 12); fb_tcp_fix;
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // shorter than a header
    // TCP in IPv4 packets with options (MUST-50): the options skipped, checked and taken
    // like any other segment; other protocols with options stay RX_IP_OPTIONS
    for (n = 1; n <= 10; n = n + 1) begin
        len = (n < 4) ? n - 1 : ($random(rnd_seed) & 32'h7ff) % (1461 - 4 * n);
        fb_tcp(PEER_IP, MY_IP, len); fb_ip_options(n);
        expect_verdict(STAT_RX_TCP, 2'd0);
        tcp_match = 1;
        expect_verdict(STAT_RX_TCP_SLOT, 2'd0);
        tcp_match = 0;
        fb[34 + 4 * n + 1] = fb[34 + 4 * n + 1] ^ 8'h01;                         // source port
        expect_verdict(STAT_RX_TCP_BAD, 2'd0);
        fb[34 + 4 * n + 1] = fb[34 + 4 * n + 1] ^ 8'h01;
        fb[34 + 4 * n - 1] = fb[34 + 4 * n - 1] ^ 8'h20;                         // an option byte
        expect_verdict(STAT_RX_IP_CSUM, 2'd0);
        fb_ipv4_fix;
        expect_verdict(STAT_RX_TCP, 2'd0);
    end
    fb_tcp(PEER_IP, MY_IP, 16); fb[46] = 8'ha0; fb_tcp_fix; fb_ip_options(2);
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // header past the segment
    fb_tcp(PEER_IP, MY_IP, 40); fb[46] = 8'hf0; fb_tcp_fix; fb_ip_options(10);
    expect_verdict(STAT_RX_TCP, 2'd0);                                           // 60-byte header fits
    fb_ipv4(8'd6, PEER_IP, MY_IP, 12); fb_tcp_fix; fb_ip_options(2);
    expect_verdict(STAT_RX_TCP_BAD, 2'd0);                                       // shorter than a header
    fb_ipv4(8'd17, PEER_IP, MY_IP, 40); fb_ip_options(1);
    expect_verdict(STAT_RX_IP_OPTIONS, 2'd0);                                    // UDP with options
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); fb_ip_options(3);
    expect_verdict(STAT_RX_IP_OPTIONS, 2'd0);                                    // echo with options
    fb_tcp(PEER_IP, 32'hffffffff, 100);        expect_verdict(STAT_RX_IP_OTHER, 2'd0); // to a broadcast
    fb_ipv4(8'd17, PEER_IP, MY_IP, 40);        expect_verdict(STAT_RX_IP_OTHER, 2'd0); // UDP
    fb_eth(48'hffffffffffff, PEER_MAC, 16'h0800); fb_icmp(8'd8, PEER_IP, MY_IP, 64);
    expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);                                      // broadcast MAC, our IP

    end  // passes

    // Host queue room: with it held, frames for the host fill it (five maximum-size frames of
    // 379 words fit in 2048 with 380 judged free at each first beat); the sixth is dropped and
    // counted, while its verdict and the store are unaffected.
    host_mask = CONST_HOST_MASK_DEFAULT;
    free_hq = 0;
    fb_eth(MY_MAC, PEER_MAC, 16'h0800); fb_ipv4(8'd17, PEER_IP, MY_IP, 1480);
    for (i = 0; i < 5; i = i + 1) expect_verdict(STAT_RX_IP_OTHER, 2'd0);
    expect_drop = 1;
    expect_verdict(STAT_RX_IP_OTHER, 2'd0);
    fb_icmp(8'd8, PEER_IP, MY_IP, 64); expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);  // fast path goes on
    if (hq_drops != 1) $fatal(1, "expected one host drop, got %0d", hq_drops);
    free_hq = 1; expect_drop = 0;
    @(posedge clk); @(posedge clk);
    fb_ipv4(8'd17, PEER_IP, MY_IP, 100); expect_verdict(STAT_RX_IP_OTHER, 2'd0);
    // descriptor queue room works the same way
    hq_room = 0; expect_drop = 1; expect_verdict(STAT_RX_IP_OTHER, 2'd0);
    hq_room = 1; expect_drop = 0; expect_verdict(STAT_RX_IP_OTHER, 2'd0);

    // Overflow: with the store held, echo frames fill it; later ones are counted, not stored.
    free_store = 0;
    fb_eth(MY_MAC, PEER_MAC, 16'h0800); fb_icmp(8'd8, PEER_IP, MY_IP, 1472);
    for (i = 0; i < 5; i = i + 1) expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);
    expect_verdict(STAT_RX_OVERFLOW, 2'd0);
    if (stored_words != 0) $fatal(1, "an overflowing frame was written to the store");
    free_store = 1;
    @(posedge clk); @(posedge clk);
    expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);
    desc_room = 0; expect_verdict(STAT_RX_OVERFLOW, 2'd0); desc_room = 1;
    expect_verdict(STAT_RX_ICMP_ECHO, 2'd0);

    $display("PASS: toe_rx_parse, %0d frames checked, %0d sent up to the host, %0d host drops", checks, hq_frames, hq_drops);
    $finish;
end

endmodule

`default_nettype wire
