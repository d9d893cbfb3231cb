// SPDX-License-Identifier: MIT
// Ethernet CRC-32 (reflected, poly 0xEDB88320) one byte at a time: crc_byte(c, d); `include "crc32.vh" inside the module.
// An FCS is ~c after crc_byte over every byte from c = 32'hFFFFFFFF, sent low byte first.

function [31:0] crc_byte(input [31:0] c, input [7:0] d);
    integer k;
    begin
        crc_byte = c;
        for (k = 0; k < 8; k = k + 1)
            crc_byte = (crc_byte[0] ^ d[k]) ? ((crc_byte >> 1) ^ 32'hEDB88320) : (crc_byte >> 1);
    end
endfunction
