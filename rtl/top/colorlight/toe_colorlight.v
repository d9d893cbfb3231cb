// SPDX-License-Identifier: MIT
// Board top for the Colorlight i9 v7.2 / i5 v7.0 on the extension board: eth0 RGMII, FT245 pins.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_colorlight (one top for both modules; the LPF picks the pins, the build the part:
 * i9 LFE5U-45F-6BG381C, i5 LFE5U-25F-6BG381C)
 *
 * Clocks: 25 MHz oscillator -> PLL (125 MHz GMII TX, 62.5 MHz core); GMII RX on the PHY's
 * RXC (H2). PHY (eth0, Broadcom B50612D): the PHY adds the 2 ns TX skew (TXC edge-aligned,
 * TX_CLK_SHIFT = 0) and the FPGA delays RXD/RX_CTL by 80 DELAYG taps (~2 ns,
 * RX_DELAY_TAPS = 80): the setting LiteX uses on these modules. MDIO (shared by both PHYs)
 * left idle, pulled up in the LPF; the PHYs run on their strap defaults. PHY reset (shared):
 * 20 ms low after configuration, PLL loss of lock or the button (K18).
 *
 * Host link: FT232H in FT245 synchronous FIFO mode on the PMOD connectors (pin proposal in
 * the LPF and docs/BOARDS.md), through ft245_phy on the FTDI's 60 MHz CLKOUT; its reset
 * follows the core's. The FPGA drives the data bus only while it writes.
 *
 * LED (one, active low), highest priority first:
 *   fast blink (7.5 Hz)     resets held: no PLL lock yet, or no RX clock from the PHY;
 *   slow blink (~1 Hz)      running, but the PHY RX clock is not 125 MHz (no 1000 Mb/s link);
 *   dark for ~0.5 s         a receive error counter moved;
 *   on, dark flicker        1000 Mb/s link; each frame sent or received blanks it ~34 ms.
 */
module toe_colorlight #(
    parameter        STORE_LOG2      = 11,
    parameter        TCP_SLOTS       = 8,
    parameter        TCP_BUF_LOG2    = 13,
    parameter        TRAFFIC         = 1,
    parameter [47:0] CFG_MAC         = 48'h02_00_00_00_00_01,
    parameter [31:0] CFG_IP          = {8'd192, 8'd168, 8'd1, 8'd50},
    parameter [31:0] CFG_NETMASK     = {8'd255, 8'd255, 8'd255, 8'd0},
    parameter [31:0] CFG_GATEWAY     = {8'd192, 8'd168, 8'd1, 8'd1},
    parameter        RX_DELAY_TAPS   = 80,
    parameter        TX_CLK_SHIFT    = 0,
    parameter        PHY_RST_CYCLES  = 500000,   // 20 ms at 25 MHz
    parameter        PHY_WAIT_CYCLES = 500000,
    parameter        METER_WIN_LOG2  = 14,       // 0.66 ms at 25 MHz
    parameter        ACT_LOG2        = 22,
    parameter        ERR_LOG2        = 25,
    parameter        HB_LOG2         = 25
) (
    input  wire       clk25,        // 25 MHz oscillator
    input  wire       btn_n,        // button, active low
    output wire       led_n,        // active low
    // eth0 RGMII PHY
    output wire       eth_rst_n,    // shared by both PHYs
    output wire       eth_mdc,
    inout  wire       eth_mdio,
    output wire       eth_txc,
    output wire [3:0] eth_txd,
    output wire       eth_tx_ctl,
    input  wire       eth_rxc,
    input  wire [3:0] eth_rxd,
    input  wire       eth_rx_ctl,
    // host link: FT232H in FT245 synchronous FIFO mode
    input  wire       ft_clk,       // 60 MHz CLKOUT
    input  wire       ft_rxf_n,
    input  wire       ft_txe_n,
    output wire       ft_rd_n,
    output wire       ft_wr_n,
    output wire       ft_oe_n,
    output wire       ft_siwu_n,
    inout  wire [7:0] ft_d
);

wire hb, blink_fast, unused_pll_locked, running, unused_rxc_present, rxc_125, unused_link_1g, rx_act, tx_act, error;
wire       clk_core, rst_core;
wire [7:0] link_in_tdata, link_out_tdata;   // host -> device, device -> host
wire       link_in_tvalid, link_in_tready, link_out_tvalid, link_out_tready;

toe_ecp5_shell #(
    .OSC_MHZ(25),
    .STORE_LOG2(STORE_LOG2),
    .TCP_SLOTS(TCP_SLOTS), .TCP_BUF_LOG2(TCP_BUF_LOG2), .TRAFFIC(TRAFFIC),
    .LINK_KIND(2),         // CONST_LINK_FT245
    .LINK_RATE(40000000),   // FT245 sync FIFO, ~40 MB/s measured with libftdi
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
    .clk_osc(clk25),
    .rst_btn(!btn_n),
    .phy_rst_n(eth_rst_n),
    .rgmii_txc(eth_txc), .rgmii_txd(eth_txd), .rgmii_tx_ctl(eth_tx_ctl),
    .rgmii_rxc(eth_rxc), .rgmii_rxd(eth_rxd), .rgmii_rx_ctl(eth_rx_ctl),
    .clk_core(clk_core), .rst_core(rst_core),
    .s_link_tdata(link_in_tdata), .s_link_tvalid(link_in_tvalid), .s_link_tready(link_in_tready),
    .m_link_tdata(link_out_tdata), .m_link_tvalid(link_out_tvalid), .m_link_tready(link_out_tready),
    .st_heartbeat(hb), .st_blink_fast(blink_fast), .st_pll_locked(unused_pll_locked),
    .st_running(running), .st_rxc_present(unused_rxc_present), .st_rxc_125(rxc_125),
    .st_link_1g(unused_link_1g), .st_rx_act(rx_act), .st_tx_act(tx_act), .st_error(error)
);

reg led;
always @* begin
    if (!running)
        led = blink_fast;
    else if (!rxc_125)
        led = hb;
    else if (error)
        led = 1'b0;
    else
        led = !(rx_act || tx_act);
end
assign led_n = !led;

// MDIO idle: the PHYs run on their strap defaults.
assign eth_mdc  = 1'b0;
assign eth_mdio = 1'bz;

// Host link: the FT245 PHY runs on the FTDI's 60 MHz CLKOUT; its reset follows the core's.
wire       ft_rst, unused_ft_rst_ack;  // nothing waits for the FTDI clock
wire [7:0] ft_data_o;
wire       ft_data_oe;

toe_reset_sync sync_ft (.clk(ft_clk), .rst_req(rst_core), .rst(ft_rst), .ack(unused_ft_rst_ack));

ft245_phy link_phy (
    .clk(clk_core), .rst(rst_core),
    .s_tdata(link_out_tdata), .s_tvalid(link_out_tvalid), .s_tready(link_out_tready),
    .m_tdata(link_in_tdata), .m_tvalid(link_in_tvalid), .m_tready(link_in_tready),
    .ft_clk(ft_clk), .ft_rst(ft_rst),
    .ft_data_i(ft_d), .ft_data_o(ft_data_o), .ft_data_oe(ft_data_oe),
    .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n),
    .ft_rd_n(ft_rd_n), .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_siwu_n(ft_siwu_n)
);

assign ft_d = ft_data_oe ? ft_data_o : 8'bzzzz_zzzz;

endmodule

`default_nettype wire
