// SPDX-License-Identifier: MIT
// Board top for the Lattice ECP5-5G Versa (LFE5UM5G-45F-8BG381C): eth0 RGMII, UART link pins.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_versa
 *
 * Clocks: 100 MHz LVDS oscillator -> PLL (125 MHz GMII TX, 62.5 MHz core); GMII RX on the
 * PHY's RXC (L20). PHY (eth0, 88E1512 per LiteX, unverified): RGMII with the 2 ns skew added
 * by the PHY in both directions, so no FPGA-side delay (RX_DELAY_TAPS = 0, TX_CLK_SHIFT = 0);
 * MDIO left idle (input, pulled up in the LPF): the PHY runs on its strap defaults, as LiteX
 * does. PHY reset: 20 ms low after configuration, PLL loss of lock or the reset button (T1).
 *
 * Host link: uart_phy at 12 Mbaud 8N1 on the FT2232H channel B (uart_tx = FPGA output), in
 * the core clock domain; its framing and overrun errors light the error LED.
 *
 * LEDs (active low): 0 heartbeat (core clock), 1 PLL locked, 2 running (resets released),
 * 3 PHY RX clock is 125 MHz, 4 in-band status says link up at 1000 Mb/s, 5 frame received,
 * 6 frame sent, 7 receive error (an error counter moved).
 */
module toe_versa #(
    parameter        STORE_LOG2      = 11,
    parameter        TCP_SLOTS       = 8,
    parameter        TCP_BUF_LOG2    = 13,
    parameter        TRAFFIC         = 1,
    parameter [47:0] CFG_MAC         = 48'h02_00_00_00_00_01,
    parameter [31:0] CFG_IP          = {8'd192, 8'd168, 8'd1, 8'd50},
    parameter [31:0] CFG_NETMASK     = {8'd255, 8'd255, 8'd255, 8'd0},
    parameter [31:0] CFG_GATEWAY     = {8'd192, 8'd168, 8'd1, 8'd1},
    parameter        RX_DELAY_TAPS   = 0,
    parameter        TX_CLK_SHIFT    = 0,
    parameter        PHY_RST_CYCLES  = 2000000,  // 20 ms at 100 MHz
    parameter        PHY_WAIT_CYCLES = 2000000,
    parameter        METER_WIN_LOG2  = 16,       // 0.66 ms at 100 MHz
    parameter        ACT_LOG2        = 22,
    parameter        ERR_LOG2        = 25,
    parameter        HB_LOG2         = 25
) (
    input  wire       clk100,       // 100 MHz, LVDS
    input  wire       rst_n,        // reset button, active low
    output wire [7:0] led,          // active low
    // host link: FT2232H channel B UART, 12 Mbaud
    input  wire       uart_rx,
    output wire       uart_tx,
    // eth0 RGMII PHY
    output wire       eth_rst_n,
    output wire       eth_mdc,
    inout  wire       eth_mdio,
    output wire       eth_txc,
    output wire [3:0] eth_txd,
    output wire       eth_tx_ctl,
    input  wire       eth_rxc,
    input  wire [3:0] eth_rxd,
    input  wire       eth_rx_ctl
);

wire hb, unused_blink_fast, pll_locked, running, unused_rxc_present, rxc_125, link_1g, rx_act, tx_act, error;
wire       clk_core, rst_core;
wire [7:0] link_in_tdata, link_out_tdata;   // host -> device, device -> host
wire       link_in_tvalid, link_in_tready, link_out_tvalid, link_out_tready;

toe_ecp5_shell #(
    .OSC_MHZ(100),
    .STORE_LOG2(STORE_LOG2),
    .TCP_SLOTS(TCP_SLOTS), .TCP_BUF_LOG2(TCP_BUF_LOG2), .TRAFFIC(TRAFFIC),
    .LINK_KIND(1),         // CONST_LINK_UART
    .LINK_RATE(1200000),   // UART, 12 Mbaud 8N1
    .CFG_MAC(CFG_MAC), .CFG_IP(CFG_IP), .CFG_NETMASK(CFG_NETMASK), .CFG_GATEWAY(CFG_GATEWAY),
    .RX_DELAY_TAPS(RX_DELAY_TAPS),
    .TX_CLK_SHIFT(TX_CLK_SHIFT),
    .PHY_RST_CYCLES(PHY_RST_CYCLES),
    .PHY_WAIT_CYCLES(PHY_WAIT_CYCLES),
    .METER_WIN_LOG2(METER_WIN_LOG2),
    .ACT_LOG2(ACT_LOG2),
    .ERR_LOG2(ERR_LOG2),
    .HB_LOG2(HB_LOG2)
) shell (
    .clk_osc(clk100),
    .rst_btn(!rst_n),
    .phy_rst_n(eth_rst_n),
    .rgmii_txc(eth_txc), .rgmii_txd(eth_txd), .rgmii_tx_ctl(eth_tx_ctl),
    .rgmii_rxc(eth_rxc), .rgmii_rxd(eth_rxd), .rgmii_rx_ctl(eth_rx_ctl),
    .clk_core(clk_core), .rst_core(rst_core),
    .s_link_tdata(link_in_tdata), .s_link_tvalid(link_in_tvalid), .s_link_tready(link_in_tready),
    .m_link_tdata(link_out_tdata), .m_link_tvalid(link_out_tvalid), .m_link_tready(link_out_tready),
    .st_heartbeat(hb), .st_blink_fast(unused_blink_fast), .st_pll_locked(pll_locked),
    .st_running(running), .st_rxc_present(unused_rxc_present), .st_rxc_125(rxc_125),
    .st_link_1g(link_1g), .st_rx_act(rx_act), .st_tx_act(tx_act), .st_error(error)
);

wire uart_framing_err, uart_overrun, link_error;

uart_phy #(.CLK_HZ(62500000), .BAUD(12000000)) link_phy (
    .clk(clk_core), .rst(rst_core),
    .uart_rxd(uart_rx), .uart_txd(uart_tx),
    .m_tdata(link_in_tdata), .m_tvalid(link_in_tvalid), .m_tready(link_in_tready),
    .s_tdata(link_out_tdata), .s_tvalid(link_out_tvalid), .s_tready(link_out_tready),
    .stat_rx_framing_err(uart_framing_err), .stat_rx_overrun(uart_overrun)
);

toe_stretch #(.LEN_LOG2(ERR_LOG2)) stretch_link_err (
    .clk(clk_core), .in(uart_framing_err || uart_overrun), .out(link_error)
);

assign led = ~{error || link_error, tx_act, rx_act, link_1g, rxc_125, running, pll_locked, hb};

// MDIO idle: the PHY runs on its strap defaults.
assign eth_mdc  = 1'b0;
assign eth_mdio = 1'bz;

endmodule

`default_nettype wire
