// SPDX-License-Identifier: MIT
// Bench helpers shared by the core benches: a frame buffer, builders for Ethernet, ARP,
// IPv4 and ICMP, and the Internet checksum. Included inside a bench's `tb` module.

reg [7:0] fb [0:2047];   // frame bytes, no pad, no FCS
integer   fb_len;
integer   rnd_seed;

// fb_csum(start, len, init): one's complement sum of init and fb[start .. start+len-1] (csum.vh).
`include "csum.vh"
`INET_CSUM_FN(fb_csum, fb)

task fb_put16(input integer at, input [15:0] v);
    begin fb[at] = v[15:8]; fb[at + 1] = v[7:0]; end
endtask

task fb_put32(input integer at, input [31:0] v);
    begin fb_put16(at, v[31:16]); fb_put16(at + 2, v[15:0]); end
endtask

task fb_put48(input integer at, input [47:0] v);
    begin fb_put16(at, v[47:32]); fb_put32(at + 2, v[31:0]); end
endtask

task fb_eth(input [47:0] dst, input [47:0] src, input [15:0] etype);
    begin fb_put48(0, dst); fb_put48(6, src); fb_put16(12, etype); end
endtask

task fb_arp(input [15:0] oper, input [47:0] sha, input [31:0] spa, input [47:0] tha, input [31:0] tpa);
    integer i;
    begin
        fb_put32(14, 32'h00010800);
        fb_put32(18, {16'h0604, oper});
        fb_put48(22, sha); fb_put32(28, spa); fb_put48(32, tha); fb_put32(38, tpa);
        for (i = 42; i < 60; i = i + 1) fb[i] = 8'h00;
        fb_len = 60;
    end
endtask

// IPv4 header (IHL 5) at 14 with a correct checksum, then `plen` random payload bytes; the
// frame is padded to 60 bytes.
task fb_ipv4(input [7:0] proto, input [31:0] src, input [31:0] dst, input integer plen);
    integer i;
    begin
        fb_put32(14, {16'h4500, 16'd20 + plen[15:0]});
        fb_put32(18, {16'h1234, 16'h0000});
        fb_put32(22, {8'd64, proto, 16'h0000});
        fb_put32(26, src); fb_put32(30, dst);
        fb_put16(24, ~fb_csum(14, 20, 0));
        for (i = 0; i < plen; i = i + 1) fb[34 + i] = $random(rnd_seed);
        fb_len = 34 + plen;
        for (i = fb_len; i < 60; i = i + 1) fb[i] = 8'h00;
        if (fb_len < 60) fb_len = 60;
    end
endtask

// Recompute the IPv4 header checksum after editing the header.
task fb_ipv4_fix;
    begin fb_put16(24, 16'h0000); fb_put16(24, ~fb_csum(14, {fb[14][3:0], 2'b00}, 0)); end
endtask

// ICMP message of `plen` bytes (>= 8) in an IPv4 packet: type, code, checksum, random rest.
task fb_icmp(input [7:0] itype, input [31:0] src, input [31:0] dst, input integer plen);
    begin
        fb_ipv4(8'd1, src, dst, plen);
        fb[34] = itype; fb[35] = 8'h00; fb_put16(36, 16'h0000);
        fb_put16(36, ~fb_csum(34, plen, 0));
    end
endtask

// TCP segment: a 20-byte header (data offset 5) and `plen` random payload bytes with a correct
// checksum over the pseudo-header and the segment, in an IPv4 packet from src to dst.
task fb_tcp(input [31:0] src, input [31:0] dst, input integer plen);
    begin
        fb_ipv4(8'd6, src, dst, 20 + plen);
        fb[46] = 8'h50;
        fb_tcp_fix;
    end
endtask

// Insert n IPv4 option words (NOPs, then random bytes: the receiver ignores them) into the
// IPv4 packet in fb (built with IHL 5), after its checksums: IHL, total length and the header
// checksum follow; a TCP or UDP checksum stays right (options are not in the pseudo-header).
task fb_ip_options(input integer n);
    integer i, tl;
    begin
        tl = {fb[16], fb[17]};
        for (i = 14 + tl - 1; i >= 34; i = i - 1) fb[i + 4 * n] = fb[i];
        for (i = 0; i < 4 * n; i = i + 1) fb[34 + i] = i < 2 ? 8'h01 : $random(rnd_seed);
        fb[14] = 8'h45 + n[7:0];
        fb_put16(16, tl[15:0] + 4 * n[15:0]);
        fb_len = 14 + tl + 4 * n;
        for (i = fb_len; i < 60; i = i + 1) fb[i] = 8'h00;
        if (fb_len < 60) fb_len = 60;
        fb_ipv4_fix;
    end
endtask

// Recompute the TCP checksum after editing the segment (IHL 5, length from the IPv4 header).
task fb_tcp_fix;
    reg [15:0] seg;
    begin
        seg = {fb[16], fb[17]} - 16'd20;
        fb_put16(50, 16'h0000);
        fb_put16(50, ~fb_csum(34, seg, {fb[26], fb[27]} + {fb[28], fb[29]} + {fb[30], fb[31]} +
                                       {fb[32], fb[33]} + 32'd6 + seg));
    end
endtask
