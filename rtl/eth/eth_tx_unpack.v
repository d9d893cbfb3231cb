// SPDX-License-Identifier: MIT
// Transmit unpacker: 32-bit frame words to an 8-bit stream, dropping the 2-byte alignment pad.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_tx_unpack
 *
 * Serialises 32-bit words in network order (tdata[31:24] first). The first two bytes
 * of every frame (the alignment pad) are dropped; on the tlast word only the bytes
 * marked by tkeep (contiguous from the top) are sent; tkeep of other words is
 * ignored (taken as 1111). One word register plus one byte output register: the next
 * word is loaded in the same cycle the current word's last byte goes out, so with
 * m_tready high and the input holding the frame the output carries one byte per
 * clock with no bubble inside a frame.
 *
 * A frame with no byte after the pad (a single tlast word with tkeep 1000 or 1100)
 * produces no output at all.
 */
module eth_tx_unpack (
    input  wire        clk,
    input  wire        rst,
    // 32-bit frame stream in, with the pad
    input  wire [31:0] s_tdata,
    input  wire [3:0]  s_tkeep,
    input  wire        s_tvalid,
    output wire        s_tready,
    input  wire        s_tlast,
    // 8-bit frame stream out
    output wire [7:0]  m_tdata,
    output wire        m_tvalid,
    input  wire        m_tready,
    output wire        m_tlast
);

localparam [1:0] LANE_FIRST = 2'd2;   // first lane after the pad

reg  [31:0] cur;        // word being sent
reg         cur_valid;
reg         cur_last;
reg  [1:0]  lane;       // next lane of cur to send
reg  [1:0]  end_lane;   // last lane of cur to send
reg         first;      // next word loaded starts a frame
reg  [7:0]  o_data;
reg         o_valid;
reg         o_last;

assign m_tdata  = o_data;
assign m_tvalid = o_valid;
assign m_tlast  = o_last;

wire out_free = !o_valid || m_tready;
wire send     = cur_valid && out_free;
wire cur_done = (lane == end_lane);

assign s_tready = !cur_valid || (send && cur_done);

wire load = s_tvalid && s_tready;

// last lane of an incoming word
reg [1:0] in_end;
always @* begin
    if (!s_tlast) begin
        in_end = 2'd3;
    end else begin
        case (s_tkeep)
        4'b1000: in_end = 2'd0;
        4'b1100: in_end = 2'd1;
        4'b1110: in_end = 2'd2;
        default: in_end = 2'd3;
        endcase
    end
end

// incoming word has no byte to send (frame of pad only)
wire in_empty = first && s_tlast && (in_end < LANE_FIRST);

reg [7:0] cur_byte;
always @* begin
    case (lane)
    2'd0:    cur_byte = cur[31:24];
    2'd1:    cur_byte = cur[23:16];
    2'd2:    cur_byte = cur[15:8];
    default: cur_byte = cur[7:0];
    endcase
end

always @(posedge clk) begin
    if (rst) begin
        cur_valid <= 1'b0;
        first     <= 1'b1;
        o_valid   <= 1'b0;
    end else begin
        if (m_tready)
            o_valid <= 1'b0;
        if (send) begin
            o_valid <= 1'b1;
            o_data  <= cur_byte;
            o_last  <= cur_last && cur_done;
            lane    <= lane + 2'd1;
            if (cur_done)
                cur_valid <= 1'b0;
        end
        if (load) begin
            cur       <= s_tdata;
            cur_last  <= s_tlast;
            cur_valid <= !in_empty;
            lane      <= first ? LANE_FIRST : 2'd0;
            end_lane  <= in_end;
            first     <= s_tlast;
        end
    end
end

endmodule

`resetall
