// SPDX-License-Identifier: MIT
// fold(): the Internet checksum's end-around carry, from a 32-bit running sum of 16-bit words
// to 16 bits. Include inside a module (`include "lib/csum_fold.vh"`).

function [15:0] fold;
    input [31:0] sum;
    reg [16:0] once;
    begin
        once = {1'b0, sum[15:0]} + {1'b0, sum[31:16]};
        fold = once[15:0] + {15'd0, once[16]};
    end
endfunction
