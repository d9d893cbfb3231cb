// SPDX-License-Identifier: MIT
// Slot-level bench for toe_tcp: the bench programs slots the way libtoe does after a handshake,
// plays the peer with scripted segments on the receive stream (and the parser's verdicts),
// plays the link engine on the CSR, TX_DATA, RX_CONSUMED, RX_DATA and event ports, and
// captures every frame on m_tx (random tready, a toe_tx_arb model with free room that is
// sometimes small), checking IPv4 and TCP checksums (pseudo-header included) and payload.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

module tb;

`include "toe_defs.vh"
`include "frames.vh"

localparam [47:0] MY_MAC = 48'h020000000001;
localparam [31:0] MY_IP  = 32'h0a00020f;
localparam SLOTS = 4;
localparam BUF_LOG2 = 13;
localparam SIZE = 1 << BUF_LOG2;
localparam DELACK = 200;
localparam CHACK_PERIOD = 2000;   // the challenge ACK budget's period in us (1 s on a board)

`BENCH_CLOCK(clk, 8);   // 62.5 MHz
reg rst = 1;

// ---- device time: 1 us per 1000 ns ----
reg [63:0] now_us = 64'd0;
integer ns_acc = 0;
always @(posedge clk) begin
    ns_acc = ns_acc + 16;
    if (ns_acc >= 1000) begin ns_acc = ns_acc - 1000; now_us <= now_us + 1; end
end

// ---- DUT ports ----
reg  [31:0] rx_tdata = 0;
reg  [3:0]  rx_tkeep = 0;
reg         rx_beat = 0, rx_tlast = 0;
wire        tcp_match;
reg         verdict_valid = 0;
reg  [5:0]  verdict = 0;

wire        m_tx_req, m_tx_tvalid, m_tx_tlast;
wire [31:0] m_tx_tdata;
wire [3:0]  m_tx_tkeep;
reg         tready_r = 0;
reg         granted = 0;
reg  [10:0] free_r = 11'd1024;
wire        m_tx_tready = granted && tready_r;
wire [10:0] m_tx_free = granted ? free_r : 11'd0;

reg         csr_req = 0, csr_we = 0;
reg  [15:0] csr_addr = 0;
reg  [31:0] csr_wdata = 0;
wire        csr_ack;
wire [31:0] csr_rdata;
wire [7:0]  csr_status;

reg         txd_req = 0;
reg  [7:0]  txd_slot = 0;
reg  [31:0] txd_seq = 0;
reg  [10:0] txd_len = 0;
wire [8:0]  txd_rd_addr;
reg  [31:0] txd_rd_data;
wire        txd_ack;
reg  [31:0] msgbuf [0:511];
always @(posedge clk) txd_rd_data <= msgbuf[txd_rd_addr];

reg         rxc_req = 0;
reg  [7:0]  rxc_slot = 0;
reg  [31:0] rxc_seq = 0;
wire        rxc_ack;

wire        rxd_valid;
reg         rxd_taken = 0;
wire [7:0]  rxd_slot;
wire [31:0] rxd_seq;
wire [10:0] rxd_len;
reg  [7:0]  rxd_rd_slot = 0;
reg  [31:0] rxd_rd_seq = 0;
reg         rxd_busy = 0;     // from the take to the last word read, as the link
wire [31:0] rxd_rd_data;

wire         ev_valid;
reg          ev_taken = 0;
wire [143:0] ev_fields;

wire inc_rx_segs, inc_rx_ooo, inc_rx_drop, inc_tx_segs, inc_tx_rexmit, inc_dupacks, inc_data_bad;
wire inc_rx_no_ack, inc_rx_bad_ack, inc_rx_after_fin, inc_chack, inc_chack_limited;
reg [31:0] chack_limit = CONST_CHALLENGE_ACK_LIMIT_DEFAULT;
reg        host_quiet = 1'b1;   // 0: the host is sending (SND.UNA's small advances wait)

toe_tcp #(.SLOTS(SLOTS), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(11), .DELACK_US(DELACK),
          .CHACK_PERIOD_US(CHACK_PERIOD)) dut (
    .clk(clk), .rst(rst), .cfg_mac(MY_MAC), .cfg_ip(MY_IP), .now_us(now_us),
    .chack_limit(chack_limit), .host_quiet(host_quiet),
    .rx_tdata(rx_tdata), .rx_tkeep(rx_tkeep), .rx_beat(rx_beat), .rx_tlast(rx_tlast),
    .tcp_match(tcp_match), .verdict_valid(verdict_valid), .verdict(verdict),
    .m_tx_req(m_tx_req), .m_tx_tdata(m_tx_tdata), .m_tx_tkeep(m_tx_tkeep),
    .m_tx_tvalid(m_tx_tvalid), .m_tx_tready(m_tx_tready), .m_tx_tlast(m_tx_tlast),
    .m_tx_free(m_tx_free),
    .csr_req(csr_req), .csr_we(csr_we), .csr_addr(csr_addr), .csr_wdata(csr_wdata),
    .csr_ack(csr_ack), .csr_rdata(csr_rdata), .csr_status(csr_status),
    .txd_req(txd_req), .txd_slot(txd_slot), .txd_seq(txd_seq), .txd_len(txd_len),
    .txd_rd_addr(txd_rd_addr), .txd_rd_data(txd_rd_data), .txd_ack(txd_ack),
    .rxc_req(rxc_req), .rxc_slot(rxc_slot), .rxc_seq(rxc_seq), .rxc_ack(rxc_ack),
    .rxd_valid(rxd_valid), .rxd_taken(rxd_taken), .rxd_slot(rxd_slot), .rxd_seq(rxd_seq),
    .rxd_len(rxd_len), .rxd_rd_slot(rxd_rd_slot), .rxd_rd_seq(rxd_rd_seq), .rxd_busy(rxd_busy),
    .rxd_rd_data(rxd_rd_data),
    .ev_valid(ev_valid), .ev_taken(ev_taken), .ev_fields(ev_fields),
    .inc_rx_segs(inc_rx_segs), .inc_rx_ooo(inc_rx_ooo), .inc_rx_drop(inc_rx_drop),
    .inc_tx_segs(inc_tx_segs), .inc_tx_rexmit(inc_tx_rexmit), .inc_dupacks(inc_dupacks),
    .inc_data_bad(inc_data_bad), .inc_rx_no_ack(inc_rx_no_ack), .inc_rx_bad_ack(inc_rx_bad_ack),
    .inc_rx_after_fin(inc_rx_after_fin), .inc_chack(inc_chack), .inc_chack_limited(inc_chack_limited)
);

task tick;
    begin @(posedge clk); #1; end
endtask

task wait_us(input integer n);
    begin #(n * 1000); tick; end
endtask

function lt; input [31:0] x, y; reg [31:0] d; begin d = x - y; lt = d[31]; end endfunction

// ---- stream patterns: a byte is a function of its sequence number ----
function [7:0] pat_rx;   // what the peer sends
    input [31:0] x;
    begin pat_rx = x[7:0] ^ x[15:8] ^ {x[20:16], x[23:21]} ^ x[31:24] ^ 8'h5a; end
endfunction
function [7:0] pat_tx;   // what the host writes
    input [31:0] x;
    begin pat_tx = (x[7:0] + x[12:5]) ^ x[31:24] ^ x[23:16] ^ 8'hc3; end
endfunction

// ---- counters ----
integer c_rx_segs = 0, c_rx_ooo = 0, c_rx_drop = 0, c_tx_segs = 0, c_tx_rexmit = 0;
integer c_dupacks = 0, c_data_bad = 0;
integer c_no_ack = 0, c_bad_ack = 0, c_after_fin = 0, c_chack = 0, c_chack_lim = 0;
always @(posedge clk) if (!rst) begin   // the pulses are x until the first clock edge
    c_no_ack    = c_no_ack + inc_rx_no_ack;
    c_bad_ack   = c_bad_ack + inc_rx_bad_ack;
    c_after_fin = c_after_fin + inc_rx_after_fin;
    c_chack     = c_chack + inc_chack;
    c_chack_lim = c_chack_lim + inc_chack_limited;
    c_rx_segs   = c_rx_segs + inc_rx_segs;
    c_rx_ooo    = c_rx_ooo + inc_rx_ooo;
    c_rx_drop   = c_rx_drop + inc_rx_drop;
    c_tx_segs   = c_tx_segs + inc_tx_segs;
    c_tx_rexmit = c_tx_rexmit + inc_tx_rexmit;
    c_dupacks   = c_dupacks + inc_dupacks;
    c_data_bad  = c_data_bad + inc_data_bad;
end

// ---- transmit side: toe_tx_arb model and frame capture ----
integer small_free = 0;   // cycles left with little room
always @(posedge clk) begin
    tready_r <= ($random(rnd_seed) % 4) != 0;
    if (small_free > 0) begin
        small_free = small_free - 1;
        free_r <= 11'd8 + {$random(rnd_seed)} % 8;
    end else begin
        free_r <= 11'd1024;
        if ({$random(rnd_seed)} % 3000 == 0) small_free = 100 + {$random(rnd_seed)} % 900;
    end
    if (!granted && m_tx_req) granted <= 1'b1;
    if (m_tx_tvalid && m_tx_tready && m_tx_tlast) granted <= 1'b0;
    if (m_tx_tvalid && !granted) $fatal(1, "m_tx_tvalid without the grant");
end

reg [7:0] cap [0:2047];
integer   cap_n = 0, cap_w = 0;
`INET_CSUM_FN(cap_csum, cap)
function [31:0] cap32; input integer at; cap32 = {cap[at], cap[at+1], cap[at+2], cap[at+3]}; endfunction
function [15:0] cap16; input integer at; cap16 = {cap[at], cap[at+1]}; endfunction

localparam NCAP = 8192;
reg [31:0] cs_seq [0:NCAP-1];
reg [31:0] cs_ack [0:NCAP-1];
reg [7:0]  cs_flags [0:NCAP-1];
reg [15:0] cs_wnd [0:NCAP-1];
reg [15:0] cs_len [0:NCAP-1];
reg [15:0] cs_lport [0:NCAP-1];
reg [15:0] cs_urp [0:NCAP-1];
reg [7:0]  cs_ttl [0:NCAP-1];
reg [7:0]  cs_tos [0:NCAP-1];
reg [63:0] cs_time [0:NCAP-1];
integer n_cap = 0, cap_rd = 0;
reg [47:0] exp_dmac [0:SLOTS-1];   // per local port: checked through the slot table below
reg [31:0] exp_dip  [0:SLOTS-1];
reg [15:0] exp_lport [0:SLOTS-1];
reg [15:0] exp_rport [0:SLOTS-1];
reg [7:0]  exp_ttl [0:SLOTS-1];
reg [7:0]  exp_tos [0:SLOTS-1];

task decode_cap;
    integer k, tl, pl, sl, found;
    reg [31:0] seq;
    begin
        if (cap_n < 54) $fatal(1, "short frame %0d", cap_n);
        if (cap16(12) != 16'h0800 || cap[14] != 8'h45 || cap[23] != 8'd6 || cap16(20) != 16'h4000)
            $fatal(1, "not IPv4/TCP");
        if ({cap[6], cap[7], cap[8], cap[9], cap[10], cap[11]} != MY_MAC) $fatal(1, "src mac");
        if (cap32(26) != MY_IP) $fatal(1, "src ip");
        if (cap_csum(14, 20, 0) != 16'hffff) $fatal(1, "IPv4 header checksum");
        tl = cap16(16);
        if (tl + 14 != cap_n && !(cap_n == 60 && tl + 14 < 60)) $fatal(1, "IP length %0d vs frame %0d", tl, cap_n);
        if (cap[46] != 8'h50) $fatal(1, "data offset");
        sl = tl - 20;
        if (cap_csum(34, sl, {16'd0, cap16(26)} + cap16(28) + cap16(30) + cap16(32) + 6 + sl) != 16'hffff)
            $fatal(1, "TCP checksum");
        pl = sl - 20;
        seq = cap32(38);
        found = -1;
        for (k = 0; k < SLOTS; k = k + 1)
            if (exp_lport[k] == cap16(34) && exp_rport[k] == cap16(36)) found = k;
        if (found < 0) $fatal(1, "unknown ports %h %h", cap16(34), cap16(36));
        if ({cap[0], cap[1], cap[2], cap[3], cap[4], cap[5]} != exp_dmac[found]) $fatal(1, "dst mac");
        if (cap32(30) != exp_dip[found]) $fatal(1, "dst ip");
        if (cap[22] !== exp_ttl[found] || cap[15] !== exp_tos[found])
            $fatal(1, "TTL %0d DS %h, want %0d %h", cap[22], cap[15], exp_ttl[found], exp_tos[found]);
        if (!cap[47][5] && cap16(52) != 0) $fatal(1, "urgent pointer without URG");
        for (k = 0; k < pl; k = k + 1)
            if (cap[54 + k] !== pat_tx(seq + k))
                $fatal(1, "TX payload byte %0d of seq %h: %h, want %h", k, seq, cap[54 + k], pat_tx(seq + k));
        cs_seq[n_cap % NCAP]   = seq;
        cs_ack[n_cap % NCAP]   = cap32(42);
        cs_flags[n_cap % NCAP] = cap[47];
        cs_wnd[n_cap % NCAP]   = cap16(48);
        cs_len[n_cap % NCAP]   = pl;
        cs_lport[n_cap % NCAP] = cap16(34);
        cs_urp[n_cap % NCAP]   = cap16(52);
        cs_ttl[n_cap % NCAP]   = cap[22];
        cs_tos[n_cap % NCAP]   = cap[15];
        cs_time[n_cap % NCAP]  = now_us;
        if (verbose)
            $display("%0t TX seg lport %0d seq %h ack %h flags %h wnd %0d len %0d", $time, cap16(34), seq,
                     cap32(42), cap[47], cap16(48), pl);
        n_cap = n_cap + 1;
    end
endtask

reg verbose = 0;
always @(posedge clk) begin : capture
    integer k;
    if (m_tx_tvalid && m_tx_tready && m_tx_tkeep == 4'b0000) begin
        // patch beat (eth_mac's transmit FIFO): replaces word 13, bytes 50..53 of the frame
        if (m_tx_tlast || cap_w < 14) $fatal(1, "patch beat with tlast or after %0d words", cap_w);
        for (k = 0; k < 4; k = k + 1) cap[50 + k] = m_tx_tdata[31 - 8 * k -: 8];
    end else if (m_tx_tvalid && m_tx_tready) begin
        for (k = 0; k < 4; k = k + 1)
            if (m_tx_tkeep[3 - k] && (cap_w > 0 || k >= 2)) begin
                cap[cap_n] = m_tx_tdata[31 - 8 * k -: 8];
                cap_n = cap_n + 1;
            end
        cap_w = cap_w + 1;
        if (m_tx_tlast) begin
            decode_cap;
            cap_n = 0; cap_w = 0;
        end
    end
end

// ---- RX_DATA reader: checks every byte and that each message continues the stream ----
reg [31:0] rx_exp [0:SLOTS-1];   // next seq expected in RX_DATA
integer    rx_msgs = 0;
initial begin : rxd_reader
    integer n, w, b, s;
    reg [31:0] sq;
    reg [31:0] wd;
    forever begin
        tick;
        if (rxd_valid && !rst) begin
            repeat ({$random(rnd_seed)} % 4) tick;
            rxd_taken = 1; s = rxd_slot; sq = rxd_seq; n = rxd_len;
            rxd_busy = 1; rxd_rd_slot = s; rxd_rd_seq = sq;
            tick;
            rxd_taken = 0;
            if (s >= SLOTS) $fatal(1, "RX_DATA slot %0d", s);
            if (sq !== rx_exp[s]) $fatal(1, "RX_DATA slot %0d seq %h, want %h", s, sq, rx_exp[s]);
            if (n < 1 || n > 1024) $fatal(1, "RX_DATA length %0d", n);
            for (w = 0; w < n; w = w + 4) begin
                rxd_rd_slot = s; rxd_rd_seq = sq + w;
                tick;
                tick;   // the RX ring's read takes two cycles
                wd = rxd_rd_data;
                for (b = 0; b < 4; b = b + 1)
                    if (w + b < n && wd[31 - 8 * b -: 8] !== pat_rx(sq + w + b))
                        $fatal(1, "RX_DATA slot %0d byte at %h: %h, want %h", s, sq + w + b,
                               wd[31 - 8 * b -: 8], pat_rx(sq + w + b));
            end
            rxd_busy = 0;
            rx_exp[s] = sq + n;
            rx_msgs = rx_msgs + 1;
        end
    end
end

// ---- event reader ----
localparam NEV = 4096;
reg [7:0]  ev_s [0:NEV-1];
reg [7:0]  ev_f [0:NEV-1];
reg [31:0] ev_una [0:NEV-1];
reg [31:0] ev_wnd [0:NEV-1];
reg [31:0] ev_rnxt [0:NEV-1];
reg [31:0] ev_rtt [0:NEV-1];
integer n_ev = 0;
initial begin : ev_reader
    forever begin
        tick;
        if (ev_valid && !rst) begin
            repeat ({$random(rnd_seed)} % 3) tick;
            ev_taken = 1;
            {ev_s[n_ev % NEV], ev_f[n_ev % NEV], ev_una[n_ev % NEV], ev_wnd[n_ev % NEV],
             ev_rnxt[n_ev % NEV], ev_rtt[n_ev % NEV]} = ev_fields;
            if (verbose)
                $display("%0t EVENT slot %0d flags %h una %h wnd %0d rnxt %h rtt %0d", $time,
                         ev_fields[143:136], ev_fields[135:128], ev_fields[127:96], ev_fields[95:64],
                         ev_fields[63:32], ev_fields[31:0]);
            n_ev = n_ev + 1;
            tick;
            ev_taken = 0;
        end
    end
end

// ---- CSR, TX_DATA, RX_CONSUMED ----
reg [31:0] csr_v;
task csr_op(input we, input [15:0] a, input [31:0] d, input [7:0] want_status);
    integer t;
    begin
        csr_req = 1; csr_we = we; csr_addr = a; csr_wdata = d;
        t = 0;
        while (!csr_ack) begin tick; t = t + 1; if (t > 10000) $fatal(1, "CSR timeout"); end
        csr_v = csr_rdata;
        if (csr_status !== want_status) $fatal(1, "CSR %h status %0d, want %0d", a, csr_status, want_status);
        csr_req = 0;
        tick;
    end
endtask
function [15:0] fa; input integer s; input [4:0] f; fa = CSR_SLOT_BASE + s * 32 + f; endfunction
task wr(input integer s, input [4:0] f, input [31:0] d); csr_op(1, fa(s, f), d, 0); endtask
task rd(input integer s, input [4:0] f); csr_op(0, fa(s, f), 0, 0); endtask
task cmd(input integer s, input [7:0] c); csr_op(1, CSR_SLOT_CMD, {16'd0, c, s[7:0]}, 0); endtask
task rd_expect(input integer s, input [4:0] f, input [31:0] want);
    begin
        rd(s, f);
        if (csr_v !== want) $fatal(1, "slot %0d field %0d = %h, want %h", s, f, csr_v, want);
    end
endtask

// TX_DATA: returns 1 in txd_bad when the DUT counted it bad
reg txd_bad;
task tx_data(input integer s, input [31:0] seq, input integer len);
    integer i, t, bad0;
    reg [7:0] b;
    begin
        for (i = 0; i < (len + 6 + 3) / 4; i = i + 1) msgbuf[i] = 32'hxxxxxxxx;
        for (i = 0; i < len + 6; i = i + 1) begin
            b = i == 0 ? MSG_TX_DATA : i == 1 ? s[7:0] : i < 6 ? seq[31 - 8 * (i - 2) -: 8] : pat_tx(seq + i - 6);
            msgbuf[i / 4][31 - 8 * (i % 4) -: 8] = b;
        end
        bad0 = c_data_bad;
        txd_req = 1; txd_slot = s; txd_seq = seq; txd_len = len;
        t = 0;
        while (!txd_ack) begin tick; t = t + 1; if (t > 10000) $fatal(1, "TX_DATA timeout"); end
        txd_req = 0;
        tick; tick;
        txd_bad = c_data_bad != bad0;
    end
endtask

reg rxc_bad;
task rx_consume(input integer s, input [31:0] seq);
    integer t, bad0;
    begin
        bad0 = c_data_bad;
        rxc_req = 1; rxc_slot = s; rxc_seq = seq;
        t = 0;
        while (!rxc_ack) begin tick; t = t + 1; if (t > 10000) $fatal(1, "RX_CONSUMED timeout"); end
        rxc_req = 0;
        tick; tick;
        rxc_bad = c_data_bad != bad0;
    end
endtask

// ---- the peer: segments on the receive stream ----
reg [31:0] P_IP;
reg [47:0] P_MAC;
reg [15:0] P_PORT, L_PORT;
integer    gap_pct = 30;   // bubbles between beats
reg [15:0] seg_urp = 0;    // the urgent pointer of the next segments
integer    seg_opts = 0;   // IPv4 option words of the next segments

task mk_seg(input [31:0] seq, input [31:0] ack, input [7:0] flags, input [15:0] wnd, input integer len);
    integer i;
    begin
        fb_tcp(P_IP, MY_IP, len);
        fb_eth(MY_MAC, P_MAC, 16'h0800);
        fb_put16(34, P_PORT); fb_put16(36, L_PORT);
        fb_put32(38, seq); fb_put32(42, ack);
        fb[46] = 8'h50; fb[47] = flags; fb_put16(48, wnd); fb_put16(52, seg_urp);
        for (i = 0; i < len; i = i + 1) fb[54 + i] = pat_rx(seq + i);
        fb_tcp_fix;
        if (seg_opts > 0) fb_ip_options(seg_opts);
    end
endtask

// stream fb with the two pad bytes; the verdict follows as the parser gives it
reg want_match;
task stream_fb;
    integer w, n, k, idx;
    reg [31:0] word;
    begin
        n = (fb_len + 2 + 3) / 4;
        for (w = 0; w < n; w = w + 1) begin
            while (({$random(rnd_seed)} % 100) < gap_pct) begin rx_beat = 0; tick; end
            for (k = 0; k < 4; k = k + 1) begin
                idx = w * 4 + k - 2;
                word[31 - 8 * k -: 8] = (idx < 0 || idx >= fb_len) ? 8'h00 : fb[idx];
            end
            rx_tdata = word; rx_beat = 1; rx_tlast = w == n - 1;
            rx_tkeep = w < n - 1 ? 4'b1111 : ((fb_len + 2) % 4 == 0 ? 4'b1111 :
                       (fb_len + 2) % 4 == 1 ? 4'b1000 : (fb_len + 2) % 4 == 2 ? 4'b1100 : 4'b1110);
            tick;
        end
        rx_beat = 0; rx_tlast = 0;
        repeat (1 + {$random(rnd_seed)} % 2) tick;
        if (tcp_match !== want_match) $fatal(1, "tcp_match %b, want %b", tcp_match, want_match);
        verdict_valid = 1; verdict = tcp_match ? STAT_RX_TCP_SLOT : STAT_RX_TCP;
        tick;
        verdict_valid = 0;
    end
endtask

task seg(input [31:0] seq, input [31:0] ack, input [7:0] flags, input [15:0] wnd, input integer len);
    begin mk_seg(seq, ack, flags, wnd, len); want_match = 1; stream_fb; end
endtask

// ---- expectations on the transmit side ----
integer si;   // index of the segment taken by next_seg
task next_seg(input integer limit_us);
    integer t;
    begin
        t = 0;
        while (n_cap <= cap_rd) begin
            tick; t = t + 1;
            if (t > limit_us * 63) $fatal(1, "%0t: no segment within %0d us", $time, limit_us);
        end
        si = cap_rd % NCAP;
        cap_rd = cap_rd + 1;
    end
endtask
task no_seg(input integer us);
    begin
        wait_us(us);
        if (n_cap != cap_rd) $fatal(1, "%0t: unexpected segment seq %h ack %h flags %h len %0d", $time,
                                    cs_seq[cap_rd % NCAP], cs_ack[cap_rd % NCAP], cs_flags[cap_rd % NCAP],
                                    cs_len[cap_rd % NCAP]);
    end
endtask
task expect_seg(input integer limit_us, input [31:0] seq, input [31:0] ack, input [7:0] flags,
                input integer len);
    begin
        next_seg(limit_us);
        if (cs_seq[si] !== seq || cs_ack[si] !== ack || cs_flags[si] !== flags || cs_len[si] !== len)
            $fatal(1, "%0t: segment seq %h ack %h flags %h len %0d, want seq %h ack %h flags %h len %0d",
                   $time, cs_seq[si], cs_ack[si], cs_flags[si], cs_len[si], seq, ack, flags, len);
    end
endtask
// segments until one carries ACK a (none may carry more), within limit_us
task wait_ack(input [31:0] want, input integer limit_us);
    begin
        next_seg(limit_us);
        while (cs_ack[si] !== want) begin
            if (!lt(cs_ack[si], want)) $fatal(1, "%0t: ACK %h beyond %h", $time, cs_ack[si], want);
            next_seg(limit_us);
        end
    end
endtask
task expect_wnd(input integer w);
    begin
        if (cs_wnd[si] !== w) $fatal(1, "%0t: window %0d, want %0d", $time, cs_wnd[si], w);
    end
endtask
// the next event of slot s (events of other slots are skipped)
integer ev_rd = 0, ei;
task next_ev(input integer s, input integer limit_us);
    integer t;
    begin
        t = 0;
        ei = -1;
        while (ei < 0) begin
            while (n_ev <= ev_rd) begin
                tick; t = t + 1;
                if (t > limit_us * 63) $fatal(1, "%0t: no event within %0d us", $time, limit_us);
            end
            if (ev_s[ev_rd % NEV] == s) ei = ev_rd % NEV;
            ev_rd = ev_rd + 1;
        end
    end
endtask
// wait for an event of slot s with snd_una == una (other events skipped)
task ev_una_is(input integer s, input [31:0] una, input integer limit_us);
    begin
        next_ev(s, limit_us);
        while (ev_una[ei] !== una) next_ev(s, limit_us);
    end
endtask
task drain_ev; begin wait_us(5); ev_rd = n_ev; end endtask

// ---- slot programming (the host after its handshake) ----
reg [31:0] ISS1 [0:SLOTS-1];   // SND.UNA at open
reg [31:0] IRS1 [0:SLOTS-1];   // RCV.NXT at open
integer cur;
task prog(input integer s, input [31:0] ip, input [15:0] lp, input [15:0] rp, input [31:0] mssf,
          input [31:0] iss1, input [31:0] irs1, input [31:0] swnd, input [31:0] cw, input [31:0] sst,
          input [31:0] flags);
    begin
        rd(s, FIELD_FLAGS);
        if (csr_v[0]) cmd(s, CMD_FREE);
        cur = s; P_IP = ip; P_PORT = rp; L_PORT = lp; P_MAC = 48'h02aabbcc0000 | ip[15:0];
        exp_dmac[s] = P_MAC; exp_dip[s] = ip; exp_lport[s] = lp; exp_rport[s] = rp;
        exp_ttl[s] = 64; exp_tos[s] = 0;
        wr(s, FIELD_REMOTE_IP, ip);
        wr(s, FIELD_PORTS, {lp, rp});
        wr(s, FIELD_MAC_HI, {16'd0, P_MAC[47:32]});
        wr(s, FIELD_MAC_LO, P_MAC[31:0]);
        wr(s, FIELD_MSS, mssf);
        wr(s, FIELD_SND_UNA, iss1);
        wr(s, FIELD_RCV_NXT, irs1);
        wr(s, FIELD_SND_WND, swnd);
        wr(s, FIELD_CWND, cw);
        wr(s, FIELD_SSTHRESH, sst);
        wr(s, FIELD_FLAGS, flags);
        ISS1[s] = iss1; IRS1[s] = irs1; rx_exp[s] = irs1;
        cmd(s, CMD_OPEN);
        rd_expect(s, FIELD_FLAGS, 32'd1 | (flags & 32'h6));
        cmd(s, CMD_ACK);
        next_seg(100);
        if (cs_seq[si] !== iss1 || cs_ack[si] !== irs1 || cs_flags[si] !== 8'h10 || cs_len[si] !== 0)
            $fatal(1, "handshake ACK seq %h ack %h flags %h", cs_seq[si], cs_ack[si], cs_flags[si]);
    end
endtask

task wait_rx(input integer s, input [31:0] upto, input integer limit_us);
    integer t;
    begin
        t = 0;
        while (rx_exp[s] !== upto) begin
            tick; t = t + 1;
            if (t > limit_us * 63) $fatal(1, "RX_DATA slot %0d at %h, want %h", s, rx_exp[s], upto);
        end
    end
endtask

task check_counter(input integer got, input integer want, input [8*16-1:0] name);
    begin if (got !== want) $fatal(1, "counter %0s = %0d, want %0d", name, got, want); end
endtask

// ================================================================ cases
integer seed, i, j, n, t0, c0, c1, c2, c3;
reg [31:0] a, b, base, una;

// in-order delivery, ACK every second full-sized segment, delayed ACK
task case_inorder;
    begin
        prog(0, 32'h0a000201, 16'd5001, 16'd40001, 32'd1460, 32'h10000001, 32'h20000001, 65535, 65535, 65535, 0);
        base = IRS1[0];
        c0 = c_rx_segs;
        // a lone full segment: ACKed after the delayed-ACK time
        seg(base, ISS1[0], 8'h18, 16'd65535, 1460);
        t0 = now_us;
        next_seg(DELACK + 100);
        if (now_us - t0 < DELACK - 10) $fatal(1, "lone segment ACKed after %0d us", now_us - t0);
        if (cs_ack[si] !== base + 1460 || cs_len[si] != 0) $fatal(1, "delayed ACK %h", cs_ack[si]);
        wait_rx(0, base + 1460, 100);
        // two full segments: ACKed at once after the second
        seg(base + 1460, ISS1[0], 8'h10, 16'd65535, 1460);
        seg(base + 2920, ISS1[0], 8'h18, 16'd65535, 1460);
        t0 = now_us;
        next_seg(50);
        if (cs_ack[si] !== base + 4380) $fatal(1, "ACK of 2 segments %h", cs_ack[si]);
        // a run of 10 full segments, consumed as they come: an ACK for at least every second one
        wait_rx(0, base + 4380, 100);
        rx_consume(0, base + 4380);
        a = base + 4380;
        for (i = 0; i < 10; i = i + 1) begin
            seg(a, ISS1[0], 8'h10, 16'd65535, 1460);
            a = a + 1460;
            if (i % 2 == 1) begin
                wait_ack(a, 50);
                wait_rx(0, a, 100);
                rx_consume(0, a);
            end
        end
        // two segments a little under the MSS (slirp's 1440 of 1460): ACKed at once after the
        // second, not after the delayed-ACK time
        seg(a, ISS1[0], 8'h10, 16'd65535, 1440);
        seg(a + 1440, ISS1[0], 8'h18, 16'd65535, 1440);
        a = a + 2880;
        wait_ack(a, 50);      // (a window update for the consumed data may come first)
        wait_rx(0, a, 100);
        rx_consume(0, a);
        // small segments: byte for byte, the delayed ACK covers them
        for (i = 1; i < 8; i = i + 1) begin
            seg(a, ISS1[0], 8'h18, 16'd65535, i * 37 % 50 + 1);
            a = a + i * 37 % 50 + 1;
        end
        wait_rx(0, a, 100);
        next_seg(DELACK + 100);
        while (cs_ack[si] !== a) next_seg(DELACK + 100);
        rx_consume(0, a);
        check_counter(c_rx_segs - c0, 3 + 10 + 2 + 7, "rx_segs");
        no_seg(DELACK + 50);
        $display("case in-order: ok");
    end
endtask

// window full, further segment dropped and ACKed, reopen with RX_CONSUMED: the host's credit
// (a ring's worth beyond RX_CONSUMED) goes up in RX_DATA, which frees the ring; a ring's worth
// more then fills the ring and closes the window
task case_window_full;
    begin
        prog(1, 32'h0a000202, 16'd5002, 16'd40002, 32'd1460, 32'h30000001, 32'h40000001, 65535, 65535, 65535, 0);
        base = IRS1[1];
        a = base;
        while (a != base + SIZE) begin
            n = (base + SIZE - a) > 1460 ? 1460 : base + SIZE - a;
            seg(a, ISS1[1], 8'h10, 16'd65535, n);
            a = a + n;
        end
        wait_rx(1, base + SIZE, 200);
        // sent up: the ring is free again, though nothing was consumed
        next_seg(DELACK + 100);
        while (cs_ack[si] !== base + SIZE) next_seg(DELACK + 100);
        while (a != base + 2 * SIZE) begin
            n = (base + 2 * SIZE - a) > 1460 ? 1460 : base + 2 * SIZE - a;
            seg(a, ISS1[1], 8'h10, 16'd65535, n);
            a = a + n;
        end
        // wait for the last ACK: window 0
        next_seg(DELACK + 100);
        while (cs_ack[si] !== base + 2 * SIZE) next_seg(DELACK + 100);
        expect_wnd(0);
        rd_expect(1, FIELD_RCV_WND, 0);
        // one more segment: dropped, ACK at once, nothing delivered; but its urgent pointer
        // counts, as its ACK does (RFC 9293 MUST-66: ACK, URG and RST into a zero window)
        c0 = c_rx_drop;
        drain_ev;
        seg_urp = 50;
        seg(a, ISS1[1], 8'h38, 16'd65535, 100);
        seg_urp = 0;
        expect_seg(30, ISS1[1], base + 2 * SIZE, 8'h10, 0);
        expect_wnd(0);
        check_counter(c_rx_drop - c0, 1, "rx_drop");
        next_ev(1, 50);
        if (ev_f[ei] !== CONST_EVF_URGENT) $fatal(1, "urgent event flags %h", ev_f[ei]);
        rd_expect(1, FIELD_RCV_UP, a + 50);
        wait_us(20);
        if (rx_exp[1] !== base + SIZE) $fatal(1, "no credit: data delivered");
        // a small RX_CONSUMED lets a little go up, which does not reopen (SWS); a large one
        // lets the rest go up, with window updates
        rx_consume(1, base + 100);
        if (rxc_bad) $fatal(1, "RX_CONSUMED rejected");
        wait_rx(1, base + SIZE + 100, 100);
        no_seg(DELACK + 20);
        rx_consume(1, base + SIZE);
        wait_rx(1, base + 2 * SIZE, 200);
        next_seg(30);
        while (cs_wnd[si] < SIZE - 2 * 1460) begin
            if (cs_ack[si] !== base + 2 * SIZE || cs_len[si] != 0)
                $fatal(1, "window update ack %h len %0d", cs_ack[si], cs_len[si]);
            next_seg(30);
        end
        rd_expect(1, FIELD_RCV_WND, cs_wnd[si]);
        rx_consume(1, base + 2 * SIZE);
        // the dropped segment again: taken now
        seg(a, ISS1[1], 8'h18, 16'd65535, 100);
        wait_rx(1, a + 100, 100);
        rx_consume(1, a + 100);
        next_seg(DELACK + 100);
        if (cs_ack[si] !== a + 100) $fatal(1, "ack after reopen");
        $display("case window full/reopen: ok");
    end
endtask

// duplicate and overlapping segments, out of order with one hole held, second hole dropped
task case_dup_ooo;
    begin
        prog(2, 32'h0a000203, 16'd5003, 16'd40003, 32'd1460, 32'h50000001, 32'h60000001, 65535, 65535, 65535, 0);
        base = IRS1[2];
        seg(base, ISS1[2], 8'h10, 16'd65535, 1000);
        wait_rx(2, base + 1000, 100);
        // exact duplicate: ACK at once
        seg(base, ISS1[2], 8'h10, 16'd65535, 1000);
        expect_seg(30, ISS1[2], base + 1000, 8'h10, 0);
        // partly old: only new bytes delivered
        seg(base + 500, ISS1[2], 8'h10, 16'd65535, 1000);
        wait_rx(2, base + 1500, 100);
        next_seg(DELACK + 100);
        while (cs_ack[si] !== base + 1500) next_seg(DELACK + 100);
        // a duplicate contained inside old data, not word aligned
        seg(base + 3, ISS1[2], 8'h10, 16'd65535, 7);
        expect_seg(30, ISS1[2], base + 1500, 8'h10, 0);
        // out of order: [2500, 3500) held, duplicate ACK at once
        c0 = c_rx_ooo; c1 = c_rx_drop;
        seg(base + 2500, ISS1[2], 8'h10, 16'd65535, 1000);
        expect_seg(30, ISS1[2], base + 1500, 8'h10, 0);
        check_counter(c_rx_ooo - c0, 1, "rx_ooo");
        // the application reads what is in order; while the hole is held the right edge stays,
        // so each duplicate ACK carries the same window (a window update is no duplicate)
        c2 = cs_wnd[si];
        rx_consume(2, base + 1500);
        // a second disjoint hole [4000, 4600): dropped, duplicate ACK at once
        seg(base + 4000, ISS1[2], 8'h10, 16'd65535, 600);
        expect_seg(30, ISS1[2], base + 1500, 8'h10, 0);
        expect_wnd(c2);
        check_counter(c_rx_drop - c1, 1, "rx_drop");
        // extend the held range at its end [3500, 3700) (touching): held too
        seg(base + 3500, ISS1[2], 8'h10, 16'd65535, 200);
        expect_seg(30, ISS1[2], base + 1500, 8'h10, 0);
        expect_wnd(c2);
        wait_us(10);
        if (rx_exp[2] !== base + 1500) $fatal(1, "OOO data delivered early");
        // fill the hole partly overlapping the held range: one ACK covers everything
        seg(base + 1500, ISS1[2], 8'h10, 16'd65535, 1100);
        expect_seg(30, ISS1[2], base + 3700, 8'h10, 0);
        // (the edge moves once the bytes have gone up in RX_DATA, not before; never back)
        if (cs_wnd[si] + 3700 < c2 + 1500) $fatal(1, "window shrank after the hole filled");
        wait_rx(2, base + 3700, 100);
        // the dropped range again
        seg(base + 3700, ISS1[2], 8'h10, 16'd65535, 900);
        wait_rx(2, base + 4600, 100);
        rx_consume(2, base + 4600);
        wait_ack(base + 4600, DELACK + 100);
        no_seg(DELACK + 20);
        $display("case duplicates/overlap/out-of-order: ok");
    end
endtask

// transmit: segmentation, PSH, cwnd/SND.WND limit, ACK at a boundary and mid-segment
task case_transmit;
    integer sent;
    begin
        prog(3, 32'h0a000204, 16'd5004, 16'd40004, 32'd1460, 32'h70000001, 32'h80000001, 3000, 0, 65535, 0);
        base = ISS1[3];
        drain_ev;
        // 5000 bytes written while cwnd is 0: nothing goes
        tx_data(3, base, 1024); tx_data(3, base + 1024, 1024); tx_data(3, base + 2048, 1024);
        tx_data(3, base + 3072, 1024); tx_data(3, base + 4096, 904);
        if (txd_bad) $fatal(1, "TX_DATA rejected");
        rd_expect(3, FIELD_TX_END, base + 5000);
        no_seg(30);
        // cwnd opens: min(cwnd, SND.WND = 3000): two MSS segments, then nothing (Nagle/SWS)
        wr(3, FIELD_CWND, 65535);
        expect_seg(30, base, IRS1[3], 8'h10, 1460);
        expect_seg(30, base + 1460, IRS1[3], 8'h10, 1460);
        no_seg(50);
        rd_expect(3, FIELD_SND_NXT, base + 2920);
        // ACK at a segment boundary: SND.UNA, one more segment; no event while the host sends
        // (SND.UNA moved less than a quarter ring, 2048 bytes, from the last event's)
        host_quiet = 1'b0;
        seg(IRS1[3], base + 1460, 8'h10, 16'd3000, 0);
        expect_seg(30, base + 2920, IRS1[3], 8'h10, 1460);
        no_seg(30);
        no_ev(3, 5);
        rd_expect(3, FIELD_SND_UNA, base + 1460);
        // ACK mid-segment, 2100 past the last event's SND.UNA: an event; the rest (620, PSH) fits
        seg(IRS1[3], base + 2100, 8'h10, 16'd3000, 0);
        ev_una_is(3, base + 2100, 50);
        if (ev_wnd[ei] !== 3000) $fatal(1, "event wnd %0d", ev_wnd[ei]);
        expect_seg(30, base + 4380, IRS1[3], 8'h18, 620);
        no_seg(30);
        rd_expect(3, FIELD_SND_UNA, base + 2100);
        host_quiet = 1'b1;
        // the ring holds 2900 unacknowledged (SND.UNA base + 2100 .. TX_END base + 5000): 5120
        // more fit, 1024 beyond that do not
        c0 = c_data_bad;
        for (i = 0; i < 5; i = i + 1) begin
            tx_data(3, base + 5000 + i * 1024, 1024);
            if (txd_bad) $fatal(1, "TX_DATA within the ring rejected");
        end
        tx_data(3, base + 10120, 1024);
        if (!txd_bad) $fatal(1, "TX_DATA beyond the ring accepted");
        // ACK all sent: ring space returns, the rest goes out
        seg(IRS1[3], base + 5000, 8'h10, 16'd30000, 0);
        ev_una_is(3, base + 5000, 50);
        tx_data(3, base + 10120, 1024);
        if (txd_bad) $fatal(1, "TX_DATA after ACK rejected");
        check_counter(c_data_bad - c0, 1, "data_bad");
        sent = 5000;
        while (sent < 11144) begin
            next_seg(100);
            if (cs_seq[si] !== base + sent) $fatal(1, "seq %h want %h", cs_seq[si], base + sent);
            if (cs_len[si] > 1460 || cs_len[si] == 0) $fatal(1, "len %0d", cs_len[si]);
            sent = sent + cs_len[si];
            if ((cs_flags[si] == 8'h18) != (sent == 11144)) $fatal(1, "PSH at %0d", sent);
        end
        if (sent != 11144) $fatal(1, "sent %0d", sent);
        // the host sending: an ACK a quarter ring past the last event's SND.UNA is reported
        // at once, the next, 644 bytes on, only once the host link has paused (256 cycles)
        host_quiet = 1'b0;
        seg(IRS1[3], base + 10500, 8'h10, 16'd30000, 0);
        ev_una_is(3, base + 10500, 50);
        seg(IRS1[3], base + 11144, 8'h10, 16'd30000, 0);
        no_ev(3, 20);
        host_quiet = 1'b1;
        ev_una_is(3, base + 11144, 10);
        no_seg(30);
        $display("case transmit/segmentation/ACK boundary+mid: ok");
    end
endtask

// fast retransmit on the third duplicate ACK; RETRANSMIT command; RTT samples (Karn)
task case_rexmit;
    begin
        prog(0, 32'h0a000205, 16'd5005, 16'd40005, 32'd1460, 32'h90000001, 32'ha0000001, 65535, 0, 65535, 0);
        base = ISS1[0];
        drain_ev;
        for (i = 0; i < 6; i = i + 1) tx_data(0, base + i * 1000, 1000);
        // RTT: the first segment is timed
        wr(0, FIELD_CWND, 65535);
        for (i = 0; i < 5; i = i + 1) expect_seg(30, base + i * 1460, IRS1[0], i == 4 ? 8'h18 : 8'h10, i == 4 ? 160 : 1460);
        wait_us(50);
        t0 = now_us - cs_time[(cap_rd - 5) % NCAP];
        // (1460 past the last event's SND.UNA, the host sending: no event; the sample waits
        // for the next one)
        host_quiet = 1'b0;
        seg(IRS1[0], base + 1460, 8'h10, 16'd65535, 0);
        // three duplicate ACKs: the segment at SND.UNA again, FAST_REXMIT
        c0 = c_dupacks; c1 = c_tx_rexmit;
        seg(IRS1[0], base + 1460, 8'h10, 16'd65535, 0);
        seg(IRS1[0], base + 1460, 8'h10, 16'd65535, 0);
        no_seg(20);
        no_ev(0, 1);
        seg(IRS1[0], base + 1460, 8'h10, 16'd65535, 0);
        expect_seg(30, base + 1460, IRS1[0], 8'h10, 1460);
        next_ev(0, 50);
        if (!(ev_f[ei] & CONST_EVF_FAST_REXMIT) || ev_una[ei] !== base + 1460)
            $fatal(1, "event flags %h una %h, want FAST_REXMIT at %h", ev_f[ei], ev_una[ei], base + 1460);
        // (timed from when the segment was scheduled; the arbiter model may hold it up to ~40 us)
        if (ev_rtt[ei] == CONST_RTT_NONE || ev_rtt[ei] > t0 + 45 || ev_rtt[ei] + 3 < t0)
            $fatal(1, "RTT sample %0d, want about %0d", ev_rtt[ei], t0);
        check_counter(c_dupacks - c0, 3, "dupacks");
        host_quiet = 1'b1;
        check_counter(c_tx_rexmit - c1, 1, "tx_rexmit");
        rd(0, FIELD_STATS);
        if (csr_v[7:0] != 3 || csr_v[31:8] != 1) $fatal(1, "STATS %h", csr_v);
        // a fourth duplicate inflates, no second retransmission
        seg(IRS1[0], base + 1460, 8'h10, 16'd65535, 0);
        no_seg(20);
        // ACK all: no RTT sample (the timed segment was acknowledged already; retransmitted since)
        seg(IRS1[0], base + 6000, 8'h10, 16'd65535, 0);
        ev_una_is(0, base + 6000, 50);
        if (ev_rtt[ei] !== CONST_RTT_NONE) $fatal(1, "RTT sample %0d after a retransmission", ev_rtt[ei]);
        // RETRANSMIT: go back to SND.UNA (3000 written with cwnd 0, then opened: 1460 1460 80)
        wr(0, FIELD_CWND, 0);
        for (i = 0; i < 3; i = i + 1) tx_data(0, base + 6000 + i * 1000, 1000);
        wr(0, FIELD_CWND, 65535);
        expect_seg(30, base + 6000, IRS1[0], 8'h10, 1460);
        expect_seg(30, base + 7460, IRS1[0], 8'h10, 1460);
        expect_seg(30, base + 8920, IRS1[0], 8'h18, 80);
        c1 = c_tx_rexmit;
        cmd(0, CMD_RETRANSMIT);
        expect_seg(30, base + 6000, IRS1[0], 8'h10, 1460);
        expect_seg(30, base + 7460, IRS1[0], 8'h10, 1460);
        expect_seg(30, base + 8920, IRS1[0], 8'h18, 80);
        no_seg(30);
        check_counter(c_tx_rexmit - c1, 3, "tx_rexmit");
        rd_expect(0, FIELD_SND_MAX, base + 9000);
        wait_us(20);
        seg(IRS1[0], base + 9000, 8'h10, 16'd65535, 0);
        ev_una_is(0, base + 9000, 50);
        if (ev_rtt[ei] !== CONST_RTT_NONE) $fatal(1, "RTT sample %0d after RETRANSMIT", ev_rtt[ei]);
        $display("case rexmit: ok");
    end
endtask


// zero window from the peer: nothing sent, PROBE sends exactly one byte; ZERO_WND event
task case_zero_window;
    begin
        prog(1, 32'h0a000206, 16'd5006, 16'd40006, 32'd1460, 32'hb0000001, 32'hc0000001, 65535, 0, 65535, 0);
        base = ISS1[1];
        drain_ev;
        tx_data(1, base, 1000); tx_data(1, base + 1000, 1000);
        seg(IRS1[1], base, 8'h10, 16'd0, 0);          // the peer closes its window
        next_ev(1, 50);
        if (!(ev_f[ei] & CONST_EVF_ZERO_WND) || ev_wnd[ei] !== 0) $fatal(1, "no ZERO_WND event (flags %h)", ev_f[ei]);
        rd_expect(1, FIELD_SND_WND, 0);
        wr(1, FIELD_CWND, 65535);
        no_seg(50);
        c1 = c_tx_rexmit;
        cmd(1, CMD_PROBE);
        expect_seg(30, base, IRS1[1], 8'h10, 1);
        no_seg(50);
        // the peer drops it (window still zero); the next probe repeats the same byte
        c0 = c_dupacks;
        seg(IRS1[1], base, 8'h10, 16'd0, 0);
        no_seg(50);
        cmd(1, CMD_PROBE);
        expect_seg(30, base, IRS1[1], 8'h10, 1);
        no_seg(50);
        // the answers to probes (SND.UNA again, window 0, a byte outstanding) are no duplicate
        // ACKs: a third one must not fast-retransmit and halve ssthresh (RFC 5681 section 2)
        seg(IRS1[1], base, 8'h10, 16'd0, 0);
        cmd(1, CMD_PROBE);
        expect_seg(30, base, IRS1[1], 8'h10, 1);
        seg(IRS1[1], base, 8'h10, 16'd0, 0);
        no_seg(50);
        check_counter(c_dupacks - c0, 0, "dupacks");
        rd(1, FIELD_STATS);
        if (csr_v[7:0] != 0) $fatal(1, "dup ACKs %0d counted from probe answers", csr_v[7:0]);
        rd_expect(1, FIELD_SSTHRESH, 65535);
        cmd(1, CMD_PROBE);
        expect_seg(30, base, IRS1[1], 8'h10, 1);
        // now the probe is taken: the window opens with the ACK of the probe byte
        seg(IRS1[1], base + 1, 8'h10, 16'd65535, 0);
        expect_seg(30, base + 1, IRS1[1], 8'h10, 1460);
        expect_seg(30, base + 1461, IRS1[1], 8'h18, 539);
        seg(IRS1[1], base + 2000, 8'h10, 16'd65535, 0);
        ev_una_is(1, base + 2000, 50);
        no_seg(30);
        $display("case zero window/probe: ok");
    end
endtask

// the peer's window opens again: everything not acknowledged goes again from SND.UNA, at
// once: data sent before the window shrank to zero, and the probe byte (RFC 9293 3.8.6.1)
task case_window_reopen;
    begin
        prog(2, 32'h0a000218, 16'd5024, 16'd40024, 32'd1460, 32'h23000001, 32'h24000001, 65535,
             65535, 65535, 0);
        b = ISS1[2];
        tx_data(2, b, 100);
        expect_seg(30, b, IRS1[2], 8'h18, 100);
        seg(IRS1[2], b, 8'h10, 16'd0, 0);              // shrinks to zero: the 100 are dropped
        cmd(2, CMD_PROBE);
        expect_seg(30, b, IRS1[2], 8'h10, 1);
        seg(IRS1[2], b, 8'h10, 16'd0, 0);
        no_seg(50);
        seg(IRS1[2], b, 8'h10, 16'd65535, 0);          // opens
        expect_seg(30, b, IRS1[2], 8'h18, 100);
        seg(IRS1[2], b + 100, 8'h10, 16'd65535, 0);
        ev_una_is(2, b + 100, 50);
        // closed before anything was sent: the data waits, is probed, and goes whole
        seg(IRS1[2], b + 100, 8'h10, 16'd0, 0);
        tx_data(2, b + 100, 100);
        no_seg(50);
        cmd(2, CMD_PROBE);
        expect_seg(30, b + 100, IRS1[2], 8'h10, 1);
        seg(IRS1[2], b + 100, 8'h10, 16'd0, 0);
        cmd(2, CMD_PROBE);
        expect_seg(30, b + 100, IRS1[2], 8'h10, 1);
        seg(IRS1[2], b + 100, 8'h10, 16'd65535, 0);
        expect_seg(30, b + 100, IRS1[2], 8'h18, 100);
        seg(IRS1[2], b + 200, 8'h10, 16'd65535, 0);
        ev_una_is(2, b + 200, 50);
        no_seg(30);
        $display("case window reopened after zero: ok");
    end
endtask

// peer MSS 536, 1460, 8960 (clamped to 1460)
task case_mss(input integer m);
    integer want, sent;
    begin
        prog(2, 32'h0a000207, 16'd5007, 16'd40007, m, 32'hd0000001, 32'he0000001, 65535, 0, 65535, 0);
        want = m > 1460 ? 1460 : m;
        rd(2, FIELD_MSS);
        if (csr_v[15:0] != want) $fatal(1, "MSS field %0d, want %0d", csr_v[15:0], want);
        base = ISS1[2];
        for (i = 0; i < 4; i = i + 1) tx_data(2, base + i * 1000, 1000);
        wr(2, FIELD_CWND, 65535);
        sent = 0;
        while (sent < 4000) begin
            expect_seg(30, base + sent, IRS1[2], (4000 - sent <= want) ? 8'h18 : 8'h10,
                       (4000 - sent < want) ? 4000 - sent : want);
            sent = sent + cs_len[si];
        end
        no_seg(20);
        seg(IRS1[2], base + 4000, 8'h10, 16'd65535, 0);
        wait_us(10);
        rd_expect(2, FIELD_SND_UNA, base + 4000);
        $display("case MSS %0d: ok", m);
    end
endtask

// window scale 0 and 7, both ways
task case_wscale;
    begin
        // rcv_wscale 7: windows in units of 128; data within an edge advertised earlier is taken
        prog(3, 32'h0a000208, 16'd5008, 16'd40008, 32'd1460 | (7 << 20), 32'h11000001, 32'h22000001,
             65535, 65535, 65535, 0);
        expect_wnd(SIZE >> 7);
        base = IRS1[3];
        seg(base, ISS1[3], 8'h10, 16'd65535, 1460);
        wait_ack(base + 1460, DELACK + 100);
        // (the bytes went up in RX_DATA before the delayed ACK: the ring is free)
        if (cs_wnd[si] !== SIZE >> 7) $fatal(1, "scaled window %0d", cs_wnd[si]);
        // the rest of the host's credit (RX_CONSUMED + SIZE) goes up too
        for (a = base + 1460; a != base + SIZE; a = a + n) begin
            n = (base + SIZE - a) > 1460 ? 1460 : base + SIZE - a;
            seg(a, ISS1[3], 8'h10, 16'd65535, n);
        end
        wait_rx(3, base + SIZE, 200);
        wait_ack(base + SIZE, DELACK + 100);
        wait_us(50);                           // and the window updates after it
        while (n_cap > cap_rd) next_seg(1);
        // last bytes below the edge advertised last (b), held out of order
        b = cs_ack[si] + (cs_wnd[si] << 7);
        seg(b - 60, ISS1[3], 8'h10, 16'd65535, 60);
        expect_seg(30, ISS1[3], base + SIZE, 8'h10, 0);
        for (a = base + SIZE; a != b - 60; a = a + n) begin
            n = (b - 60 - a) > 1460 ? 1460 : b - 60 - a;
            seg(a, ISS1[3], 8'h10, 16'd65535, n);
        end
        // no credit: the bytes stay in the ring, which is full up to base + 2 SIZE (the edge
        // moves there if by an MSS or more: receiver SWS avoidance)
        wait_ack(b, DELACK + 100);
        expect_wnd(base + 2 * SIZE - b >= 1460 ? (base + 2 * SIZE - b) >> 7 : 0);
        rx_consume(3, base + SIZE);
        wait_rx(3, b, 200);
        next_seg(30);
        // (window updates as the bytes go up, each moving the edge by 2 MSS or more)
        while (cs_wnd[si] < (SIZE - 2 * 1460) >> 7) begin
            if (cs_ack[si] !== b) $fatal(1, "window update ack %h", cs_ack[si]);
            next_seg(30);
        end
        // snd_wscale 7: the peer's window 10 is 1280 bytes
        prog(0, 32'h0a000209, 16'd5009, 16'd40009, 32'd1460 | (7 << 16), 32'h33000001, 32'h44000001,
             65535, 0, 65535, 0);
        base = ISS1[0];
        seg(IRS1[0], base, 8'h10, 16'd10, 0);
        wait_us(5);
        rd_expect(0, FIELD_SND_WND, 1280);
        for (i = 0; i < 3; i = i + 1) tx_data(0, base + i * 1000, 1000);
        wr(0, FIELD_CWND, 65535);
        expect_seg(30, base, IRS1[0], 8'h10, 1280);
        no_seg(30);
        seg(IRS1[0], base + 1280, 8'h10, 16'd100, 0);
        expect_seg(30, base + 1280, IRS1[0], 8'h10, 1460);
        expect_seg(30, base + 2740, IRS1[0], 8'h18, 260);
        seg(IRS1[0], base + 3000, 8'h10, 16'd100, 0);
        wait_us(5);
        rd_expect(0, FIELD_SND_WND, 12800);
        rd_expect(0, FIELD_SND_UNA, base + 3000);
        no_seg(30);
        $display("case window scale 0/7: ok");
    end
endtask

// wraparound of the sequence space in both directions
task case_wrap;
    integer sent;
    begin
        prog(1, 32'h0a00020a, 16'd5010, 16'd40010, 32'd1460, 32'hffffec01, 32'hfffff001, 65535, 65535, 65535, 0);
        base = IRS1[1];
        a = base;
        for (i = 0; i < 5; i = i + 1) begin
            seg(a, ISS1[1], 8'h10, 16'd65535, 1460 - i * 3);
            a = a + 1460 - i * 3;
        end
        wait_rx(1, a, 200);
        wait_ack(a, DELACK + 100);
        rx_consume(1, a);
        wait_us(30);       // window updates, as the bytes went up
        while (n_cap > cap_rd) next_seg(1);
        // transmit 6000 bytes across 2^32
        base = ISS1[1];
        wr(1, FIELD_CWND, 0);
        for (i = 0; i < 6; i = i + 1) tx_data(1, base + i * 1000, 1000);
        wr(1, FIELD_CWND, 65535);
        sent = 0;
        while (sent < 6000) begin
            expect_seg(30, base + sent, a, sent + 1460 >= 6000 ? 8'h18 : 8'h10, sent + 1460 >= 6000 ? 6000 - sent : 1460);
            sent = sent + cs_len[si];
        end
        seg(a, base + 4380, 8'h10, 16'd65535, 0);
        ev_una_is(1, base + 4380, 50);
        seg(a, base + 6000, 8'h10, 16'd65535, 0);
        ev_una_is(1, base + 6000, 50);
        if (ev_rnxt[ei] !== a) $fatal(1, "event rcv_nxt %h", ev_rnxt[ei]);
        rd_expect(1, FIELD_SND_UNA, 32'h00000371);
        rd_expect(1, FIELD_RCV_NXT, a);
        $display("case wraparound: ok");
    end
endtask

// FIN from the peer in order; CLOSE: FIN after the data, FIN_ACKED
task case_fin;
    begin
        prog(2, 32'h0a00020b, 16'd5011, 16'd40011, 32'd1460, 32'h55000001, 32'h66000001, 65535, 65535, 65535, 0);
        base = IRS1[2];
        drain_ev;
        // a FIN out of order is not taken
        seg(base + 500, ISS1[2], 8'h11, 16'd65535, 100);
        expect_seg(30, ISS1[2], base, 8'h10, 0);
        seg(base, ISS1[2], 8'h10, 16'd65535, 500);
        wait_rx(2, base + 600, 100);
        wait_ack(base + 600, DELACK + 100);
        rd(2, FIELD_FLAGS);
        if (csr_v & CONST_SF_FIN_RCVD) $fatal(1, "FIN taken out of order");
        // in order: ACK of the FIN at once, FIN_RCVD
        seg(base + 600, ISS1[2], 8'h19, 16'd65535, 300);
        wait_ack(base + 901, 30);
        wait_rx(2, base + 900, 100);
        next_ev(2, 50);
        while (!(ev_f[ei] & CONST_EVF_FIN_RCVD)) next_ev(2, 50);
        if (ev_rnxt[ei] !== base + 901) $fatal(1, "FIN event rcv_nxt %h", ev_rnxt[ei]);
        rd_expect(2, FIELD_FLAGS, 32'h09);
        rd_expect(2, FIELD_RCV_NXT, base + 901);
        // FIN retransmitted: a duplicate, ACKed at once
        seg(base + 900, ISS1[2], 8'h11, 16'd65535, 0);
        expect_seg(30, ISS1[2], base + 901, 8'h10, 0);
        wait_us(20);
        if (rx_exp[2] !== base + 900) $fatal(1, "RX_DATA past the FIN");
        // CLOSE after the data: data, then FIN; TX_DATA after CLOSE refused
        b = ISS1[2];
        tx_data(2, b, 1000);
        expect_seg(30, b, base + 901, 8'h18, 1000);
        cmd(2, CMD_CLOSE);
        expect_seg(30, b + 1000, base + 901, 8'h11, 0);
        tx_data(2, b + 1000, 10);
        if (!txd_bad) $fatal(1, "TX_DATA after CLOSE accepted");
        no_seg(20);
        seg(base + 901, b + 1000, 8'h10, 16'd65535, 0);
        rd(2, FIELD_FLAGS);
        if (csr_v & CONST_SF_FIN_ACKED) $fatal(1, "FIN_ACKED too early");
        seg(base + 901, b + 1001, 8'h10, 16'd65535, 0);
        next_ev(2, 50);
        while (!(ev_f[ei] & CONST_EVF_FIN_ACKED)) next_ev(2, 50);
        if (ev_una[ei] !== b + 1001) $fatal(1, "FIN_ACKED una %h", ev_una[ei]);
        rd_expect(2, FIELD_FLAGS, 32'h39);
        // CLOSE with the data still held: one segment with data and FIN
        prog(3, 32'h0a00020c, 16'd5012, 16'd40012, 32'd1460, 32'h77000001, 32'h88000001, 65535, 0, 65535, 0);
        tx_data(3, ISS1[3], 700);
        cmd(3, CMD_CLOSE);
        wr(3, FIELD_CWND, 65535);
        expect_seg(30, ISS1[3], IRS1[3], 8'h19, 700);
        no_seg(20);
        // RETRANSMIT resends data and FIN
        cmd(3, CMD_RETRANSMIT);
        expect_seg(30, ISS1[3], IRS1[3], 8'h19, 700);
        seg(IRS1[3], ISS1[3] + 701, 8'h10, 16'd65535, 0);
        wait_us(10);
        rd_expect(3, FIELD_FLAGS, 32'h31);
        no_seg(20);
        $display("case FIN/CLOSE: ok");
    end
endtask

// no event of slot s for us microseconds (events of other slots are skipped)
task no_ev(input integer s, input integer us);
    begin
        wait_us(us);
        while (ev_rd < n_ev) begin
            if (ev_s[ev_rd % NEV] == s)
                $fatal(1, "%0t: unexpected event slot %0d flags %h", $time, s, ev_f[ev_rd % NEV]);
            ev_rd = ev_rd + 1;
        end
    end
endtask

// ACK_REPORT (keepalive): the next acceptable ACK raises one event with ACK_SEEN and clears
// the flag; unacceptable segments and ACKs of data never sent do not count
task case_ack_report;
    begin
        prog(1, 32'h0a00020e, 16'd5014, 16'd40014, 32'd1460, 32'hbb000001, 32'hcc000001, 65535, 65535,
             65535, CONST_SF_NAGLE);
        base = ISS1[1];
        b = IRS1[1];
        drain_ev;
        // the answer to a keepalive: SEG.SEQ = RCV.NXT, SEG.ACK = SND.UNA, the same window
        seg(b, base, 8'h10, 16'd65535, 0);
        no_ev(1, 30);
        wr(1, FIELD_FLAGS, CONST_SF_NAGLE | CONST_SF_ACK_REPORT);
        rd_expect(1, FIELD_FLAGS, 32'd1 | CONST_SF_NAGLE | CONST_SF_ACK_REPORT);
        // outside the window, and an ACK of data never sent: ACKed at once, not reported
        seg(b + 20000, base, 8'h10, 16'd65535, 10);
        expect_seg(30, base, b, 8'h10, 0);
        seg(b, base + 5, 8'h10, 16'd65535, 0);
        expect_seg(30, base, b, 8'h10, 0);
        no_ev(1, 30);
        rd_expect(1, FIELD_FLAGS, 32'd1 | CONST_SF_NAGLE | CONST_SF_ACK_REPORT);
        seg(b, base, 8'h10, 16'd65535, 0);
        next_ev(1, 50);
        if (ev_f[ei] !== CONST_EVF_ACK_SEEN || ev_una[ei] !== base || ev_rnxt[ei] !== b ||
            ev_wnd[ei] !== 65535)
            $fatal(1, "ACK_SEEN event flags %h una %h rcv_nxt %h wnd %0d", ev_f[ei], ev_una[ei],
                   ev_rnxt[ei], ev_wnd[ei]);
        no_ev(1, 30);
        rd_expect(1, FIELD_FLAGS, 32'd1 | CONST_SF_NAGLE);
        // the flag is spent: the same ACK again raises nothing
        seg(b, base, 8'h10, 16'd65535, 0);
        no_ev(1, 30);
        no_seg(20);
        $display("case ACK_REPORT (keepalive answer): ok");
    end
endtask

// bad TX_DATA / RX_CONSUMED; unacceptable segments; segments of no slot
task case_bad;
    begin
        prog(0, 32'h0a00020d, 16'd5013, 16'd40013, 32'd1460, 32'h99000001, 32'haa000001, 65535, 0, 65535, 0);
        base = ISS1[0];
        c0 = c_data_bad;
        tx_data(0, base + 1, 10);     if (!txd_bad) $fatal(1, "TX_DATA wrong seq accepted");
        tx_data(0, base - 5, 10);     if (!txd_bad) $fatal(1, "TX_DATA old seq accepted");
        tx_data(0, base, 1025);       if (!txd_bad) $fatal(1, "TX_DATA of 1025 accepted");
        tx_data(0, base, 0);          if (!txd_bad) $fatal(1, "TX_DATA of 0 accepted");
        tx_data(9, base, 10);         if (!txd_bad) $fatal(1, "TX_DATA bad slot accepted");
        for (i = 0; i < 8; i = i + 1) tx_data(0, base + i * 1024, 1024);
        if (txd_bad) $fatal(1, "TX_DATA filling the ring rejected");
        tx_data(0, base + SIZE, 1);   if (!txd_bad) $fatal(1, "TX_DATA past the ring accepted");
        rd_expect(0, FIELD_TX_END, base + SIZE);
        check_counter(c_data_bad - c0, 6, "data_bad");
        // RX_CONSUMED
        b = IRS1[0];
        seg(b, base, 8'h10, 16'd65535, 100);
        wait_rx(0, b + 100, 100);
        c0 = c_data_bad;
        rx_consume(0, b + 100 + CONST_RX_CREDIT_MAX + 1);
        if (!rxc_bad) $fatal(1, "RX_CONSUMED too far past RX_SENT accepted");
        rx_consume(0, b - 1);         if (!rxc_bad) $fatal(1, "RX_CONSUMED before RX_CONSUMED accepted");
        rx_consume(9, b + 10);        if (!rxc_bad) $fatal(1, "RX_CONSUMED bad slot accepted");
        rx_consume(1, b + 10);        if (!rxc_bad) $fatal(1, "RX_CONSUMED of a free slot's range accepted");
        rx_consume(0, b + 50);        if (rxc_bad) $fatal(1, "RX_CONSUMED rejected");
        rx_consume(0, b + 50);        if (rxc_bad) $fatal(1, "RX_CONSUMED repeated rejected");
        rx_consume(0, b + 49);        if (!rxc_bad) $fatal(1, "RX_CONSUMED backwards accepted");
        check_counter(c_data_bad - c0, 5, "data_bad");
        rd_expect(0, FIELD_RX_CONSUMED, b + 50);
        wait_ack(b + 100, DELACK + 100);
        // unacceptable segments: dropped, counted, ACKed at once
        c1 = c_rx_drop; c2 = c_rx_segs; c3 = c_bad_ack; c0 = c_chack;
        seg(b + 100 + 20000, base, 8'h10, 16'd65535, 100);
        expect_seg(30, base, b + 100, 8'h10, 0);
        seg(b + 100 - 100000, base, 8'h10, 16'd65535, 100);
        expect_seg(30, base, b + 100, 8'h10, 0);
        seg(b + 100 + 8142, base, 8'h10, 16'd65535, 10);     // beyond the window
        expect_seg(30, base, b + 100, 8'h10, 0);
        // an ACK of data never sent: a challenge ACK, data not taken
        seg(b + 100, base + 5, 8'h10, 16'd65535, 10);
        expect_seg(30, base, b + 100, 8'h10, 0);
        wait_us(10);
        if (rx_exp[0] !== b + 100) $fatal(1, "data of an unacceptable segment delivered");
        check_counter(c_rx_drop - c1, 3, "rx_drop");
        check_counter(c_bad_ack - c3, 1, "rx_bad_ack");
        check_counter(c_chack - c0, 1, "challenge_acks");
        check_counter(c_rx_segs - c2, 0, "rx_segs");
        // a segment of no slot (other port), and one with SYN: no match, no effect
        L_PORT = 16'd6000;
        mk_seg(b + 100, base, 8'h10, 16'd65535, 10); want_match = 0; stream_fb;
        L_PORT = 16'd5013;
        mk_seg(b + 100, base, 8'h12, 16'd65535, 0); want_match = 0; stream_fb;
        no_seg(30);
        check_counter(c_rx_segs - c2, 0, "rx_segs");
        // FREE: the slot's segments no longer match
        cmd(0, CMD_FREE);
        mk_seg(b + 100, base, 8'h10, 16'd65535, 10); want_match = 0; stream_fb;
        no_seg(30);
        $display("case bad messages/unacceptable segments: ok");
    end
endtask

// RFC 9293 3.10.7.4, fifth check: a segment without ACK is dropped, unanswered, in SYN_RCVD
// (the handshake does not complete and its data does not reach the ring) and in ESTABLISHED
task case_no_ack;
    begin
        prog(1, 32'h0a000210, 16'd5016, 16'd40016, 32'd1460, 32'h12000001, 32'h13000001, 65535,
             65535, 65535, CONST_SF_SYN_RCVD);
        base = IRS1[1];
        b = ISS1[1];
        drain_ev;
        c0 = c_no_ack; c1 = c_rx_segs; c2 = c_rx_drop;
        seg(base, b, 8'h08, 16'd65535, 100);    // a request right behind the SYN, no ACK
        seg(base, b, 8'h01, 16'd65535, 0);      // a FIN without ACK
        seg(base, b, 8'h00, 16'd65535, 0);      // no flags at all
        no_seg(DELACK + 50);
        no_ev(1, 10);
        if (rx_exp[1] !== base) $fatal(1, "data of a segment without ACK delivered");
        rd_expect(1, FIELD_RCV_NXT, base);
        rd_expect(1, FIELD_FLAGS, 32'd1 | CONST_SF_SYN_RCVD);
        check_counter(c_no_ack - c0, 3, "rx_no_ack");
        check_counter(c_rx_segs - c1, 0, "rx_segs");
        check_counter(c_rx_drop - c2, 0, "rx_drop");
        // the handshake's ACK with the request: established, the data in
        seg(base, b, 8'h18, 16'd65535, 100);
        next_ev(1, 50);
        if (!(ev_f[ei] & CONST_EVF_ESTABLISHED)) $fatal(1, "no ESTABLISHED event (flags %h)", ev_f[ei]);
        wait_rx(1, base + 100, 100);
        wait_ack(base + 100, DELACK + 100);
        // established: the same
        c0 = c_no_ack;
        seg(base + 100, b, 8'h18 & ~8'h10, 16'd65535, 100);
        no_seg(DELACK + 50);
        if (rx_exp[1] !== base + 100) $fatal(1, "data of a segment without ACK delivered");
        rd_expect(1, FIELD_RCV_NXT, base + 100);
        check_counter(c_no_ack - c0, 1, "rx_no_ack");
        rx_consume(1, base + 100);
        $display("case no ACK bit (SYN_RCVD, ESTABLISHED): ok");
    end
endtask

// SYN_RCVD: an ACK outside (ISS, SND.NXT] is answered with <SEQ=SEG.ACK><CTL=RST> from the
// device, the segment dropped (its data kept out of the ring), the slot still in SYN_RCVD
task case_syn_rcvd_bad_ack;
    begin
        prog(2, 32'h0a000211, 16'd5017, 16'd40017, 32'd1460, 32'h14000001, 32'h15000001, 65535,
             65535, 65535, CONST_SF_SYN_RCVD);
        base = IRS1[2];
        b = ISS1[2];                             // ISS + 1: ISS = b - 1
        drain_ev;
        c0 = c_bad_ack; c1 = c_rx_segs; c2 = c_rx_drop; c3 = c_chack;
        seg(base, b - 1, 8'h18, 16'd65535, 100);     // SEG.ACK = ISS, with a request
        expect_seg(30, b - 1, 32'd0, 8'h04, 0);
        expect_wnd(0);
        seg(base, b + 1000, 8'h10, 16'd65535, 0);    // SEG.ACK beyond SND.NXT
        expect_seg(30, b + 1000, 32'd0, 8'h04, 0);
        seg(base, b - 32'h40000000, 8'h18, 16'd65535, 100);
        expect_seg(30, b - 32'h40000000, 32'd0, 8'h04, 0);
        no_seg(DELACK + 50);
        no_ev(2, 10);
        if (rx_exp[2] !== base) $fatal(1, "data of a segment with a bad ACK delivered");
        rd_expect(2, FIELD_RCV_NXT, base);
        rd_expect(2, FIELD_SND_NXT, b);
        rd_expect(2, FIELD_SND_MAX, b);
        rd_expect(2, FIELD_FLAGS, 32'd1 | CONST_SF_SYN_RCVD);
        check_counter(c_bad_ack - c0, 3, "rx_bad_ack");
        check_counter(c_rx_segs - c1, 0, "rx_segs");
        check_counter(c_rx_drop - c2, 0, "rx_drop");
        check_counter(c_chack - c3, 0, "challenge_acks");
        // the right ACK completes it
        seg(base, b, 8'h18, 16'd65535, 100);
        next_ev(2, 50);
        if (!(ev_f[ei] & CONST_EVF_ESTABLISHED)) $fatal(1, "no ESTABLISHED event (flags %h)", ev_f[ei]);
        wait_rx(2, base + 100, 100);
        wait_ack(base + 100, DELACK + 100);
        rx_consume(2, base + 100);
        $display("case SYN_RCVD bad ACK -> RST: ok");
    end
endtask

// RFC 5961 5.2: an ACK below SND.UNA - MAX.SND.WND (or beyond SND.NXT) gets a challenge ACK
// and its data is dropped; MAX.SND.WND follows the largest window; the device-wide budget
task case_rfc5961;
    begin
        // snd_wscale 2: the peer's window field 10000 is 40000 bytes
        prog(3, 32'h0a000212, 16'd5018, 16'd40018, 32'd1460 | (2 << 16), 32'h16000001, 32'h17000001,
             40000, 0, 65535, 0);
        base = IRS1[3];
        b = ISS1[3];
        rd_expect(3, FIELD_MAX_SND_WND, 40000);
        for (i = 0; i < 3; i = i + 1) tx_data(3, b + i * 1000, 1000);
        wr(3, FIELD_CWND, 65535);
        expect_seg(30, b, base, 8'h10, 1460);
        expect_seg(30, b + 1460, base, 8'h10, 1460);
        expect_seg(30, b + 2920, base, 8'h18, 80);
        seg(base, b + 3000, 8'h10, 16'd10000, 0);
        ev_una_is(3, b + 3000, 50);
        una = b + 3000;
        wait_us(CHACK_PERIOD);                 // no budget period running
        c0 = c_bad_ack; c1 = c_chack; c2 = c_rx_drop; c3 = c_rx_segs;
        // SEG.ACK = SND.UNA - 2^30 with data in the window: a challenge ACK, nothing taken
        seg(base, una - 32'h40000000, 8'h18, 16'd10000, 100);
        expect_seg(30, una, base, 8'h10, 0);
        wait_us(20);
        if (rx_exp[3] !== base) $fatal(1, "data with an ACK far below SND.UNA delivered");
        // SEG.ACK = SND.UNA - MAX.SND.WND: acceptable (an old ACK: ignored), the data taken
        seg(base, una - 40000, 8'h18, 16'd10000, 100);
        wait_rx(3, base + 100, 100);
        wait_ack(base + 100, DELACK + 100);
        // one below: not
        seg(base + 100, una - 40001, 8'h18, 16'd10000, 100);
        expect_seg(30, una, base + 100, 8'h10, 0);
        // SEG.ACK beyond SND.NXT: the same answer
        seg(base + 100, una + 1, 8'h18, 16'd10000, 100);
        expect_seg(30, una, base + 100, 8'h10, 0);
        wait_us(20);
        if (rx_exp[3] !== base + 100) $fatal(1, "data with a bad ACK delivered");
        check_counter(c_bad_ack - c0, 3, "rx_bad_ack");
        check_counter(c_chack - c1, 3, "challenge_acks");
        check_counter(c_rx_drop - c2, 0, "rx_drop");
        check_counter(c_rx_segs - c3, 1, "rx_segs");
        // a larger window raises MAX.SND.WND (30000 << 2), a smaller one does not lower it
        seg(base + 100, una, 8'h10, 16'd30000, 0);
        wait_us(5);
        rd_expect(3, FIELD_MAX_SND_WND, 120000);
        seg(base + 100, una, 8'h10, 16'd1000, 0);
        wait_us(5);
        rd_expect(3, FIELD_SND_WND, 4000);
        rd_expect(3, FIELD_MAX_SND_WND, 120000);
        // and so does the host's SND_WND while open
        wr(3, FIELD_SND_WND, 200000);
        rd_expect(3, FIELD_MAX_SND_WND, 200000);
        wr(3, FIELD_SND_WND, 4000);
        rd_expect(3, FIELD_MAX_SND_WND, 200000);
        seg(base + 100, una - 150000, 8'h18, 16'd1000, 100);
        wait_rx(3, base + 200, 100);
        wait_ack(base + 200, DELACK + 100);
        rx_consume(3, base + 200);
        // the budget: 2 a period for the whole device; the rest are counted, not sent
        wait_us(CHACK_PERIOD);
        chack_limit = 2;
        c0 = c_chack; c1 = c_chack_lim; c2 = c_bad_ack;
        // spaced: a challenge ACK still owed when the next is due goes out once (ack_now is
        // a flag), and the counter counts both
        for (i = 0; i < 4; i = i + 1) begin
            seg(base + 200, una + 10, 8'h10, 16'd1000, 0);
            wait_us(10);
        end
        expect_seg(30, una, base + 200, 8'h10, 0);
        expect_seg(30, una, base + 200, 8'h10, 0);
        no_seg(50);
        check_counter(c_chack - c0, 2, "challenge_acks");
        check_counter(c_chack_lim - c1, 2, "challenge_ack_limited");
        check_counter(c_bad_ack - c2, 4, "rx_bad_ack");
        // the next period has a new budget
        wait_us(CHACK_PERIOD);
        seg(base + 200, una - 32'h40000000, 8'h10, 16'd1000, 0);
        expect_seg(30, una, base + 200, 8'h10, 0);
        chack_limit = 0;                        // none at all
        wait_us(CHACK_PERIOD);
        seg(base + 200, una + 10, 8'h10, 16'd1000, 0);
        no_seg(50);
        check_counter(c_chack - c0, 3, "challenge_acks");
        check_counter(c_chack_lim - c1, 3, "challenge_ack_limited");
        chack_limit = CONST_CHALLENGE_ACK_LIMIT_DEFAULT;
        $display("case RFC 5961 ACK check, challenge ACK budget: ok");
    end
endtask

// once FIN_RCVD, text or a FIN after the FIN is ignored (RCV.NXT stays), ACKed again; the ACK
// field of such a segment is still processed
task case_after_fin;
    begin
        prog(0, 32'h0a000213, 16'd5019, 16'd40019, 32'd1460, 32'h18000001, 32'h19000001, 65535,
             65535, 65535, 0);
        base = IRS1[0];
        b = ISS1[0];
        seg(base, b, 8'h19, 16'd65535, 300);
        wait_ack(base + 301, 30);
        wait_rx(0, base + 300, 100);
        rd_expect(0, FIELD_FLAGS, 32'h09);
        c0 = c_after_fin; c1 = c_rx_segs; c2 = c_rx_drop;
        seg(base + 301, b, 8'h18, 16'd65535, 200);    // data after the FIN
        expect_seg(30, b, base + 301, 8'h10, 0);
        seg(base + 301, b, 8'h11, 16'd65535, 0);      // a second FIN after it
        expect_seg(30, b, base + 301, 8'h10, 0);
        seg(base + 300, b, 8'h11, 16'd65535, 0);      // the FIN again
        expect_seg(30, b, base + 301, 8'h10, 0);
        no_seg(DELACK + 50);
        rd_expect(0, FIELD_RCV_NXT, base + 301);
        if (rx_exp[0] !== base + 300) $fatal(1, "data after the FIN delivered");
        check_counter(c_after_fin - c0, 2, "rx_after_fin");
        check_counter(c_rx_segs - c1, 2, "rx_segs");
        check_counter(c_rx_drop - c2, 1, "rx_drop");
        // the ACK of a segment whose text is ignored still counts
        tx_data(0, b, 500);
        expect_seg(30, b, base + 301, 8'h18, 500);
        seg(base + 301, b + 500, 8'h18, 16'd65535, 50);
        expect_seg(30, b + 500, base + 301, 8'h10, 0);
        ev_una_is(0, b + 500, 50);
        rd_expect(0, FIELD_RCV_NXT, base + 301);
        $display("case data after the peer's FIN: ok");
    end
endtask

// MUST-48/49: the TTL and DS field of a slot's segments; defaults TTL 64, DS 0
task case_ttl_tos;
    begin
        prog(2, 32'h0a000214, 16'd5020, 16'd40020, 32'd1460, 32'h1a000001, 32'h1b000001, 65535,
             65535, 65535, 0);
        b = ISS1[2];
        rd_expect(2, FIELD_IP_TTL_TOS, 0);
        wr(2, FIELD_IP_TTL_TOS, 32'h0000b800);        // DS field 0xb8 (EF), TTL 0: 64
        exp_tos[2] = 8'hb8;
        tx_data(2, b, 100);
        expect_seg(30, b, IRS1[2], 8'h18, 100);
        if (cs_ttl[si] !== 64 || cs_tos[si] !== 8'hb8) $fatal(1, "TTL %0d DS %h", cs_ttl[si], cs_tos[si]);
        wr(2, FIELD_IP_TTL_TOS, 32'h00002807);        // while open
        exp_tos[2] = 8'h28; exp_ttl[2] = 7;
        cmd(2, CMD_ACK);
        expect_seg(30, b + 100, IRS1[2], 8'h10, 0);
        if (cs_ttl[si] !== 7 || cs_tos[si] !== 8'h28) $fatal(1, "TTL %0d DS %h", cs_ttl[si], cs_tos[si]);
        rd_expect(2, FIELD_IP_TTL_TOS, 32'h2807);
        cmd(2, CMD_FREE);                             // the next connection: the defaults
        rd_expect(2, FIELD_IP_TTL_TOS, 0);
        $display("case TTL/DS field: ok");
    end
endtask

// path MTU: the MSS of an open slot can be lowered; the window scales stay
task case_mss_open;
    begin
        prog(3, 32'h0a000215, 16'd5021, 16'd40021, 32'd1460 | (1 << 16) | (2 << 20), 32'h1c000001,
             32'h1d000001, 65535, 0, 65535, 0);
        b = ISS1[3];
        for (i = 0; i < 3; i = i + 1) tx_data(3, b + i * 1000, 1000);
        wr(3, FIELD_MSS, 32'd1000 | (9 << 16) | (9 << 20));
        rd_expect(3, FIELD_MSS, 32'd1000 | (1 << 16) | (2 << 20));
        wr(3, FIELD_CWND, 65535);
        expect_seg(30, b, IRS1[3], 8'h10, 1000);
        expect_seg(30, b + 1000, IRS1[3], 8'h10, 1000);
        expect_seg(30, b + 2000, IRS1[3], 8'h18, 1000);
        no_seg(20);
        // ICMP says the path MTU dropped again: the host lowers the MSS and retransmits
        wr(3, FIELD_MSS, 600);
        cmd(3, CMD_RETRANSMIT);
        for (i = 0; i < 5; i = i + 1) expect_seg(30, b + i * 600, IRS1[3], i == 4 ? 8'h18 : 8'h10, 600);
        no_seg(20);
        seg(IRS1[3], b + 3000, 8'h10, 16'd65535, 0);
        ev_una_is(3, b + 3000, 50);
        $display("case MSS lowered while open: ok");
    end
endtask

// urgent data (RFC 6093): RCV.UP and the URGENT event on receive, the data inline; URG and the
// urgent pointer on the segments before SND.UP on send
task case_urgent;
    begin
        prog(0, 32'h0a000216, 16'd5022, 16'd40022, 32'd1460, 32'h1e000001, 32'h1f000001, 65535,
             65535, 65535, 0);
        base = IRS1[0];
        b = ISS1[0];
        drain_ev;
        rd_expect(0, FIELD_RCV_UP, base);
        seg_urp = 60;                              // urgent data ending inside the segment
        seg(base, b, 8'h38, 16'd65535, 100);
        next_ev(0, 50);
        if (ev_f[ei] !== CONST_EVF_URGENT) $fatal(1, "urgent event flags %h", ev_f[ei]);
        rd_expect(0, FIELD_RCV_UP, base + 60);
        wait_rx(0, base + 100, 100);
        seg_urp = 300;                             // a pointer beyond the segment
        seg(base + 100, b, 8'h30, 16'd65535, 100);
        next_ev(0, 50);
        if (ev_f[ei] !== CONST_EVF_URGENT) $fatal(1, "urgent event flags %h", ev_f[ei]);
        rd_expect(0, FIELD_RCV_UP, base + 400);
        seg_urp = 200;                             // the same pointer again: nothing new
        seg(base + 200, b, 8'h30, 16'd65535, 100);
        seg_urp = 0;
        seg(base + 300, b, 8'h10, 16'd65535, 100);
        wait_rx(0, base + 400, 100);
        no_ev(0, 30);
        rd_expect(0, FIELD_RCV_UP, base + 400);
        seg_urp = 40;                              // a pointer at or behind RCV.NXT: old news
        seg(base + 350, b, 8'h30, 16'd65535, 100);
        seg(base + 360, b, 8'h30, 16'd65535, 100);
        wait_rx(0, base + 460, 100);
        no_ev(0, 30);
        rd_expect(0, FIELD_RCV_UP, base + 400);
        seg_urp = 1;                               // urgent data again: a new pointer
        seg(base + 460, b, 8'h30, 16'd65535, 40);
        next_ev(0, 50);
        if (ev_f[ei] !== CONST_EVF_URGENT) $fatal(1, "urgent event flags %h", ev_f[ei]);
        rd_expect(0, FIELD_RCV_UP, base + 461);
        seg_urp = 0;
        wait_rx(0, base + 500, 100);
        wait_ack(base + 500, DELACK + 100);
        rx_consume(0, base + 500);
        // send: 3000 bytes, SND.UP after byte 1500
        wr(0, FIELD_CWND, 0);
        for (i = 0; i < 3; i = i + 1) tx_data(0, b + i * 1000, 1000);
        wr(0, FIELD_SND_UP, b + 1500);
        rd_expect(0, FIELD_SND_UP, b + 1500);
        wr(0, FIELD_CWND, 65535);
        expect_seg(30, b, base + 500, 8'h30, 1460);
        if (cs_urp[si] !== 1500) $fatal(1, "urgent pointer %0d", cs_urp[si]);
        expect_seg(30, b + 1460, base + 500, 8'h30, 1460);
        if (cs_urp[si] !== 40) $fatal(1, "urgent pointer %0d", cs_urp[si]);
        expect_seg(30, b + 2920, base + 500, 8'h18, 80);
        seg(base + 500, b + 3000, 8'h10, 16'd65535, 0);
        ev_una_is(0, b + 3000, 50);
        rd_expect(0, FIELD_SND_UP, b + 3000);      // SND.UP follows SND.UNA
        wr(0, FIELD_SND_UP, b + 3000 + 70000);     // far ahead: the pointer is capped
        cmd(0, CMD_ACK);
        expect_seg(30, b + 3000, base + 500, 8'h30, 0);
        if (cs_urp[si] !== 16'hffff) $fatal(1, "urgent pointer %0d", cs_urp[si]);
        wr(0, FIELD_SND_UP, b + 3000);
        cmd(0, CMD_ACK);
        expect_seg(30, b + 3000, base + 500, 8'h10, 0);
        $display("case urgent data: ok");
    end
endtask

// MUST-50: segments in IPv4 packets with options take the fast path like any other
task case_ip_options;
    begin
        prog(1, 32'h0a000217, 16'd5023, 16'd40023, 32'd1460, 32'h21000001, 32'h22000001, 65535,
             65535, 65535, 0);
        base = IRS1[1];
        b = ISS1[1];
        seg_opts = 1;
        seg(base, b, 8'h18, 16'd65535, 100);
        seg_opts = 10;
        seg(base + 100, b, 8'h18, 16'd65535, 1400);
        seg_opts = 3;
        seg(base + 1500, b, 8'h18, 16'd65535, 1);
        seg_opts = 0;
        wait_rx(1, base + 1501, 100);
        wait_ack(base + 1501, DELACK + 100);
        rx_consume(1, base + 1501);
        $display("case IPv4 options: ok");
    end
endtask

initial begin
    `BENCH_SEED(seed);
    rnd_seed = seed;
    `BENCH_WAVES
    if ($test$plusargs("verbose")) verbose = 1;
    for (i = 0; i < SLOTS; i = i + 1) begin exp_lport[i] = 0; exp_rport[i] = 0; rx_exp[i] = 0; end
    repeat (5) tick;
    rst = 0;
    repeat (5) tick;
    case_inorder;
    case_window_full;
    case_dup_ooo;
    case_transmit;
    case_rexmit;
    case_zero_window;
    case_window_reopen;
    case_mss(536);
    case_mss(1460);
    case_mss(8960);
    case_wscale;
    case_wrap;
    case_fin;
    case_ack_report;
    case_bad;
    case_no_ack;
    case_syn_rcvd_bad_ack;
    case_rfc5961;
    case_after_fin;
    case_ttl_tos;
    case_mss_open;
    case_urgent;
    case_ip_options;
    $display("PASS toe_tcp");
    $finish;
end

initial begin
    #(200_000_000);
    $fatal(1, "global timeout");
end

endmodule
