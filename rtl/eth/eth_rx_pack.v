// SPDX-License-Identifier: MIT
// Receive packer: 8-bit frame stream to 32-bit words, prepending the 2-byte alignment pad.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_rx_pack
 *
 * Gathers bytes into 32-bit words in network order (first byte in tdata[31:24]).
 * Every frame starts with two zero pad bytes, so the first word is
 * {8'h00, 8'h00, byte0, byte1}. The tlast word has tkeep contiguous from the top
 * (1000, 1100, 1110 or 1111; the unused low bytes are zero) and carries s_tuser as
 * tuser; other words have tkeep 1111 and tuser 0. One output register: s_tready is
 * low only while a finished word waits for m_tready.
 */
module eth_rx_pack (
    input  wire        clk,
    input  wire        rst,
    // 8-bit frame stream in
    input  wire [7:0]  s_tdata,
    input  wire        s_tvalid,
    output wire        s_tready,
    input  wire        s_tlast,
    input  wire [1:0]  s_tuser,
    // 32-bit frame stream out, with the pad
    output wire [31:0] m_tdata,
    output wire [3:0]  m_tkeep,
    output wire        m_tvalid,
    input  wire        m_tready,
    output wire        m_tlast,
    output wire [1:0]  m_tuser
);

localparam [1:0] LANE_FIRST = 2'd2;   // lane of a frame's first byte (after the pad)

reg  [1:0]  lane;     // lane of the next byte (0 = tdata[31:24])
reg  [23:0] acc;      // lanes 0..2 gathered so far (zero where not yet written)
reg  [31:0] o_data;
reg  [3:0]  o_keep;
reg         o_valid;
reg         o_last;
reg  [1:0]  o_user;

assign m_tdata  = o_data;
assign m_tkeep  = o_keep;
assign m_tvalid = o_valid;
assign m_tlast  = o_last;
assign m_tuser  = o_user;

assign s_tready = !o_valid || m_tready;

wire beat = s_tvalid && s_tready;

// the word with this byte merged in, and its keep if it ends here
reg [31:0] word;
reg [3:0]  keep;
always @* begin
    case (lane)
    2'd0:    begin word = {s_tdata, 24'd0};              keep = 4'b1000; end
    2'd1:    begin word = {acc[23:16], s_tdata, 16'd0};  keep = 4'b1100; end
    2'd2:    begin word = {acc[23:8], s_tdata, 8'd0};    keep = 4'b1110; end
    default: begin word = {acc, s_tdata};                keep = 4'b1111; end
    endcase
end

always @(posedge clk) begin
    if (rst) begin
        lane    <= LANE_FIRST;
        acc     <= 24'd0;
        o_valid <= 1'b0;
    end else begin
        if (m_tready)
            o_valid <= 1'b0;
        if (beat) begin
            if (lane == 2'd3 || s_tlast) begin
                o_valid <= 1'b1;
                o_data  <= word;
                o_keep  <= keep;
                o_last  <= s_tlast;
                o_user  <= s_tlast ? s_tuser : 2'd0;
                lane    <= s_tlast ? LANE_FIRST : 2'd0;
                acc     <= 24'd0;
            end else begin
                acc  <= word[31:8];
                lane <= lane + 2'd1;
            end
        end
    end
end

endmodule

`resetall
