// SPDX-License-Identifier: MIT
// Ethernet transmit MAC: 8-bit frame stream to GMII with preamble, padding, FCS and IFG.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * eth_mac_tx
 *
 * Runs in the gmii_tx_clk domain; GMII outputs are registered. For each frame:
 * 7 x 0x55 and the SFD 0xD5, the frame bytes, zero bytes up to 60 frame bytes,
 * the FCS (complement of the CRC-32 over frame and pad bytes, least significant byte
 * first), then 12 idle cycles (tx_en low) of inter-frame gap before the next
 * preamble can start.
 *
 * A frame starts only when its first byte is valid (the byte is taken after the
 * preamble). From then on the MAC takes one byte per clock (s_tready is high for
 * the whole frame body): the source must deliver the whole frame without gaps (the
 * transmit FIFO commits whole frames, so it does). Should the input run dry inside a
 * frame anyway, the MAC does not send a silently corrupted frame: it keeps tx_en and
 * asserts tx_er (txd 0) from that cycle on, discards the rest of the input frame up to
 * its tlast byte, sends neither padding nor FCS, and then goes to the inter-frame gap.
 * gmii_tx_er is 0 otherwise.
 */
module eth_mac_tx (
    input  wire       clk,          // gmii_tx_clk
    input  wire       rst,
    // 8-bit frame stream in (no FCS)
    input  wire [7:0] s_tdata,
    input  wire       s_tvalid,
    output wire       s_tready,
    input  wire       s_tlast,
    // GMII transmit
    output wire [7:0] gmii_txd,
    output wire       gmii_tx_en,
    output wire       gmii_tx_er
);

localparam [2:0] ST_IDLE  = 3'd0;   // waiting for a frame
localparam [2:0] ST_PRE   = 3'd1;   // preamble and SFD
localparam [2:0] ST_DATA  = 3'd2;   // frame bytes
localparam [2:0] ST_PAD   = 3'd3;   // zero padding up to 60 bytes
localparam [2:0] ST_FCS   = 3'd4;   // 4 FCS bytes
localparam [2:0] ST_UNDER = 3'd5;   // input ran dry: tx_er until the frame's tlast
localparam [2:0] ST_IFG   = 3'd6;   // inter-frame gap

localparam [7:0]  PRE_BYTE  = 8'h55;
localparam [7:0]  SFD_BYTE  = 8'hD5;
localparam [31:0] CRC_INIT  = 32'hFFFFFFFF;
localparam [5:0]  MIN_BYTES = 6'd60;   // frame bytes before the FCS, minimum
localparam [5:0]  LEN_MAX   = 6'd63;   // byte counter saturates here
localparam [3:0]  PRE_LAST  = 4'd7;    // tick of the SFD
localparam [3:0]  FCS_LAST  = 4'd3;    // tick of the last FCS byte
localparam [3:0]  IFG_LAST  = 4'd11;   // tick of the last gap cycle (12 cycles)

reg  [2:0]  state;
reg  [3:0]  tick;     // position in preamble, FCS or gap
reg  [5:0]  len;      // frame bytes sent so far (saturating)
reg  [31:0] crc;
reg  [7:0]  txd_r;
reg         en_r;
reg         er_r;

assign gmii_txd   = txd_r;
assign gmii_tx_en = en_r;
assign gmii_tx_er = er_r;

assign s_tready = (state == ST_DATA) || (state == ST_UNDER);

// CRC of the byte going out in ST_DATA (input byte) or ST_PAD (zero)
wire [7:0]  crc_byte = (state == ST_DATA) ? s_tdata : 8'd0;
wire [31:0] crc_next;
eth_crc32_8 crc_step (
    .crc_in  (crc),
    .data    (crc_byte),
    .crc_out (crc_next)
);

always @(posedge clk) begin
    if (rst) begin
        state <= ST_IDLE;
        tick  <= 4'd0;
        len   <= 6'd0;
        txd_r <= 8'd0;
        en_r  <= 1'b0;
        er_r  <= 1'b0;
    end else begin
        er_r <= 1'b0;
        case (state)
        ST_IDLE: begin
            txd_r <= 8'd0;
            en_r  <= 1'b0;
            if (s_tvalid) begin
                txd_r <= PRE_BYTE;
                en_r  <= 1'b1;
                tick  <= 4'd1;
                state <= ST_PRE;
            end
        end
        ST_PRE: begin
            tick <= tick + 4'd1;
            if (tick == PRE_LAST) begin
                txd_r <= SFD_BYTE;
                len   <= 6'd0;
                crc   <= CRC_INIT;
                state <= ST_DATA;
            end else begin
                txd_r <= PRE_BYTE;
            end
        end
        ST_DATA: begin
            tick <= 4'd0;
            if (s_tvalid) begin
                txd_r <= s_tdata;
                crc   <= crc_next;
                if (len != LEN_MAX)
                    len <= len + 6'd1;
                if (s_tlast)
                    state <= (len < MIN_BYTES - 6'd1) ? ST_PAD : ST_FCS;
            end else begin
                txd_r <= 8'd0;
                er_r  <= 1'b1;
                state <= ST_UNDER;
            end
        end
        ST_PAD: begin
            txd_r <= 8'd0;
            crc   <= crc_next;
            len   <= len + 6'd1;
            if (len == MIN_BYTES - 6'd1)
                state <= ST_FCS;
        end
        ST_FCS: begin
            txd_r <= ~crc[7:0];
            crc   <= {8'd0, crc[31:8]};
            tick  <= tick + 4'd1;
            if (tick == FCS_LAST) begin
                tick  <= 4'd0;
                state <= ST_IFG;
            end
        end
        ST_UNDER: begin
            txd_r <= 8'd0;
            er_r  <= 1'b1;
            if (s_tvalid && s_tlast) begin
                tick  <= 4'd0;
                state <= ST_IFG;
            end
        end
        default: begin   // ST_IFG
            txd_r <= 8'd0;
            en_r  <= 1'b0;
            tick  <= tick + 4'd1;
            if (tick == IFG_LAST)
                state <= ST_IDLE;
        end
        endcase
    end
end

endmodule

`resetall
