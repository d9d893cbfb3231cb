// SPDX-License-Identifier: MIT
// Stream register slice: registers data, valid and ready, at one beat per cycle.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * A skid buffer. m_* come from registers and s_tready is a register, so no combinational
 * path crosses the slice in either direction: it splits long valid/ready chains for timing.
 * When the output stalls, the one beat already accepted waits in the skid register, and
 * s_tready drops the next cycle. Throughput is one beat per cycle; latency one cycle.
 */
module axis_register #(
    parameter DATA_WIDTH = 8  // tdata width in bits (pack keep/user bits into it)
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire [DATA_WIDTH-1:0] s_tdata,
    input  wire                  s_tvalid,
    output wire                  s_tready,
    input  wire                  s_tlast,
    output reg  [DATA_WIDTH-1:0] m_tdata,
    output reg                   m_tvalid,
    input  wire                  m_tready,
    output reg                   m_tlast
);

reg [DATA_WIDTH-1:0] skid_tdata;
reg                  skid_tlast;
reg                  skid_valid;

assign s_tready = !skid_valid;

wire out_free = !m_tvalid || m_tready;

always @(posedge clk) begin
    if (out_free) begin
        if (skid_valid) begin
            m_tdata    <= skid_tdata;
            m_tlast    <= skid_tlast;
            m_tvalid   <= 1'b1;
            skid_valid <= 1'b0;
        end else begin
            m_tdata  <= s_tdata;
            m_tlast  <= s_tlast;
            m_tvalid <= s_tvalid;
        end
    end else if (s_tvalid && s_tready) begin
        skid_tdata <= s_tdata;
        skid_tlast <= s_tlast;
        skid_valid <= 1'b1;
    end

    if (rst) begin
        m_tvalid   <= 1'b0;
        skid_valid <= 1'b0;
    end
end

endmodule

`default_nettype wire
