// SPDX-License-Identifier: MIT
// Bench for toe_tx: ARP and ICMP echo replies built from descriptors and the frame store,
// checked field by field and by checksum, under random backpressure and transmit-FIFO room.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

module tb;

`include "frames.vh"

localparam [47:0] MY_MAC   = 48'h020000000001;
localparam [31:0] MY_IP    = 32'h0a00020f;

`BENCH_CLOCK(clk, 8);
reg rst = 1;

// descriptor under test
reg         d_valid = 0, d_icmp;
reg  [47:0] d_mac;
reg  [31:0] d_ip;
reg  [11:0] d_start;
reg  [8:0]  d_words;
reg  [15:0] d_len, d_csum;
reg  [7:0]  d_code;
wire        d_pop;

// frame store, loaded by the bench
reg         st_wr_en = 0;
reg  [10:0] st_wr_addr;
reg  [31:0] st_wr_data;
wire [10:0] st_rd_addr;
wire [31:0] st_rd_data;
wire [11:0] st_rd_ptr;

wire [31:0] tdata;
wire [3:0]  tkeep;
wire        tvalid, tlast;
reg         tready = 1;
reg  [10:0] tx_free = 11'd1024;
wire        sent_arp, sent_icmp;
wire        tx_req;     // asks toe_tx_arb for the MAC while waiting for room

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(11)) store (
    .clk(clk), .wr_en(st_wr_en), .wr_addr(st_wr_addr), .wr_data(st_wr_data),
    .rd_addr(st_rd_addr), .rd_data(st_rd_data)
);

toe_tx #(.STORE_LOG2(11), .TX_FREE_BITS(11)) dut (
    .clk(clk), .rst(rst),
    .s_desc_valid(d_valid), .s_desc_pop(d_pop), .s_desc_icmp(d_icmp), .s_desc_mac(d_mac),
    .s_desc_ip(d_ip), .s_desc_start(d_start), .s_desc_words(d_words), .s_desc_len(d_len),
    .s_desc_csum(d_csum), .s_desc_code(d_code),
    .store_rd_addr(st_rd_addr), .store_rd_data(st_rd_data), .store_rd_ptr(st_rd_ptr),
    .m_tx_req(tx_req), .m_tx_tdata(tdata), .m_tx_tkeep(tkeep), .m_tx_tvalid(tvalid), .m_tx_tready(tready),
    .m_tx_tlast(tlast), .m_tx_free(tx_free),
    .sent_arp(sent_arp), .sent_icmp(sent_icmp),
    .cfg_mac(MY_MAC), .cfg_ip(MY_IP)
);

task tick;
    begin @(posedge clk); #1; end
endtask

// Received reply bytes (pad stripped) land in `rx`.
reg [7:0] rx [0:2047];
integer   rx_len;
reg       stall_free;   // hold tx_free low for a while before each reply

// Random backpressure; tx_free is what the FIFO would report.
always @(posedge clk) tready <= ($random(rnd_seed) % 3) != 0;

task collect;
    integer k, w, cycles;
    begin
        rx_len = 0; w = 0; cycles = 0;
        while (1) begin
            @(posedge clk);
            if (tvalid && tready) begin
                for (k = 0; k < 4; k = k + 1)
                    if (tkeep[3 - k] && (w > 0 || k >= 2)) begin
                        rx[rx_len] = tdata[31 - 8 * k -: 8];
                        rx_len = rx_len + 1;
                    end
                w = w + 1;
                if (tlast) disable collect;
            end
            cycles = cycles + 1;
            if (cycles > 20000) $fatal(1, "no reply");
        end
    end
endtask

`INET_CSUM_FN(rx_csum, rx)

function [47:0] rx48; input integer at; rx48 = {rx[at], rx[at+1], rx[at+2], rx[at+3], rx[at+4], rx[at+5]}; endfunction
function [31:0] rx32; input integer at; rx32 = {rx[at], rx[at+1], rx[at+2], rx[at+3]}; endfunction
function [15:0] rx16; input integer at; rx16 = {rx[at], rx[at+1]}; endfunction

// Load fb (a request frame) into the store at `base`, with the pad, as toe_rx_parse would.
task store_frame(input [10:0] base);
    integer w, k, n;
    reg [31:0] word;
    begin
        n = (fb_len + 2 + 3) / 4;
        for (w = 0; w < n; w = w + 1) begin
            for (k = 0; k < 4; k = k + 1)
                word[31 - 8 * k -: 8] = (w * 4 + k < 2 || w * 4 + k >= fb_len + 2) ? 8'h00 : fb[w * 4 + k - 2];
            st_wr_en = 1; st_wr_addr = base + w[10:0]; st_wr_data = word;
            tick;
        end
        st_wr_en = 0;
        d_words = n[8:0];
    end
endtask

// Offer the current descriptor; check the pop, the counters' pulse and the store release.
task offer(input is_icmp);
    integer hold, need;
    begin
        // one word short of the reply (with the pad), then room
        hold = stall_free ? 50 : 0;
        need = is_icmp ? (16 + d_len + 3) / 4 : 11;
        tx_free = stall_free ? need[10:0] - 11'd1 : 11'd1024;
        d_valid = 1;
        fork
            begin
                repeat (hold) tick;
                if (tvalid) $fatal(1, "frame started without FIFO room");
                if (stall_free && !tx_req) $fatal(1, "no m_tx_req while waiting for room");
                tx_free = 11'd1024;
            end
            collect;
        join
        while (!d_pop) begin
            if (tx_req && tvalid) $fatal(1, "m_tx_req held during the frame");
            tick;
        end
        if (sent_arp !== !is_icmp || sent_icmp !== is_icmp) $fatal(1, "sent pulse wrong");
        tick;
        d_valid = 0;
        if (is_icmp && st_rd_ptr != d_start + d_words) $fatal(1, "store not released");
        repeat (2) tick;
    end
endtask

integer n, i, len, checks;
reg [31:0] peer_ip;
reg [47:0] peer_mac;
reg [10:0] base;
initial begin
    `BENCH_SEED(rnd_seed);
    `BENCH_WAVES
    checks = 0; base = 0; stall_free = 0;
    repeat (4) tick;
    rst = 0;

    for (n = 0; n < 60; n = n + 1) begin
        peer_ip  = $random(rnd_seed);
        peer_mac = {$random(rnd_seed), $random(rnd_seed)};
        stall_free = n % 5 == 4;

        // ARP reply
        d_icmp = 0; d_mac = peer_mac; d_ip = peer_ip;
        offer(0);
        if (rx_len != 42 || rx48(0) != peer_mac || rx48(6) != MY_MAC || rx16(12) != 16'h0806 ||
            rx32(14) != 32'h00010800 || rx32(18) != 32'h06040002 || rx48(22) != MY_MAC ||
            rx32(28) != MY_IP || rx48(32) != peer_mac || rx32(38) != peer_ip)
            $fatal(1, "ARP reply fields wrong");

        // ICMP echo reply, sizes from empty to full MTU
        len = (n < 20) ? 8 + n : 8 + ($random(rnd_seed) & 32'h7ff) % 1473;
        fb_eth(MY_MAC, peer_mac, 16'h0800); fb_icmp(8'd8, peer_ip, MY_IP, len);
        fb[35] = n[7:0]; fb_put16(36, 16'h0000); fb_put16(36, ~fb_csum(34, len, 0));  // any code
        store_frame(base);
        // the parser hands over the reply's checksum: the message with type 0, summed afresh
        fb[34] = 8'd0; fb_put16(36, 16'h0000);
        d_icmp = 1; d_start = {1'b0, base}; d_len = 20 + len; d_csum = ~fb_csum(34, len, 0);
        d_code = fb[35];
        offer(1);
        if (rx_len != 34 + len || rx48(0) != peer_mac || rx48(6) != MY_MAC || rx16(12) != 16'h0800 ||
            rx[14] != 8'h45 || rx16(16) != 20 + len || rx[22] != 8'd64 || rx[23] != 8'd1 ||
            rx32(26) != MY_IP || rx32(30) != peer_ip || rx[34] != 8'd0 || rx[35] != fb[35])
            $fatal(1, "echo reply fields wrong (len %0d)", len);
        if (rx_csum(14, 20, 0) != 16'hffff) $fatal(1, "IPv4 header checksum wrong");
        if (rx_csum(34, len, 0) != 16'hffff) $fatal(1, "ICMP checksum wrong (len %0d)", len);
        for (i = 38; i < 34 + len; i = i + 1)
            if (rx[i] != fb[i]) $fatal(1, "echo data differs at byte %0d", i);
        base = base + 11'd400;
        checks = checks + 2;
    end

    $display("PASS: toe_tx, %0d replies checked", checks);
    $finish;
end

endmodule

`default_nettype wire
