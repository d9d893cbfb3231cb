// SPDX-License-Identifier: MIT
// Ethernet MAC: GMII receive/transmit to 32-bit core-clock frame streams.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_mac
 *
 * Receive:  GMII -> eth_mac_rx -> eth_rx_pack -> axis_async_fifo (gmii_rx_clk -> clk,
 *           plain) -> m_rx_*.
 * Transmit: s_tx_* -> axis_async_fifo (clk -> gmii_tx_clk, frame commit)
 *           -> eth_tx_unpack -> eth_mac_tx -> GMII.
 * The core-side streams are 32-bit, network byte order, and every frame starts with
 * the two alignment pad bytes (zero on receive, ignored on transmit); see
 * docs/ARCHITECTURE.md sections 3 and 4. m_rx_tuser is the receive status on the
 * tlast beat (0 good, 1 bad FCS / RX_ER / overflow, 2 framing, 3 too long).
 *
 * In the FIFOs tkeep is stored as a 2-bit byte count (contiguous from the top) and
 * tuser beside it, so the words are 36 (receive) and 34 (transmit) bits wide plus
 * tlast: the default depths fit in 2 + 2 ECP5 block RAMs.
 *
 * Receive FIFO full: the core is expected to drain the receive FIFO faster than
 * frames arrive. If a word cannot be written, the packer holds it and stops accepting
 * bytes; eth_mac_rx then drops the rest of that frame, marks it bad (status 1, or 2/3
 * when those apply) and delivers its tlast beat as soon as there is room again, so
 * the core still sees exactly one frame, flagged bad, per GMII burst.
 *
 * Transmit: the FIFO shows a frame to the MAC only once its tlast word is written,
 * so the MAC never runs dry inside a frame. A frame must fit in the FIFO: check
 * s_tx_free (words free, conservative; a word written in the same cycle is not yet
 * subtracted) before starting one. A frame is ceil((2 + bytes) / 4) words; a
 * 1514-byte frame (no FCS) needs 379 words.
 *
 * Transmit patch beat: a beat with tkeep 0 (and tlast 0) is not a frame word; its data
 * replaces word TX_PATCH_WORD of the frame being written, which must already have been sent
 * (tcp_seg_tx sends the TCP checksum this way, after the payload it covers). It takes no
 * room in the FIFO.
 *
 * Resets: rst, gmii_rx_rst and gmii_tx_rst (each synchronous to its clock) must be
 * asserted together, as a system reset does (the FIFOs need both sides reset).
 */
module eth_mac #(
    parameter RX_FIFO_LOG2 = 9,   // receive FIFO depth, 2^N 32-bit words
    parameter TX_FIFO_LOG2 = 10,  // transmit FIFO depth, 2^N 32-bit words (must hold a 1518-byte frame)
    parameter TX_PATCH_WORD = 13  // word a patch beat overwrites: the TCP checksum (IPv4, no options)
) (
    input  wire        clk,            // core clock
    input  wire        rst,
    input  wire        gmii_rx_clk,
    input  wire        gmii_rx_rst,
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,
    input  wire        gmii_tx_clk,
    input  wire        gmii_tx_rst,
    output wire [7:0]  gmii_txd,
    output wire        gmii_tx_en,
    output wire        gmii_tx_er,
    output wire [31:0] m_rx_tdata,     // core clock domain from here on
    output wire [3:0]  m_rx_tkeep,
    output wire        m_rx_tvalid,
    input  wire        m_rx_tready,
    output wire        m_rx_tlast,
    output wire [1:0]  m_rx_tuser,
    input  wire [31:0] s_tx_tdata,
    input  wire [3:0]  s_tx_tkeep,
    input  wire        s_tx_tvalid,
    output wire        s_tx_tready,
    input  wire        s_tx_tlast,
    output wire [TX_FIFO_LOG2:0] s_tx_free  // TX FIFO words free (conservative)
);

// tkeep (contiguous from the top) <-> byte count - 1
function [1:0] keep_to_code;
    input [3:0] keep;
    begin
        case (keep)
        4'b1000: keep_to_code = 2'd0;
        4'b1100: keep_to_code = 2'd1;
        4'b1110: keep_to_code = 2'd2;
        default: keep_to_code = 2'd3;
        endcase
    end
endfunction

function [3:0] code_to_keep;
    input [1:0] code;
    begin
        case (code)
        2'd0:    code_to_keep = 4'b1000;
        2'd1:    code_to_keep = 4'b1100;
        2'd2:    code_to_keep = 4'b1110;
        default: code_to_keep = 4'b1111;
        endcase
    end
endfunction

// ---------------------------------------------------------------- receive
wire [7:0]  rx8_tdata;
wire        rx8_tvalid;
wire        rx8_tready;
wire        rx8_tlast;
wire [1:0]  rx8_tuser;

eth_mac_rx mac_rx (
    .clk        (gmii_rx_clk),
    .rst        (gmii_rx_rst),
    .gmii_rxd   (gmii_rxd),
    .gmii_rx_dv (gmii_rx_dv),
    .gmii_rx_er (gmii_rx_er),
    .m_tdata    (rx8_tdata),
    .m_tvalid   (rx8_tvalid),
    .m_tready   (rx8_tready),
    .m_tlast    (rx8_tlast),
    .m_tuser    (rx8_tuser)
);

wire [31:0] rx32_tdata;
wire [3:0]  rx32_tkeep;
wire        rx32_tvalid;
wire        rx32_tready;
wire        rx32_tlast;
wire [1:0]  rx32_tuser;

eth_rx_pack rx_pack (
    .clk      (gmii_rx_clk),
    .rst      (gmii_rx_rst),
    .s_tdata  (rx8_tdata),
    .s_tvalid (rx8_tvalid),
    .s_tready (rx8_tready),
    .s_tlast  (rx8_tlast),
    .s_tuser  (rx8_tuser),
    .m_tdata  (rx32_tdata),
    .m_tkeep  (rx32_tkeep),
    .m_tvalid (rx32_tvalid),
    .m_tready (rx32_tready),
    .m_tlast  (rx32_tlast),
    .m_tuser  (rx32_tuser)
);

// A register slice keeps the RX FIFO's full flag out of the packer's and the MAC's logic.
wire [35:0] rxr_tdata;
wire        rxr_tvalid;
wire        rxr_tready;
wire        rxr_tlast;

axis_register #(.DATA_WIDTH(36)) rx_slice (
    .clk      (gmii_rx_clk),
    .rst      (gmii_rx_rst),
    .s_tdata  ({rx32_tuser, keep_to_code(rx32_tkeep), rx32_tdata}),
    .s_tvalid (rx32_tvalid),
    .s_tready (rx32_tready),
    .s_tlast  (rx32_tlast),
    .m_tdata  (rxr_tdata),
    .m_tvalid (rxr_tvalid),
    .m_tready (rxr_tready),
    .m_tlast  (rxr_tlast)
);

wire [35:0]         rx_fifo_out;
wire [RX_FIFO_LOG2:0] rx_fifo_free_unused;   // the receive side never waits for room

axis_async_fifo #(
    .DATA_WIDTH   (36),
    .ADDR_WIDTH   (RX_FIFO_LOG2),
    .FRAME_COMMIT (0)
) rx_fifo (
    .s_clk    (gmii_rx_clk),
    .s_rst    (gmii_rx_rst),
    .s_tdata  (rxr_tdata),
    .s_tvalid (rxr_tvalid),
    .s_tready (rxr_tready),
    .s_tlast  (rxr_tlast),
    .s_patch  (1'b0),
    .s_free   (rx_fifo_free_unused),
    .m_clk    (clk),
    .m_rst    (rst),
    .m_tdata  (rx_fifo_out),
    .m_tvalid (m_rx_tvalid),
    .m_tready (m_rx_tready),
    .m_tlast  (m_rx_tlast)
);

assign m_rx_tdata = rx_fifo_out[31:0];
assign m_rx_tkeep = code_to_keep(rx_fifo_out[33:32]);
assign m_rx_tuser = rx_fifo_out[35:34];

// ---------------------------------------------------------------- transmit
// Frames wait whole in a block-RAM FIFO in the core domain (frame commit: the MAC never sees
// half a frame), then cross to the GMII TX clock through a 16-word FIFO in distributed RAM.
// A block RAM's clock-to-output (5.8 ns on a -6 part) leaves too little of a 125 MHz cycle,
// so no block RAM is read on the 125 MHz side. The core side refills the small FIFO at up to
// one word per core clock and the MAC drains one word per 4 GMII clocks, so a frame that has
// started never runs dry while the core clock is above 31.25 MHz.
wire [33:0] txc_tdata;
wire        txc_tvalid;
wire        txc_tready;
wire        txc_tlast;
wire [33:0] tx_fifo_out;
wire        tx32_tvalid;
wire        tx32_tready;
wire        tx32_tlast;
wire [4:0]  tx_cross_free_unused;   // the frame FIFO checks room for whole frames

axis_async_fifo #(
    .DATA_WIDTH   (34),
    .ADDR_WIDTH   (TX_FIFO_LOG2),
    .FRAME_COMMIT (1),
    .PATCH_WORD   (TX_PATCH_WORD)
) tx_fifo (
    .s_clk    (clk),
    .s_rst    (rst),
    .s_tdata  ({keep_to_code(s_tx_tkeep), s_tx_tdata}),
    .s_tvalid (s_tx_tvalid),
    .s_tready (s_tx_tready),
    .s_tlast  (s_tx_tlast),
    .s_patch  (s_tx_tkeep == 4'b0000),
    .s_free   (s_tx_free),
    .m_clk    (clk),
    .m_rst    (rst),
    .m_tdata  (txc_tdata),
    .m_tvalid (txc_tvalid),
    .m_tready (txc_tready),
    .m_tlast  (txc_tlast)
);

axis_async_fifo #(
    .DATA_WIDTH   (34),
    .ADDR_WIDTH   (4),
    .FRAME_COMMIT (0)
) tx_cross (
    .s_clk    (clk),
    .s_rst    (rst),
    .s_tdata  (txc_tdata),
    .s_tvalid (txc_tvalid),
    .s_tready (txc_tready),
    .s_tlast  (txc_tlast),
    .s_patch  (1'b0),
    .s_free   (tx_cross_free_unused),
    .m_clk    (gmii_tx_clk),
    .m_rst    (gmii_tx_rst),
    .m_tdata  (tx_fifo_out),
    .m_tvalid (tx32_tvalid),
    .m_tready (tx32_tready),
    .m_tlast  (tx32_tlast)
);

wire [7:0] tx8_tdata;
wire       tx8_tvalid;
wire       tx8_tready;
wire       tx8_tlast;

eth_tx_unpack tx_unpack (
    .clk      (gmii_tx_clk),
    .rst      (gmii_tx_rst),
    .s_tdata  (tx_fifo_out[31:0]),
    .s_tkeep  (code_to_keep(tx_fifo_out[33:32])),
    .s_tvalid (tx32_tvalid),
    .s_tready (tx32_tready),
    .s_tlast  (tx32_tlast),
    .m_tdata  (tx8_tdata),
    .m_tvalid (tx8_tvalid),
    .m_tready (tx8_tready),
    .m_tlast  (tx8_tlast)
);

// A register slice keeps the MAC's byte-by-byte ready out of the unpacker's and the FIFO's
// logic; it still moves a byte every cycle, which the MAC needs inside a frame.
wire [7:0] txr_tdata;
wire       txr_tvalid;
wire       txr_tready;
wire       txr_tlast;

axis_register #(.DATA_WIDTH(8)) tx_slice (
    .clk      (gmii_tx_clk),
    .rst      (gmii_tx_rst),
    .s_tdata  (tx8_tdata),
    .s_tvalid (tx8_tvalid),
    .s_tready (tx8_tready),
    .s_tlast  (tx8_tlast),
    .m_tdata  (txr_tdata),
    .m_tvalid (txr_tvalid),
    .m_tready (txr_tready),
    .m_tlast  (txr_tlast)
);

eth_mac_tx mac_tx (
    .clk        (gmii_tx_clk),
    .rst        (gmii_tx_rst),
    .s_tdata    (txr_tdata),
    .s_tvalid   (txr_tvalid),
    .s_tready   (txr_tready),
    .s_tlast    (txr_tlast),
    .gmii_txd   (gmii_txd),
    .gmii_tx_en (gmii_tx_en),
    .gmii_tx_er (gmii_tx_er)
);

endmodule

`resetall
