// SPDX-License-Identifier: MIT
// TCP fast path: what one slot may send now (a pure function of the slot's snapshot, pipelined).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The transmit decision of toe_tcp for one slot: given the slot's fields (the controller's
 * snapshot, held from start until result_valid), the segment to send, if any:
 *
 *   - a RST <SEQ=rst_seq> when one is due (a bad ACK in SYN_RCVD); the rest waits
 *   - a retransmission of the first unacknowledged segment (fast retransmit, partial ACK)
 *   - a zero-window probe: the first unacknowledged byte
 *   - else new data from SND.NXT: min(unsent, MSS, usable window - flight) bytes, held back
 *     while data is in flight if it is short of an MSS and the window cut it (sender SWS
 *     avoidance) or Nagle is on and it does not carry the FIN (nothing can join it); a FIN
 *     when everything queued is out; a pure ACK when one is wanted (ack_now, or the delayed
 *     ACK's time has come)
 *
 * and the window to advertise: the right edge moves only by min(ring/2, MSS) or more
 * (receiver SWS avoidance) and not while out-of-order data is held; the field is the edge
 * scaled by rcv_ws (rounded down, at most 65535), new_edge the edge it stands for.
 *
 * Timing: one 32-bit carry chain per stage. start loads stage 1; decide_valid is high in the
 * cycle after stage 3 (decide_send and delack_due valid then, combinational from stage 3);
 * result_valid is high three cycles later with every output. The unit holds no slot state:
 * the controller writes the slot (the flags it consumed, SND.NXT, RCV.ADV, ...).
 *
 * Sequence numbers compare modulo 2^32 (RFC 9293 section 3.4).
 */
module tcp_tx_decide #(
    parameter BUF_LOG2 = 13    // bytes per ring, 2^N
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        start,
    input  wire [31:0] now,

    // the slot's snapshot
    input  wire [31:0] snd_una,
    input  wire [31:0] snd_nxt,
    input  wire [31:0] snd_max,
    input  wire [31:0] snd_wnd,
    input  wire [31:0] snd_up,
    input  wire [31:0] tx_end,      // the end of the data queued in the TX ring
    input  wire [31:0] cwnd,
    input  wire [15:0] mss,
    input  wire [31:0] rcv_nxt,
    input  wire [31:0] rcv_adv,     // right edge of the window last advertised
    input  wire [31:0] rx_lim,      // the RX ring's room ends here (RX_CONSUMED + ring size)
    input  wire [3:0]  rcv_ws,
    input  wire [31:0] ack_due,     // the delayed ACK's time
    input  wire [31:0] rst_seq,
    input  wire        ack_now,
    input  wire        ack_delayed,
    input  wire        ooo_held,    // out-of-order data held
    input  wire        fin_rcvd,
    input  wire        fin_queued,
    input  wire        rst_due,
    input  wire        rexmit_due,  // fast retransmit / partial ACK: resend the first segment
    input  wire        probe_due,
    input  wire        nagle,

    output wire        decide_valid,
    output wire        decide_send,   // a segment goes out (else nothing is due)
    output wire        delack_due,    // the delayed ACK's time has come

    output reg         result_valid,
    output reg  [31:0] seq,
    output wire [10:0] len,
    output reg         fin,
    output reg         psh,
    output reg         urg,
    output reg  [15:0] urp,
    output reg         rst_seg,       // the segment is a RST (no ACK, no window)
    output reg         rexmit,        // sent before (counts as a retransmission)
    output reg  [15:0] wnd_field,     // the window field (scaled)
    output reg  [31:0] new_edge,      // the right edge the window field stands for
    output reg  [31:0] seq_end,       // seq + len + fin
    output reg         beyond_max     // seq_end is beyond SND.MAX
);

localparam [31:0] RING_SIZE = 32'd1 << BUF_LOG2;

`include "tcp/tcp_seq.vh"

wire [31:0] m = {16'd0, mss};
wire [31:0] sws_step32 = umin(RING_SIZE >> 1, m);   // receiver SWS: min(ring/2, MSS)
wire [15:0] sws_step = sws_step32[15:0];
wire [15:0] unused_step = sws_step32[31:16];

reg [5:1] stage_valid;
// stage 4's decision, combinational from stage 3 (always block below)
reg [31:0] d_seq, d_len;
reg        d_fin, d_psh, d_rexmit, d_send;

// stage 1: the spans
reg [31:0] in_flight, unsent, usable_wnd, rexmit_end, adv_edge, room_edge;
reg        nxt_not_past_end, nxt_before_max, due, fin_sent, max_before_end;
// stage 2
reg [31:0] wnd_room, unsent_mss, rexmit_span, edge_step;
reg        rexmit_none, edge_can_move, ack_wanted, unsent_lt_mss, mss_lt_unsent;
// stage 3
reg [31:0] fit_len, rexmit_len, right_edge;
reg        short_seg, wnd_cut, rexmit_full;
// stage 4: the segment
reg [31:0] seg_len, wnd_raw;
// stage 5
reg [31:0] wnd_scaled, up_dist;

always @(posedge clk) begin
    stage_valid  <= {stage_valid[4:1], start};
    result_valid <= stage_valid[5];

    if (start) begin
        in_flight        <= snd_nxt - snd_una;
        unsent           <= lt(snd_nxt, tx_end) ? tx_end - snd_nxt : 32'd0;
        nxt_not_past_end <= !lt(tx_end, snd_nxt);
        nxt_before_max   <= lt(snd_nxt, snd_max);
        usable_wnd       <= umin(cwnd, snd_wnd);
        due              <= ack_delayed && !lt(now, ack_due);
        rexmit_end       <= lt(snd_max, tx_end) ? snd_max : tx_end;
        adv_edge         <= lt(rcv_adv, rcv_nxt) ? rcv_nxt : rcv_adv;
        room_edge        <= rx_lim + {31'd0, fin_rcvd};
        fin_sent         <= lt(tx_end, snd_max);
        max_before_end   <= lt(snd_max, tx_end);
    end

    if (stage_valid[1]) begin
        wnd_room      <= usable_wnd > in_flight ? usable_wnd - in_flight : 32'd0;
        unsent_mss    <= umin(unsent, m);
        rexmit_span   <= rexmit_end - snd_una;
        rexmit_none   <= lt(rexmit_end, snd_una);
        edge_step     <= room_edge - adv_edge;
        edge_can_move <= lt(adv_edge, room_edge);
        ack_wanted    <= ack_now || due;
        unsent_lt_mss <= unsent < m;
        mss_lt_unsent <= m < unsent;
    end

    if (stage_valid[2]) begin
        fit_len     <= umin(unsent_mss, wnd_room);
        // len = min(unsent, MSS, room): is it short of an MSS, and did the window cut it?
        short_seg   <= unsent_lt_mss || wnd_room < m;
        wnd_cut     <= mss_lt_unsent || wnd_room < unsent;
        rexmit_len  <= rexmit_none ? 32'd0 : umin(m, rexmit_span);
        rexmit_full <= !rexmit_none && !(m < rexmit_span);   // the retransmission reaches the limit
        // receiver SWS avoidance: move the right edge only by min(ring/2, MSS) or more; and
        // not while out-of-order data is held, so every duplicate ACK carries the same window
        // (a window update does not count as a duplicate: RFC 5681 section 2)
        right_edge <= (edge_can_move && !ooo_held &&
                 (edge_step[31:16] != 16'd0 || edge_step[15:0] >= sws_step)) ? room_edge : adv_edge;
    end

    if (stage_valid[3]) begin
        seq     <= d_seq;
        seg_len <= d_len;
        fin     <= d_fin;
        psh     <= d_psh && d_len != 32'd0;
        rexmit  <= d_rexmit && (d_len != 32'd0 || d_fin);
        rst_seg <= rst_due;
        wnd_raw <= right_edge - rcv_nxt;
    end

    if (stage_valid[4]) begin : s5
        reg [31:0] w;
        w = wnd_raw >> rcv_ws;
        wnd_scaled <= w > 32'd65535 ? 32'd65535 : w;
        seq_end    <= seq + seg_len + {31'd0, fin};
        // urgent data (RFC 6093): a segment that starts before SND.UP points at it
        urg        <= lt(seq, snd_up) && !rst_seg;
        up_dist    <= snd_up - seq;
    end

    if (stage_valid[5]) begin
        new_edge   <= rcv_nxt + (wnd_scaled << rcv_ws);
        beyond_max <= lt(snd_max, seq_end);
        urp        <= up_dist[31:16] != 16'd0 ? 16'hffff : up_dist[15:0];
        wnd_field  <= wnd_scaled[15:0];
    end

    if (rst) begin
        stage_valid  <= 5'd0;
        result_valid <= 1'b0;
    end
end

// stage 4's decision
always @* begin
    d_fin = 1'b0;
    if (rst_due) begin
        // the answer to a bad ACK in SYN_RCVD: <SEQ=SEG.ACK><CTL=RST>; the rest waits
        d_seq    = rst_seq;
        d_len    = 32'd0;
        d_psh    = 1'b0;
        d_rexmit = 1'b0;
        d_send   = 1'b1;
    end else if (rexmit_due) begin
        // fast retransmit / partial ACK: the first unacknowledged segment
        d_seq    = snd_una;
        d_len    = rexmit_len;
        d_fin    = fin_queued && rexmit_full && fin_sent;
        d_psh    = rexmit_full && !max_before_end;
        d_rexmit = 1'b1;
        d_send   = 1'b1;
    end else if (probe_due && snd_wnd == 32'd0) begin
        // the first unacknowledged byte, so that repeated probes repeat it rather than
        // run ahead into a window the peer has not offered
        d_seq    = snd_una;
        d_len    = tx_end == snd_una ? 32'd0 : 32'd1;
        d_psh    = unsent == 32'd1 && snd_nxt == snd_una;
        d_rexmit = 1'b1;
        d_send   = 1'b1;
    end else begin
        d_seq = snd_nxt;
        d_len = fit_len;
        // sender SWS avoidance and Nagle: while data is in flight, a short segment waits
        // if the window cut it, or Nagle is on and it is not the last before the FIN (as
        // Linux and BSD: waiting would only hold the close for the peer's delayed ACK)
        if (short_seg && in_flight != 32'd0 && (wnd_cut || (nagle && !fin_queued)))
            d_len = 32'd0;
        d_fin    = fin_queued && nxt_not_past_end && !wnd_cut && !(d_len == 32'd0 && unsent != 32'd0);
        d_psh    = !wnd_cut;
        d_rexmit = nxt_before_max;
        d_send   = d_len != 32'd0 || d_fin || ack_wanted;
        // a pure ACK into a zero window: from SND.UNA, the one sequence number such a window
        // takes (RFC 9293 3.10.7.4); SND.NXT may be past it by a probe's byte, and a peer
        // drops an unacceptable segment unread, acknowledgment and all
        if (snd_wnd == 32'd0 && d_len == 32'd0 && !d_fin)
            d_seq = snd_una;
    end
end

assign decide_valid = stage_valid[3];
assign decide_send  = d_send;
assign delack_due   = due;
assign len          = seg_len[10:0];    // at most an MSS (1460)
wire   unused_len   = |seg_len[31:11];

endmodule

`default_nettype wire
