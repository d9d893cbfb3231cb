// SPDX-License-Identifier: MIT
// `INET_CSUM_FN(name, array) defines the Internet checksum over a byte array; `include "csum.vh" at the top of a bench.
`ifndef CSUM_VH
`define CSUM_VH

// function [15:0] name(start, len, init): one's complement sum, folded, of init and
// array[start .. start+len-1] as 16-bit big-endian words (odd tail padded with zero).
`define INET_CSUM_FN(NAME, ARR) \
function [15:0] NAME(input integer start, input integer len, input [31:0] init); \
    integer i; \
    reg [31:0] sum; \
    begin \
        sum = init; \
        for (i = 0; i < len; i = i + 2) \
            sum = sum + {ARR[start + i], (i + 1 < len) ? ARR[start + i + 1] : 8'h00}; \
        sum = sum[15:0] + sum[31:16]; \
        sum = sum[15:0] + sum[31:16]; \
        NAME = sum[15:0]; \
    end \
endfunction

`endif
