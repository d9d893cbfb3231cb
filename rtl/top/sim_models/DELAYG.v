// SPDX-License-Identifier: MIT
// Behavioural simulation model of the ECP5 DELAYG (static input/output delay). Not for synthesis.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * DELAYG (simulation only: synthesis uses the Yosys/nextpnr primitive)
 *
 * Functional model: Z follows A with no delay. On the chip each DEL_VALUE tap adds ~25 ps
 * (nextpnr programs DEL_VALUE only; DEL_MODE is not encoded), and the sampling point of the
 * capturing IDDRX1F also depends on its clock-tree insertion delay, which these models do not
 * have; modelling one without the other would misplace the sampling point. Benches present
 * data already centred on the clock.
 */
module DELAYG #(
    parameter DEL_MODE  = "USER_DEFINED",
    parameter DEL_VALUE = 0
) (
    input  wire A,
    output wire Z
);

assign Z = A;

// synthesis translate_off
initial begin
    if (DEL_VALUE < 0 || DEL_VALUE > 127)
        $display("%m: DEL_VALUE %0d out of range 0..127", DEL_VALUE);
end
// synthesis translate_on

endmodule

`default_nettype wire
