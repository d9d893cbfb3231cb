// SPDX-License-Identifier: MIT
// Board reset sequencer: PHY reset pulse, PLL lock, push-button and per-domain acknowledges.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * toe_reset_ctrl (runs on the board oscillator, which needs no PLL)
 *
 * After configuration, after a push on the reset button and after the PLL loses lock:
 *   1. PHY_RST: phy_rst_n low and rst_req high for PHY_RST_CYCLES;
 *   2. WAIT:    phy_rst_n high, rst_req still high, for at least PHY_WAIT_CYCLES (the PHY
 *               starts its clocks) and until the PLL is locked and every clock domain has
 *               acknowledged its reset (toe_reset_sync.ack), so a domain whose clock comes
 *               from the PHY (RGMII RX) is reset together with the others;
 *   3. RUN:     rst_req low; `running` high.
 * A domain whose clock never starts keeps the design in WAIT; `waiting` shows which
 * acknowledges are missing (for LEDs and bring-up).
 */
module toe_reset_ctrl #(
    parameter DOMAINS         = 3,        // acknowledges to wait for
    parameter PHY_RST_CYCLES  = 1000000,  // PHY reset pulse, oscillator cycles
    parameter PHY_WAIT_CYCLES = 1000000   // minimum wait after the PHY reset, oscillator cycles
) (
    input  wire               clk,        // board oscillator
    input  wire               pll_locked, // asynchronous
    input  wire               rst_btn,    // asynchronous, active high
    input  wire [DOMAINS-1:0] ack,        // asynchronous, from each domain's toe_reset_sync
    output reg                rst_req = 1'b1,
    output reg                phy_rst_n = 1'b0,
    output wire               running,
    output wire [DOMAINS-1:0] waiting     // domains that have not acknowledged (in WAIT)
);

localparam MAXC = (PHY_RST_CYCLES > PHY_WAIT_CYCLES) ? PHY_RST_CYCLES : PHY_WAIT_CYCLES;
localparam TW   = $clog2(MAXC + 1);
localparam [TW-1:0] RST_LAST  = PHY_RST_CYCLES - 1;
localparam [TW-1:0] WAIT_LAST = PHY_WAIT_CYCLES - 1;

localparam [1:0] S_PHY_RST = 2'd0;
localparam [1:0] S_WAIT    = 2'd1;
localparam [1:0] S_RUN     = 2'd2;

wire locked_s, btn_s;
wire [DOMAINS-1:0] ack_s;

toe_sync_bit sync_lock (.clk(clk), .d(pll_locked), .q(locked_s));
toe_sync_bit sync_btn (.clk(clk), .d(rst_btn), .q(btn_s));

genvar g;
generate
    for (g = 0; g < DOMAINS; g = g + 1) begin : g_ack
        toe_sync_bit sync_ack (.clk(clk), .d(ack[g]), .q(ack_s[g]));
    end
endgenerate

reg [1:0]    state = S_PHY_RST;
reg [TW-1:0] timer = {TW{1'b0}};
reg          timer_done = 1'b0;

always @(posedge clk) begin
    case (state)
    S_PHY_RST: begin
        rst_req   <= 1'b1;
        phy_rst_n <= 1'b0;
        if (btn_s) begin
            timer <= {TW{1'b0}};
        end else if (timer == RST_LAST) begin
            timer      <= {TW{1'b0}};
            timer_done <= 1'b0;
            state      <= S_WAIT;
        end else begin
            timer <= timer + 1'b1;
        end
    end
    S_WAIT: begin
        rst_req   <= 1'b1;
        phy_rst_n <= 1'b1;
        if (timer == WAIT_LAST)
            timer_done <= 1'b1;
        else
            timer <= timer + 1'b1;
        if (btn_s) begin
            timer <= {TW{1'b0}};
            state <= S_PHY_RST;
        end else if (timer_done && locked_s && &ack_s) begin
            state <= S_RUN;
        end
    end
    default: begin  // S_RUN
        rst_req   <= 1'b0;
        phy_rst_n <= 1'b1;
        timer     <= {TW{1'b0}};
        if (btn_s || !locked_s)
            state <= S_PHY_RST;
    end
    endcase
end

assign running = state == S_RUN && !rst_req;
assign waiting = (state == S_WAIT) ? ~ack_s : {DOMAINS{1'b0}};

endmodule

`default_nettype wire
