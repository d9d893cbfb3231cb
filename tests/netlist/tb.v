// SPDX-License-Identifier: MIT
// Netlist bench: one board top as yosys synth_ecp5 wrote it (LUT4, CCU2C, TRELLIS_FF, DP16KD,
// TRELLIS_DPR16X4 ... simulated with yosys's own ECP5 cell models; EHXPLLL, IDDRX1F, ODDRX1F
// and DELAYG with the models under rtl/top/sim_models) through the board-top bench's PHY and
// host models: ARP, ICMP echo (64 and 1472 bytes), a bad-FCS frame and the error LED, then a
// TCP exchange through the board's host-link pins (skipped, saying so, when CAPS shows no
// TCP slots). Run by
// scripts/netlist_bench.sh BOARD, which synthesises the top with the bench's short timers
// (the same parameters tests/rtl/board_tops gives the RTL) and compiles this file with
// -DBOARD_VERSA for the Versa, the Colorlight top otherwise.
`timescale 1ns / 1ps
`default_nettype none
`include "bench.vh"
`include "csum.vh"

`include "link_host.vh"
`include "rgmii_phy_model.vh"

module tb;

`include "frames.vh"

integer seed;

wire       rst_n, mdc, mdio, txc, tx_ctl, rxc, rx_ctl, st_ok, st_err;
wire [3:0] txd, rxd;
pullup (mdio);

`ifdef BOARD_VERSA
`BENCH_CLOCK(clk100, 5);
wire [7:0] led, ft_d;
wire       uart_rx, uart_tx;
toe_versa board (
    .clk100(clk100), .rst_n(1'b1), .led(led), .uart_rx(uart_rx), .uart_tx(uart_tx),
    .eth_rst_n(rst_n), .eth_mdc(mdc), .eth_mdio(mdio),
    .eth_txc(txc), .eth_txd(txd), .eth_tx_ctl(tx_ctl),
    .eth_rxc(rxc), .eth_rxd(rxd), .eth_rx_ctl(rx_ctl)
);
// LEDs (active low): 2 running, 3 RX clock 125 MHz, 4 in-band link 1000, 7 error.
assign st_ok  = led[4:2] === 3'b000 && led[7] === 1'b1;
assign st_err = led[7] === 1'b0;
wire   link_idle = uart_tx === 1'b1;
localparam NAME = "versa netlist";
localparam LINK = 1;   // CONST_LINK_UART
wire       ft_clk, ft_rxf_n, ft_txe_n;
wire       ft_rd_n = 1'b1, ft_wr_n = 1'b1, ft_oe_n = 1'b1;
`else
`BENCH_CLOCK(clk25, 20);
wire       led_n, ft_clk, ft_rxf_n, ft_txe_n, ft_rd_n, ft_wr_n, ft_oe_n, ft_siwu_n;
wire [7:0] ft_d;
toe_colorlight board (
    .clk25(clk25), .btn_n(1'b1), .led_n(led_n),
    .eth_rst_n(rst_n), .eth_mdc(mdc), .eth_mdio(mdio),
    .eth_txc(txc), .eth_txd(txd), .eth_tx_ctl(tx_ctl),
    .eth_rxc(rxc), .eth_rxd(rxd), .eth_rx_ctl(rx_ctl),
    .ft_clk(ft_clk), .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n),
    .ft_rd_n(ft_rd_n), .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_siwu_n(ft_siwu_n),
    .ft_d(ft_d)
);
// One LED: steady on = running, 125 MHz RX clock, no error; dark = error flash.
assign st_ok  = led_n === 1'b0;
assign st_err = led_n === 1'b1;
wire   link_idle = ft_rd_n === 1'b1 && ft_wr_n === 1'b1 && ft_oe_n === 1'b1 &&
                   ft_siwu_n === 1'b1 && ft_d === 8'bzzzz_zzzz;
localparam NAME = "colorlight netlist";
localparam LINK = 2;   // CONST_LINK_FT245
wire       uart_rx;
wire       uart_tx = 1'b1;
`endif

phy_model #(.NAME(NAME), .SHORT(1), .LINK(LINK)) phy (
    .rst_n(rst_n), .rxc(rxc), .rxd(rxd), .rx_ctl(rx_ctl),
    .txc(txc), .txd(txd), .tx_ctl(tx_ctl), .st_ok(st_ok), .st_err(st_err),
    .ft_clk(ft_clk), .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n), .ft_rd_n(ft_rd_n),
    .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_d(ft_d), .uart_rx(uart_rx), .uart_tx(uart_tx)
);

task check_idle_pins;
    begin
        if (!link_idle) begin $display("FAIL: host-link pins not idle"); $fatal; end
        if (mdc !== 1'b0 || mdio !== 1'b1) begin $display("FAIL: MDIO not idle"); $fatal; end
    end
endtask

initial begin
    `BENCH_SEED(seed);
    rnd_seed = seed;
    `BENCH_WAVES
    #100;
    check_idle_pins;
    phy.start;
    phy.wait_ok(100);
    $display("%0s: running, link shown at %0d ns", NAME, $time);
    phy.run;
    check_idle_pins;
    phy.tcp;
    if (phy.errors != 0) begin $display("FAIL: %0d errors", phy.errors); $fatal; end
    $display("PASS at %0d ns", $time);
    $finish;
end

initial begin
    #5_000_000;
    $display("FAIL: timeout");
    $fatal;
end

endmodule

`default_nettype wire
