// SPDX-License-Identifier: MIT
// Follows toe_core's statistics walk and flags counter changes (LED error and activity).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_stat_watch (core clock domain)
 *
 * toe_core shows every counter of spec/toe.spec in turn, one a cycle, with its value (the
 * statistics block's walk, stat_walk_*): this sums them all and sums the error counters over
 * each walk, and pulses `any_change` / `err_change` for one cycle when a sum differs from the
 * previous walk. Summing every counter also keeps all of them in the bitstream, so the resource
 * figures match a design whose host reads them.
 */
module toe_stat_watch (
    input  wire        clk,
    input  wire        rst,
    input  wire [5:0]  walk_addr,
    input  wire [31:0] walk_data,
    output reg         any_change = 1'b0,
    output reg         err_change = 1'b0
);

`include "toe_defs.vh"

localparam [5:0] LAST = STAT_COUNT - 1;

function is_error;
    input [5:0] a;
    begin
        is_error = a == STAT_RX_FCS_ERR || a == STAT_RX_FRAMING_ERR || a == STAT_RX_TOO_LONG ||
                   a == STAT_RX_ARP_BAD || a == STAT_RX_IP_BAD_HDR || a == STAT_RX_IP_CSUM ||
                   a == STAT_RX_ICMP_CSUM || a == STAT_RX_OVERFLOW;
    end
endfunction

reg [31:0] data_q = 32'd0;
reg [5:0]  addr_q = 6'd0;
reg        valid_q = 1'b0;
reg [31:0] sum_all = 32'd0, sum_err = 32'd0;
reg [31:0] prev_all = 32'd0, prev_err = 32'd0;

always @(posedge clk) begin
    any_change <= 1'b0;
    err_change <= 1'b0;
    if (rst) begin
        valid_q   <= 1'b0;
        sum_all   <= 32'd0;
        sum_err   <= 32'd0;
        prev_all  <= 32'd0;
        prev_err  <= 32'd0;
    end else begin
        data_q    <= walk_data;
        addr_q    <= walk_addr;
        valid_q   <= 1'b1;
        if (valid_q) begin
            if (addr_q == LAST) begin
                // Walk complete: compare with the previous one, start the next.
                any_change <= sum_all + data_q != prev_all;
                err_change <= (is_error(addr_q) ? sum_err + data_q : sum_err) != prev_err;
                prev_all   <= sum_all + data_q;
                prev_err   <= is_error(addr_q) ? sum_err + data_q : sum_err;
                sum_all    <= 32'd0;
                sum_err    <= 32'd0;
            end else begin
                sum_all <= sum_all + data_q;
                if (is_error(addr_q))
                    sum_err <= sum_err + data_q;
            end
        end
    end
end

endmodule

`default_nettype wire
