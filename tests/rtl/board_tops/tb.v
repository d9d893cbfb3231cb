// SPDX-License-Identifier: MIT
// Bench for the ECP5 board tops: PLL, reset sequencing, RGMII DDR I/O and toe_core together.
// The board tops and the Lattice primitive models live under rtl/top, which the common bench
// runner does not compile, so they are included here (the runner passes -I rtl).
`include "top/sim_models/EHXPLLL.v"
`include "top/sim_models/IDDRX1F.v"
`include "top/sim_models/ODDRX1F.v"
`include "top/sim_models/DELAYG.v"
`include "top/common/toe_sync_bit.v"
`include "top/common/toe_reset_sync.v"
`include "top/common/toe_reset_ctrl.v"
`include "top/common/toe_rgmii.v"
`include "top/common/toe_ecp5_pll.v"
`include "top/common/toe_stretch.v"
`include "top/common/toe_clk_meter.v"
`include "top/common/toe_stat_watch.v"
`include "top/common/toe_ecp5_shell.v"
`include "top/colorlight/toe_colorlight.v"
`include "top/versa/toe_versa.v"
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

`include "link_host.vh"
`include "rgmii_phy_model.vh"

/*
 * tb (board_tops): toe_colorlight (25 MHz, RX DELAYG) and toe_versa (100 MHz LVDS oscillator,
 * no FPGA-side delay), both with shortened timers, each with its own phy_model. Also checks
 * that the host-link pins idle (FT245: rd_n, wr_n, oe_n, siwu_n high, data bus released;
 * UART tx high) and that a board is not released from reset before its PHY RX clock runs;
 * then each model's TCP exchange through the board's link pins (phy_model.tcp).
 */
module tb;

`include "frames.vh"

integer seed;

`BENCH_CLOCK(clk25, 20);
`BENCH_CLOCK(clk100, 5);

// ---- Colorlight ----
wire       cl_led_n, cl_rst_n, cl_mdc, cl_mdio, cl_txc, cl_tx_ctl, cl_rxc, cl_rx_ctl;
wire [3:0] cl_txd, cl_rxd;
wire       ft_clk, ft_rxf_n, ft_txe_n, ft_rd_n, ft_wr_n, ft_oe_n, ft_siwu_n;
wire [7:0] ft_d;

toe_colorlight #(
    .PHY_RST_CYCLES(50), .PHY_WAIT_CYCLES(50),  // 2 us each at 25 MHz
    .METER_WIN_LOG2(8), .ACT_LOG2(6), .ERR_LOG2(8), .HB_LOG2(12)
) colorlight (
    .clk25(clk25), .btn_n(1'b1), .led_n(cl_led_n),
    .eth_rst_n(cl_rst_n), .eth_mdc(cl_mdc), .eth_mdio(cl_mdio),
    .eth_txc(cl_txc), .eth_txd(cl_txd), .eth_tx_ctl(cl_tx_ctl),
    .eth_rxc(cl_rxc), .eth_rxd(cl_rxd), .eth_rx_ctl(cl_rx_ctl),
    .ft_clk(ft_clk), .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n),
    .ft_rd_n(ft_rd_n), .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_siwu_n(ft_siwu_n),
    .ft_d(ft_d)
);
pullup (cl_mdio);

// One LED: steady on = running, 125 MHz RX clock, no error, no activity; dark = error flash.
phy_model #(.NAME("colorlight"), .LINK(2)) cl_phy (
    .rst_n(cl_rst_n), .rxc(cl_rxc), .rxd(cl_rxd), .rx_ctl(cl_rx_ctl),
    .txc(cl_txc), .txd(cl_txd), .tx_ctl(cl_tx_ctl),
    .st_ok(cl_led_n === 1'b0), .st_err(cl_led_n === 1'b1),
    .ft_clk(ft_clk), .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n), .ft_rd_n(ft_rd_n),
    .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_d(ft_d), .uart_rx(), .uart_tx(1'b1)
);

// ---- Versa ----
wire [7:0] vs_led;
wire       vs_rst_n, vs_mdc, vs_mdio, vs_txc, vs_tx_ctl, vs_rxc, vs_rx_ctl, uart_rx, uart_tx;
wire [3:0] vs_txd, vs_rxd;

toe_versa #(
    .PHY_RST_CYCLES(200), .PHY_WAIT_CYCLES(200),  // 2 us each at 100 MHz
    .METER_WIN_LOG2(10), .ACT_LOG2(6), .ERR_LOG2(8), .HB_LOG2(12)
) versa (
    .clk100(clk100), .rst_n(1'b1), .led(vs_led),
    .uart_rx(uart_rx), .uart_tx(uart_tx),
    .eth_rst_n(vs_rst_n), .eth_mdc(vs_mdc), .eth_mdio(vs_mdio),
    .eth_txc(vs_txc), .eth_txd(vs_txd), .eth_tx_ctl(vs_tx_ctl),
    .eth_rxc(vs_rxc), .eth_rxd(vs_rxd), .eth_rx_ctl(vs_rx_ctl)
);
pullup (vs_mdio);

// LEDs (active low): 2 running, 3 RX clock 125 MHz, 4 in-band link 1000, 7 error.
wire [7:0] vs_ft_d;
phy_model #(.NAME("versa"), .LINK(1)) vs_phy (
    .rst_n(vs_rst_n), .rxc(vs_rxc), .rxd(vs_rxd), .rx_ctl(vs_rx_ctl),
    .txc(vs_txc), .txd(vs_txd), .tx_ctl(vs_tx_ctl),
    .st_ok(vs_led[4:2] === 3'b000 && vs_led[7] === 1'b1), .st_err(vs_led[7] === 1'b0),
    .ft_clk(), .ft_rxf_n(), .ft_txe_n(), .ft_rd_n(1'b1), .ft_wr_n(1'b1), .ft_oe_n(1'b1),
    .ft_d(vs_ft_d), .uart_rx(uart_rx), .uart_tx(uart_tx)
);

task check_idle_pins;
    begin
        if (ft_rd_n !== 1'b1 || ft_wr_n !== 1'b1 || ft_oe_n !== 1'b1 || ft_siwu_n !== 1'b1 ||
            ft_d !== 8'bzzzz_zzzz || uart_tx !== 1'b1) begin
            $display("FAIL: host-link pins not idle"); $fatal;
        end
        if (cl_mdc !== 1'b0 || vs_mdc !== 1'b0 || cl_mdio !== 1'b1 || vs_mdio !== 1'b1) begin
            $display("FAIL: MDIO not idle"); $fatal;
        end
    end
endtask

initial begin
    `BENCH_SEED(seed);
    rnd_seed = seed;
    `BENCH_WAVES
    #100;
    check_idle_pins;
    fork
        cl_phy.start;
        vs_phy.start;
    join
    // RX clocks start 5 us after the PHY resets: nothing may run before that.
    if (colorlight.shell.st_running || versa.shell.st_running) begin
        $display("FAIL: a board left reset before its PHY RX clock ran"); $fatal;
    end
    wait (colorlight.shell.st_running === 1'b1 && versa.shell.st_running === 1'b1);
    $display("both boards running at %0d ns", $time);
    wait (colorlight.shell.st_rxc_125 === 1'b1 && versa.shell.st_rxc_125 === 1'b1);
    cl_phy.run;
    vs_phy.run;
    check_idle_pins;
    cl_phy.tcp;
    vs_phy.tcp;
    if (cl_phy.errors != 0 || vs_phy.errors != 0) begin
        $display("FAIL: %0d + %0d errors", cl_phy.errors, vs_phy.errors);
        $fatal;
    end
    $display("PASS");
    $finish;
end

initial begin
    #5_000_000;
    $display("FAIL: timeout");
    $fatal;
end

endmodule

`default_nettype wire
