// SPDX-License-Identifier: MIT
// Bench for tcp_rx_decide: one segment against one slot snapshot per case (test_<situation>),
// the results checked against values worked out by hand from RFC 9293 (acceptance, SND.WL1/WL2,
// urgent pointer), 5681/6582 (duplicate ACK, ssthresh, NewReno's full ACK), 3465 (byte
// counting), 5961 (MAX.SND.WND), 7323 (window scale), 6298 (RTT): in-order, overlapping,
// out-of-window and out-of-order payloads, zero window, old/new/beyond ACKs, sequence wrap;
// and the timing (accept_valid the cycle after start, stage 2 the cycle after that).
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

module tb;

`BENCH_CLOCK(clk, 8);
reg rst = 1;

reg         start = 0;
reg  [31:0] now = 32'd9000000;
reg  [31:0] seg_seq, seg_ack;
reg  [15:0] seg_wnd, seg_up;
reg  [10:0] seg_len;
reg         seg_fin;
reg  [31:0] snd_una, snd_max, snd_wnd, snd_up, max_wnd, wl1, wl2, tx_end, ev_una, cwnd, ca_acc, recover;
reg  [3:0]  snd_ws;
reg  [15:0] mss;
reg  [31:0] rtt_seq, rtt_t0, rcv_nxt, rcv_adv, rx_lim, rcv_up, ooo_start, ooo_end;
reg         rcv_up_ahead;
wire [31:0] seg_end  = seg_seq + {21'd0, seg_len};
wire [31:0] seg_last = seg_seq + {21'd0, seg_len} + {31'd0, seg_fin} - 32'd1;

wire        accept_valid, acceptable, ack_ok;
wire        ack_beyond_max, ack_new, ack_old, ack_is_una, ack_covers_fin, ack_step, ack_full;
wire        snd_up_behind, rtt_covered, wnd_update_ok;
wire [31:0] rtt, flight, seg_wnd_scaled, seg_up_at, data_start, data_stop;
wire [31:0] slow_start_inc, ca_sum, cwnd_less_acked, ssthresh_loss;
wire        cwnd_gt_acked, wnd_dup, max_wnd_grows, wnd_opens, ack_too_old, up_advances;
wire        nothing_new, in_order, touches_held, fills_hole;
wire        stop_before_held_end, start_before_held_start, held_end_before_stop;
wire [10:0] payload_lo, payload_hi, payload_hi_m1;

tcp_rx_decide dut (
    .clk(clk), .rst(rst), .start(start), .now(now),
    .seg_seq(seg_seq), .seg_ack(seg_ack), .seg_wnd(seg_wnd), .seg_up(seg_up), .seg_len(seg_len),
    .seg_fin(seg_fin), .seg_end(seg_end), .seg_last(seg_last),
    .snd_una(snd_una), .snd_max(snd_max), .snd_wnd(snd_wnd), .snd_up(snd_up), .max_wnd(max_wnd),
    .snd_ws(snd_ws), .wl1(wl1), .wl2(wl2), .tx_end(tx_end), .ev_una(ev_una), .cwnd(cwnd), .ca_acc(ca_acc),
    .recover(recover), .mss(mss), .rtt_seq(rtt_seq), .rtt_t0(rtt_t0), .rcv_nxt(rcv_nxt),
    .rcv_adv(rcv_adv), .rx_lim(rx_lim), .rcv_up(rcv_up), .rcv_up_ahead(rcv_up_ahead),
    .ooo_start(ooo_start), .ooo_end(ooo_end),
    .accept_valid(accept_valid), .acceptable(acceptable), .ack_ok(ack_ok),
    .ack_beyond_max(ack_beyond_max), .ack_new(ack_new), .ack_old(ack_old),
    .ack_is_una(ack_is_una), .ack_covers_fin(ack_covers_fin), .ack_step(ack_step), .ack_full(ack_full),
    .snd_up_behind(snd_up_behind), .rtt_covered(rtt_covered), .rtt(rtt), .flight(flight),
    .seg_wnd_scaled(seg_wnd_scaled), .wnd_update_ok(wnd_update_ok), .seg_up_at(seg_up_at),
    .data_start(data_start), .data_stop(data_stop),
    .slow_start_inc(slow_start_inc), .ca_sum(ca_sum), .cwnd_less_acked(cwnd_less_acked),
    .cwnd_gt_acked(cwnd_gt_acked), .ssthresh_loss(ssthresh_loss), .wnd_dup(wnd_dup),
    .max_wnd_grows(max_wnd_grows), .wnd_opens(wnd_opens), .ack_too_old(ack_too_old),
    .up_advances(up_advances), .nothing_new(nothing_new), .in_order(in_order),
    .touches_held(touches_held), .fills_hole(fills_hole),
    .stop_before_held_end(stop_before_held_end), .start_before_held_start(start_before_held_start),
    .held_end_before_stop(held_end_before_stop),
    .payload_lo(payload_lo), .payload_hi(payload_hi), .payload_hi_m1(payload_hi_m1)
);

integer seed, cases;
reg got_acceptable, got_ack_ok;

// a slot with 3000 bytes in flight from SND.UNA = una, 8 KiB of receive window from
// RCV.NXT = irs, nothing held out of order; a segment at RCV.NXT acknowledging nothing new
task slot(input [31:0] una, input [31:0] irs);
    begin
        snd_una = una; snd_max = una + 32'd3000; tx_end = una + 32'd3000; snd_up = una; ev_una = una;
        snd_wnd = 32'd65535; max_wnd = 32'd65535; snd_ws = 4'd0; wl1 = irs - 32'd1; wl2 = una;
        cwnd = 32'd14600; ca_acc = 32'd0; recover = una; mss = 16'd1460;
        rtt_seq = una + 32'd5000; rtt_t0 = now - 32'd777;
        rcv_nxt = irs; rcv_adv = irs + 32'd8192; rx_lim = irs + 32'd8192; rcv_up = irs;
        rcv_up_ahead = 0; ooo_start = irs; ooo_end = irs;
        seg_seq = irs; seg_ack = una; seg_wnd = 16'd65535; seg_up = 16'd0; seg_len = 11'd0;
        seg_fin = 0;
    end
endtask

task run(input [8*40-1:0] name);
    begin
        @(negedge clk) start = 1;
        @(negedge clk) start = 0;
        if (!accept_valid) $fatal(1, "%0s: accept_valid not the cycle after start", name);
        got_acceptable = acceptable;
        got_ack_ok     = ack_ok;
        @(negedge clk);
        if (accept_valid) $fatal(1, "%0s: accept_valid for more than a cycle", name);
        cases = cases + 1;
    end
endtask

task want_accept(input [8*40-1:0] name, input w_acc, input w_ack_ok);
    begin
        if (got_acceptable !== w_acc || got_ack_ok !== w_ack_ok)
            $fatal(1, "%0s: acceptable %b ack_ok %b, want %b %b", name, got_acceptable, got_ack_ok,
                   w_acc, w_ack_ok);
    end
endtask

task want_payload(input [8*40-1:0] name, input [31:0] w_start, input [31:0] w_stop,
                  input [10:0] w_lo, input [10:0] w_hi, input w_nothing, input w_in_order);
    begin
        if (data_start !== w_start || data_stop !== w_stop || payload_lo !== w_lo ||
            payload_hi !== w_hi || payload_hi_m1 !== w_hi - 11'd1 ||
            nothing_new !== w_nothing || in_order !== w_in_order)
            $fatal(1, "%0s: data [%h, %h) payload [%0d, %0d) -1 %0d nothing %b in order %b",
                   name, data_start, data_stop, payload_lo, payload_hi, payload_hi_m1,
                   nothing_new, in_order);
    end
endtask

localparam [31:0] U = 32'd5000, R = 32'd100000;

initial begin
    `BENCH_SEED(seed);
    `BENCH_WAVES
    cases = 0;
    repeat (3) @(posedge clk);
    rst <= 0;

    // test_established_data_in_order: 1000 bytes at RCV.NXT acknowledging 1000 new bytes
    slot(U, R);
    seg_len = 11'd1000; seg_ack = U + 32'd1000;
    run("data_in_order");
    want_accept("data_in_order", 1, 1);
    want_payload("data_in_order", R, R + 32'd1000, 11'd0, 11'd1000, 0, 1);
    if (!ack_new || ack_old || ack_beyond_max || ack_is_una)
        $fatal(1, "data_in_order: ack new %b old %b beyond %b una %b", ack_new, ack_old,
               ack_beyond_max, ack_is_una);
    if (slow_start_inc !== 32'd1000 || ca_sum !== 32'd1000 || cwnd_less_acked !== 32'd13600 ||
        !cwnd_gt_acked)
        $fatal(1, "data_in_order: ss %0d ca %0d cwnd-acked %0d", slow_start_inc, ca_sum,
               cwnd_less_acked);
    if (!ack_full) $fatal(1, "data_in_order: not a full ACK past recover");
    // test_established_ack_more_than_mss: 2920 acknowledged: slow start grows by one MSS
    seg_ack = U + 32'd2920;
    run("ack_two_mss");
    if (slow_start_inc !== 32'd1460) $fatal(1, "ack_two_mss: ss %0d", slow_start_inc);

    // test_established_beyond_window: starting at the window's right edge: unacceptable
    slot(U, R);
    seg_seq = R + 32'd8192; seg_len = 11'd100;
    run("beyond_window");
    want_accept("beyond_window", 0, 0);
    // test_established_last_byte_in_window: one byte before the edge, 100 long: acceptable
    seg_seq = R + 32'd8191;
    run("last_byte_in_window");
    want_accept("last_byte_in_window", 1, 1);

    // test_established_old_duplicate: entirely before RCV.NXT: unacceptable, nothing new
    slot(U, R);
    seg_seq = R - 32'd2000; seg_len = 11'd1000;
    run("old_duplicate");
    want_accept("old_duplicate", 0, 0);
    // test_established_overlap: starts 500 before RCV.NXT: the last 500 bytes are new
    seg_seq = R - 32'd500;
    run("overlap");
    want_accept("overlap", 1, 1);
    want_payload("overlap", R, R + 32'd500, 11'd500, 11'd1000, 0, 1);

    // test_zero_window_ack_at_rcv_nxt: a pure ACK at RCV.NXT into a zero window: acceptable
    slot(U, R);
    rcv_adv = R;
    run("zero_window_ack");
    want_accept("zero_window_ack", 1, 1);
    // test_zero_window_data: data at RCV.NXT: unacceptable, but its ACK is taken
    seg_len = 11'd100;
    run("zero_window_data");
    want_accept("zero_window_data", 0, 1);
    // one byte past RCV.NXT: neither
    seg_seq = R + 32'd1; seg_len = 11'd0;
    run("zero_window_ack_ahead");
    want_accept("zero_window_ack_ahead", 0, 0);

    // test_ring_limit: the RX ring has room for 500: the payload stops there
    slot(U, R);
    rx_lim = R + 32'd500; seg_len = 11'd1000;
    run("ring_limit");
    want_payload("ring_limit", R, R + 32'd500, 11'd0, 11'd500, 0, 1);

    // test_ack_beyond_snd_max and test_ack_old (RFC 5961 5.2)
    slot(U, R);
    seg_ack = U + 32'd3001;
    run("ack_beyond");
    if (!ack_beyond_max || !ack_new) $fatal(1, "ack_beyond: %b %b", ack_beyond_max, ack_new);
    seg_ack = U - 32'd10;
    run("ack_old_in_max_wnd");
    if (!ack_old || ack_too_old) $fatal(1, "ack_old_in_max_wnd: old %b too old %b", ack_old, ack_too_old);
    max_wnd = 32'd9;
    run("ack_too_old");
    if (!ack_too_old) $fatal(1, "ack_too_old: not too old");

    // test_duplicate_ack: SEG.ACK = SND.UNA with the same window; NewReno's ssthresh
    slot(U, R);
    run("dup_ack");
    if (!ack_is_una || !wnd_dup || ack_new || flight !== 32'd3000 || ssthresh_loss !== 32'd2920)
        $fatal(1, "dup_ack: una %b dup %b new %b flight %0d ssthresh %0d", ack_is_una, wnd_dup,
               ack_new, flight, ssthresh_loss);
    snd_max = U + 32'd20000;
    run("dup_ack_big_flight");
    if (ssthresh_loss !== 32'd10000) $fatal(1, "dup_ack_big_flight: ssthresh %0d", ssthresh_loss);
    seg_wnd = 16'd1000;
    run("window_changed");
    if (wnd_dup) $fatal(1, "window_changed: counted as a duplicate");
    // test_zero_window_answer_not_duplicate: window 0 repeated: no duplicate; it opens
    snd_wnd = 32'd0; seg_wnd = 16'd0;
    run("zero_window_repeat");
    if (wnd_dup || wnd_opens) $fatal(1, "zero_window_repeat: dup %b opens %b", wnd_dup, wnd_opens);
    seg_wnd = 16'd512;
    run("zero_window_opens");
    if (!wnd_opens) $fatal(1, "zero_window_opens: not open");

    // test_window_scale: 1000 << 7; MAX.SND.WND grows
    slot(U, R);
    seg_wnd = 16'd1000; snd_ws = 4'd7;
    run("window_scale");
    if (seg_wnd_scaled !== 32'd128000 || !max_wnd_grows)
        $fatal(1, "window_scale: %0d grows %b", seg_wnd_scaled, max_wnd_grows);

    // test_snd_wl_rule (RFC 9293 3.10.7.4): WL1 < SEG.SEQ, or equal and WL2 =< SEG.ACK
    slot(U, R);
    run("wl1_before");
    if (!wnd_update_ok) $fatal(1, "wl1_before: no update");
    wl1 = R; wl2 = U + 32'd1;
    run("wl2_after_ack");
    if (wnd_update_ok) $fatal(1, "wl2_after_ack: update");
    wl2 = U;
    run("wl2_at_ack");
    if (!wnd_update_ok) $fatal(1, "wl2_at_ack: no update");
    wl1 = R + 32'd1;
    run("wl1_after");
    if (wnd_update_ok) $fatal(1, "wl1_after: update");

    // test_rtt_sample: the timed segment acknowledged, 777 us after it was sent
    slot(U, R);
    rtt_seq = U + 32'd500; seg_ack = U + 32'd1000;
    run("rtt_sample");
    if (!rtt_covered || rtt !== 32'd777) $fatal(1, "rtt_sample: %b %0d", rtt_covered, rtt);
    rtt_seq = U + 32'd1000;
    run("rtt_not_covered");
    if (rtt_covered) $fatal(1, "rtt_not_covered: covered");

    // test_fin_acked: SEG.ACK one past TX_END (the FIN)
    slot(U, R);
    tx_end = U + 32'd2999; seg_ack = U + 32'd3000;
    run("fin_acked");
    if (!ack_covers_fin) $fatal(1, "fin_acked: not covered");

    // test_ack_step: an ACK 2048 (2^EV_STEP_LOG2) past the last event's SND.UNA, not one
    // less far
    slot(U, R);
    snd_una = U + 32'd1000; seg_ack = U + 32'd2047;
    run("ack_step_short");
    if (ack_step) $fatal(1, "ack_step_short: a step");
    seg_ack = U + 32'd2048;
    run("ack_step");
    if (!ack_step) $fatal(1, "ack_step: no step");

    // test_newreno_partial_ack: below recover: not a full ACK
    slot(U, R);
    recover = U + 32'd3000; seg_ack = U + 32'd1460;
    run("partial_ack");
    if (ack_full) $fatal(1, "partial_ack: full");
    seg_ack = U + 32'd3000;
    run("full_ack");
    if (!ack_full) $fatal(1, "full_ack: not full");

    // test_out_of_order_before_held: 1000 bytes just before the held range [R+2000, R+3000)
    slot(U, R);
    ooo_start = R + 32'd2000; ooo_end = R + 32'd3000;
    seg_seq = R + 32'd1000; seg_len = 11'd1000;
    run("ooo_before_held");
    want_payload("ooo_before_held", R + 32'd1000, R + 32'd2000, 11'd0, 11'd1000, 0, 0);
    if (!touches_held || !fills_hole || !stop_before_held_end || !start_before_held_start ||
        held_end_before_stop)
        $fatal(1, "ooo_before_held: touches %b fills %b %b %b %b", touches_held, fills_hole,
               stop_before_held_end, start_before_held_start, held_end_before_stop);
    // a second hole: far after the held range
    seg_seq = R + 32'd5000;
    run("ooo_second_hole");
    if (touches_held) $fatal(1, "ooo_second_hole: touches");
    // the hole filled and beyond: in order, past the held end
    seg_seq = R; seg_len = 11'd1400;
    ooo_start = R + 32'd1000; ooo_end = R + 32'd1200;
    run("ooo_fill_past");
    if (!in_order || !fills_hole || stop_before_held_end || !held_end_before_stop)
        $fatal(1, "ooo_fill_past: %b %b %b %b", in_order, fills_hole, stop_before_held_end,
               held_end_before_stop);

    // test_urgent_pointer: SEG.UP 10 beyond RCV.NXT advances RCV.UP; not below one ahead
    slot(U, R);
    seg_up = 16'd10;
    run("urgent_advances");
    if (seg_up_at !== R + 32'd10 || !up_advances) $fatal(1, "urgent_advances: %h %b", seg_up_at, up_advances);
    rcv_up_ahead = 1; rcv_up = R + 32'd20;
    run("urgent_behind");
    if (up_advances) $fatal(1, "urgent_behind: advances");
    snd_up = U - 32'd1; seg_ack = U + 32'd1;
    run("snd_up_behind");
    if (!snd_up_behind) $fatal(1, "snd_up_behind: no");

    // test_sequence_wrap: RCV.NXT and SND.UNA just below 2^32, segment across the wrap
    slot(32'hfffffc00, 32'hffffff00);
    seg_len = 11'd1000; seg_ack = 32'h00000100;
    run("sequence_wrap");
    want_accept("sequence_wrap", 1, 1);
    want_payload("sequence_wrap", 32'hffffff00, 32'hffffff00 + 32'd1000, 11'd0, 11'd1000, 0, 1);
    if (!ack_new || slow_start_inc !== 32'd1280 || ack_beyond_max)
        $fatal(1, "sequence_wrap: new %b ss %0d beyond %b", ack_new, slow_start_inc, ack_beyond_max);

    $display("tcp_rx_decide: %0d cases", cases);
    $display("PASS");
    $finish;
end

initial begin
    #(1000000);
    $fatal(1, "global timeout");
end

endmodule

`default_nettype wire
