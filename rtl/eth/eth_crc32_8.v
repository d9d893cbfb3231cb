// SPDX-License-Identifier: MIT
// Ethernet CRC-32 (IEEE 802.3), one byte per step, combinational.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_crc32_8
 *
 * One byte step of the reflected CRC-32 used by the Ethernet FCS (polynomial
 * 0x04C11DB7, reflected form 0xEDB88320, data taken LSB first). Usage: start the
 * register at 32'hFFFFFFFF, step once per frame byte; the FCS is the complement of
 * the register, sent least significant byte first. Running the check over the frame
 * bytes and their FCS leaves the register at 32'hDEBB20E3 when the FCS is right.
 * Pure combinational logic (an XOR tree of at most 8 + 32 inputs per output bit).
 *
 * Written in the byte-table form, crc_out = (crc_in >> 8) ^ T(crc_in[7:0] ^ data), where T is
 * eight bit steps over an 8-bit value: the same function as eight bit steps over crc_in and
 * data, but it lets Verilator compute T as a lookup table (one load instead of eight
 * dependent steps per byte; four instances run every cycle in the virtual board).
 */
module eth_crc32_8 (
    input  wire [31:0] crc_in,   // register before this byte
    input  wire [7:0]  data,     // the byte
    output wire [31:0] crc_out   // register after this byte
);

localparam [31:0] POLY = 32'hEDB88320;   // reflected CRC-32 polynomial

wire [7:0] index = crc_in[7:0] ^ data;
reg [31:0] table_out;                     // T(index)

integer i;
always @* begin
    table_out = {24'd0, index};
    for (i = 0; i < 8; i = i + 1)
        table_out = table_out[0] ? ((table_out >> 1) ^ POLY) : (table_out >> 1);
end

assign crc_out = {8'd0, crc_in[31:8]} ^ table_out;

endmodule

`resetall
