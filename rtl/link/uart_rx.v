// SPDX-License-Identifier: MIT
// UART 8N1 receiver: pin synchroniser, glitch filter, exact fractional mid-bit sampling.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * uart_rx
 *
 * The asynchronous pin goes through a two-flop synchroniser, then a 3-sample majority
 * filter (removes 1-clock glitches; a clean edge is only delayed by one clock). A falling
 * edge in idle starts a frame; its clock is m = 0.
 *
 * Bit timing is exact rational arithmetic, no rounding of the bit period: with
 * T = CLK_HZ / BAUD = N / D clocks (N, D reduced by their gcd), bit k (0 start, 1..8 data
 * LSB first, 9 stop) is sampled at clock m_k = floor((k + 0.5) * T) after the edge clock.
 * A down-counter rem = (2k + 1) * N - 2 * D * m does it: sample when rem < 2 * D, then
 * add 2 * (N - D), else subtract 2 * D. The edge is seen 0..1 clock after it happened,
 * so the sampling point lies within (-1, +1) clock of the true bit centre for every bit;
 * no error accumulates across the frame.
 *
 * Tolerance: the far side's bit period T' may differ from T as long as every sample
 * stays inside its bit: for all k, k * T' < m_k and (k + 1) * T' >= m_k + 1. The stop
 * bit binds. Guaranteed for any ratio: |offset| < (T / 2 - 1) / (9.5 * T)
 * (3.2 % at 5.21 clocks per bit, 4.8 % at 20.8, 5.2 % at 542). At 62.5 MHz / 12 Mbaud
 * (N/D = 125/24, m_9 = 49) the exact window is far side -4.3 % (slow) .. +4.2 % (fast);
 * at 3 Mbaud -4.8 % .. +5.2 %; at 115200 baud -5.3 % .. +5.2 %.
 *
 * A start bit that is high again at its centre is a glitch: back to idle, no report.
 * A low stop bit pulses stat_framing_err and drops the byte; the receiver then waits
 * for the line to go high again (a break is one error, not a stream of them). A good
 * byte goes to a one-byte output register; if that register is still full
 * (m_tvalid && !m_tready) the new byte is dropped and stat_overrun pulses (the held
 * byte is kept, so the stream loses exactly the counted bytes and corrupts none).
 * The receiver is idle again right after the stop-bit sample (half a bit early), so
 * back-to-back frames from a slightly fast sender are not missed.
 *
 * CLK_HZ / BAUD must be at least 4.
 */
module uart_rx #(
    parameter CLK_HZ = 62500000,  // clk frequency, Hz (at most 1e9)
    parameter BAUD   = 12000000   // bit rate, bit/s (at most CLK_HZ / 4)
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rxd,              // the pin, asynchronous, idle high
    output wire [7:0] m_tdata,
    output wire       m_tvalid,
    input  wire       m_tready,
    output wire       stat_framing_err, // pulse: stop bit was low
    output wire       stat_overrun      // pulse: byte dropped, output still full
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
localparam RW = $clog2(2 * N) + 1;          // rem width
localparam [31:0] N32 = N;
localparam [31:0] STEP32 = 2 * D;
localparam [31:0] RELOAD32 = 2 * (N - D);
localparam [RW-1:0] REM_N      = N32[RW-1:0];       // rem at the edge clock (k = 0, m = 0)
localparam [RW-1:0] REM_STEP   = STEP32[RW-1:0];    // rem decrement per clock
localparam [RW-1:0] REM_RELOAD = RELOAD32[RW-1:0];  // rem change at a sample clock

// Illegal parameters stop elaboration.
generate if (BAUD < 1 || CLK_HZ > 1000000000 || CLK_HZ < 4 * BAUD) begin : g_check
    uart_rx_needs_CLK_HZ_at_least_4_BAUD check();
end endgenerate

localparam [1:0] ST_IDLE = 2'd0,   // waiting for a falling edge
                 ST_BITS = 2'd1,   // sampling start, data and stop bits
                 ST_WAIT = 2'd2;   // after a framing error: wait for the line to go high

// ---- synchroniser and glitch filter ----
reg s1, s2, s3, s4;     // s1, s2: synchroniser; s3, s4: filter history
reg line;               // filtered line
reg line_d;             // filtered line, one clock earlier

always @(posedge clk) begin
    if (rst) begin
        s1     <= 1'b1;
        s2     <= 1'b1;
        s3     <= 1'b1;
        s4     <= 1'b1;
        line   <= 1'b1;
        line_d <= 1'b1;
    end else begin
        s1     <= rxd;
        s2     <= s1;
        s3     <= s2;
        s4     <= s3;
        line   <= (s2 & s3) | (s2 & s4) | (s3 & s4);
        line_d <= line;
    end
end

// ---- frame state ----
reg [1:0]    state;
reg [RW-1:0] rem;       // (2k + 1) * N - 2 * D * m
reg [3:0]    bitn;      // k: 0 start, 1..8 data, 9 stop
reg [7:0]    shreg;     // data bits, LSB first
reg [7:0]    o_data;
reg          o_valid;
reg          ferr;
reg          ovr;

assign m_tdata          = o_data;
assign m_tvalid         = o_valid;
assign stat_framing_err = ferr;
assign stat_overrun     = ovr;

wire sample   = (state == ST_BITS) && (rem < REM_STEP);
wire byte_ok  = sample && (bitn == 4'd9) && line;
wire out_free = !o_valid || m_tready;

always @(posedge clk) begin
    if (byte_ok && out_free)
        o_data <= shreg;
    if (sample && bitn != 4'd0 && bitn != 4'd9)
        shreg <= {line, shreg[7:1]};
end

always @(posedge clk) begin
    if (rst) begin
        state   <= ST_IDLE;
        rem     <= REM_N;
        bitn    <= 4'd0;
        o_valid <= 1'b0;
        ferr    <= 1'b0;
        ovr     <= 1'b0;
    end else begin
        ferr <= 1'b0;
        ovr  <= 1'b0;
        if (byte_ok) begin
            if (out_free)
                o_valid <= 1'b1;
            else
                ovr <= 1'b1;
        end else if (m_tready) begin
            o_valid <= 1'b0;
        end

        case (state)
        ST_IDLE: begin
            if (line_d && !line) begin
                state <= ST_BITS;
                rem   <= REM_N - REM_STEP;   // value for m = 1
                bitn  <= 4'd0;
            end
        end
        ST_BITS: begin
            if (sample) begin
                rem  <= rem + REM_RELOAD;
                bitn <= bitn + 4'd1;
                if (bitn == 4'd0 && line) begin
                    state <= ST_IDLE;        // glitch, not a start bit
                end else if (bitn == 4'd9) begin
                    if (line) begin
                        state <= ST_IDLE;
                    end else begin
                        state <= ST_WAIT;
                        ferr  <= 1'b1;
                    end
                end
            end else begin
                rem <= rem - REM_STEP;
            end
        end
        default: begin                       // ST_WAIT
            if (line)
                state <= ST_IDLE;
        end
        endcase
    end
end

endmodule

`default_nettype wire
