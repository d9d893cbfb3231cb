// SPDX-License-Identifier: MIT
// Self-checking bench for axis_async_fifo: both modes, several clock ratios, random handshakes.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"

/*
 * fifo_harness: one FIFO with its own two clocks, a random writer and a random
 * reader, and a scoreboard (order, no loss, no duplication, tlast positions).
 * Checks on every run:
 *  - the output holds a beat while m_tready is low (valid/ready rule);
 *  - s_free never exceeds the real free space (conservative);
 *  - FRAME_COMMIT: a word is seen by the reader only after the tlast of its frame
 *    was accepted on the write side, and m_tvalid never drops inside a frame;
 *  - SUSTAIN: with a faster writer and both sides always ready, the reader gets a
 *    word every cycle once the FIFO has filled;
 *  - GIANT: frames larger than the FIFO are dropped whole and do not block it;
 *  - PATCH (FC only): before the last word of about half the frames longer than
 *    PATCH_WORD + 1 words (giants too), a patch beat (s_patch) whose data must replace
 *    word PATCH_WORD of that frame and which adds no word.
 */
module fifo_harness #(
    parameter ID         = 0,    // harness number (seed offset, messages)
    parameter FC         = 0,    // FRAME_COMMIT of the FIFO
    parameter AW         = 4,    // ADDR_WIDTH of the FIFO
    parameter real S_HALF = 4.0, // write clock half period, ns
    parameter real M_HALF = 4.0, // read clock half period, ns
    parameter S_PCT      = 100,  // writer offers a word this often (%)
    parameter M_PCT      = 100,  // reader is ready this often (%)
    parameter NFR        = 200,  // frames to send
    parameter MAXLEN     = 16,   // longest frame, words
    parameter CHECK_FREE = 0,    // writer waits for s_free >= frame length first
    parameter GIANT      = 0,    // send some frames larger than the FIFO (FC only)
    parameter SUSTAIN    = 0,    // check one word per read cycle (see above)
    parameter PATCH      = 0     // send patch beats (see above)
) (
    output reg done
);

localparam DW = 16;
localparam DEPTH = 1 << AW;
localparam QS = 1 << 16;

`BENCH_CLOCK(s_clk, S_HALF);
`BENCH_CLOCK(m_clk, M_HALF);

reg           s_rst = 1'b1;
reg           m_rst = 1'b1;
reg  [DW-1:0] s_tdata = {DW{1'b0}};
reg           s_tvalid = 1'b0;
wire          s_tready;
reg           s_tlast = 1'b0;
reg           s_patch = 1'b0;
wire [AW:0]   s_free;
localparam    PATCH_WORD = 2;
wire [DW-1:0] m_tdata;
wire          m_tvalid;
reg           m_tready = 1'b0;
wire          m_tlast;

axis_async_fifo #(
    .DATA_WIDTH   (DW),
    .ADDR_WIDTH   (AW),
    .FRAME_COMMIT (FC),
    .PATCH_WORD   (PATCH_WORD)
) dut (
    .s_clk    (s_clk),
    .s_rst    (s_rst),
    .s_tdata  (s_tdata),
    .s_tvalid (s_tvalid),
    .s_tready (s_tready),
    .s_tlast  (s_tlast),
    .s_patch  (s_patch),
    .s_free   (s_free),
    .m_clk    (m_clk),
    .m_rst    (m_rst),
    .m_tdata  (m_tdata),
    .m_tvalid (m_tvalid),
    .m_tready (m_tready),
    .m_tlast  (m_tlast)
);

integer sseed, mseed;
reg [DW:0] exp_q [0:QS-1];        // {tlast, data} of words that must come out
integer    exp_frame [0:QS-1];    // frame number (among delivered frames) of each word
integer    q_wr = 0;
integer    q_rd = 0;

// write side state
integer frames_started = 0;
integer frames_kept = 0;           // non-giant frames started
integer frames_committed = 0;      // non-giant frames whose tlast was accepted
integer giants = 0;
integer fr_left = 0;
integer next_len = 0;
reg     fr_giant = 1'b0;
reg     pend_giant_last = 1'b0;
integer wr_words = 0;
reg     w_done = 1'b0;
integer fr_len = 0;                // the frame being written: its length, its first word's
integer fr_q0 = 0;                 // scoreboard index, its patch beat sent
reg     fr_patched = 1'b0;
integer patches = 0;

initial begin
    `BENCH_SEED(sseed);
    sseed = sseed * 101 + ID * 7919;
    mseed = sseed + 17;
    done = 1'b0;
    repeat (8) @(posedge s_clk);
    repeat (8) @(posedge m_clk);
    // release both resets together-ish (each synchronous to its clock)
    @(posedge s_clk) s_rst <= 1'b0;
    @(posedge m_clk) m_rst <= 1'b0;
end

always @(posedge s_clk) begin : writer
    integer len, r, free_now;
    reg hs;
    if (!s_rst) begin
        // s_free must never exceed the real free space
        if (s_free > DEPTH - ((dut.wr_ptr - dut.rd_ptr) & ((2 * DEPTH) - 1)))
            $fatal(1, "harness %0d: s_free %0d above real free space", ID, s_free);
        hs = s_tvalid && s_tready;
        if (hs && s_patch) begin
            patches = patches + 1;
        end else if (hs) begin
            wr_words = wr_words + 1;
            if (s_tlast) begin
                if (pend_giant_last) pend_giant_last = 1'b0;
                else frames_committed = frames_committed + 1;
            end
        end
        if (!s_tvalid || hs) begin
            // start a frame?
            if (fr_left == 0 && frames_started < NFR && ({$random(sseed)} % 100) < S_PCT) begin
                // pick the next frame's length once, keep it until it is started
                if (next_len == 0) begin
                    if (GIANT && ({$random(sseed)} % 8) == 0) begin
                        next_len = DEPTH + 1 + ({$random(sseed)} % 8);
                        fr_giant = 1'b1;
                    end else begin
                        next_len = 1 + ({$random(sseed)} % MAXLEN);
                        fr_giant = 1'b0;
                    end
                end
                len = next_len;
                // s_free does not yet include a word written at this edge
                free_now = s_free;
                if (hs) free_now = free_now - 1;
                if (!CHECK_FREE || free_now >= len) begin
                    fr_left = len;
                    fr_len = len;
                    fr_q0 = q_wr;
                    fr_patched = 1'b0;
                    next_len = 0;
                    frames_started = frames_started + 1;
                    if (fr_giant) giants = giants + 1;
                    else frames_kept = frames_kept + 1;
                end
            end
            s_patch <= 1'b0;
            if (PATCH && fr_left == 1 && fr_len > PATCH_WORD + 1 && !fr_patched &&
                ({$random(sseed)} % 2) == 0) begin
                r = $random(sseed);
                s_tdata  <= r[DW-1:0];
                s_tlast  <= 1'b0;
                s_patch  <= 1'b1;
                s_tvalid <= 1'b1;
                fr_patched = 1'b1;
                if (!fr_giant) exp_q[(fr_q0 + PATCH_WORD) % QS] = {1'b0, r[DW-1:0]};
            end else if (fr_left > 0 && ({$random(sseed)} % 100) < S_PCT) begin
                r = $random(sseed);
                s_tdata  <= r[DW-1:0];
                s_tlast  <= (fr_left == 1);
                s_tvalid <= 1'b1;
                if (fr_giant) begin
                    if (fr_left == 1) pend_giant_last = 1'b1;
                end else begin
                    if (q_wr - q_rd >= QS) $fatal(1, "harness %0d: scoreboard overflow", ID);
                    exp_q[q_wr % QS] = {fr_left == 1, r[DW-1:0]};
                    exp_frame[q_wr % QS] = frames_kept - 1;
                    q_wr = q_wr + 1;
                end
                fr_left = fr_left - 1;
            end else begin
                s_tvalid <= 1'b0;
                s_tlast  <= 1'b0;
            end
        end
        if (frames_started == NFR && fr_left == 0 && !s_tvalid) w_done = 1'b1;
    end
end

// read side
integer   rd_words = 0;
integer   rd_frames = 0;
reg       mid_frame = 1'b0;
reg       prev_stall = 1'b0;
reg [DW:0] prev_beat;
integer   gaps = 0;

always @(posedge m_clk) begin : reader
    reg [DW:0] e;
    if (!m_rst) begin
        if (prev_stall && !(m_tvalid && {m_tlast, m_tdata} == prev_beat))
            $fatal(1, "harness %0d: stalled beat not held", ID);
        prev_stall <= m_tvalid && !m_tready;
        prev_beat  <= {m_tlast, m_tdata};
        if (FC && mid_frame && !m_tvalid)
            $fatal(1, "harness %0d: m_tvalid dropped inside a frame", ID);
        if (SUSTAIN && !m_tvalid && rd_words >= 4 * DEPTH && !w_done)
            gaps = gaps + 1;
        if (m_tvalid && m_tready) begin
            if (q_rd >= q_wr) $fatal(1, "harness %0d: word out of nowhere %04x", ID, m_tdata);
            e = exp_q[q_rd % QS];
            if ({m_tlast, m_tdata} != e)
                $fatal(1, "harness %0d: word %0d = %b/%04x, expected %b/%04x", ID, q_rd,
                       m_tlast, m_tdata, e[DW], e[DW-1:0]);
            if (FC && exp_frame[q_rd % QS] >= frames_committed)
                $fatal(1, "harness %0d: word of frame %0d seen before its tlast was written",
                       ID, exp_frame[q_rd % QS]);
            q_rd = q_rd + 1;
            rd_words = rd_words + 1;
            mid_frame <= !m_tlast;
            if (m_tlast) rd_frames = rd_frames + 1;
        end
        m_tready <= ({$random(mseed)} % 100) < M_PCT;
        if (w_done && rd_frames == frames_kept && q_rd == q_wr && !done) begin
            if (SUSTAIN && gaps != 0)
                $fatal(1, "harness %0d: %0d read cycles without a word at full throughput", ID, gaps);
            $display("harness %0d: FC=%0d AW=%0d %0d frames, %0d words, %0d giants dropped, %0d patch beats", ID,
                     FC, AW, rd_frames, rd_words, giants, patches);
            if (PATCH && patches == 0) $fatal(1, "harness %0d: no patch beat sent", ID);
            done = 1'b1;
        end
    end
end

endmodule

module tb;

wire [10:0] done;

// plain mode
fifo_harness #(.ID(0), .FC(0), .AW(4), .S_HALF(4.0), .M_HALF(7.3), .S_PCT(70), .M_PCT(70),
               .NFR(300), .MAXLEN(20)) h0 (.done(done[0]));
fifo_harness #(.ID(1), .FC(0), .AW(4), .S_HALF(9.1), .M_HALF(3.0), .S_PCT(80), .M_PCT(40),
               .NFR(300), .MAXLEN(20)) h1 (.done(done[1]));
fifo_harness #(.ID(2), .FC(0), .AW(5), .S_HALF(4.0), .M_HALF(8.0), .S_PCT(100), .M_PCT(100),
               .NFR(200), .MAXLEN(40), .SUSTAIN(1)) h2 (.done(done[2]));
fifo_harness #(.ID(3), .FC(0), .AW(2), .S_HALF(5.0), .M_HALF(5.0), .S_PCT(90), .M_PCT(90),
               .NFR(300), .MAXLEN(6)) h3 (.done(done[3]));
fifo_harness #(.ID(4), .FC(0), .AW(3), .S_HALF(3.3), .M_HALF(3.7), .S_PCT(100), .M_PCT(20),
               .NFR(300), .MAXLEN(10)) h4 (.done(done[4]));
// frame commit
fifo_harness #(.ID(5), .FC(1), .AW(4), .S_HALF(4.0), .M_HALF(7.3), .S_PCT(70), .M_PCT(70),
               .NFR(300), .MAXLEN(16), .CHECK_FREE(1), .PATCH(1)) h5 (.done(done[5]));
fifo_harness #(.ID(6), .FC(1), .AW(4), .S_HALF(9.1), .M_HALF(3.0), .S_PCT(60), .M_PCT(90),
               .NFR(300), .MAXLEN(16)) h6 (.done(done[6]));
fifo_harness #(.ID(7), .FC(1), .AW(6), .S_HALF(8.0), .M_HALF(4.0), .S_PCT(95), .M_PCT(100),
               .NFR(200), .MAXLEN(64), .CHECK_FREE(1), .PATCH(1)) h7 (.done(done[7]));
fifo_harness #(.ID(8), .FC(1), .AW(3), .S_HALF(4.0), .M_HALF(5.5), .S_PCT(80), .M_PCT(60),
               .NFR(300), .MAXLEN(8), .GIANT(1), .PATCH(1)) h8 (.done(done[8]));
fifo_harness #(.ID(9), .FC(1), .AW(3), .S_HALF(6.1), .M_HALF(2.9), .S_PCT(100), .M_PCT(100),
               .NFR(300), .MAXLEN(8), .GIANT(1)) h9 (.done(done[9]));
fifo_harness #(.ID(10), .FC(1), .AW(5), .S_HALF(3.0), .M_HALF(8.2), .S_PCT(100), .M_PCT(100),
               .NFR(200), .MAXLEN(32), .CHECK_FREE(1)) h10 (.done(done[10]));

`BENCH_PASS_WHEN_DONE(done, 100000000)

endmodule

`default_nettype wire
