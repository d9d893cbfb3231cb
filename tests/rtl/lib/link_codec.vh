// SPDX-License-Identifier: MIT
// Host link framing (docs/LINK.md section 1: COBS(message || CRC-32) 0x00) for benches playing
// the host; `include "link_codec.vh" inside the module, after crc32.vh.
//   link_encode: mb[0 .. mb_len-1] -> enc[0 .. enc_len-1] (CRC appended, COBS, delimiter);
//                corrupt_at >= 0 flips bit 0 of that byte after the CRC is computed.
//   link_decode: the COBS bytes of one frame fr[0 .. fr_len-1] (no delimiter) -> the message
//                dm[0 .. dm_len-1], CRC checked and stripped; $fatal on a malformed frame.

reg [7:0] mb  [0:2047];
reg [7:0] enc [0:2200];
integer   mb_len, enc_len;
integer   corrupt_at = -1;

task link_encode;
    integer i, code_at, code;
    reg [31:0] c;
    begin
        c = 32'hffffffff;
        for (i = 0; i < mb_len; i = i + 1) c = crc_byte(c, mb[i]);
        c = ~c;
        mb[mb_len] = c[7:0]; mb[mb_len + 1] = c[15:8]; mb[mb_len + 2] = c[23:16]; mb[mb_len + 3] = c[31:24];
        if (corrupt_at >= 0) mb[corrupt_at] = mb[corrupt_at] ^ 8'h01;
        code_at = 0; enc_len = 1; code = 1;
        for (i = 0; i < mb_len + 4; i = i + 1) begin
            if (mb[i] == 8'h00) begin
                enc[code_at] = code; code_at = enc_len; enc_len = enc_len + 1; code = 1;
            end else begin
                enc[enc_len] = mb[i]; enc_len = enc_len + 1; code = code + 1;
                if (code == 255) begin
                    enc[code_at] = code; code_at = enc_len; enc_len = enc_len + 1; code = 1;
                end
            end
        end
        enc[code_at] = code;
        enc[enc_len] = 8'h00; enc_len = enc_len + 1;
    end
endtask

reg [7:0] fr [0:4095];
reg [7:0] dm [0:2047];
integer   fr_len = 0, dm_len, dm_blocks;   // dm_blocks: the frame's COBS blocks

task link_decode;
    integer i, j, code;
    reg [31:0] c;
    begin
        i = 0; dm_len = 0; dm_blocks = 0;
        while (i < fr_len) begin
            code = fr[i]; i = i + 1; dm_blocks = dm_blocks + 1;
            if (code == 0) $fatal(1, "zero inside a COBS frame");
            for (j = 1; j < code; j = j + 1) begin
                if (i >= fr_len) $fatal(1, "device sent malformed COBS");
                dm[dm_len] = fr[i]; dm_len = dm_len + 1; i = i + 1;
            end
            if (code < 255 && i < fr_len) begin dm[dm_len] = 8'h00; dm_len = dm_len + 1; end
        end
        if (dm_len < 6) $fatal(1, "device frame too short (%0d)", dm_len);
        c = 32'hffffffff;
        for (i = 0; i < dm_len; i = i + 1) c = crc_byte(c, dm[i]);
        if (c != 32'hdebb20e3) $fatal(1, "device frame CRC wrong");
        dm_len = dm_len - 4;
    end
endtask
