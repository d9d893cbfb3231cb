// SPDX-License-Identifier: MIT
// toe_core: the portable TCP offload engine core (GMII on one side, host-facing ports on the other).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Everything that is not board-specific: the Ethernet MAC (three clock domains: GMII RX,
 * GMII TX, core), the receive parser with its frame store, the transmit builder that answers
 * ARP and ICMP echo in hardware, the TCP fast path (toe_tcp: connection slots, rings,
 * segmentation, ACKs) with the on-chip traffic source and sink in front of it (toe_traffic,
 * toe iperf; TRAFFIC = 0 leaves it out), and the statistics counters. Board tops add clocks,
 * resets and the RGMII/DDR I/O; the virtual board (sim/) drives these ports directly. The host link
 * (docs/LINK.md) enters as two byte streams; the link PHY (UART, FT245) lives in the board top.
 * The link engine (rtl/link/toe_link.v) holds the CSRs: the configuration the datapath uses
 * comes from there (reset to the cfg_* inputs).
 * See docs/ARCHITECTURE.md for the block diagram and the frame format between blocks.
 */
module toe_core #(
    parameter STORE_LOG2 = 11,        // receive frame store, 2^N 32-bit words (at least 2 full frames)
    parameter HQ_LOG2    = 11,        // host queue (frames for RAW_RX), 2^N 32-bit words
    parameter CLK_HZ     = 62500000,  // core clock in Hz, for the microsecond clock
    parameter LINK_KIND  = 0,         // CONST_LINK_* of the PHY in front of the link ports (CAPS)
    parameter LINK_RATE  = 0,         // the link PHY's payload rate in bytes/s (CSR LINK_RATE)
    parameter SLOTS      = 8,         // TCP connection slots (4..32; 0: no TCP fast path)
    parameter BUF_LOG2   = 13,        // bytes per TCP ring (TX and RX per slot), 2^N
    parameter TRAFFIC    = 1          // 1: the on-chip traffic source and sink (toe iperf); 0: none
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

    input  wire [7:0]  s_link_tdata,   // host -> device bytes (core clock domain from here on)
    input  wire        s_link_tvalid,
    output wire        s_link_tready,
    output wire [7:0]  m_link_tdata,   // device -> host bytes
    output wire        m_link_tvalid,
    input  wire        m_link_tready,

    input  wire [47:0] cfg_mac,      // reset values of the MAC/IP/NETMASK/GATEWAY CSRs,
    input  wire [31:0] cfg_ip,       // sampled at reset; CSR writes override them
    input  wire [31:0] cfg_netmask,
    input  wire [31:0] cfg_gateway,

    output wire [5:0]  stat_walk_addr, // every statistics counter in turn, one a cycle,
    output wire [31:0] stat_walk_data  // with its value (board status LEDs)
);

localparam TX_FIFO_LOG2 = 10;

`include "toe_defs.vh"

// configuration from the CSR block
wire [47:0] csr_mac;
wire [31:0] csr_ip, csr_netmask, csr_gateway, host_mask, chack_limit;
wire [63:0] now_us;
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
wire [31:0] txs_tdata;          // the last arbiter's output, before the register slice
wire [3:0]  txs_tkeep;
wire        txs_tvalid, txs_tready, txs_tlast;
wire [TX_FIFO_LOG2:0] txs_free;
wire [TX_FIFO_LOG2:0] tx0_free, tx1_free;
wire [31:0] tx0_tdata, tx1_tdata;
wire [3:0]  tx0_tkeep, tx1_tkeep;
wire        tx0_tvalid, tx0_tready, tx0_tlast, tx0_req;
wire        tx1_tvalid, tx1_tready, tx1_tlast, tx1_req;
wire [TX_FIFO_LOG2:0] tx2_free, txa_free;
wire [31:0] tx2_tdata, txa_tdata;
wire [3:0]  tx2_tkeep, txa_tkeep;
wire        tx2_tvalid, tx2_tready, tx2_tlast, tx2_req;
wire        txa_tvalid, txa_tready, txa_tlast, txa_req;
wire        tcp_match;

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

// host queue: written by the parser, read by the link engine
wire                 hq_wr_en;
wire [HQ_LOG2-1:0]   hq_wr_addr, hq_rd_addr;
wire [31:0]          hq_wr_data, hq_rd_data;
wire [HQ_LOG2:0]     hq_rd_ptr;
wire                 hq_push, hq_room, hq_pop, hq_valid;
wire [HQ_LOG2:0]     hq_in_start, hq_start;
wire [8:0]           hq_in_words, hq_words;
wire [10:0]          hq_in_len, hq_len;
wire [5:0]           hq_in_verdict, hq_verdict;
wire [63:0]          hq_in_time, hq_time;
wire                 to_host, host_drop;
wire [4:0]           hq_count;

ram_sdp #(.DATA_WIDTH(32), .ADDR_WIDTH(HQ_LOG2)) host_queue (
    .clk(clk),
    .wr_en(hq_wr_en), .wr_addr(hq_wr_addr), .wr_data(hq_wr_data),
    .rd_addr(hq_rd_addr), .rd_data(hq_rd_data)
);

sync_fifo #(.DATA_WIDTH(HQ_LOG2 + 1 + 9 + 11 + 6 + 64), .ADDR_WIDTH(4)) hq_desc_fifo (
    .clk(clk), .rst(rst),
    .wr_en(hq_push), .wr_data({hq_in_start, hq_in_words, hq_in_len, hq_in_verdict, hq_in_time}),
    .rd_en(hq_pop), .rd_data({hq_start, hq_words, hq_len, hq_verdict, hq_time}),
    .rd_valid(hq_valid), .count(hq_count)
);
// as for the descriptor queue below: a push may still be in flight at the next first beat
assign hq_room = hq_count < 5'd15;

toe_rx_parse #(.STORE_LOG2(STORE_LOG2), .HQ_LOG2(HQ_LOG2)) rx_parse (
    .clk(clk), .rst(rst),
    .s_rx_tdata(rx_tdata), .s_rx_tkeep(rx_tkeep), .s_rx_tvalid(rx_tvalid),
    .s_rx_tready(rx_tready), .s_rx_tlast(rx_tlast), .s_rx_tuser(rx_tuser),
    .store_wr_en(store_wr_en), .store_wr_addr(store_wr_addr), .store_wr_data(store_wr_data),
    .store_rd_ptr(store_rd_ptr),
    .m_desc_valid(desc_push), .m_desc_room(desc_room),
    .m_desc_icmp(rx_desc_icmp), .m_desc_mac(rx_desc_mac), .m_desc_ip(rx_desc_ip),
    .m_desc_start(rx_desc_start), .m_desc_words(rx_desc_words), .m_desc_len(rx_desc_len),
    .m_desc_csum(rx_desc_csum), .m_desc_code(rx_desc_code),
    .hq_wr_en(hq_wr_en), .hq_wr_addr(hq_wr_addr), .hq_wr_data(hq_wr_data),
    .hq_rd_ptr(hq_rd_ptr),
    .m_hq_valid(hq_push), .m_hq_room(hq_room), .m_hq_start(hq_in_start),
    .m_hq_words(hq_in_words), .m_hq_len(hq_in_len), .m_hq_verdict(hq_in_verdict),
    .m_hq_time(hq_in_time), .host_mask(host_mask), .now_us(now_us),
    .verdict_valid(verdict_valid), .verdict(verdict),
    .to_host(to_host), .host_drop(host_drop),
    .cfg_mac(csr_mac), .cfg_ip(csr_ip), .cfg_netmask(csr_netmask),
    .tcp_match(tcp_match)
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
    .m_tx_req(tx0_req),
    .m_tx_tdata(tx0_tdata), .m_tx_tkeep(tx0_tkeep), .m_tx_tvalid(tx0_tvalid),
    .m_tx_tready(tx0_tready), .m_tx_tlast(tx0_tlast), .m_tx_free(tx0_free),
    .sent_arp(sent_arp), .sent_icmp(sent_icmp),
    .cfg_mac(csr_mac), .cfg_ip(csr_ip)
);

// ---- transmit arbiters: replies and RAW_TX frames, then those and TCP segments; whole
// frames, round robin at each stage ----
toe_tx_arb #(.FREE_BITS(TX_FIFO_LOG2 + 1)) tx_arb (
    .clk(clk), .rst(rst),
    .s0_req(tx0_req), .s0_tdata(tx0_tdata), .s0_tkeep(tx0_tkeep), .s0_tvalid(tx0_tvalid),
    .s0_tready(tx0_tready), .s0_tlast(tx0_tlast), .s0_free(tx0_free),
    .s1_req(tx1_req), .s1_tdata(tx1_tdata), .s1_tkeep(tx1_tkeep), .s1_tvalid(tx1_tvalid),
    .s1_tready(tx1_tready), .s1_tlast(tx1_tlast), .s1_free(tx1_free),
    .m_tdata(txa_tdata), .m_tkeep(txa_tkeep), .m_tvalid(txa_tvalid), .m_tready(txa_tready),
    .m_tlast(txa_tlast), .m_free(txa_free), .m_req(txa_req)
);

toe_tx_arb #(.FREE_BITS(TX_FIFO_LOG2 + 1)) tx_arb_tcp (
    .clk(clk), .rst(rst),
    .s0_req(txa_req), .s0_tdata(txa_tdata), .s0_tkeep(txa_tkeep), .s0_tvalid(txa_tvalid),
    .s0_tready(txa_tready), .s0_tlast(txa_tlast), .s0_free(txa_free),
    .s1_req(tx2_req), .s1_tdata(tx2_tdata), .s1_tkeep(tx2_tkeep), .s1_tvalid(tx2_tvalid),
    .s1_tready(tx2_tready), .s1_tlast(tx2_tlast), .s1_free(tx2_free),
    .m_tdata(txs_tdata), .m_tkeep(txs_tkeep), .m_tvalid(txs_tvalid), .m_tready(txs_tready),
    .m_tlast(txs_tlast), .m_free(txs_free), .m_req(unused_arb_req)
);
wire unused_arb_req;   // the last stage has no arbiter after it

// A register slice between the arbiters and the MAC: no combinational path from a source
// (a ring's read data through tcp_seg_tx) across both arbiters into the MAC's FIFO. It holds
// up to two beats the FIFO's free count does not show yet, so the arbiters see two words
// fewer (a source still starts a frame only when the whole frame has room).
axis_register #(.DATA_WIDTH(36)) tx_slice (
    .clk(clk), .rst(rst),
    .s_tdata({txs_tkeep, txs_tdata}), .s_tvalid(txs_tvalid), .s_tready(txs_tready),
    .s_tlast(txs_tlast),
    .m_tdata({tx_tkeep, tx_tdata}), .m_tvalid(tx_tvalid), .m_tready(tx_tready),
    .m_tlast(tx_tlast)
);
localparam [TX_FIFO_LOG2:0] SLICE_WORDS = 2;
assign txs_free = tx_free > SLICE_WORDS ? tx_free - SLICE_WORDS : {(TX_FIFO_LOG2 + 1){1'b0}};

// ---- host link engine: CSRs, time, alarm, events, RAW_RX, RAW_TX ----
wire [5:0]  stat2_addr;
wire inc_rx_msgs, inc_bad_msg, inc_bad_frame, inc_bad_crc, inc_tx_msgs, inc_events;
wire inc_tx_raw, inc_tx_raw_bad;

// link <-> TCP engine
wire         tcp_csr_req, tcp_csr_we, tcp_csr_ack;
wire [15:0]  tcp_csr_addr;
wire [31:0]  tcp_csr_wdata, tcp_csr_rdata;
wire [7:0]   tcp_csr_status;
wire         tcp_txd_req, tcp_txd_ack;
wire [7:0]   tcp_txd_slot;
wire [31:0]  tcp_txd_seq, tcp_txd_rd_data;
wire [10:0]  tcp_txd_len;
wire [8:0]   tcp_txd_rd_addr;
wire         tcp_rxc_req, tcp_rxc_ack;
wire [7:0]   tcp_rxc_slot;
wire [31:0]  tcp_rxc_seq;
wire         tcp_rxd_valid, tcp_rxd_taken, tcp_rxd_busy;
wire [7:0]   tcp_rxd_slot, tcp_rxd_rd_slot;
wire [31:0]  tcp_rxd_seq, tcp_rxd_rd_seq, tcp_rxd_rd_data;
wire [10:0]  tcp_rxd_len;
wire         tcp_ev_valid, tcp_ev_taken;
wire [143:0] tcp_ev_fields;
wire         host_quiet;        // toe_link: no host message coming in (toe_tcp's late SND.UNA events wait for it)
wire inc_tcp_rx_segs, inc_tcp_rx_ooo, inc_tcp_rx_drop, inc_tcp_tx_segs, inc_tcp_tx_rexmit;
wire inc_tcp_dupacks, inc_tcp_data_bad, inc_tcp_no_ack, inc_tcp_bad_ack, inc_tcp_after_fin;
wire inc_tcp_chack, inc_tcp_chack_limited;
wire inc_traffic_src, inc_traffic_snk, inc_traffic_bad;

toe_link #(
    .CLK_HZ(CLK_HZ), .LINK_KIND(LINK_KIND), .LINK_RATE(LINK_RATE), .HQ_LOG2(HQ_LOG2),
    .TX_FREE_BITS(TX_FIFO_LOG2 + 1), .TCP_SLOTS(SLOTS), .TCP_BUF_LOG2(BUF_LOG2),
    .TRAFFIC(SLOTS > 0 && TRAFFIC != 0)
) link (
    .clk(clk), .rst(rst),
    .s_link_tdata(s_link_tdata), .s_link_tvalid(s_link_tvalid), .s_link_tready(s_link_tready),
    .m_link_tdata(m_link_tdata), .m_link_tvalid(m_link_tvalid), .m_link_tready(m_link_tready),
    .rst_mac(cfg_mac), .rst_ip(cfg_ip), .rst_netmask(cfg_netmask), .rst_gateway(cfg_gateway),
    .cfg_mac(csr_mac), .cfg_ip(csr_ip), .cfg_netmask(csr_netmask), .cfg_gateway(csr_gateway),
    .host_mask(host_mask), .chack_limit(chack_limit), .now_us(now_us),
    .stat_addr(stat2_addr), .stat_data(stat_walk_data),
    .stat_valid(stat_walk_addr == stat2_addr),
    .inc_rx_msgs(inc_rx_msgs), .inc_bad_msg(inc_bad_msg), .inc_bad_frame(inc_bad_frame),
    .inc_bad_crc(inc_bad_crc), .inc_tx_msgs(inc_tx_msgs), .inc_events(inc_events),
    .inc_tx_raw(inc_tx_raw), .inc_tx_raw_bad(inc_tx_raw_bad),
    .hq_valid(hq_valid), .hq_pop(hq_pop), .hq_start(hq_start), .hq_words(hq_words),
    .hq_len(hq_len), .hq_verdict(hq_verdict), .hq_time(hq_time),
    .hq_rd_addr(hq_rd_addr), .hq_rd_data(hq_rd_data), .hq_rd_ptr(hq_rd_ptr),
    .m_tx_req(tx1_req), .m_tx_tdata(tx1_tdata), .m_tx_tkeep(tx1_tkeep),
    .m_tx_tvalid(tx1_tvalid), .m_tx_tready(tx1_tready), .m_tx_tlast(tx1_tlast),
    .m_tx_free(tx1_free),
    .tcp_csr_req(tcp_csr_req), .tcp_csr_we(tcp_csr_we), .tcp_csr_addr(tcp_csr_addr),
    .tcp_csr_wdata(tcp_csr_wdata), .tcp_csr_ack(tcp_csr_ack), .tcp_csr_rdata(tcp_csr_rdata),
    .tcp_csr_status(tcp_csr_status),
    .tcp_txd_req(tcp_txd_req), .tcp_txd_slot(tcp_txd_slot), .tcp_txd_seq(tcp_txd_seq),
    .tcp_txd_len(tcp_txd_len), .tcp_txd_rd_addr(tcp_txd_rd_addr),
    .tcp_txd_rd_data(tcp_txd_rd_data), .tcp_txd_ack(tcp_txd_ack),
    .tcp_rxc_req(tcp_rxc_req), .tcp_rxc_slot(tcp_rxc_slot), .tcp_rxc_seq(tcp_rxc_seq),
    .tcp_rxc_ack(tcp_rxc_ack),
    .tcp_rxd_valid(tcp_rxd_valid), .tcp_rxd_taken(tcp_rxd_taken), .tcp_rxd_slot(tcp_rxd_slot),
    .tcp_rxd_seq(tcp_rxd_seq), .tcp_rxd_len(tcp_rxd_len), .tcp_rxd_rd_slot(tcp_rxd_rd_slot),
    .tcp_rxd_rd_seq(tcp_rxd_rd_seq), .tcp_rxd_busy(tcp_rxd_busy), .tcp_rxd_rd_data(tcp_rxd_rd_data),
    .tcp_ev_valid(tcp_ev_valid), .tcp_ev_taken(tcp_ev_taken), .tcp_ev_fields(tcp_ev_fields),
    .host_quiet(host_quiet)
);

// ---- TCP fast path (SLOTS = 0 builds a core without it: the slow path only) ----
generate if (SLOTS > 0) begin : g_tcp
    // the on-chip traffic source and sink (toe iperf; TRAFFIC) between the link engine and
    // toe_tcp: its own CSR fields, TX_DATA, RX_CONSUMED and RX_DATA takes of the slot it runs on
    wire         e_csr_req, e_csr_we, e_csr_ack;
    wire [15:0]  e_csr_addr;
    wire [31:0]  e_csr_rdata;
    wire [7:0]   e_csr_status;
    wire         e_txd_req, e_txd_ack;
    wire [7:0]   e_txd_slot;
    wire [31:0]  e_txd_seq, e_txd_rd_data;
    wire [10:0]  e_txd_len;
    wire [8:0]   e_txd_rd_addr;
    wire         e_rxc_req, e_rxc_ack;
    wire [7:0]   e_rxc_slot;
    wire [31:0]  e_rxc_seq;
    wire         e_rxd_valid, e_rxd_taken;
    if (TRAFFIC != 0) begin : g_traffic
        toe_traffic #(.SLOTS(SLOTS), .BUF_LOG2(BUF_LOG2)) traffic (
            .clk(clk), .rst(rst),
            .s_csr_req(tcp_csr_req), .s_csr_we(tcp_csr_we), .s_csr_addr(tcp_csr_addr),
            .s_csr_wdata(tcp_csr_wdata), .s_csr_ack(tcp_csr_ack), .s_csr_rdata(tcp_csr_rdata),
            .s_csr_status(tcp_csr_status),
            .m_csr_req(e_csr_req), .m_csr_we(e_csr_we), .m_csr_addr(e_csr_addr),
            .m_csr_ack(e_csr_ack), .m_csr_rdata(e_csr_rdata),
            .m_csr_status(e_csr_status),
            .s_txd_req(tcp_txd_req), .s_txd_slot(tcp_txd_slot), .s_txd_seq(tcp_txd_seq),
            .s_txd_len(tcp_txd_len), .s_txd_rd_addr(tcp_txd_rd_addr),
            .s_txd_rd_data(tcp_txd_rd_data), .s_txd_ack(tcp_txd_ack),
            .m_txd_req(e_txd_req), .m_txd_slot(e_txd_slot), .m_txd_seq(e_txd_seq),
            .m_txd_len(e_txd_len), .m_txd_rd_addr(e_txd_rd_addr), .m_txd_rd_data(e_txd_rd_data),
            .m_txd_ack(e_txd_ack),
            .s_rxc_req(tcp_rxc_req), .s_rxc_slot(tcp_rxc_slot), .s_rxc_seq(tcp_rxc_seq),
            .s_rxc_ack(tcp_rxc_ack),
            .m_rxc_req(e_rxc_req), .m_rxc_slot(e_rxc_slot), .m_rxc_seq(e_rxc_seq),
            .m_rxc_ack(e_rxc_ack),
            .t_rxd_valid(e_rxd_valid), .t_rxd_taken(e_rxd_taken), .t_rxd_slot(tcp_rxd_slot),
            .t_rxd_seq(tcp_rxd_seq), .t_rxd_len(tcp_rxd_len),
            .l_rxd_valid(tcp_rxd_valid), .l_rxd_taken(tcp_rxd_taken),
            .ev_valid(tcp_ev_valid), .ev_taken(tcp_ev_taken), .ev_fields(tcp_ev_fields),
            .data_bad(inc_tcp_data_bad),
            .inc_src_kib(inc_traffic_src), .inc_snk_kib(inc_traffic_snk), .inc_bad(inc_traffic_bad)
        );
    end else begin : g_no_traffic
        // toe_tcp on the link engine's paths directly; the slot fields TRAFFIC* are refused
        assign e_csr_req       = tcp_csr_req;
        assign e_csr_we        = tcp_csr_we;
        assign e_csr_addr      = tcp_csr_addr;
        assign tcp_csr_ack     = e_csr_ack;
        assign tcp_csr_rdata   = e_csr_rdata;
        assign tcp_csr_status  = e_csr_status;
        assign e_txd_req       = tcp_txd_req;
        assign e_txd_slot      = tcp_txd_slot;
        assign e_txd_seq       = tcp_txd_seq;
        assign e_txd_len       = tcp_txd_len;
        assign tcp_txd_rd_addr = e_txd_rd_addr;
        assign e_txd_rd_data   = tcp_txd_rd_data;
        assign tcp_txd_ack     = e_txd_ack;
        assign e_rxc_req       = tcp_rxc_req;
        assign e_rxc_slot      = tcp_rxc_slot;
        assign e_rxc_seq       = tcp_rxc_seq;
        assign tcp_rxc_ack     = e_rxc_ack;
        assign tcp_rxd_valid   = e_rxd_valid;
        assign e_rxd_taken     = tcp_rxd_taken;
        assign inc_traffic_src = 1'b0;
        assign inc_traffic_snk = 1'b0;
        assign inc_traffic_bad = 1'b0;
    end

    toe_tcp #(.SLOTS(SLOTS), .BUF_LOG2(BUF_LOG2), .TX_FREE_BITS(TX_FIFO_LOG2 + 1)) tcp (
        .clk(clk), .rst(rst), .cfg_mac(csr_mac), .cfg_ip(csr_ip), .now_us(now_us),
        .chack_limit(chack_limit), .host_quiet(host_quiet),
        .rx_tdata(rx_tdata), .rx_tkeep(rx_tkeep), .rx_beat(rx_tvalid && rx_tready),
        .rx_tlast(rx_tlast), .tcp_match(tcp_match),
        .verdict_valid(verdict_valid), .verdict(verdict),
        .m_tx_req(tx2_req), .m_tx_tdata(tx2_tdata), .m_tx_tkeep(tx2_tkeep),
        .m_tx_tvalid(tx2_tvalid), .m_tx_tready(tx2_tready), .m_tx_tlast(tx2_tlast),
        .m_tx_free(tx2_free),
        .csr_req(e_csr_req), .csr_we(e_csr_we), .csr_addr(e_csr_addr),
        .csr_wdata(tcp_csr_wdata), .csr_ack(e_csr_ack), .csr_rdata(e_csr_rdata),
        .csr_status(e_csr_status),
        .txd_req(e_txd_req), .txd_slot(e_txd_slot), .txd_seq(e_txd_seq),
        .txd_len(e_txd_len), .txd_rd_addr(e_txd_rd_addr), .txd_rd_data(e_txd_rd_data),
        .txd_ack(e_txd_ack),
        .rxc_req(e_rxc_req), .rxc_slot(e_rxc_slot), .rxc_seq(e_rxc_seq),
        .rxc_ack(e_rxc_ack),
        .rxd_valid(e_rxd_valid), .rxd_taken(e_rxd_taken), .rxd_slot(tcp_rxd_slot),
        .rxd_seq(tcp_rxd_seq), .rxd_len(tcp_rxd_len), .rxd_rd_slot(tcp_rxd_rd_slot),
        .rxd_rd_seq(tcp_rxd_rd_seq), .rxd_busy(tcp_rxd_busy), .rxd_rd_data(tcp_rxd_rd_data),
        .ev_valid(tcp_ev_valid), .ev_taken(tcp_ev_taken), .ev_fields(tcp_ev_fields),
        .inc_rx_segs(inc_tcp_rx_segs), .inc_rx_ooo(inc_tcp_rx_ooo), .inc_rx_drop(inc_tcp_rx_drop),
        .inc_tx_segs(inc_tcp_tx_segs), .inc_tx_rexmit(inc_tcp_tx_rexmit),
        .inc_dupacks(inc_tcp_dupacks), .inc_data_bad(inc_tcp_data_bad),
        .inc_rx_no_ack(inc_tcp_no_ack), .inc_rx_bad_ack(inc_tcp_bad_ack),
        .inc_rx_after_fin(inc_tcp_after_fin), .inc_chack(inc_tcp_chack),
        .inc_chack_limited(inc_tcp_chack_limited)
    );
end else begin : g_no_tcp
    // slot CSRs do not exist; TX_DATA and RX_CONSUMED are rejected and counted
    reg ack_d;
    always @(posedge clk) ack_d <= rst ? 1'b0 : (tcp_csr_req || tcp_txd_req || tcp_rxc_req) && !ack_d;
    assign tcp_match       = 1'b0;
    assign tx2_req         = 1'b0;
    assign tx2_tdata       = 32'd0;
    assign tx2_tkeep       = 4'd0;
    assign tx2_tvalid      = 1'b0;
    assign tx2_tlast       = 1'b0;
    assign tcp_csr_ack     = ack_d && tcp_csr_req;
    assign tcp_csr_rdata   = 32'd0;
    assign tcp_csr_status  = CONST_RESP_BAD_ADDR[7:0];
    assign tcp_txd_ack     = ack_d && tcp_txd_req;
    assign tcp_txd_rd_addr = 9'd0;
    assign tcp_rxc_ack     = ack_d && tcp_rxc_req;
    assign tcp_rxd_valid   = 1'b0;
    assign tcp_rxd_slot    = 8'd0;
    assign tcp_rxd_seq     = 32'd0;
    assign tcp_rxd_len     = 11'd0;
    assign tcp_rxd_rd_data = 32'd0;
    assign tcp_ev_valid    = 1'b0;
    assign tcp_ev_fields   = 144'd0;
    assign inc_tcp_rx_segs   = 1'b0;
    assign inc_tcp_rx_ooo    = 1'b0;
    assign inc_tcp_rx_drop   = 1'b0;
    assign inc_tcp_tx_segs   = 1'b0;
    assign inc_tcp_tx_rexmit = 1'b0;
    assign inc_tcp_dupacks   = 1'b0;
    assign inc_tcp_data_bad  = tcp_txd_ack || tcp_rxc_ack;
    assign inc_tcp_no_ack    = 1'b0;
    assign inc_tcp_bad_ack   = 1'b0;
    assign inc_tcp_after_fin = 1'b0;
    assign inc_tcp_chack     = 1'b0;
    assign inc_tcp_chack_limited = 1'b0;
    assign inc_traffic_src   = 1'b0;
    assign inc_traffic_snk   = 1'b0;
    assign inc_traffic_bad   = 1'b0;
    wire unused_tcp = |{tx2_tready, tx2_free, tcp_csr_we, tcp_csr_addr, tcp_csr_wdata,
                        tcp_txd_slot, tcp_txd_seq, tcp_txd_len, tcp_rxc_slot, tcp_rxc_seq,
                        tcp_rxd_taken, tcp_rxd_rd_slot, tcp_rxd_rd_seq, tcp_rxd_busy, tcp_ev_taken,
                        tcp_txd_rd_data, verdict_valid, now_us, chack_limit};
end endgenerate

// ---- counters ----
localparam [STAT_COUNT-1:0] ONE = 1;
wire [STAT_COUNT-1:0] inc_ext =
    (to_host        ? ONE << STAT_RX_TO_HOST        : {STAT_COUNT{1'b0}}) |
    (host_drop      ? ONE << STAT_RX_HOST_DROP      : {STAT_COUNT{1'b0}}) |
    (tx_tvalid && tx_tready && tx_tlast ? ONE << STAT_TX_FRAMES : {STAT_COUNT{1'b0}}) |
    (inc_tx_raw     ? ONE << STAT_TX_RAW            : {STAT_COUNT{1'b0}}) |
    (inc_tx_raw_bad ? ONE << STAT_TX_RAW_BAD        : {STAT_COUNT{1'b0}}) |
    (inc_rx_msgs    ? ONE << STAT_LINK_RX_MSGS      : {STAT_COUNT{1'b0}}) |
    (inc_bad_frame  ? ONE << STAT_LINK_RX_BAD_FRAME : {STAT_COUNT{1'b0}}) |
    (inc_bad_crc    ? ONE << STAT_LINK_RX_BAD_CRC   : {STAT_COUNT{1'b0}}) |
    (inc_bad_msg    ? ONE << STAT_LINK_RX_BAD_MSG   : {STAT_COUNT{1'b0}}) |
    (inc_tx_msgs    ? ONE << STAT_LINK_TX_MSGS      : {STAT_COUNT{1'b0}}) |
    (inc_events     ? ONE << STAT_EVENTS            : {STAT_COUNT{1'b0}}) |
    (inc_tcp_rx_segs   ? ONE << STAT_TCP_RX_SEGS    : {STAT_COUNT{1'b0}}) |
    (inc_tcp_rx_ooo    ? ONE << STAT_TCP_RX_OOO     : {STAT_COUNT{1'b0}}) |
    (inc_tcp_rx_drop   ? ONE << STAT_TCP_RX_DROP    : {STAT_COUNT{1'b0}}) |
    (inc_tcp_tx_segs   ? ONE << STAT_TCP_TX_SEGS    : {STAT_COUNT{1'b0}}) |
    (inc_tcp_tx_rexmit ? ONE << STAT_TCP_TX_REXMIT  : {STAT_COUNT{1'b0}}) |
    (inc_tcp_dupacks   ? ONE << STAT_TCP_DUPACKS    : {STAT_COUNT{1'b0}}) |
    (inc_tcp_data_bad  ? ONE << STAT_TCP_TX_DATA_BAD : {STAT_COUNT{1'b0}}) |
    (inc_tcp_no_ack    ? ONE << STAT_TCP_RX_NO_ACK  : {STAT_COUNT{1'b0}}) |
    (inc_tcp_bad_ack   ? ONE << STAT_TCP_RX_BAD_ACK : {STAT_COUNT{1'b0}}) |
    (inc_tcp_after_fin ? ONE << STAT_TCP_RX_AFTER_FIN : {STAT_COUNT{1'b0}}) |
    (inc_tcp_chack     ? ONE << STAT_TCP_CHALLENGE_ACKS : {STAT_COUNT{1'b0}}) |
    (inc_tcp_chack_limited ? ONE << STAT_TCP_CHALLENGE_ACK_LIMITED : {STAT_COUNT{1'b0}}) |
    (inc_traffic_src   ? ONE << STAT_TRAFFIC_SRC_KIB : {STAT_COUNT{1'b0}}) |
    (inc_traffic_snk   ? ONE << STAT_TRAFFIC_SNK_KIB : {STAT_COUNT{1'b0}}) |
    (inc_traffic_bad   ? ONE << STAT_TRAFFIC_BAD    : {STAT_COUNT{1'b0}});

// No debug read port: the virtual board reads the counters' registers (sim/vboard.cpp).
wire [31:0] unused_stat_data;
toe_stats #(.STAT_N(STAT_COUNT)) stats (
    .clk(clk), .rst(rst),
    .rx_verdict_valid(verdict_valid), .rx_verdict(verdict),
    .tx_arp(sent_arp), .tx_icmp(sent_icmp), .inc_ext(inc_ext),
    .walk_addr(stat_walk_addr), .walk_data(stat_walk_data),
    .stat_addr(6'd0), .stat_data(unused_stat_data)
);

endmodule

`default_nettype wire
