// SPDX-License-Identifier: MIT
// Back-to-back bench for toe_tcp: two instances with a connected slot pair, each one's m_tx
// frames carried to the other's receive stream by a wire model with 1 Gb/s timing at a
// 62.5 MHz core clock (a frame of B bytes without FCS takes max(B,60) + 4 + 8 + 12 byte times,
// words arrive at most one per 2 cycles), a test pattern pushed with TX_DATA on both sides at
// once, consumed with RX_CONSUMED, every byte checked on arrival; goodput printed per direction.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

// One end: a toe_tcp, its link-engine model (TX_DATA writer, RX_DATA reader that gives the
// bytes back with RX_CONSUMED, event reader) and its MAC transmit FIFO (1024 words).
module node #(
    parameter [47:0] MAC = 48'h0,
    parameter [31:0] IP  = 32'h0,
    parameter [7:0]  ID  = 8'd0,
    parameter DELACK_US = 40000
) (
    input wire clk
);
`include "toe_defs.vh"
`ifdef B2B_BUF_LOG2
localparam BUF_LOG2 = `B2B_BUF_LOG2;   // DEFS=B2B_BUF_LOG2=14 scripts/rtl_bench.sh ...: 16 KiB rings
`else
localparam BUF_LOG2 = 13;
`endif
localparam SIZE = 1 << BUF_LOG2;

reg rst = 1;
reg [63:0] now_us = 0;

reg  [31:0] rx_tdata = 0;
reg  [3:0]  rx_tkeep = 0;
reg         rx_beat = 0, rx_tlast = 0;
wire        tcp_match;
reg         verdict_valid = 0;
reg  [5:0]  verdict = 0;

wire        m_tx_req, m_tx_tvalid, m_tx_tlast;
wire [31:0] m_tx_tdata;
wire [3:0]  m_tx_tkeep;
reg         granted = 0;

// MAC FIFO: words of whole frames; the wire pops them
localparam FQ = 4096;
reg [31:0] fq_data [0:FQ-1];
reg [3:0]  fq_keep [0:FQ-1];
reg        fq_last [0:FQ-1];
integer    fq_wr = 0, fq_rd = 0, frames_in = 0;
integer    fq_start = 0;   // the frame being written (words before it are committed)
wire [10:0] fifo_free = 11'd1024 - (fq_wr - fq_rd);
wire        m_tx_tready = granted;
wire [10:0] m_tx_free = granted ? fifo_free : 11'd0;

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

toe_tcp #(.SLOTS(4), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(11), .DELACK_US(DELACK_US)) dut (
    .clk(clk), .rst(rst), .cfg_mac(MAC), .cfg_ip(IP), .now_us(now_us), .host_quiet(1'b1),
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
    .inc_data_bad(inc_data_bad)
);

integer c_tx_segs = 0, c_rx_drop = 0, c_rx_ooo = 0, c_rexmit = 0, c_data_bad = 0, c_rx_segs = 0;
always @(posedge clk) if (!rst) begin
    c_tx_segs  = c_tx_segs + inc_tx_segs;
    c_rx_segs  = c_rx_segs + inc_rx_segs;
    c_rx_drop  = c_rx_drop + inc_rx_drop;
    c_rx_ooo   = c_rx_ooo + inc_rx_ooo;
    c_rexmit   = c_rexmit + inc_tx_rexmit;
    c_data_bad = c_data_bad + inc_data_bad;
end

task tick;
    begin @(posedge clk); #1; end
endtask

// where the controller's cycles go while the transfer runs (toe_tcp's states), and the
// segment builder's
integer cy_run = 0, cy_idle = 0, cy_load = 0, cy_rx = 0, cy_copy_rx = 0, cy_copy_tx = 0;
integer cy_txd = 0, cy_tx = 0, cy_other = 0, cy_seg_busy = 0, cy_seg_wait = 0;
always @(posedge clk) if (running && !done) begin
    cy_run = cy_run + 1;
    case (dut.state)
    dut.S_IDLE:    cy_idle = cy_idle + 1;
    dut.S_LOAD:    cy_load = cy_load + 1;
    dut.S_RX_ACC, dut.S_RX_ACC2, dut.S_RX_ACK, dut.S_RX_DATA, dut.S_RX_END, dut.S_RX_END2,
    dut.S_RX_END3: cy_rx = cy_rx + 1;
    dut.S_TXD:     cy_txd = cy_txd + 1;
    dut.S_TX, dut.S_TX_WAIT: cy_tx = cy_tx + 1;
    default:       cy_other = cy_other + 1;
    endcase
    if (dut.copy_on) cy_copy_rx = cy_copy_rx + 1;  // beside the controller
    if (dut.txc_on) cy_copy_tx = cy_copy_tx + 1;
    if (dut.seg_tx.busy) cy_seg_busy = cy_seg_busy + 1;
    if (dut.seg_tx.state == dut.seg_tx.S_WAIT) cy_seg_wait = cy_seg_wait + 1;   // S_WAIT: for the grant and room
end

task show_cycles(input [8*2-1:0] name);
    begin
        $display("%s controller, %% of %0d cycles: idle %0.1f, S_LOAD %0.1f, RX task %0.1f, TXD %0.1f, TX task %0.1f, other %0.1f; beside it: RX payload copy %0.1f, TX_DATA copy %0.1f, segment builder busy %0.1f (waiting to start %0.1f)",
                 name, cy_run, 100.0 * cy_idle / cy_run, 100.0 * cy_load / cy_run, 100.0 * cy_rx / cy_run,
                 100.0 * cy_txd / cy_run, 100.0 * cy_tx / cy_run, 100.0 * cy_other / cy_run,
                 100.0 * cy_copy_rx / cy_run, 100.0 * cy_copy_tx / cy_run,
                 100.0 * cy_seg_busy / cy_run, 100.0 * cy_seg_wait / cy_run);
        $display("%s per segment sent (%0d): %0.0f cycles, the controller busy %0.0f of them; beside it the RX payload copy %0.0f, the TX_DATA copy %0.0f; wire time 769",
                 name, c_tx_segs, 1.0 * cy_run / c_tx_segs, 1.0 * (cy_run - cy_idle) / c_tx_segs,
                 1.0 * cy_copy_rx / c_tx_segs, 1.0 * cy_copy_tx / c_tx_segs);
    end
endtask

function lt; input [31:0] x, y; reg [31:0] d; begin d = x - y; lt = d[31]; end endfunction
function [7:0] pat;   // stream byte at seq x of the stream sent by node `id`
    input [7:0] id;
    input [31:0] x;
    begin pat = (x[7:0] + x[12:5]) ^ x[31:24] ^ x[23:16] ^ id ^ 8'hc3; end
endfunction

// arbiter model (one source) and the MAC FIFO
always @(posedge clk) begin
    if (!granted && m_tx_req) granted <= 1'b1;
    if (m_tx_tvalid && m_tx_tready && m_tx_tkeep == 4'b0000) begin
        // patch beat (eth_mac's transmit FIFO): replaces word 13 of the frame being written
        if (m_tx_tlast || fq_wr - fq_start < 14) $fatal(1, "node %0d: patch beat with tlast or before word 13", ID);
        fq_data[(fq_start + 13) % FQ] = m_tx_tdata;
    end else if (m_tx_tvalid && m_tx_tready) begin
        if (fq_wr - fq_rd >= 1024) $fatal(1, "node %0d: MAC FIFO overflow", ID);
        fq_data[fq_wr % FQ] = m_tx_tdata;
        fq_keep[fq_wr % FQ] = m_tx_tkeep;
        fq_last[fq_wr % FQ] = m_tx_tlast;
        fq_wr = fq_wr + 1;
        if (m_tx_tlast) begin
            granted <= 1'b0;
            frames_in = frames_in + 1;
            fq_start = fq_wr;
        end
    end
end

// CSR
reg [31:0] csr_v;
task csr_op(input we, input [15:0] a, input [31:0] d);
    begin
        csr_req = 1; csr_we = we; csr_addr = a; csr_wdata = d;
        while (!csr_ack) tick;
        csr_v = csr_rdata;
        if (csr_status != 0) $fatal(1, "node %0d: CSR %h status %0d", ID, a, csr_status);
        csr_req = 0;
        tick;
    end
endtask
task wr(input [4:0] f, input [31:0] d); csr_op(1, CSR_SLOT_BASE + f, d); endtask

// the host: stream parameters
reg [31:0] iss1, irs1;      // our first data seq, the peer's
integer    total = 0;       // bytes to send (and to receive)
reg        running = 0;
integer    sent_w = 0;      // bytes written with TX_DATA
integer    got = 0;         // bytes received and checked
reg [31:0] una_ev;          // SND.UNA from the latest event
reg [31:0] rx_next;
realtime   t_start, t_done;
reg        done = 0;
reg [7:0]  peer_id;

task program(input [31:0] peer_ip, input [47:0] peer_mac, input [15:0] lport, input [15:0] rport,
             input [31:0] my_iss1, input [31:0] peer_iss1, input [31:0] cw);
    begin
        iss1 = my_iss1; irs1 = peer_iss1; una_ev = my_iss1; rx_next = peer_iss1;
        wr(FIELD_REMOTE_IP, peer_ip);
        wr(FIELD_PORTS, {lport, rport});
        wr(FIELD_MAC_HI, {16'd0, peer_mac[47:32]});
        wr(FIELD_MAC_LO, peer_mac[31:0]);
        wr(FIELD_MSS, 32'd1460);
        wr(FIELD_SND_UNA, my_iss1);
        wr(FIELD_RCV_NXT, peer_iss1);
        wr(FIELD_SND_WND, SIZE);          // the peer's SYN advertised its ring
        wr(FIELD_CWND, cw);
        wr(FIELD_SSTHRESH, 32'd65535);
        wr(FIELD_FLAGS, 32'd0);
        csr_op(1, CSR_SLOT_CMD, {16'd0, CMD_OPEN, 8'd0});
    end
endtask

// TX_DATA writer: 1024-byte messages while the ring has room (credit from SLOT events)
initial begin : writer
    integer i, n, room, seq;
    reg [7:0] bt;
    forever begin
        tick;
        if (running && sent_w < total) begin
            room = SIZE - (iss1 + sent_w - una_ev);
            n = total - sent_w;
            if (n > 1024) n = 1024;
            if (room >= n) begin
                seq = iss1 + sent_w;
                for (i = 0; i < n + 6; i = i + 1) begin
                    bt = i == 0 ? MSG_TX_DATA : i == 1 ? 8'd0 : i < 6 ? seq[31 - 8 * (i - 2) -: 8] :
                         pat(ID, seq + i - 6);
                    msgbuf[i / 4][31 - 8 * (i % 4) -: 8] = bt;
                end
                txd_req = 1; txd_slot = 0; txd_seq = seq; txd_len = n;
                while (!txd_ack) tick;
                txd_req = 0;
                sent_w = sent_w + n;
            end
        end
    end
end

// RX_DATA reader: every byte checked, given back at once with RX_CONSUMED
initial begin : reader
    integer n, w, b;
    reg [31:0] sq, wd;
    forever begin
        tick;
        if (rxd_valid) begin
            rxd_taken = 1; sq = rxd_seq; n = rxd_len;
            if (rxd_slot != 0) $fatal(1, "node %0d: RX_DATA slot %0d", ID, rxd_slot);
            rxd_busy = 1; rxd_rd_slot = 0; rxd_rd_seq = sq;
            tick;
            rxd_taken = 0;
            if (sq !== rx_next) $fatal(1, "node %0d: RX_DATA seq %h, want %h", ID, sq, rx_next);
            // a word per cycle: the RX ring returns a read two cycles after its address, so
            // each cycle checks the word addressed the cycle before
            for (w = 0; w < n + 4; w = w + 4) begin
                rxd_rd_slot = 0; rxd_rd_seq = sq + w;
                tick;
                wd = rxd_rd_data;
                for (b = 0; b < 4; b = b + 1)
                    if (w >= 4 && w - 4 + b < n && wd[31 - 8 * b -: 8] !== pat(peer_id, sq + w - 4 + b))
                        $fatal(1, "node %0d: byte at %h: %h, want %h", ID, sq + w - 4 + b,
                               wd[31 - 8 * b -: 8], pat(peer_id, sq + w - 4 + b));
            end
            rxd_busy = 0;
            rx_next = sq + n;
            got = got + n;
            if (got > total) $fatal(1, "node %0d: more bytes than sent", ID);
            if (got == total && !done) begin done = 1; t_done = $realtime; end
            rxc_req = 1; rxc_slot = 0; rxc_seq = rx_next;
            while (!rxc_ack) tick;
            rxc_req = 0;
        end
    end
end

// events: SND.UNA returns TX ring credit
initial begin : events
    forever begin
        tick;
        if (ev_valid) begin
            ev_taken = 1;
            if (lt(una_ev, ev_fields[127:96])) una_ev = ev_fields[127:96];
            tick;
            ev_taken = 0;
        end
    end
end

endmodule

module tb;

`include "toe_defs.vh"

localparam [47:0] MAC_A = 48'h02000000000a, MAC_B = 48'h02000000000b;
localparam [31:0] IP_A  = 32'h0a00020a,     IP_B  = 32'h0a00020b;
localparam TOTAL = 400 * 1024;

`BENCH_CLOCK(clk, 8);   // 62.5 MHz core clock

node #(.MAC(MAC_A), .IP(IP_A), .ID(8'h00)) a (.clk(clk));
node #(.MAC(MAC_B), .IP(IP_B), .ID(8'h5c)) b (.clk(clk));

// device time, shared
integer ns_acc = 0;
always @(posedge clk) begin
    ns_acc = ns_acc + 16;
    if (ns_acc >= 1000) begin
        ns_acc = ns_acc - 1000;
        a.now_us <= a.now_us + 1;
        b.now_us <= b.now_us + 1;
    end
end

integer rnd_seed, seed;
reg verbose = 0;

// frame bytes of the wire, for the checksum checks
reg [7:0] wa [0:2047];
reg [7:0] wb [0:2047];
`INET_CSUM_FN(csum_a, wa)
`INET_CSUM_FN(csum_b, wb)

// IPv4 and TCP checksums (pseudo-header included) of a frame on the wire
task check_frame(input integer which, input integer nb);
    integer tl, sl;
    reg [15:0] c;
    begin
        if (which == 0) begin
            tl = {wa[16], wa[17]}; sl = tl - 20;
            if (csum_a(14, 20, 0) != 16'hffff) $fatal(1, "A->B: IPv4 checksum");
            if (csum_a(34, sl, {wa[26], wa[27]} + {wa[28], wa[29]} + {wa[30], wa[31]} + {wa[32], wa[33]} + 6 + sl) != 16'hffff)
                $fatal(1, "A->B: TCP checksum");
        end else begin
            tl = {wb[16], wb[17]}; sl = tl - 20;
            if (csum_b(14, 20, 0) != 16'hffff) $fatal(1, "B->A: IPv4 checksum");
            if (csum_b(34, sl, {wb[26], wb[27]} + {wb[28], wb[29]} + {wb[30], wb[31]} + {wb[32], wb[33]} + 6 + sl) != 16'hffff)
                $fatal(1, "B->A: TCP checksum");
        end
        if (tl + 14 != nb) $fatal(1, "frame length %0d vs IP length %0d", nb, tl);
    end
endtask

integer frames_ab = 0, frames_ba = 0;

// The wire A->B (which 0) or B->A (1): whole frames from the MAC FIFO, one word per 2 cycles
// into the other receive stream, the verdict after the last word, the next frame only after the
// full frame time (max(B,60) + 4 FCS + 8 preamble + 12 IFG byte times of 8 ns).
// Round trip of A's data: from a data segment's first word on the wire A->B to the end of the
// first frame B->A that acknowledges all of it (one probe at a time)
reg      rtt_open = 0;
reg [31:0] rtt_end, rtt_d;
realtime rtt_t0, rtt_sum = 0;
integer  rtt_n = 0;

task automatic wire_run(input integer which);
    integer nb, nw, k, cyc, tw;
    realtime t_fr;
    reg [31:0] wd;
    reg [3:0] kp;
    reg last;
    begin
        forever begin
            @(posedge clk); #1;
            // store and forward, as eth_mac's transmit FIFO: a frame starts once its tlast
            // word is in the FIFO (a patch beat may change word 13 until then)
            if ((which == 0 ? a.fq_start > a.fq_rd : b.fq_start > b.fq_rd)) begin
                cyc = 0; nb = 0; nw = 0; last = 0; t_fr = $realtime;
                while (!last) begin
                    if (which == 0) begin
                        wd = a.fq_data[a.fq_rd % a.FQ]; kp = a.fq_keep[a.fq_rd % a.FQ];
                        last = a.fq_last[a.fq_rd % a.FQ];
                    end else begin
                        wd = b.fq_data[b.fq_rd % b.FQ]; kp = b.fq_keep[b.fq_rd % b.FQ];
                        last = b.fq_last[b.fq_rd % b.FQ];
                    end
                    for (k = 0; k < 4; k = k + 1)
                        if (kp[3 - k] && (nw > 0 || k >= 2)) begin
                            if (which == 0) wa[nb] = wd[31 - 8 * k -: 8]; else wb[nb] = wd[31 - 8 * k -: 8];
                            nb = nb + 1;
                        end
                    if (which == 0) begin
                        b.rx_tdata = wd; b.rx_tkeep = kp; b.rx_tlast = last; b.rx_beat = 1;
                        a.fq_rd = a.fq_rd + 1;
                    end else begin
                        a.rx_tdata = wd; a.rx_tkeep = kp; a.rx_tlast = last; a.rx_beat = 1;
                        b.fq_rd = b.fq_rd + 1;
                    end
                    nw = nw + 1;
                    @(posedge clk); #1;
                    if (which == 0) begin b.rx_beat = 0; b.rx_tlast = 0; end
                    else begin a.rx_beat = 0; a.rx_tlast = 0; end
                    @(posedge clk); #1;
                    cyc = cyc + 2;
                end
                check_frame(which, nb);
                if (which == 0 && !rtt_open && nb > 54) begin
                    rtt_open = 1; rtt_t0 = t_fr;
                    rtt_end = {wa[38], wa[39], wa[40], wa[41]} + nb - 54;
                end
                rtt_d = {wb[42], wb[43], wb[44], wb[45]} - rtt_end;   // B's ACK - the probe's end
                if (which == 1 && rtt_open && !rtt_d[31]) begin
                    rtt_open = 0; rtt_sum = rtt_sum + ($realtime - rtt_t0); rtt_n = rtt_n + 1;
                end
                if (verbose)
                    if (which == 0)
                        $display("%0t A->B seq %h ack %h fl %h wnd %0d len %0d", $time, {wa[38], wa[39], wa[40], wa[41]},
                                 {wa[42], wa[43], wa[44], wa[45]}, wa[47], {wa[48], wa[49]}, nb - 54);
                    else
                        $display("%0t B->A seq %h ack %h fl %h wnd %0d len %0d", $time, {wb[38], wb[39], wb[40], wb[41]},
                                 {wb[42], wb[43], wb[44], wb[45]}, wb[47], {wb[48], wb[49]}, nb - 54);
                // the verdict, one cycle after the last beat's cycle (a good checksum)
                if (which == 0) begin
                    b.verdict_valid = 1; b.verdict = b.tcp_match ? STAT_RX_TCP_SLOT : STAT_RX_TCP;
                    if (!b.tcp_match) $fatal(1, "A->B: frame matched no slot");
                    frames_ab = frames_ab + 1;
                end else begin
                    a.verdict_valid = 1; a.verdict = a.tcp_match ? STAT_RX_TCP_SLOT : STAT_RX_TCP;
                    if (!a.tcp_match) $fatal(1, "B->A: frame matched no slot");
                    frames_ba = frames_ba + 1;
                end
                @(posedge clk); #1;
                if (which == 0) b.verdict_valid = 0; else a.verdict_valid = 0;
                cyc = cyc + 1;
                // the rest of the frame time: (max(B,60) + 24) / 2 cycles from the first word
                tw = ((nb < 60 ? 60 : nb) + 24 + 1) / 2;
                while (cyc < tw) begin @(posedge clk); #1; cyc = cyc + 1; end
            end
        end
    end
endtask

initial wire_run(0);
initial wire_run(1);

realtime t0;
real mb_ab, mb_ba;
initial begin
    `BENCH_SEED(seed);
    rnd_seed = seed;
    `BENCH_WAVES
    if ($test$plusargs("verbose")) verbose = 1;
    repeat (5) @(posedge clk);
    #1;
    a.rst = 0; b.rst = 0;
    repeat (5) @(posedge clk);
    #1;
    // a connected pair: A's ISS is B's IRS and the other way round; A's sequence numbers wrap
    a.peer_id = 8'h5c; b.peer_id = 8'h00;
    a.program(IP_B, MAC_B, 16'd80, 16'd40000, 32'hfffc0001, 32'h12345679, 32'd14600);
    b.program(IP_A, MAC_A, 16'd40000, 16'd80, 32'h12345679, 32'hfffc0001, 32'd14600);
    a.total = TOTAL; b.total = TOTAL;
    t0 = $realtime;
    a.t_start = t0; b.t_start = t0;
    a.running = 1; b.running = 1;
    wait (a.done && b.done);
    // A's stream is B's receive: goodput of A->B is when B has it all
    mb_ab = TOTAL * 8.0 / ((b.t_done - t0) / 1000.0);
    mb_ba = TOTAL * 8.0 / ((a.t_done - t0) / 1000.0);
    $display("core clock 62.5 MHz, 1 Gb/s wire model, MSS 1460, %0d KiB each way at once (ring %0d KiB)", TOTAL / 1024, a.SIZE / 1024);
    $display("A->B: %0d bytes in %0.1f us: %0.1f Mb/s = %0.3f of 949.3 Mb/s (%0d frames)",
             TOTAL, (b.t_done - t0) / 1000.0, mb_ab, mb_ab / 949.3, frames_ab);
    $display("B->A: %0d bytes in %0.1f us: %0.1f Mb/s = %0.3f of 949.3 Mb/s (%0d frames)",
             TOTAL, (a.t_done - t0) / 1000.0, mb_ba, mb_ba / 949.3, frames_ba);
    $display("A: tx segs %0d rexmit %0d rx drop %0d ooo %0d bad %0d; B: tx segs %0d rexmit %0d rx drop %0d ooo %0d bad %0d",
             a.c_tx_segs, a.c_rexmit, a.c_rx_drop, a.c_rx_ooo, a.c_data_bad,
             b.c_tx_segs, b.c_rexmit, b.c_rx_drop, b.c_rx_ooo, b.c_data_bad);
    $display("A's round trip (data on the wire to its ACK received): %0.1f us = %0.0f cycles on average (%0d samples); the ring holds %0.1f segments, %0.1f us of wire time",
             rtt_sum / rtt_n / 1000.0, rtt_sum / rtt_n / 16.0, rtt_n, a.SIZE / 1460.0, a.SIZE / 1460.0 * 769 * 16 / 1000.0);
    a.show_cycles("A:");
    b.show_cycles("B:");
    if (a.c_data_bad || b.c_data_bad) $fatal(1, "TX_DATA/RX_CONSUMED rejected");
    $display("PASS toe_tcp_b2b");
    $finish;
end

initial begin
    #(100_000_000);
    $fatal(1, "global timeout: A got %0d, B got %0d", a.got, b.got);
end

endmodule
