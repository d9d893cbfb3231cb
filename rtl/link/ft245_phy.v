// SPDX-License-Identifier: MIT
// FT232H 245 synchronous FIFO PHY: host link byte streams between the core clock and the FTDI's 60 MHz.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * ft245_phy
 *
 * The FTDI side runs on the FT232H's CLKOUT (ft_clk, 60 MHz, reset ft_rst); the core
 * side on clk. Two axis_async_fifo (8-bit, plain mode) cross between them: host->device
 * bytes come out on m_*, device->host bytes go in on s_*.
 *
 * Every FIFO pin is registered: RXF#, TXE# and D[7:0] are sampled into flops at each
 * ft_clk edge, and RD#, WR#, OE#, D[7:0] out and the data output enable come straight
 * from flops (the board top builds the tristate from ft_data_o / ft_data_oe). A byte
 * moves at an edge where RD# and RXF# are both low (read) or WR# and TXE# are both low
 * (write), so what happened at edge e is known one cycle later, from the sampled
 * RXF#/TXE# and the RD#/WR# the PHY drove before e:
 *  - read: the byte sampled at edge e is taken only if RD# was low and RXF# was low
 *    before e. RD# is driven low only while the last sampled RXF# is low and the
 *    host->device FIFO has room for every byte that can still be in flight (s_free
 *    >= 3: the byte being written, the one at the next edge and the one decided now),
 *    so a transferred byte always has a place.
 *  - write: up to four bytes wait in a window register file (ft245 skid): confirmed
 *    bytes leave it, the outcome of each attempt arrives one cycle after its edge and
 *    the next attempt is already on the pins by then. An attempt made while TXE# was
 *    high failed: the PHY rewinds to the failed byte, voids the attempt already on the
 *    pins, makes no attempt while the sampled TXE# is high and resumes with the failed
 *    byte, so bytes go out in order, each exactly once. This relies on TXE#, once high,
 *    staying high for at least two ft_clk cycles, so that the voided attempt fails too
 *    (the FT232H holds it high until it has sent a USB packet, microseconds);
 *    simulation reports a violation. A TXE# low period costs two idle edges at its
 *    start (the sampled TXE# lags).
 *
 * Bus direction: modes IDLE (nobody drives, OE# high), WR (the PHY drives D, WR# per
 * byte), OE (OE# low, RD# high: the FTDI drives D) and RD (OE# low, RD# per byte).
 * Every change of direction passes through IDLE, which is the turnaround cycle:
 * read->write leaves one dead edge, write->read two (IDLE, then OE# one cycle before
 * RD#). Fairness: when both directions have work, a mode lasts at most BURST ft_clk
 * cycles, then the other direction gets the bus; a direction with no work (RXF# high or
 * no room; nothing to send or TXE# high) hands over at once. With one direction idle
 * the other moves one byte per ft_clk cycle (60 MB/s) for as long as the FTDI allows;
 * with both busy each gets about BURST / (2 * BURST + 3) of the cycles.
 *
 * ft_siwu_n is held high (no send-immediate; the FTDI latency timer flushes).
 *
 * Resets: rst (clk domain) and ft_rst (ft_clk domain, synchronised by the board top)
 * must be asserted together, as axis_async_fifo requires.
 */
module ft245_phy #(
    parameter FIFO_ADDR_WIDTH = 11,  // each crossing FIFO holds 2^FIFO_ADDR_WIDTH bytes (>= 3)
    parameter BURST           = 64   // ft_clk cycles a direction may keep the bus when both want it (>= 4)
) (
    input  wire       clk,
    input  wire       rst,
    // device->host bytes (core clock)
    input  wire [7:0] s_tdata,
    input  wire       s_tvalid,
    output wire       s_tready,
    // host->device bytes (core clock)
    output wire [7:0] m_tdata,
    output wire       m_tvalid,
    input  wire       m_tready,
    // FT232H 245 synchronous FIFO (ft_clk domain)
    input  wire       ft_clk,       // 60 MHz CLKOUT
    input  wire       ft_rst,       // reset, synchronous to ft_clk
    input  wire [7:0] ft_data_i,
    output wire [7:0] ft_data_o,
    output wire       ft_data_oe,   // 1: drive ft_data_o onto D[7:0]
    input  wire       ft_rxf_n,     // low: the FTDI has host data
    input  wire       ft_txe_n,     // low: the FTDI has room
    output wire       ft_rd_n,
    output wire       ft_wr_n,
    output wire       ft_oe_n,
    output wire       ft_siwu_n
);

localparam BW = $clog2(BURST + 1);           // burst counter width
localparam [BW-1:0] BURST_LAST = BURST - 1;
localparam [FIFO_ADDR_WIDTH:0] RX_ROOM_MIN = 3;

// Illegal parameters stop elaboration.
generate if (FIFO_ADDR_WIDTH < 3 || BURST < 4) begin : g_check
    ft245_phy_needs_FIFO_ADDR_WIDTH_3_and_BURST_4 check();
end endgenerate

localparam [1:0] ST_IDLE = 2'd0,   // bus released, OE# high (also the turnaround cycle)
                 ST_WR   = 2'd1,   // PHY drives D, WR# low per byte
                 ST_OE   = 2'd2,   // OE# low one cycle before RD#
                 ST_RD   = 2'd3;   // OE# low, RD# low while reading

// ---------------------------------------------------------------- pin registers
reg [7:0] din_q;        // D sampled at each edge
reg       rxf_q;        // RXF# sampled at each edge
reg       txe_q;        // TXE# sampled at each edge
reg [7:0] dout_r;
reg       doe_r;
reg       rd_n_r;
reg       wr_n_r;
reg       oe_n_r;
reg       rd_at;        // RD# was low at the last edge (a read attempt)

assign ft_data_o  = dout_r;
assign ft_data_oe = doe_r;
assign ft_rd_n    = rd_n_r;
assign ft_wr_n    = wr_n_r;
assign ft_oe_n    = oe_n_r;
assign ft_siwu_n  = 1'b1;

always @(posedge ft_clk)
    din_q <= ft_data_i;

// ---------------------------------------------------------------- host->device FIFO
wire                     take = rd_at && !rxf_q;   // a byte moved at the last edge
wire                     rx_s_tready;
wire [FIFO_ADDR_WIDTH:0] rx_free;
wire                     rx_last_unused;

axis_async_fifo #(
    .DATA_WIDTH   (8),
    .ADDR_WIDTH   (FIFO_ADDR_WIDTH),
    .FRAME_COMMIT (0)
) u_rx_fifo (
    .s_clk    (ft_clk),
    .s_rst    (ft_rst),
    .s_tdata  (din_q),
    .s_tvalid (take),
    .s_tready (rx_s_tready),
    .s_tlast  (1'b0),
    .s_patch  (1'b0),
    .s_free   (rx_free),
    .m_clk    (clk),
    .m_rst    (rst),
    .m_tdata  (m_tdata),
    .m_tvalid (m_tvalid),
    .m_tready (m_tready),
    .m_tlast  (rx_last_unused)
);

// ---------------------------------------------------------------- device->host FIFO
wire [7:0]               tx_f_data;
wire                     tx_f_valid;
wire                     tx_f_ready;
wire [FIFO_ADDR_WIDTH:0] tx_free_unused;
wire                     tx_f_last_unused;

axis_async_fifo #(
    .DATA_WIDTH   (8),
    .ADDR_WIDTH   (FIFO_ADDR_WIDTH),
    .FRAME_COMMIT (0)
) u_tx_fifo (
    .s_clk    (clk),
    .s_rst    (rst),
    .s_tdata  (s_tdata),
    .s_tvalid (s_tvalid),
    .s_tready (s_tready),
    .s_tlast  (1'b0),
    .s_patch  (1'b0),
    .s_free   (tx_free_unused),
    .m_clk    (ft_clk),
    .m_rst    (ft_rst),
    .m_tdata  (tx_f_data),
    .m_tvalid (tx_f_valid),
    .m_tready (tx_f_ready),
    .m_tlast  (tx_f_last_unused)
);

// ---------------------------------------------------------------- write window
reg  [7:0] wbuf [0:3];
reg  [2:0] w_fill;      // next slot to fill
reg  [2:0] w_send;      // next byte to attempt
reg  [2:0] w_conf;      // oldest byte not yet confirmed written
reg        res_live;    // an attempt was made at the last edge and counts
reg        res_dead;    // an attempt was made at the last edge after a rewind (ignored)

wire [2:0] w_occ     = w_fill - w_conf;   // bytes held (0..4)
wire       wr_ok     = res_live && !txe_q;
wire       wr_fail   = res_live && txe_q;
wire [2:0] send_base = wr_fail ? w_conf : w_send;
wire       has_data  = (send_base != w_fill);

assign tx_f_ready = (w_occ != 3'd4);

always @(posedge ft_clk) begin
    if (tx_f_valid && tx_f_ready)
        wbuf[w_fill[1:0]] <= tx_f_data;
end

// ---------------------------------------------------------------- direction control
reg [1:0]    state;
reg [1:0]    state_nxt;
reg [BW-1:0] cnt;       // cycles in the current mode (saturates at BURST - 1)
reg          last_rd;   // the last mode with the bus was a read

wire rx_room  = (rx_free >= RX_ROOM_MIN);
wire want_rd  = !rxf_q && rx_room;
wire want_wr  = (has_data || tx_f_valid) && !txe_q;
wire cnt_done = (cnt == BURST_LAST);

always @* begin
    state_nxt = state;
    case (state)
    ST_IDLE: begin
        if (want_wr && (!want_rd || last_rd))
            state_nxt = ST_WR;
        else if (want_rd)
            state_nxt = ST_OE;
    end
    ST_WR: begin
        if (want_rd && (cnt_done || !want_wr))
            state_nxt = ST_IDLE;
    end
    ST_OE: begin
        state_nxt = ST_RD;
    end
    default: begin                       // ST_RD
        if (want_wr && (cnt_done || !want_rd))
            state_nxt = ST_IDLE;
    end
    endcase
end

// write attempt at the next edge but one: only while the last sampled TXE# is low, so after a
// failure nothing is attempted until TXE# is seen low again and the first attempt then is the
// failed byte (the attempt voided by the failure had its edge while TXE# was still high)
wire issue = (state_nxt == ST_WR) && has_data && !txe_q;
wire rd_go = (state_nxt == ST_RD) && want_rd;           // read attempt likewise

always @(posedge ft_clk) begin
    if (issue)
        dout_r <= wbuf[send_base[1:0]];
end

always @(posedge ft_clk) begin
    if (ft_rst) begin
        rxf_q    <= 1'b1;
        txe_q    <= 1'b1;
        doe_r    <= 1'b0;
        rd_n_r   <= 1'b1;
        wr_n_r   <= 1'b1;
        oe_n_r   <= 1'b1;
        rd_at    <= 1'b0;
        w_fill   <= 3'd0;
        w_send   <= 3'd0;
        w_conf   <= 3'd0;
        res_live <= 1'b0;
        res_dead <= 1'b0;
        state    <= ST_IDLE;
        cnt      <= {BW{1'b0}};
        last_rd  <= 1'b0;
    end else begin
        rxf_q  <= ft_rxf_n;
        txe_q  <= ft_txe_n;
        rd_at  <= !rd_n_r;
        doe_r  <= (state_nxt == ST_WR);
        oe_n_r <= !(state_nxt == ST_OE || state_nxt == ST_RD);
        rd_n_r <= !rd_go;
        wr_n_r <= !issue;

        if (tx_f_valid && tx_f_ready)
            w_fill <= w_fill + 3'd1;
        w_send   <= send_base + {2'b00, issue};
        if (wr_ok)
            w_conf <= w_conf + 3'd1;
        // the attempt on the pins now has its edge next; a failure now voids it
        res_live <= !wr_n_r && !wr_fail;
        res_dead <= !wr_n_r && wr_fail;

        state <= state_nxt;
        if (state_nxt != state)
            cnt <= {BW{1'b0}};
        else if (!cnt_done)
            cnt <= cnt + {{(BW-1){1'b0}}, 1'b1};
        if (state_nxt == ST_WR)
            last_rd <= 1'b0;
        else if (state_nxt == ST_OE)
            last_rd <= 1'b1;
    end
end

`ifndef SYNTHESIS
always @(posedge ft_clk) begin
    if (!ft_rst && take && !rx_s_tready)
        $display("%m: ERROR host->device byte with no room (time %0t)", $time);
    if (!ft_rst && res_dead && !txe_q)
        $display("%m: ERROR TXE# high for a single cycle: a byte was written out of order (time %0t)",
                 $time);
end
`endif

endmodule

`default_nettype wire
