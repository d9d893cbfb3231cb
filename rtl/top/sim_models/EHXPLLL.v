// SPDX-License-Identifier: MIT
// Behavioural simulation model of the ECP5 EHXPLLL (static configuration only). Not for synthesis.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * EHXPLLL (simulation only: synthesis uses the Yosys/nextpnr primitive)
 *
 * Measures the CLKI period over its first edges, then generates the four outputs from
 *   VCO period = T(CLKI) * CLKI_DIV / (CLKFB_DIV * CLKOP_DIV)   (FEEDBK_PATH "CLKOP" only)
 *   output period = VCO period * CLKOx_DIV
 *   output phase = (CLKOx_CPHASE + CLKOx_FPHASE / 8) VCO periods, relative to CLKOP's.
 * LOCK rises LOCK_CYCLES CLKI periods after the outputs start and then stays high (RST,
 * STDBY, dynamic phase steps and the clock enables are not modelled).
 */
module EHXPLLL #(
    parameter CLKI_DIV         = 1,
    parameter CLKFB_DIV        = 1,
    parameter CLKOP_DIV        = 8,
    parameter CLKOS_DIV        = 8,
    parameter CLKOS2_DIV       = 8,
    parameter CLKOS3_DIV       = 8,
    parameter CLKOP_ENABLE     = "ENABLED",
    parameter CLKOS_ENABLE     = "DISABLED",
    parameter CLKOS2_ENABLE    = "DISABLED",
    parameter CLKOS3_ENABLE    = "DISABLED",
    parameter CLKOP_CPHASE     = 0,
    parameter CLKOS_CPHASE     = 0,
    parameter CLKOS2_CPHASE    = 0,
    parameter CLKOS3_CPHASE    = 0,
    parameter CLKOP_FPHASE     = 0,
    parameter CLKOS_FPHASE     = 0,
    parameter CLKOS2_FPHASE    = 0,
    parameter CLKOS3_FPHASE    = 0,
    parameter FEEDBK_PATH      = "CLKOP",
    parameter CLKOP_TRIM_POL   = "RISING",
    parameter CLKOP_TRIM_DELAY = 0,
    parameter CLKOS_TRIM_POL   = "RISING",
    parameter CLKOS_TRIM_DELAY = 0,
    parameter OUTDIVIDER_MUXA  = "DIVA",
    parameter OUTDIVIDER_MUXB  = "DIVB",
    parameter OUTDIVIDER_MUXC  = "DIVC",
    parameter OUTDIVIDER_MUXD  = "DIVD",
    parameter PLL_LOCK_MODE    = 0,
    parameter PLL_LOCK_DELAY   = 200,
    parameter STDBY_ENABLE     = "DISABLED",
    parameter REFIN_RESET      = "DISABLED",
    parameter SYNC_ENABLE      = "DISABLED",
    parameter INT_LOCK_STICKY  = "ENABLED",
    parameter DPHASE_SOURCE    = "DISABLED",
    parameter PLLRST_ENA       = "DISABLED",
    parameter INTFB_WAKE       = "DISABLED",
    parameter LOCK_CYCLES      = 16        // model only: CLKI periods from start to LOCK
) (
    input  wire CLKI,
    input  wire CLKFB,
    input  wire PHASESEL1,
    input  wire PHASESEL0,
    input  wire PHASEDIR,
    input  wire PHASESTEP,
    input  wire PHASELOADREG,
    input  wire STDBY,
    input  wire PLLWAKESYNC,
    input  wire RST,
    input  wire ENCLKOP,
    input  wire ENCLKOS,
    input  wire ENCLKOS2,
    input  wire ENCLKOS3,
    output reg  CLKOP = 1'b0,
    output reg  CLKOS = 1'b0,
    output reg  CLKOS2 = 1'b0,
    output reg  CLKOS3 = 1'b0,
    output reg  LOCK = 1'b0,
    output wire INTLOCK,
    output wire REFCLK,
    output wire CLKINTFB
);

assign INTLOCK  = LOCK;
assign REFCLK   = CLKI;
assign CLKINTFB = CLKOP;

realtime t_last = 0.0, t_in = 0.0, t_vco = 0.0, t_start = 0.0;
integer  in_edges = 0;
reg      started = 1'b0;

always @(posedge CLKI) begin
    if (in_edges > 0)
        t_in = $realtime - t_last;
    t_last   = $realtime;
    in_edges = in_edges + 1;
end

initial begin
    if (FEEDBK_PATH != "CLKOP")
        $display("%m: model supports FEEDBK_PATH \"CLKOP\" only");
    wait (in_edges >= 3);
    t_vco = t_in * CLKI_DIV / (CLKFB_DIV * CLKOP_DIV);
    @(posedge CLKI);
    t_start = $realtime;
    started = 1'b1;
    repeat (LOCK_CYCLES) @(posedge CLKI);
    LOCK = 1'b1;
end

// Delay of an output's first rising edge after t_start: its phase relative to CLKOP.
function real first_edge;
    input integer cphase, fphase, div;
    real d, period;
    begin
        period = t_vco * div;
        d = ((cphase - CLKOP_CPHASE) + (fphase - CLKOP_FPHASE) / 8.0) * t_vco;
        while (d < 0.0)
            d = d + period;
        while (d >= period)
            d = d - period;
        first_edge = d;
    end
endfunction

always begin : gen_op
    wait (started);
    #(first_edge(CLKOP_CPHASE, CLKOP_FPHASE, CLKOP_DIV));
    forever begin
        CLKOP = 1'b1; #(t_vco * CLKOP_DIV / 2.0);
        CLKOP = 1'b0; #(t_vco * CLKOP_DIV / 2.0);
    end
end

always begin : gen_os
    wait (started);
    #(first_edge(CLKOS_CPHASE, CLKOS_FPHASE, CLKOS_DIV));
    forever begin
        CLKOS = CLKOS_ENABLE == "ENABLED"; #(t_vco * CLKOS_DIV / 2.0);
        CLKOS = 1'b0;                      #(t_vco * CLKOS_DIV / 2.0);
    end
end

always begin : gen_os2
    wait (started);
    #(first_edge(CLKOS2_CPHASE, CLKOS2_FPHASE, CLKOS2_DIV));
    forever begin
        CLKOS2 = CLKOS2_ENABLE == "ENABLED"; #(t_vco * CLKOS2_DIV / 2.0);
        CLKOS2 = 1'b0;                       #(t_vco * CLKOS2_DIV / 2.0);
    end
end

always begin : gen_os3
    wait (started);
    #(first_edge(CLKOS3_CPHASE, CLKOS3_FPHASE, CLKOS3_DIV));
    forever begin
        CLKOS3 = CLKOS3_ENABLE == "ENABLED"; #(t_vco * CLKOS3_DIV / 2.0);
        CLKOS3 = 1'b0;                       #(t_vco * CLKOS3_DIV / 2.0);
    end
end

endmodule

`default_nettype wire
