// SPDX-License-Identifier: MIT
// EHXPLLL for the board clocks: 125 MHz, 125 MHz at 90 degrees and 62.5 MHz.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_ecp5_pll
 *
 * VCO 625 MHz = f_in / CLKI_DIV * 5 * 5 (feedback from CLKOP), so f_in / CLKI_DIV must be
 * 25 MHz: CLKI_DIV = 4 for a 100 MHz oscillator (Versa), 1 for 25 MHz (Colorlight).
 *   CLKOP  = VCO / 5  = 125 MHz    (GMII TX clock, RGMII TX data)
 *   CLKOS  = VCO / 5  = 125 MHz, 90 degrees after CLKOP (1.25 VCO cycles = 2 ns; RGMII TXC
 *                                  when the FPGA adds the TX skew)
 *   CLKOS2 = VCO / 10 = 62.5 MHz   (core clock)
 * Divider and phase settings as printed by Project Trellis' ecppll for these frequencies.
 */
module toe_ecp5_pll #(
    parameter CLKI_DIV = 1       // input divider: f_in / CLKI_DIV = 25 MHz
) (
    input  wire clk_in,
    output wire clk_125,
    output wire clk_125_90,
    output wire clk_62m5,
    output wire locked
);

wire clkop;

(* ICP_CURRENT = "12" *) (* LPF_RESISTOR = "8" *)
(* MFG_ENABLE_FILTEROPAMP = "1" *) (* MFG_GMCREF_SEL = "2" *)
EHXPLLL #(
    .PLLRST_ENA("DISABLED"),
    .INTFB_WAKE("DISABLED"),
    .STDBY_ENABLE("DISABLED"),
    .DPHASE_SOURCE("DISABLED"),
    .OUTDIVIDER_MUXA("DIVA"),
    .OUTDIVIDER_MUXB("DIVB"),
    .OUTDIVIDER_MUXC("DIVC"),
    .OUTDIVIDER_MUXD("DIVD"),
    .CLKI_DIV(CLKI_DIV),
    .CLKFB_DIV(5),
    .FEEDBK_PATH("CLKOP"),
    .CLKOP_ENABLE("ENABLED"),
    .CLKOP_DIV(5),
    .CLKOP_CPHASE(2),
    .CLKOP_FPHASE(0),
    .CLKOS_ENABLE("ENABLED"),
    .CLKOS_DIV(5),
    .CLKOS_CPHASE(3),
    .CLKOS_FPHASE(2),
    .CLKOS2_ENABLE("ENABLED"),
    .CLKOS2_DIV(10),
    .CLKOS2_CPHASE(2),
    .CLKOS2_FPHASE(0)
) pll (
    .RST(1'b0),
    .STDBY(1'b0),
    .CLKI(clk_in),
    .CLKFB(clkop),
    .CLKOP(clkop),
    .CLKOS(clk_125_90),
    .CLKOS2(clk_62m5),
    .CLKOS3(),
    .CLKINTFB(),
    .PHASESEL0(1'b0),
    .PHASESEL1(1'b0),
    .PHASEDIR(1'b1),
    .PHASESTEP(1'b1),
    .PHASELOADREG(1'b1),
    .PLLWAKESYNC(1'b0),
    .ENCLKOP(1'b0),
    .ENCLKOS(1'b0),
    .ENCLKOS2(1'b0),
    .ENCLKOS3(1'b0),
    .LOCK(locked),
    .INTLOCK(),
    .REFCLK()
);

assign clk_125 = clkop;

endmodule

`default_nettype wire
