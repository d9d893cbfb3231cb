// SPDX-License-Identifier: MIT
// Bench for tcp_tx_decide: one slot snapshot per case (test_<situation>), the decision and the
// segment checked against values worked out by hand from RFC 9293, 5681, 6582, 7323 and 1122:
// new data, Nagle, sender and receiver SWS avoidance, FIN, RST, zero-window probe, fast
// retransmit, delayed ACK, window scaling and its clamp, urgent pointer, sequence wrap; and
// the pipeline's fixed timing (decide_valid 3 cycles after start, result_valid 3 after that).
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

localparam BUF_LOG2 = 13;   // 8 KiB rings: receiver SWS step min(4096, MSS)

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg         start = 0;
reg  [31:0] now = 0;
reg  [31:0] snd_una, snd_nxt, snd_max, snd_wnd, snd_up, tx_end, cwnd;
reg  [15:0] mss;
reg  [31:0] rcv_nxt, rcv_adv, rx_lim, ack_due, rst_seq;
reg  [3:0]  rcv_ws;
reg         ack_now, ack_delayed, ooo_held, fin_rcvd, fin_queued, rst_due, rexmit_due;
reg         probe_due, nagle;
wire        decide_valid, decide_send, delack_due, result_valid;
wire [31:0] seq, new_edge, seq_end;
wire [10:0] len;
wire        fin, psh, urg, rst_seg, rexmit, beyond_max;
wire [15:0] urp, wnd_field;

tcp_tx_decide #(.BUF_LOG2(BUF_LOG2)) dut (
    .clk(clk), .rst(rst), .start(start), .now(now),
    .snd_una(snd_una), .snd_nxt(snd_nxt), .snd_max(snd_max), .snd_wnd(snd_wnd), .snd_up(snd_up),
    .tx_end(tx_end), .cwnd(cwnd), .mss(mss), .rcv_nxt(rcv_nxt), .rcv_adv(rcv_adv),
    .rx_lim(rx_lim), .rcv_ws(rcv_ws), .ack_due(ack_due), .rst_seq(rst_seq),
    .ack_now(ack_now), .ack_delayed(ack_delayed), .ooo_held(ooo_held), .fin_rcvd(fin_rcvd),
    .fin_queued(fin_queued), .rst_due(rst_due), .rexmit_due(rexmit_due), .probe_due(probe_due),
    .nagle(nagle),
    .decide_valid(decide_valid), .decide_send(decide_send), .delack_due(delack_due),
    .result_valid(result_valid), .seq(seq), .len(len), .fin(fin), .psh(psh), .urg(urg),
    .urp(urp), .rst_seg(rst_seg), .rexmit(rexmit), .wnd_field(wnd_field), .new_edge(new_edge),
    .seq_end(seq_end), .beyond_max(beyond_max)
);

integer seed, cases;

// an established slot with nothing to do: everything sent and acknowledged, windows open,
// the advertised edge where the ring's room ends
task idle_slot(input [31:0] iss, input [31:0] irs);
    begin
        snd_una = iss; snd_nxt = iss; snd_max = iss; tx_end = iss; snd_up = iss;
        snd_wnd = 32'd65535; cwnd = 32'd14600; mss = 16'd1460;
        rcv_nxt = irs; rx_lim = irs + 32'd8192; rcv_adv = irs + 32'd8192; rcv_ws = 4'd0;
        ack_due = now + 32'd1000; rst_seq = 32'd0;
        ack_now = 0; ack_delayed = 0; ooo_held = 0; fin_rcvd = 0; fin_queued = 0; rst_due = 0;
        rexmit_due = 0; probe_due = 0; nagle = 0;
    end
endtask

reg got_send;
// run the decision; when it sends, wait for the segment
task run(input [8*40-1:0] name, input want_send);
    integer n;
    begin
        @(negedge clk) start = 1;
        @(negedge clk) start = 0;
        n = 1;
        while (!decide_valid) begin
            @(negedge clk);
            n = n + 1;
        end
        if (n != 3) $fatal(1, "%0s: decide_valid %0d cycles after start", name, n);
        got_send = decide_send;
        if (decide_send !== want_send)
            $fatal(1, "%0s: decide_send %b, want %b", name, decide_send, want_send);
        n = 0;
        while (!result_valid) begin
            @(negedge clk);
            n = n + 1;
        end
        if (n != 3) $fatal(1, "%0s: result_valid %0d cycles after decide_valid", name, n);
        cases = cases + 1;
    end
endtask

task check_seg(input [8*40-1:0] name, input [31:0] w_seq, input [10:0] w_len, input w_fin,
               input w_psh, input w_rexmit, input w_rst);
    begin
        if (seq !== w_seq || len !== w_len || fin !== w_fin || psh !== w_psh ||
            rexmit !== w_rexmit || rst_seg !== w_rst)
            $fatal(1, "%0s: seq %h len %0d fin %b psh %b rexmit %b rst %b, want %h %0d %b %b %b %b",
                   name, seq, len, fin, psh, rexmit, rst_seg, w_seq, w_len, w_fin, w_psh, w_rexmit,
                   w_rst);
        if (seq_end !== w_seq + w_len + w_fin)
            $fatal(1, "%0s: seq_end %h", name, seq_end);
    end
endtask

task check_wnd(input [8*40-1:0] name, input [15:0] w_field, input [31:0] w_edge);
    begin
        if (wnd_field !== w_field || new_edge !== w_edge)
            $fatal(1, "%0s: window field %0d edge %h, want %0d %h", name, wnd_field, new_edge,
                   w_field, w_edge);
    end
endtask

initial begin
    `BENCH_SEED(seed);
    `BENCH_WAVES
    cases = 0;
    now = 32'd5000000;
    repeat (3) @(posedge clk);
    rst <= 0;

    // test_idle_nothing_due
    idle_slot(32'd1000, 32'd70000);
    run("idle_nothing_due", 0);

    // test_data_full_segment: 3000 bytes queued, windows open: one MSS, no PSH (more follows)
    idle_slot(32'd1000, 32'd70000);
    tx_end = 32'd4000;
    run("data_full_segment", 1);
    check_seg("data_full_segment", 32'd1000, 11'd1460, 0, 0, 0, 0);
    if (!beyond_max) $fatal(1, "data_full_segment: new data not beyond SND.MAX");
    check_wnd("data_full_segment", 16'd8192, 32'd70000 + 32'd8192);

    // test_data_last_short_segment: 100 bytes, nothing in flight: sent at once with PSH
    idle_slot(32'd1000, 32'd70000);
    tx_end = 32'd1100;
    run("data_last_short", 1);
    check_seg("data_last_short", 32'd1000, 11'd100, 0, 1, 0, 0);

    // test_nagle_holds_short_segment: 100 bytes behind 1000 in flight, Nagle on: wait
    idle_slot(32'd1000, 32'd70000);
    snd_nxt = 32'd2000; snd_max = 32'd2000; tx_end = 32'd2100; nagle = 1;
    run("nagle_holds", 0);
    // test_nagle_off_sends_short_segment: the same without Nagle goes out
    nagle = 0;
    run("nagle_off", 1);
    check_seg("nagle_off", 32'd2000, 11'd100, 0, 1, 0, 0);

    // test_sws_window_cut_waits: 500 bytes of room, 3000 queued, data in flight: wait
    idle_slot(32'd1000, 32'd70000);
    snd_nxt = 32'd2000; snd_max = 32'd2000; tx_end = 32'd5000; snd_wnd = 32'd1500;
    run("sws_window_cut", 0);
    // test_sws_window_cut_nothing_in_flight: the same with nothing in flight: 1500 go
    snd_nxt = 32'd1000; snd_max = 32'd1000;
    run("sws_nothing_in_flight", 1);
    check_seg("sws_nothing_in_flight", 32'd1000, 11'd1460, 0, 0, 0, 0);

    // test_cwnd_limits: cwnd 2920 with 2920 in flight: nothing may go
    idle_slot(32'd1000, 32'd70000);
    snd_nxt = 32'd3920; snd_max = 32'd3920; tx_end = 32'd9000; cwnd = 32'd2920;
    run("cwnd_limits", 0);

    // test_fin_after_data: everything sent, CLOSE queued: a FIN
    idle_slot(32'd1000, 32'd70000);
    fin_queued = 1;
    run("fin_after_data", 1);
    check_seg("fin_after_data", 32'd1000, 11'd0, 1, 0, 0, 0);
    if (!beyond_max) $fatal(1, "fin_after_data: the FIN is not beyond SND.MAX");
    // test_fin_with_last_data: 200 bytes still queued: they go with the FIN
    tx_end = 32'd1200;
    run("fin_with_last_data", 1);
    check_seg("fin_with_last_data", 32'd1000, 11'd200, 1, 1, 0, 0);

    // test_rst_due: the RST for a bad ACK in SYN_RCVD goes first, whatever else is due
    idle_slot(32'd1000, 32'd70000);
    tx_end = 32'd4000; rst_due = 1; rst_seq = 32'hdeadbeef; snd_up = 32'd1500; rexmit_due = 1;
    run("rst_due", 1);
    check_seg("rst_due", 32'hdeadbeef, 11'd0, 0, 0, 0, 1);
    if (urg) $fatal(1, "rst_due: URG on a RST");

    // test_probe_zero_window: the first unacknowledged byte, a retransmission
    idle_slot(32'd1000, 32'd70000);
    snd_nxt = 32'd1001; snd_max = 32'd1001; tx_end = 32'd3000; snd_wnd = 32'd0; probe_due = 1;
    run("probe_zero_window", 1);
    check_seg("probe_zero_window", 32'd1000, 11'd1, 0, 0, 1, 0);
    // test_probe_open_window: a probe into an open window is an ordinary send
    snd_wnd = 32'd8000;
    run("probe_open_window", 1);
    check_seg("probe_open_window", 32'd1001, 11'd1460, 0, 0, 0, 0);
    // test_ack_after_probe_zero_window: the probe's byte is past the peer's zero window; an
    // ACK from SND.NXT would be outside it too, and the peer would drop it without reading its
    // acknowledgment (RFC 9293 3.10.7.4: a zero window takes SEG.SEQ = RCV.NXT only). Linux
    // did, and both ends waited on each other for good. The ACK goes from SND.UNA.
    snd_wnd = 32'd0; probe_due = 0; ack_now = 1;
    run("ack_after_probe_zero_window", 1);
    check_seg("ack_after_probe_zero_window", 32'd1000, 11'd0, 0, 0, 0, 0);

    // test_fast_retransmit: the first unacknowledged segment again, an MSS of it
    idle_slot(32'd1000, 32'd70000);
    snd_nxt = 32'd5000; snd_max = 32'd5000; tx_end = 32'd9000; rexmit_due = 1;
    run("fast_retransmit", 1);
    check_seg("fast_retransmit", 32'd1000, 11'd1460, 0, 0, 1, 0);
    if (beyond_max) $fatal(1, "fast_retransmit: beyond SND.MAX");
    // test_retransmit_last_with_fin: 300 bytes to SND.MAX, the FIN sent after them: both again
    snd_nxt = 32'd1301; snd_max = 32'd1301; tx_end = 32'd1300; fin_queued = 1;
    run("retransmit_fin", 1);
    check_seg("retransmit_fin", 32'd1000, 11'd300, 1, 1, 1, 0);

    // test_delayed_ack_due: the delayed ACK's time has come: a pure ACK
    idle_slot(32'd1000, 32'd70000);
    ack_delayed = 1; ack_due = now;
    run("delayed_ack_due", 1);
    if (!delack_due) $fatal(1, "delayed_ack_due: not due");
    check_seg("delayed_ack_due", 32'd1000, 11'd0, 0, 0, 0, 0);
    // test_delayed_ack_not_yet: a microsecond early: nothing
    ack_due = now + 32'd1;
    run("delayed_ack_not_yet", 0);
    // test_ack_now: an ACK wanted at once
    ack_now = 1;
    run("ack_now", 1);

    // test_rcv_window_moves_by_sws_step: room for 1460 more than advertised: the edge moves
    idle_slot(32'd1000, 32'd70000);
    ack_now = 1; rcv_adv = 32'd70000 + 32'd6732;
    run("rcv_window_moves", 1);
    check_wnd("rcv_window_moves", 16'd8192, 32'd70000 + 32'd8192);
    // test_rcv_window_small_step_held: 1459 more: the edge stays (receiver SWS)
    rcv_adv = 32'd70000 + 32'd6733;
    run("rcv_window_small_step", 1);
    check_wnd("rcv_window_small_step", 16'd6733, 32'd70000 + 32'd6733);
    // test_rcv_window_held_while_ooo: out-of-order data held: the edge stays
    rcv_adv = 32'd70000 + 32'd4000; ooo_held = 1;
    run("rcv_window_ooo", 1);
    check_wnd("rcv_window_ooo", 16'd4000, 32'd70000 + 32'd4000);

    // test_rcv_window_scaled_rounds_down: the room plus a FIN (8193) scaled by 8: 1024, the
    // edge it stands for 8192
    idle_slot(32'd1000, 32'd70000);
    ack_now = 1; rcv_ws = 4'd3; fin_rcvd = 1; rcv_adv = 32'd70000;
    run("rcv_window_scaled", 1);
    check_wnd("rcv_window_scaled", 16'd1024, 32'd70000 + 32'd8192);
    // test_rcv_window_clamped: an edge 100000 ahead, unscaled: 65535
    idle_slot(32'd1000, 32'd70000);
    ack_now = 1; rcv_adv = 32'd70000 + 32'd100000;
    run("rcv_window_clamped", 1);
    check_wnd("rcv_window_clamped", 16'hffff, 32'd70000 + 32'd65535);

    // test_urgent_pointer: SND.UP 10 bytes ahead of the segment
    idle_slot(32'd1000, 32'd70000);
    tx_end = 32'd1100; snd_up = 32'd1010;
    run("urgent_pointer", 1);
    if (!urg || urp !== 16'd10) $fatal(1, "urgent_pointer: urg %b urp %0d", urg, urp);
    // test_urgent_far: 70000 bytes ahead: the field saturates
    snd_up = 32'd71000;
    run("urgent_far", 1);
    if (!urg || urp !== 16'hffff) $fatal(1, "urgent_far: urg %b urp %0d", urg, urp);

    // test_sequence_wrap: SND.NXT just below 2^32, data across the wrap
    idle_slot(32'hffffff00, 32'hfffffff0);
    tx_end = 32'h00000100;
    run("sequence_wrap", 1);
    check_seg("sequence_wrap", 32'hffffff00, 11'd512, 0, 1, 0, 0);
    check_wnd("sequence_wrap", 16'd8192, 32'hfffffff0 + 32'd8192);

    $display("tcp_tx_decide: %0d cases", cases);
    $display("PASS");
    $finish;
end

initial begin
    #(1000000);
    $fatal(1, "global timeout");
end

endmodule

`default_nettype wire
