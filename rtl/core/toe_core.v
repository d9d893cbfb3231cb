// SPDX-License-Identifier: MIT
// toe_core: the portable TCP offload engine core (GMII on one side, host-facing ports on the other).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Everything that is not board-specific: the Ethernet MAC (three clock domains: GMII RX,
 * GMII TX, core), the receive parser with its frame store, the transmit builder that answers
 * ARP and ICMP echo in hardware, and the statistics counters. Board tops add clocks, resets
 * and the RGMII/DDR I/O; the virtual board (sim/) drives these ports directly.
 * See docs/ARCHITECTURE.md for the block diagram and the frame format between blocks.
 */
module toe_core #(
    parameter STORE_LOG2 = 11  // receive frame store, 2^N 32-bit words (at least 2 full frames)
) (
    input  wire        clk,          // core clock (62.5 MHz for 1 Gb/s)
    input  wire        rst,

    input  wire        gmii_rx_clk,  // 125 MHz from the PHY
    input  wire        gmii_rx_rst,
    input  wire [7:0]  gmii_rxd,
    input  wire        gmii_rx_dv,
    input  wire        gmii_rx_er,

    input  wire        gmii_tx_clk,  // 125 MHz to the PHY
    input  wire        gmii_tx_rst,
    output wire [7:0]  gmii_txd,
    output wire        gmii_tx_en,
    output wire        gmii_tx_er,

    input  wire [47:0] cfg_mac,      // core clock domain from here on
    input  wire [31:0] cfg_ip,
    input  wire [31:0] cfg_netmask,
    input  wire [31:0] cfg_gateway,  // used by the host; carried here for the CSR block

    input  wire [5:0]  stat_addr,
    output wire [31:0] stat_data
);

localparam TX_FIFO_LOG2 = 10;
localparam DESC_WIDTH = 1 + 48 + 32 + (STORE_LOG2 + 1) + 9 + 16 + 16 + 8;

// ---- MAC ----
wire [31:0] rx_tdata;
wire [3:0]  rx_tkeep;
wire        rx_tvalid, rx_tready, rx_tlast;
wire [1:0]  rx_tuser;
wire [31:0] tx_tdata;
wire [3:0]  tx_tkeep;
wire        tx_tvalid, tx_tready, tx_tlast;
wire [TX_FIFO_LOG2:0] tx_free;

eth_mac #(
    .RX_FIFO_LOG2(9),
    .TX_FIFO_LOG2(TX_FIFO_LOG2)
) mac (
    .clk(clk), .rst(rst),
    .gmii_rx_clk(gmii_rx_clk), .gmii_rx_rst(gmii_rx_rst),
    .gmii_rxd(gmii_rxd), .gmii_rx_dv(gmii_rx_dv), .gmii_rx_er(gmii_rx_er),
    .gmii_tx_clk(gmii_tx_clk), .gmii_tx_rst(gmii_tx_rst),
    .gmii_txd(gmii_txd), .gmii_tx_en(gmii_tx_en), .gmii_tx_er(gmii_tx_er),
    .m_rx_tdata(rx_tdata), .m_rx_tkeep(rx_tkeep), .m_rx_tvalid(rx_tvalid),
    .m_rx_tready(rx_tready), .m_rx_tlast(rx_tlast), .m_rx_tuser(rx_tuser),
    .s_tx_tdata(tx_tdata), .s_tx_tkeep(tx_tkeep), .s_tx_tvalid(tx_tvalid),
    .s_tx_tready(tx_tready), .s_tx_tlast(tx_tlast), .s_tx_free(tx_free)
);

// ---- receive parser and frame store ----
wire                  store_wr_en;
wire [STORE_LOG2-1:0] store_wr_addr;
wire [31:0]           store_wr_data;
wire [STORE_LOG2-1:0] store_rd_addr;
wire [31:0]           store_rd_data;
wire [STORE_LOG2:0]   store_rd_ptr;

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(STORE_LOG2)) store (
    .clk(clk),
    .wr_en(store_wr_en), .wr_addr(store_wr_addr), .wr_data(store_wr_data),
    .rd_addr(store_rd_addr), .rd_data(store_rd_data)
);

wire                 desc_push, desc_room, desc_pop, desc_valid;
wire                 rx_desc_icmp;
wire [47:0]          rx_desc_mac;
wire [31:0]          rx_desc_ip;
wire [STORE_LOG2:0]  rx_desc_start;
wire [8:0]           rx_desc_words;
wire [15:0]          rx_desc_len, rx_desc_csum;
wire [7:0]           rx_desc_code;
wire                 verdict_valid;
wire [5:0]           verdict;

toe_rx_parse #(.STORE_LOG2(STORE_LOG2)) rx_parse (
    .clk(clk), .rst(rst),
    .s_rx_tdata(rx_tdata), .s_rx_tkeep(rx_tkeep), .s_rx_tvalid(rx_tvalid),
    .s_rx_tready(rx_tready), .s_rx_tlast(rx_tlast), .s_rx_tuser(rx_tuser),
    .store_wr_en(store_wr_en), .store_wr_addr(store_wr_addr), .store_wr_data(store_wr_data),
    .store_rd_ptr(store_rd_ptr),
    .m_desc_valid(desc_push), .m_desc_room(desc_room),
    .m_desc_icmp(rx_desc_icmp), .m_desc_mac(rx_desc_mac), .m_desc_ip(rx_desc_ip),
    .m_desc_start(rx_desc_start), .m_desc_words(rx_desc_words), .m_desc_len(rx_desc_len),
    .m_desc_csum(rx_desc_csum), .m_desc_code(rx_desc_code),
    .verdict_valid(verdict_valid), .verdict(verdict),
    .cfg_mac(cfg_mac), .cfg_ip(cfg_ip), .cfg_netmask(cfg_netmask)
);

// ---- descriptor queue between parser and transmit builder ----
wire [DESC_WIDTH-1:0] desc_head;
wire [4:0]            desc_count;

// 16 entries cost no more distributed RAM than 8 on ECP5, and ride out a full-size echo
// reply with ARP requests arriving at line rate behind it.
sync_fifo #(.DATA_WIDTH(DESC_WIDTH), .ADDR_WIDTH(4)) desc_fifo (
    .clk(clk), .rst(rst),
    .wr_en(desc_push),
    .wr_data({rx_desc_icmp, rx_desc_mac, rx_desc_ip, rx_desc_start, rx_desc_words,
              rx_desc_len, rx_desc_csum, rx_desc_code}),
    .rd_en(desc_pop), .rd_data(desc_head), .rd_valid(desc_valid), .count(desc_count)
);

// Room is checked at a frame's first beat, which can come one cycle before the previous
// frame's push lands, so keep two entries free: one for that push, one for this frame.
assign desc_room = desc_count < 5'd15;

wire                 tx_desc_icmp;
wire [47:0]          tx_desc_mac;
wire [31:0]          tx_desc_ip;
wire [STORE_LOG2:0]  tx_desc_start;
wire [8:0]           tx_desc_words;
wire [15:0]          tx_desc_len, tx_desc_csum;
wire [7:0]           tx_desc_code;
assign {tx_desc_icmp, tx_desc_mac, tx_desc_ip, tx_desc_start, tx_desc_words,
        tx_desc_len, tx_desc_csum, tx_desc_code} = desc_head;

// ---- transmit builder ----
wire sent_arp, sent_icmp;

toe_tx #(.STORE_LOG2(STORE_LOG2), .TX_FREE_BITS(TX_FIFO_LOG2 + 1)) tx (
    .clk(clk), .rst(rst),
    .s_desc_valid(desc_valid), .s_desc_pop(desc_pop),
    .s_desc_icmp(tx_desc_icmp), .s_desc_mac(tx_desc_mac), .s_desc_ip(tx_desc_ip),
    .s_desc_start(tx_desc_start), .s_desc_words(tx_desc_words), .s_desc_len(tx_desc_len),
    .s_desc_csum(tx_desc_csum), .s_desc_code(tx_desc_code),
    .store_rd_addr(store_rd_addr), .store_rd_data(store_rd_data), .store_rd_ptr(store_rd_ptr),
    .m_tx_tdata(tx_tdata), .m_tx_tkeep(tx_tkeep), .m_tx_tvalid(tx_tvalid),
    .m_tx_tready(tx_tready), .m_tx_tlast(tx_tlast), .m_tx_free(tx_free),
    .sent_arp(sent_arp), .sent_icmp(sent_icmp),
    .cfg_mac(cfg_mac), .cfg_ip(cfg_ip)
);

// ---- counters ----
toe_stats stats (
    .clk(clk), .rst(rst),
    .rx_verdict_valid(verdict_valid), .rx_verdict(verdict),
    .tx_arp(sent_arp), .tx_icmp(sent_icmp),
    .stat_addr(stat_addr), .stat_data(stat_data)
);

endmodule

`default_nettype wire
