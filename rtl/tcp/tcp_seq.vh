// SPDX-License-Identifier: MIT
// TCP sequence-number arithmetic for the fast path's modules. Include inside a module
// (`include "tcp/tcp_seq.vh"`).
//
// lt(a, b): sequence a < b modulo 2^32 (RFC 9293 section 3.4): the difference a - b is negative.
// umin(a, b): the smaller of two unsigned lengths.

function lt;
    input [31:0] a, b;
    begin lt = (a - b) >= 32'h80000000; end
endfunction

function [31:0] umin;
    input [31:0] a, b;
    begin umin = a < b ? a : b; end
endfunction
