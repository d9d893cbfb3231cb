// SPDX-License-Identifier: MIT
// TCP fast path: a received segment against its slot (acceptance and the ACK's arithmetic).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The receive decision's arithmetic of toe_tcp for one segment, a pure function of the segment
 * and the slot's snapshot (held from start until the controller has used the results):
 *
 *   stage 1  the receive window and the segment's offsets in it, where the ACK falls (old,
 *            new, beyond SND.MAX), the RTT sample, the peer's scaled window, the SND.WL1/WL2
 *            rule, the part of the payload inside [RCV.NXT, the RX ring's end)
 *   accept   (combinational from stage 1, accept_valid high) the acceptance test of RFC 9293
 *            3.10.7.4, and whether the ACK is to be processed (also at RCV.NXT into a zero
 *            window)
 *   stage 2  what ACK processing needs (slow start and congestion avoidance increments,
 *            NewReno's ssthresh, a duplicate ACK's window test, RFC 5961's MAX.SND.WND
 *            test), the urgent pointer's advance, and the payload's place against the
 *            out-of-order range held
 *
 * The controller decides and writes the slot (toe_tcp S_RX_ACK .. S_RX_END3). One 32-bit
 * carry chain per stage. Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4).
 */
module tcp_rx_decide #(
    parameter EV_STEP_LOG2 = 11     // SND.UNA's advance that is news for the host: 2^N bytes
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire [31:0] now,

    // the segment
    input  wire [31:0] seg_seq,
    input  wire [31:0] seg_ack,
    input  wire [15:0] seg_wnd,
    input  wire [15:0] seg_up,
    input  wire [10:0] seg_len,
    input  wire        seg_fin,
    input  wire [31:0] seg_end,     // seg_seq + seg_len
    input  wire [31:0] seg_last,    // the last sequence number it occupies (a FIN counts)

    // the slot's snapshot
    input  wire [31:0] snd_una,
    input  wire [31:0] snd_max,
    input  wire [31:0] snd_wnd,
    input  wire [31:0] snd_up,
    input  wire [31:0] max_wnd,     // MAX.SND.WND (RFC 5961 5.2)
    input  wire [3:0]  snd_ws,
    input  wire [31:0] wl1,
    input  wire [31:0] wl2,
    input  wire [31:0] tx_end,
    input  wire [31:0] ev_una,      // SND.UNA in the slot's last event
    input  wire [31:0] cwnd,
    input  wire [31:0] ca_acc,      // bytes acknowledged in congestion avoidance
    input  wire [31:0] recover,
    input  wire [15:0] mss,
    input  wire [31:0] rtt_seq,
    input  wire [31:0] rtt_t0,
    input  wire [31:0] rcv_nxt,
    input  wire [31:0] rcv_adv,
    input  wire [31:0] rx_lim,      // the RX ring's room ends here
    input  wire [31:0] rcv_up,
    input  wire        rcv_up_ahead,   // RCV.UP is ahead of RCV.NXT
    input  wire [31:0] ooo_start,   // the out-of-order range held
    input  wire [31:0] ooo_end,

    // stage 1
    output wire        accept_valid,
    output wire        acceptable,     // RFC 9293 3.10.7.4, first check
    output wire        ack_ok,         // the ACK is processed (acceptable, or at RCV.NXT)
    output reg         ack_beyond_max, // SND.MAX < SEG.ACK
    output reg         ack_new,        // SND.UNA < SEG.ACK
    output reg         ack_old,        // SEG.ACK < SND.UNA
    output reg         ack_is_una,     // SEG.ACK = SND.UNA
    output reg         ack_covers_fin, // SEG.ACK = TX_END + 1
    output reg         ack_step,       // SEG.ACK is 2^EV_STEP_LOG2 or more past the last event's
    output reg         ack_full,       // SEG.ACK >= recover (NewReno: a full ACK)
    output reg         snd_up_behind,  // SND.UP < SEG.ACK
    output reg         rtt_covered,    // the timed segment is acknowledged
    output reg  [31:0] rtt,            // now - its send time
    output reg  [31:0] flight,         // SND.MAX - SND.UNA
    output reg  [31:0] seg_wnd_scaled, // SEG.WND << snd_ws
    output reg         wnd_update_ok,  // the SND.WL1/WL2 rule allows a window update
    output reg  [31:0] seg_up_at,      // SEG.SEQ + SEG.UP
    output reg  [31:0] data_start,     // max(SEG.SEQ, RCV.NXT)
    output reg  [31:0] data_stop,      // min(SEG.SEQ + SEG.LEN, the ring's end)

    // stage 2
    output reg  [31:0] slow_start_inc, // min(acked, MSS)
    output reg  [31:0] ca_sum,         // ca_acc + acked
    output reg  [31:0] cwnd_less_acked,
    output reg         cwnd_gt_acked,
    output reg  [31:0] ssthresh_loss,  // max(flight / 2, 2 MSS)
    output reg         wnd_dup,        // the same, non-zero window (a duplicate ACK's test)
    output reg         max_wnd_grows,  // MAX.SND.WND < the scaled window
    output reg         wnd_opens,      // a zero window opens
    output reg         ack_too_old,    // SEG.ACK < SND.UNA - MAX.SND.WND
    output reg         up_advances,    // the urgent pointer moves RCV.UP ahead
    output reg         nothing_new,    // no payload byte inside the window
    output reg         in_order,       // the payload starts at RCV.NXT
    output reg         touches_held,   // it overlaps or abuts the range held
    output reg         fills_hole,     // it reaches the range held
    output reg         stop_before_held_end,
    output reg         start_before_held_start,
    output reg         held_end_before_stop,
    output reg  [10:0] payload_lo,     // payload bytes [payload_lo, payload_hi) go to the ring
    output reg  [10:0] payload_hi,
    output reg  [10:0] payload_hi_m1   // payload_hi - 1
);

`include "tcp/tcp_seq.vh"

wire [31:0] m = {16'd0, mss};

reg        stage1_valid;
reg [31:0] rcv_wnd, seq_off, last_off, acked, old_by;

always @(posedge clk) begin
    stage1_valid <= start;

    if (start) begin
        rcv_wnd        <= lt(rcv_adv, rcv_nxt) ? 32'd0 : rcv_adv - rcv_nxt;
        seq_off        <= seg_seq - rcv_nxt;
        last_off       <= seg_last - rcv_nxt;
        ack_beyond_max <= lt(snd_max, seg_ack);
        ack_new        <= lt(snd_una, seg_ack);
        ack_old        <= lt(seg_ack, snd_una);
        old_by         <= snd_una - seg_ack;
        snd_up_behind  <= lt(snd_up, seg_ack);
        seg_up_at      <= seg_seq + {16'd0, seg_up};
        ack_is_una     <= seg_ack == snd_una;
        acked          <= seg_ack - snd_una;
        flight         <= snd_max - snd_una;
        rtt_covered    <= lt(rtt_seq, seg_ack);
        rtt            <= now - rtt_t0;
        ack_covers_fin <= seg_ack - tx_end == 32'd1;
        ack_step       <= (seg_ack - ev_una) >> EV_STEP_LOG2 != 32'd0;
        ack_full       <= !lt(seg_ack, recover);
        seg_wnd_scaled <= {16'd0, seg_wnd} << snd_ws;
        wnd_update_ok  <= lt(wl1, seg_seq) || (wl1 == seg_seq && !lt(seg_ack, wl2));
        data_start     <= lt(seg_seq, rcv_nxt) ? rcv_nxt : seg_seq;
        data_stop      <= lt(seg_end, rx_lim) ? seg_end : rx_lim;
    end

    if (stage1_valid) begin
        slow_start_inc  <= umin(acked, m);
        ca_sum          <= ca_acc + acked;
        cwnd_less_acked <= cwnd - acked;
        cwnd_gt_acked   <= cwnd > acked;
        ssthresh_loss   <= (flight >> 1) > {m[30:0], 1'b0} ? flight >> 1 : {m[30:0], 1'b0};
        // RFC 5681 section 2 (e): the same window; and not a zero one, for the answers to
        // zero-window probes repeat SND.UNA with window 0 and are no sign of a loss
        wnd_dup         <= seg_wnd_scaled == snd_wnd && snd_wnd != 32'd0;
        max_wnd_grows   <= max_wnd < seg_wnd_scaled;
        wnd_opens       <= snd_wnd == 32'd0 && seg_wnd_scaled != 32'd0;
        // RFC 5961 5.2: SEG.ACK below SND.UNA - MAX.SND.WND is unacceptable
        ack_too_old     <= ack_old && old_by > max_wnd;
        // a new urgent pointer is beyond RCV.NXT (else the urgent data is in already) and
        // beyond RCV.UP while that is ahead of RCV.NXT (compared only then: never stale)
        up_advances     <= lt(rcv_nxt, seg_up_at) && (!rcv_up_ahead || lt(rcv_up, seg_up_at));
        nothing_new     <= !lt(data_start, data_stop);
        in_order        <= data_start == rcv_nxt;
        touches_held    <= !lt(ooo_end, data_start) && !lt(data_stop, ooo_start);
        fills_hole      <= !lt(data_stop, ooo_start);
        stop_before_held_end    <= lt(data_stop, ooo_end);
        start_before_held_start <= lt(data_start, ooo_start);
        held_end_before_stop    <= lt(ooo_end, data_stop);
        payload_lo      <= data_start[10:0] - seg_seq[10:0];
        payload_hi      <= data_stop[10:0] - seg_seq[10:0];
        payload_hi_m1   <= data_stop[10:0] + ~seg_seq[10:0];
    end

    if (rst)
        stage1_valid <= 1'b0;
end

// the acceptance test (RFC 9293 3.10.7.4): a segment without text or FIN must start in the
// window (at RCV.NXT when it is zero); one with text or FIN must have a byte in it
reg accept;
always @* begin
    if (seg_len == 11'd0 && !seg_fin)
        accept = rcv_wnd == 32'd0 ? seq_off == 32'd0 : seq_off < rcv_wnd;
    else
        accept = rcv_wnd != 32'd0 && (seq_off < rcv_wnd || last_off < rcv_wnd);
end

assign accept_valid = stage1_valid;
assign acceptable   = accept;
assign ack_ok       = accept || seq_off == 32'd0;   // zero window: still the ACK at RCV.NXT

endmodule

`default_nettype wire
