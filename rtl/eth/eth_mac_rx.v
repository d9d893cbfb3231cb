// SPDX-License-Identifier: MIT
// Ethernet receive MAC: GMII (8-bit) to an 8-bit frame stream with FCS check and status.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_mac_rx
 *
 * Runs in the gmii_rx_clk domain. The GMII inputs are registered first. A burst is a
 * run of cycles with rx_dv high. In a burst the MAC accepts any number (also zero) of
 * 0x55 preamble bytes followed by the SFD 0xD5; the bytes after the SFD are the frame.
 * Preamble, SFD and the last 4 bytes (FCS) are stripped: frame bytes pass through a
 * 4-byte delay line, plus one hold byte so that the last data byte can carry tlast
 * when rx_dv falls. The CRC runs over all bytes after the SFD; the FCS is right when
 * the register ends at the residue 0xDEBB20E3.
 *
 * Every burst yields exactly one frame with exactly one tlast beat, whose tuser[1:0]
 * is the frame status (0 on other beats):
 *   2 framing: fewer than 64 bytes after the SFD (FCS included), or the first
 *     non-0x55 byte of the burst is not 0xD5, or the burst ends inside the preamble;
 *   3 too long: more than 1518 bytes after the SFD; only the first 1514 data bytes
 *     are forwarded (the 1514th carries tlast when the burst ends);
 *   1 bad: wrong FCS, RX_ER seen with rx_dv in the burst, or bytes lost to
 *     backpressure (below);
 *   0 good.
 * When several apply: 2 over 3 over 1. A burst with no data byte (no SFD, preamble
 * only, or at most 4 bytes after the SFD) yields one zero byte with tlast, status 2.
 *
 * Backpressure: GMII cannot be stalled and the output emits at most one byte per
 * cycle, so m_tready is expected to be high. If it is low when a byte must be
 * emitted, the MAC does not corrupt silently: it drops the rest of that frame (the
 * bytes already out stay out), marks the frame bad (status 1 unless 2 or 3 applies)
 * and still ends it with a tlast beat. Terminators that cannot be emitted at once are
 * owed and sent as soon as the output accepts them (the first one carries the frame's
 * last kept byte and its exact status; further bursts that end while terminators are
 * owed are delivered as a single zero byte with status 1, and all of their bytes are
 * dropped). So each burst is delivered exactly once, in order, as long as fewer than
 * 65535 terminators are owed at a time.
 */
module eth_mac_rx (
    input  wire       clk,          // gmii_rx_clk
    input  wire       rst,
    // GMII receive
    input  wire [7:0] gmii_rxd,
    input  wire       gmii_rx_dv,
    input  wire       gmii_rx_er,
    // frame stream out (no FCS), status on the tlast beat
    output wire [7:0] m_tdata,
    output wire       m_tvalid,
    input  wire       m_tready,
    output wire       m_tlast,
    output wire [1:0] m_tuser
);

localparam [1:0] ST_IDLE = 2'd0;   // between bursts
localparam [1:0] ST_PRE  = 2'd1;   // in a burst, only 0x55 seen so far
localparam [1:0] ST_DATA = 2'd2;   // after the SFD
localparam [1:0] ST_ERR  = 2'd3;   // bad preamble: wait for the end of the burst

localparam [7:0]  PRE_BYTE    = 8'h55;
localparam [7:0]  SFD_BYTE    = 8'hD5;
localparam [31:0] CRC_INIT    = 32'hFFFFFFFF;
localparam [31:0] CRC_RESIDUE = 32'hDEBB20E3;
localparam [10:0] MIN_LEN     = 11'd64;     // bytes after SFD incl. FCS
localparam [10:0] MAX_LEN     = 11'd1518;   // bytes after SFD incl. FCS
localparam [10:0] FCS_LEN     = 11'd4;
localparam [10:0] CNT_MAX     = 11'h7FF;    // byte counter saturates here
localparam [15:0] OWED_MAX    = 16'hFFFF;

localparam [1:0] STAT_OK      = 2'd0;
localparam [1:0] STAT_BAD     = 2'd1;
localparam [1:0] STAT_FRAMING = 2'd2;
localparam [1:0] STAT_LONG    = 2'd3;

// input registers
reg  [7:0]  rxd_r;
reg         dv_r;
reg         er_r;

reg  [1:0]  state;
reg  [31:0] crc;
reg  [31:0] dly;          // FCS delay line, dly[31:24] oldest
reg  [10:0] cnt;          // bytes after SFD in this burst (saturating)
reg         cnt_window;   // FCS_LEN <= cnt < MAX_LEN, kept beside cnt so `fwd` needs no compare
reg         er_seen;      // RX_ER seen in this burst
reg         ovf;          // bytes of this frame dropped (backpressure)
reg  [7:0]  hold;         // newest data byte not yet emitted
reg         hold_valid;

reg  [15:0] owed;         // terminators not yet emitted
reg  [1:0]  owed_status;  // status of the oldest owed terminator
reg         owed_hold;    // the oldest owed terminator carries `hold`

reg         crc_ok;       // crc (one cycle ago) equals the residue
reg         fin;          // emit or owe the terminator of the burst that just ended
reg         fin_hold;     // ... which carries `hold` (else a zero byte)
reg         fin_framing;  // ... status flags
reg         fin_long;
reg         fin_bad;

reg  [7:0]  o_data;
reg         o_valid;
reg         o_last;
reg  [1:0]  o_user;

assign m_tdata  = o_data;
assign m_tvalid = o_valid;
assign m_tlast  = o_last;
assign m_tuser  = o_user;

wire out_free = !o_valid || m_tready;

wire [31:0] crc_next;
eth_crc32_8 crc_step (
    .crc_in  (crc),
    .data    (rxd_r),
    .crc_out (crc_next)
);

// end of burst, first cycle: the burst's status flags are registered (fin_*) and
// the CRC match (crc_ok) is registered from the final CRC; second cycle (fin): the
// terminator is emitted or owed.
wire burst_end = (state != ST_IDLE) && !dv_r;
wire [1:0] fin_status = fin_framing ? STAT_FRAMING :
                        fin_long    ? STAT_LONG :
                        (fin_bad || !crc_ok) ? STAT_BAD : STAT_OK;
wire fin_emit  = fin && owed == 16'd0 && out_free;
wire owed_pop  = (owed != 16'd0) && out_free;
wire owed_push = fin && !fin_emit && (owed != OWED_MAX);

// a data byte leaves the delay line this cycle and is within the first 1514
wire fwd = (state == ST_DATA) && dv_r && cnt_window;

always @(posedge clk) begin
    rxd_r  <= gmii_rxd;
    crc_ok <= (crc == CRC_RESIDUE);
    if (rst) begin
        dv_r        <= 1'b0;
        er_r        <= 1'b0;
        state       <= ST_IDLE;
        cnt         <= 11'd0;
        cnt_window  <= 1'b0;
        er_seen     <= 1'b0;
        ovf         <= 1'b0;
        hold_valid  <= 1'b0;
        owed        <= 16'd0;
        owed_hold   <= 1'b0;
        fin         <= 1'b0;
        o_valid     <= 1'b0;
    end else begin
        dv_r <= gmii_rx_dv;
        er_r <= gmii_rx_er;

        if (m_tready)
            o_valid <= 1'b0;

        // owed terminator (oldest first)
        if (owed_pop) begin
            o_valid     <= 1'b1;
            o_data      <= owed_hold ? hold : 8'd0;
            o_last      <= 1'b1;
            o_user      <= owed_status;
            owed_status <= STAT_BAD;
            owed_hold   <= 1'b0;
        end
        if (owed_push && !owed_pop)
            owed <= owed + 16'd1;
        else if (owed_pop && !owed_push)
            owed <= owed - 16'd1;

        if (fin_emit) begin
            o_valid <= 1'b1;
            o_data  <= fin_hold ? hold : 8'd0;
            o_last  <= 1'b1;
            o_user  <= fin_status;
        end else if (fin && owed == 16'd0) begin
            owed_status <= fin_status;
            owed_hold   <= fin_hold;
        end

        fin <= burst_end;
        if (burst_end) begin
            // end of burst: terminate the frame next cycle
            state       <= ST_IDLE;
            hold_valid  <= 1'b0;
            fin_hold    <= hold_valid;
            fin_framing <= (state != ST_DATA) || (cnt < MIN_LEN);
            fin_long    <= (cnt > MAX_LEN);
            fin_bad     <= er_seen || ovf;
        end else begin
            case (state)
            ST_IDLE: begin
                if (dv_r) begin
                    er_seen <= er_r;
                    ovf     <= 1'b0;
                    cnt     <= 11'd0;
                    cnt_window <= 1'b0;
                    crc     <= CRC_INIT;
                    if (rxd_r == SFD_BYTE)
                        state <= ST_DATA;
                    else if (rxd_r == PRE_BYTE)
                        state <= ST_PRE;
                    else
                        state <= ST_ERR;
                end
            end
            ST_PRE: begin
                er_seen <= er_seen || er_r;
                if (rxd_r == SFD_BYTE)
                    state <= ST_DATA;
                else if (rxd_r != PRE_BYTE)
                    state <= ST_ERR;
            end
            ST_DATA: begin
                er_seen <= er_seen || er_r;
                crc     <= crc_next;
                dly     <= {dly[23:0], rxd_r};
                if (cnt != CNT_MAX)
                    cnt <= cnt + 11'd1;
                if (cnt == FCS_LEN - 11'd1)
                    cnt_window <= 1'b1;
                else if (cnt == MAX_LEN - 11'd1)
                    cnt_window <= 1'b0;
                if (fwd && !ovf) begin
                    if (owed != 16'd0 || (hold_valid && !out_free)) begin
                        ovf <= 1'b1;             // output stalled: drop the rest
                    end else begin
                        if (hold_valid) begin
                            o_valid <= 1'b1;
                            o_data  <= hold;
                            o_last  <= 1'b0;
                            o_user  <= STAT_OK;
                        end
                        hold       <= dly[31:24];
                        hold_valid <= 1'b1;
                    end
                end
            end
            default: ;                           // ST_ERR: wait for the end
            endcase
        end
    end
end

endmodule

`resetall
