// SPDX-License-Identifier: MIT
// Transmit arbiter: whole frames from two sources into the MAC, round robin.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Source 0 is toe_tx (ARP and echo replies), source 1 the link engine (RAW_TX). A source
 * raises sN_req while it waits to start a frame. The arbiter grants one source at a time and
 * shows the MAC's free count only to the granted source (the others see 0), so each source
 * keeps its own rule "start a frame only when the FIFO has room for all of it" and no frame
 * can stall halfway. The grant is held until the granted source's last beat (frame-atomic);
 * after that the other source is preferred if it is waiting (round robin).
 * m_req (a source waits or sends) lets the output be one source of a further arbiter.
 */
module toe_tx_arb #(
    parameter FREE_BITS = 11
) (
    input  wire                 clk,
    input  wire                 rst,

    input  wire                 s0_req,
    input  wire [31:0]          s0_tdata,
    input  wire [3:0]           s0_tkeep,
    input  wire                 s0_tvalid,
    output wire                 s0_tready,
    input  wire                 s0_tlast,
    output wire [FREE_BITS-1:0] s0_free,

    input  wire                 s1_req,
    input  wire [31:0]          s1_tdata,
    input  wire [3:0]           s1_tkeep,
    input  wire                 s1_tvalid,
    output wire                 s1_tready,
    input  wire                 s1_tlast,
    output wire [FREE_BITS-1:0] s1_free,

    output wire [31:0]          m_tdata,
    output wire [3:0]           m_tkeep,
    output wire                 m_tvalid,
    input  wire                 m_tready,
    output wire                 m_tlast,
    input  wire [FREE_BITS-1:0] m_free,
    output wire                 m_req
);

reg busy;     // a source holds the grant
reg sel;      // the granted source
reg last;     // the source granted last time

assign m_req = busy || s0_req || s1_req;

wire g0 = busy && !sel;
wire g1 = busy && sel;

assign s0_free   = g0 ? m_free : {FREE_BITS{1'b0}};
assign s1_free   = g1 ? m_free : {FREE_BITS{1'b0}};
assign s0_tready = g0 && m_tready;
assign s1_tready = g1 && m_tready;
assign m_tdata   = sel ? s1_tdata : s0_tdata;
assign m_tkeep   = sel ? s1_tkeep : s0_tkeep;
assign m_tlast   = sel ? s1_tlast : s0_tlast;
assign m_tvalid  = busy && (sel ? s1_tvalid : s0_tvalid);

always @(posedge clk) begin
    if (!busy) begin
        if (s0_req && (!s1_req || last)) begin
            busy <= 1'b1;
            sel  <= 1'b0;
            last <= 1'b0;
        end else if (s1_req) begin
            busy <= 1'b1;
            sel  <= 1'b1;
            last <= 1'b1;
        end
    end else if (m_tvalid && m_tready && m_tlast) begin
        busy <= 1'b0;
    end
    if (rst) begin
        busy <= 1'b0;
        sel  <= 1'b0;
        last <= 1'b0;
    end
end

endmodule

`default_nettype wire
