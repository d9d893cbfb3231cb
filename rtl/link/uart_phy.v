// SPDX-License-Identifier: MIT
// UART 8N1 PHY for the host link: byte streams in the core clock domain to and from two pins.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * uart_phy
 *
 * uart_rx (synchroniser, glitch filter, exact fractional mid-bit sampling, framing and
 * overrun reports) and uart_tx (exact fractional bit clock, back-to-back frames with
 * one stop bit) side by side, both in the core clock domain. Received bytes come out
 * on m_*, bytes to send go in on s_*. The link protocol's framing (docs/LINK.md) rides
 * on these byte streams unchanged.
 *
 * Receive tolerance (far side's clock offset, whole 10-bit frame, see uart_rx): at
 * 62.5 MHz: 12 Mbaud -4.3 % .. +4.2 %, 3 Mbaud -4.8 % .. +5.2 %, 115200 -5.3 % .. +5.2 %.
 * stat_rx_overrun pulses once per byte dropped because m_tready stayed low for a whole
 * frame; stat_rx_framing_err once per frame with a low stop bit (byte dropped).
 */
module uart_phy #(
    parameter CLK_HZ = 62500000,  // clk frequency, Hz (at most 1e9)
    parameter BAUD   = 12000000   // bit rate, bit/s (at most CLK_HZ / 4)
) (
    input  wire       clk,
    input  wire       rst,
    // pins
    input  wire       uart_rxd,           // asynchronous, idle high
    output wire       uart_txd,           // idle high
    // bytes to send
    input  wire [7:0] s_tdata,
    input  wire       s_tvalid,
    output wire       s_tready,
    // received bytes
    output wire [7:0] m_tdata,
    output wire       m_tvalid,
    input  wire       m_tready,
    // statistics (one-clock pulses)
    output wire       stat_rx_framing_err,
    output wire       stat_rx_overrun
);

uart_rx #(
    .CLK_HZ (CLK_HZ),
    .BAUD   (BAUD)
) u_rx (
    .clk              (clk),
    .rst              (rst),
    .rxd              (uart_rxd),
    .m_tdata          (m_tdata),
    .m_tvalid         (m_tvalid),
    .m_tready         (m_tready),
    .stat_framing_err (stat_rx_framing_err),
    .stat_overrun     (stat_rx_overrun)
);

uart_tx #(
    .CLK_HZ (CLK_HZ),
    .BAUD   (BAUD)
) u_tx (
    .clk      (clk),
    .rst      (rst),
    .s_tdata  (s_tdata),
    .s_tvalid (s_tvalid),
    .s_tready (s_tready),
    .txd      (uart_txd)
);

endmodule

`default_nettype wire
