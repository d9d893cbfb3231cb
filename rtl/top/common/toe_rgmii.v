// SPDX-License-Identifier: MIT
// RGMII <-> GMII adapter for ECP5: IDDRX1F/ODDRX1F in the I/O cells, per-board delay choice.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_rgmii (1000 Mb/s only)
 *
 * Transmit: each TXD pin and TX_CTL come from an ODDRX1F on gmii_tx_clk: rising edge
 * txd[3:0] and tx_en, falling edge txd[7:4] and tx_en ^ tx_er. TXC is an ODDRX1F
 * (1, 0) clocked by
 *   TX_CLK_SHIFT = 0: gmii_tx_clk, so TXC is edge-aligned with the data and the PHY must add
 *                     the 2 ns skew (RGMII-ID PHYs with TX delay on: Versa, Colorlight);
 *   TX_CLK_SHIFT = 1: gmii_tx_clk90 (the PLL's 90-degree output, 2 ns at 125 MHz), so the
 *                     FPGA adds the skew (PHY TX delay must then be off).
 * Receive: RXC is the GMII RX clock (it must enter on a PCLK pin). Each RXD pin and RX_CTL go
 * through a DELAYG of RX_DELAY_TAPS taps (about 25 ps each; 0 = no DELAYG, the PHY adds
 * the RX skew) into an IDDRX1F: Q0 is the rising-edge nibble, Q1 the falling one.
 *   rx_dv = ctl rising, rx_er = ctl rising ^ ctl falling; outputs are registered once more.
 * Between frames (RX_CTL low on both edges) an RGMII PHY may send in-band status on RXD:
 * bit 0 link, bits 2:1 speed (2 = 1000 Mb/s), bit 3 full duplex; it is captured on
 * inband_* (not every PHY sends it; treat it as a hint).
 * Doubling the skew (PHY and FPGA both adding it) breaks the link: see docs/BOARDS.md.
 */
module toe_rgmii #(
    parameter RX_DELAY_TAPS = 0,  // DELAYG taps on RXD/RX_CTL (0..127, ~25 ps each), 0 = none
    parameter TX_CLK_SHIFT  = 0   // 1: TXC from gmii_tx_clk90 (FPGA adds the TX skew)
) (
    // GMII transmit side (gmii_tx_clk domain)
    input  wire       gmii_tx_clk,
    input  wire       gmii_tx_clk90,   // used only when TX_CLK_SHIFT = 1
    input  wire [7:0] gmii_txd,
    input  wire       gmii_tx_en,
    input  wire       gmii_tx_er,
    // RGMII transmit pins
    output wire       rgmii_txc,
    output wire [3:0] rgmii_txd,
    output wire       rgmii_tx_ctl,
    // RGMII receive pins
    input  wire       rgmii_rxc,
    input  wire [3:0] rgmii_rxd,
    input  wire       rgmii_rx_ctl,
    // GMII receive side (gmii_rx_clk domain)
    output wire       gmii_rx_clk,
    output reg  [7:0] gmii_rxd = 8'd0,
    output reg        gmii_rx_dv = 1'b0,
    output reg        gmii_rx_er = 1'b0,
    output reg        inband_link = 1'b0,
    output reg  [1:0] inband_speed = 2'd0,
    output reg        inband_duplex = 1'b0
);

// ---- transmit ----
genvar i;
generate
    for (i = 0; i < 4; i = i + 1) begin : g_txd
        ODDRX1F oddr_txd (
            .SCLK(gmii_tx_clk), .RST(1'b0),
            .D0(gmii_txd[i]), .D1(gmii_txd[i + 4]), .Q(rgmii_txd[i])
        );
    end
endgenerate

ODDRX1F oddr_tx_ctl (
    .SCLK(gmii_tx_clk), .RST(1'b0),
    .D0(gmii_tx_en), .D1(gmii_tx_en ^ gmii_tx_er), .Q(rgmii_tx_ctl)
);

ODDRX1F oddr_txc (
    .SCLK(TX_CLK_SHIFT ? gmii_tx_clk90 : gmii_tx_clk), .RST(1'b0),
    .D0(1'b1), .D1(1'b0), .Q(rgmii_txc)
);

// ---- receive ----
assign gmii_rx_clk = rgmii_rxc;

wire [4:0] rx_pin = {rgmii_rx_ctl, rgmii_rxd};
wire [4:0] rx_del;
wire [4:0] rx_rise, rx_fall;

generate
    for (i = 0; i < 5; i = i + 1) begin : g_rx
        if (RX_DELAY_TAPS > 0) begin : g_delay
            DELAYG #(
                .DEL_MODE("SCLK_ALIGNED"),
                .DEL_VALUE(RX_DELAY_TAPS)
            ) delay (
                .A(rx_pin[i]), .Z(rx_del[i])
            );
        end else begin : g_direct
            assign rx_del[i] = rx_pin[i];
        end
        IDDRX1F iddr (
            .SCLK(rgmii_rxc), .RST(1'b0),
            .D(rx_del[i]), .Q0(rx_rise[i]), .Q1(rx_fall[i])
        );
    end
endgenerate

always @(posedge rgmii_rxc) begin
    gmii_rxd   <= {rx_fall[3:0], rx_rise[3:0]};
    gmii_rx_dv <= rx_rise[4];
    gmii_rx_er <= rx_rise[4] ^ rx_fall[4];
    if (!rx_rise[4] && !rx_fall[4]) begin
        inband_link   <= rx_rise[0];
        inband_speed  <= rx_rise[2:1];
        inband_duplex <= rx_rise[3];
    end
end

endmodule

`default_nettype wire
