// SPDX-License-Identifier: MIT
// UART 8N1 transmitter with an exact fractional bit clock and back-to-back frames.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * uart_tx
 *
 * Sends each accepted byte as start bit, 8 data bits LSB first, one stop bit. The bit
 * clock is a Bresenham accumulator: with T = CLK_HZ / BAUD = N / D clocks (N, D reduced
 * by their gcd) it adds D per clock and a bit ends when it reaches N, so the average bit
 * rate is exactly BAUD and every bit edge is within half a clock of its ideal time
 * relative to the frame's start edge (the accumulator starts at D / 2 on a frame that
 * begins from idle). While busy the accumulator runs on across frames: the next byte
 * is taken in the clock the stop bit ends, so back-to-back bytes carry exactly one stop
 * bit and a continuous stream runs at exactly BAUD / 10 bytes per second.
 *
 * txd comes from a flop and idles high (also in reset). s_tready is high in idle and in
 * the last clock of a stop bit; it does not depend on s_tvalid.
 *
 * CLK_HZ / BAUD must be at least 4 (the receiver's limit; the transmitter needs 1).
 */
module uart_tx #(
    parameter CLK_HZ = 62500000,  // clk frequency, Hz (at most 1e9)
    parameter BAUD   = 12000000   // bit rate, bit/s (at most CLK_HZ / 4)
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] s_tdata,
    input  wire       s_tvalid,
    output wire       s_tready,
    output wire       txd         // the pin, idle high
);

function integer gcd;
    input integer a_in;
    input integer b_in;
    integer a, b, t, i;
    begin
        a = a_in;
        b = b_in;
        for (i = 0; i < 64; i = i + 1) begin
            if (b != 0) begin
                t = a % b;
                a = b;
                b = t;
            end
        end
        gcd = a;
    end
endfunction

localparam G  = gcd(CLK_HZ, BAUD);
localparam N  = CLK_HZ / G;                 // bit period is N / D clocks
localparam D  = BAUD / G;
localparam AW = $clog2(N + 1) + 1;          // accumulator width (holds acc + D < 2N)
localparam [31:0] N32 = N;
localparam [31:0] D32 = D;
localparam [31:0] HALF32 = D / 2;
localparam [AW-1:0] ACC_N    = N32[AW-1:0];
localparam [AW-1:0] ACC_D    = D32[AW-1:0];
localparam [AW-1:0] ACC_HALF = HALF32[AW-1:0];  // initial phase: centres the bit edges

// Illegal parameters stop elaboration.
generate if (BAUD < 1 || CLK_HZ > 1000000000 || CLK_HZ < 4 * BAUD) begin : g_check
    uart_tx_needs_CLK_HZ_at_least_4_BAUD check();
end endgenerate

reg          busy;
reg [3:0]    left;      // bits left in the frame, the current one included (10..1)
reg [8:0]    shreg;     // bits still to send after the current one (stop bit on top)
reg [AW-1:0] acc;
reg          txd_r;

wire [AW-1:0] acc_n = acc + ACC_D;
wire          tick  = acc_n >= ACC_N;       // the current bit ends at this clock edge
wire          last  = busy && tick && (left == 4'd1);

assign s_tready = !busy || last;
assign txd      = txd_r;

wire load = s_tvalid && s_tready;

always @(posedge clk) begin
    if (load)
        shreg <= {1'b1, s_tdata};
    else if (busy && tick)
        shreg <= {1'b1, shreg[8:1]};
end

always @(posedge clk) begin
    if (rst) begin
        busy  <= 1'b0;
        left  <= 4'd0;
        acc   <= {AW{1'b0}};
        txd_r <= 1'b1;
    end else if (load) begin
        busy  <= 1'b1;
        left  <= 4'd10;
        acc   <= busy ? acc_n - ACC_N : ACC_HALF;
        txd_r <= 1'b0;                       // start bit
    end else if (busy) begin
        if (tick) begin
            acc   <= acc_n - ACC_N;
            left  <= left - 4'd1;
            txd_r <= shreg[0];               // next data bit, then the stop bit, then idle
            if (left == 4'd1)
                busy <= 1'b0;
        end else begin
            acc <= acc_n;
        end
    end
end

endmodule

`default_nettype wire
