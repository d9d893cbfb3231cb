// SPDX-License-Identifier: MIT
// Reset synchroniser: asynchronous assertion, synchronous release, with an acknowledge.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_reset_sync
 *
 * rst follows rst_req high at once (asynchronously, so it also asserts when clk is not
 * running) and falls STAGES clk edges after rst_req falls. ack rises once clk has ticked
 * 2^ACK_LOG2 times while rst_req was high, and is cleared at once when rst_req falls: the
 * reset controller releases rst_req only after every domain has acknowledged, so the
 * synchronous resets inside each domain (for instance both sides of an axis_async_fifo)
 * have really been applied, even for a clock that started late (the PHY's RX clock).
 * rst_req must come from a register (it is used as an asynchronous set/clear).
 */
module toe_reset_sync #(
    parameter STAGES   = 3,  // release synchroniser depth (at least 2)
    parameter ACK_LOG2 = 3   // clk edges seen in reset before ack, log2
) (
    input  wire clk,
    input  wire rst_req,     // asynchronous, active high, from a register
    output wire rst,         // synchronous release to clk
    output wire ack          // clk has run with rst asserted (level, clk domain)
);

(* async_reg = "true" *)
reg [STAGES-1:0] chain = {STAGES{1'b1}};

always @(posedge clk or posedge rst_req) begin
    if (rst_req)
        chain <= {STAGES{1'b1}};
    else
        chain <= {chain[STAGES-2:0], 1'b0};
end

assign rst = chain[STAGES-1];

// Counts clk edges while rst_req is high; rst_req low clears it asynchronously. The clear
// releases asynchronously to clk, but the counter only ever steps 0 -> 1 there, so at worst
// the first count is late by one edge.
reg [ACK_LOG2:0] seen = {(ACK_LOG2 + 1){1'b0}};

always @(posedge clk or negedge rst_req) begin
    if (!rst_req)
        seen <= {(ACK_LOG2 + 1){1'b0}};
    else if (!seen[ACK_LOG2])
        seen <= seen + 1'b1;
end

assign ack = seen[ACK_LOG2];

endmodule

`default_nettype wire
