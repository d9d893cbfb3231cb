// SPDX-License-Identifier: MIT
// Board-independent part of an ECP5 board top: clocks, resets, RGMII, toe_core, status.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_ecp5_shell
 *
 * Everything a board top needs between its oscillator, one RGMII PHY and its LEDs:
 *   clocks   toe_ecp5_pll: 125 MHz (GMII TX), 125 MHz at 90 degrees (RGMII TXC when the FPGA
 *            adds the TX skew), 62.5 MHz (core). GMII RX runs on the PHY's RXC.
 *   resets   toe_reset_ctrl on the oscillator (PHY reset pulse, PLL lock, button) and one
 *            toe_reset_sync per domain (core, GMII TX, GMII RX), all released together
 *            after every domain has acknowledged (see toe_reset_ctrl).
 *   RGMII    toe_rgmii with the board's delay choice (RX_DELAY_TAPS, TX_CLK_SHIFT).
 *   core     toe_core; CFG_* parameters are the reset values of its configuration CSRs
 *            (the host changes them over the link); toe_stat_watch follows its statistics
 *            walk. The host-link byte streams (core clock domain) are ports of the shell:
 *            the board top puts its link PHY (UART, FT245) on them.
 *   status   levels for LEDs: heartbeat, PLL lock, running, RX clock present / 125 MHz,
 *            in-band link at 1000 Mb/s, RX and TX activity, receive errors.
 * Status outputs come from different clock domains; they are meant for LEDs only.
 */
module toe_ecp5_shell #(
    parameter        OSC_MHZ         = 25,     // board oscillator, MHz (25 or 100)
    parameter        STORE_LOG2      = 11,     // toe_core receive frame store, 2^N words
    parameter        TCP_SLOTS       = 8,      // toe_core TCP connection slots
    parameter        TCP_BUF_LOG2    = 13,     // toe_core bytes per TCP ring, 2^N
    parameter        TRAFFIC         = 1,      // toe_core on-chip traffic source and sink (1) or none (0)
    parameter        LINK_KIND       = 0,      // toe_core: CONST_LINK_* of the board's link PHY
    parameter        LINK_RATE       = 0,      // toe_core: link payload rate, bytes/s
    parameter [47:0] CFG_MAC         = 48'h02_00_00_00_00_01,
    parameter [31:0] CFG_IP          = {8'd192, 8'd168, 8'd1, 8'd50},
    parameter [31:0] CFG_NETMASK     = {8'd255, 8'd255, 8'd255, 8'd0},
    parameter [31:0] CFG_GATEWAY     = {8'd192, 8'd168, 8'd1, 8'd1},
    parameter        RX_DELAY_TAPS   = 0,      // see toe_rgmii
    parameter        TX_CLK_SHIFT    = 0,      // see toe_rgmii
    parameter        PHY_RST_CYCLES  = OSC_MHZ * 20000,  // 20 ms PHY reset pulse
    parameter        PHY_WAIT_CYCLES = OSC_MHZ * 20000,  // then at least 20 ms before running
    parameter        METER_WIN_LOG2  = 14 + $clog2(OSC_MHZ / 25),  // ~0.66 ms windows
    parameter        ACT_LOG2        = 22,     // activity flash, 2^N GMII cycles (34 ms)
    parameter        ERR_LOG2        = 25,     // error flash, 2^N core cycles (0.54 s)
    parameter        HB_LOG2         = 25      // heartbeat half period, 2^N core cycles
) (
    input  wire       clk_osc,
    input  wire       rst_btn,          // asynchronous, active high
    // RGMII PHY
    output wire       phy_rst_n,
    output wire       rgmii_txc,
    output wire [3:0] rgmii_txd,
    output wire       rgmii_tx_ctl,
    input  wire       rgmii_rxc,
    input  wire [3:0] rgmii_rxd,
    input  wire       rgmii_rx_ctl,
    // host link byte streams (clk_core domain), for the board's link PHY
    output wire       clk_core,
    output wire       rst_core,
    input  wire [7:0] s_link_tdata,
    input  wire       s_link_tvalid,
    output wire       s_link_tready,
    output wire [7:0] m_link_tdata,
    output wire       m_link_tvalid,
    input  wire       m_link_tready,
    // status (LED levels)
    output wire       st_heartbeat,     // toggles every 2^HB_LOG2 core cycles
    output wire       st_blink_fast,    // 8 times faster than st_heartbeat
    output wire       st_pll_locked,
    output wire       st_running,       // all resets released
    output wire       st_rxc_present,   // PHY RX clock seen
    output wire       st_rxc_125,       // PHY RX clock is 125 MHz (1000 Mb/s link)
    output wire       st_link_1g,       // in-band status: link up at 1000 Mb/s
    output wire       st_rx_act,        // a frame was received (stretched)
    output wire       st_tx_act,        // a frame was sent (stretched)
    output wire       st_error          // a receive error counter moved (stretched)
);

// ---- clocks ----
wire clk_125, clk_125_90, pll_locked;

toe_ecp5_pll #(.CLKI_DIV(OSC_MHZ / 25)) pll (
    .clk_in(clk_osc),
    .clk_125(clk_125), .clk_125_90(clk_125_90), .clk_62m5(clk_core),
    .locked(pll_locked)
);

wire gmii_rx_clk;

// ---- resets ----
wire rst_req;
wire rst_tx, rst_rx;
wire ack_core, ack_tx, ack_rx;
wire running;

wire [2:0]  unused_waiting;     // the LEDs show `running`; nothing else needs the phase
wire [15:0] unused_rxc_count;   // only the present/in-range verdicts drive LEDs

toe_reset_ctrl #(
    .DOMAINS(3),
    .PHY_RST_CYCLES(PHY_RST_CYCLES),
    .PHY_WAIT_CYCLES(PHY_WAIT_CYCLES)
) reset_ctrl (
    .clk(clk_osc), .pll_locked(pll_locked), .rst_btn(rst_btn),
    .ack({ack_rx, ack_tx, ack_core}),
    .rst_req(rst_req), .phy_rst_n(phy_rst_n), .running(running), .waiting(unused_waiting)
);

toe_reset_sync sync_core (.clk(clk_core), .rst_req(rst_req), .rst(rst_core), .ack(ack_core));
toe_reset_sync sync_tx (.clk(clk_125), .rst_req(rst_req), .rst(rst_tx), .ack(ack_tx));
toe_reset_sync sync_rx (.clk(gmii_rx_clk), .rst_req(rst_req), .rst(rst_rx), .ack(ack_rx));

// ---- RGMII ----
wire [7:0] gmii_rxd, gmii_txd;
wire       gmii_rx_dv, gmii_rx_er, gmii_tx_en, gmii_tx_er;
wire       inband_link;
wire       unused_inband_duplex;  // the LEDs show link and speed only
wire [1:0] inband_speed;

toe_rgmii #(
    .RX_DELAY_TAPS(RX_DELAY_TAPS),
    .TX_CLK_SHIFT(TX_CLK_SHIFT)
) rgmii (
    .gmii_tx_clk(clk_125), .gmii_tx_clk90(clk_125_90),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .rgmii_txc(rgmii_txc), .rgmii_txd(rgmii_txd), .rgmii_tx_ctl(rgmii_tx_ctl),
    .rgmii_rxc(rgmii_rxc), .rgmii_rxd(rgmii_rxd), .rgmii_rx_ctl(rgmii_rx_ctl),
    .gmii_rx_clk(gmii_rx_clk),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .inband_link(inband_link), .inband_speed(inband_speed), .inband_duplex(unused_inband_duplex)
);

// ---- the core ----
wire [5:0]  stat_walk_addr;
wire [31:0] stat_walk_data;

toe_core #(
    .STORE_LOG2(STORE_LOG2),
    .CLK_HZ(62500000),
    .LINK_KIND(LINK_KIND),
    .LINK_RATE(LINK_RATE),
    .SLOTS(TCP_SLOTS),
    .BUF_LOG2(TCP_BUF_LOG2),
    .TRAFFIC(TRAFFIC)
) core (
    .clk(clk_core), .rst(rst_core),
    .gmii_rx_clk(gmii_rx_clk), .gmii_rx_rst(rst_rx),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .gmii_tx_clk(clk_125), .gmii_tx_rst(rst_tx),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .s_link_tdata(s_link_tdata), .s_link_tvalid(s_link_tvalid), .s_link_tready(s_link_tready),
    .m_link_tdata(m_link_tdata), .m_link_tvalid(m_link_tvalid), .m_link_tready(m_link_tready),
    .cfg_mac(CFG_MAC), .cfg_ip(CFG_IP), .cfg_netmask(CFG_NETMASK), .cfg_gateway(CFG_GATEWAY),
    .stat_walk_addr(stat_walk_addr), .stat_walk_data(stat_walk_data)
);

// ---- status ----
wire any_change, err_change;

toe_stat_watch stat_watch (
    .clk(clk_core), .rst(rst_core),
    .walk_addr(stat_walk_addr), .walk_data(stat_walk_data),
    .any_change(any_change), .err_change(err_change)
);

reg [HB_LOG2:0] hb = {(HB_LOG2 + 1){1'b0}};
always @(posedge clk_core)
    hb <= hb + 1'b1;

assign st_heartbeat  = hb[HB_LOG2];
assign st_blink_fast = hb[HB_LOG2 - 3];
assign st_pll_locked = pll_locked;
assign st_running    = running;

// RX clock: 125 MHz / 64 counted over 2^METER_WIN_LOG2 oscillator cycles, +-5 %.
localparam METER_EXPECT = (125 << METER_WIN_LOG2) / (OSC_MHZ << 6);

toe_clk_meter #(
    .DIV_LOG2(6),
    .WIN_LOG2(METER_WIN_LOG2),
    .CW(16),
    .EXPECT_LO(METER_EXPECT - METER_EXPECT / 20),
    .EXPECT_HI(METER_EXPECT + METER_EXPECT / 20)
) rxc_meter (
    .clk_meas(gmii_rx_clk), .clk_ref(clk_osc),
    .count(unused_rxc_count), .present(st_rxc_present), .in_range(st_rxc_125)
);

reg link_1g = 1'b0;
always @(posedge gmii_rx_clk)
    link_1g <= inband_link && inband_speed == 2'd2;
assign st_link_1g = link_1g;

wire rx_act_rx, core_act;
toe_stretch #(.LEN_LOG2(ACT_LOG2)) stretch_rx (.clk(gmii_rx_clk), .in(gmii_rx_dv), .out(rx_act_rx));
toe_stretch #(.LEN_LOG2(ACT_LOG2)) stretch_tx (.clk(clk_125), .in(gmii_tx_en), .out(st_tx_act));
toe_stretch #(.LEN_LOG2(ACT_LOG2)) stretch_core (.clk(clk_core), .in(any_change), .out(core_act));
toe_stretch #(.LEN_LOG2(ERR_LOG2)) stretch_err (.clk(clk_core), .in(err_change), .out(st_error));
assign st_rx_act = rx_act_rx || core_act;

endmodule

`default_nettype wire
