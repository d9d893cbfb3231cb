// SPDX-License-Identifier: MIT
// GMII receive-side driver (idle, byte, burst) and make_frame; `include "gmii_rx.vh" inside the module after crc32.vh.
// Needs gmii_rxd, gmii_rx_dv, gmii_rx_er, reg [7:0] fb [0:4095] and three defines, undefined here at the end:
//   `GMII_RX_CLK the clock to drive on; `GMII_SEED the seed variable; `GMII_IDLE_NOISE 1: random rx_er while idle.

// n idle cycles: rx_dv low, random rxd (and random rx_er with GMII_IDLE_NOISE), false carrier and all
task gmii_idle(input integer n);
    integer k;
    begin
        for (k = 0; k < n; k = k + 1) begin
            @(posedge `GMII_RX_CLK);
            gmii_rx_dv <= 1'b0;
            gmii_rxd   <= $random(`GMII_SEED);
            if (`GMII_IDLE_NOISE)
                gmii_rx_er <= (($random(`GMII_SEED) & 7) == 0);
            else
                gmii_rx_er <= 1'b0;
        end
    end
endtask

task gmii_byte(input [7:0] b, input er);
    begin
        @(posedge `GMII_RX_CLK);
        gmii_rx_dv <= 1'b1;
        gmii_rxd   <= b;
        gmii_rx_er <= er;
    end
endtask

// pre: number of 0x55; sfd: the byte after them (-1: none); total: bytes of fb;
// er_at: index (in the whole burst) where RX_ER is asserted, -1 none; gap: idle after
task gmii_burst(input integer pre, input integer sfd, input integer total,
                input integer er_at, input integer gap);
    integer k, pos;
    begin
        pos = 0;
        for (k = 0; k < pre; k = k + 1) begin
            gmii_byte(8'h55, pos == er_at);
            pos = pos + 1;
        end
        if (sfd >= 0) begin
            gmii_byte(sfd[7:0], pos == er_at);
            pos = pos + 1;
        end
        for (k = 0; k < total; k = k + 1) begin
            gmii_byte(fb[k], pos == er_at);
            pos = pos + 1;
        end
        gmii_idle(gap);
    end
endtask

// fill fb with n random bytes plus a correct FCS (n + 4 bytes in all)
task make_frame(input integer n);
    integer k;
    reg [31:0] c;
    begin
        c = 32'hFFFFFFFF;
        for (k = 0; k < n; k = k + 1) begin
            fb[k] = $random(`GMII_SEED);
            c = crc_byte(c, fb[k]);
        end
        c = ~c;
        fb[n]     = c[7:0];
        fb[n + 1] = c[15:8];
        fb[n + 2] = c[23:16];
        fb[n + 3] = c[31:24];
    end
endtask

`undef GMII_RX_CLK
`undef GMII_SEED
`undef GMII_IDLE_NOISE
