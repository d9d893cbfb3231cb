// SPDX-License-Identifier: MIT
// Host link engine: framed messages in and out, the CSR block, device time, alarm, RAW_TX.
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * docs/LINK.md in hardware. toe_link_rx decodes and checks host messages; this module acts
 * on each one (only after its CRC passed) and toe_link_tx frames the answers:
 *   CSR_READ / CSR_WRITE   the CSR block below; one RESP each (status per docs/LINK.md)
 *   RAW_TX                 the frame goes to the MAC through toe_tx_arb, IPv4 and L4
 *                          checksums patched in on the way out when the flags ask
 *   CSR SLOT_CMD, slots    handed to the TCP engine (toe_tcp), which answers for the RESP
 *   TX_DATA, RX_CONSUMED   handed to the TCP engine (it counts the ones it rejects)
 *   SESSION                the session number is kept (CSR LINK_SESSION) and echoed in a
 *                          SESSION_ACK through the RESP register, so the ACK follows the
 *                          answers to every earlier message: the host's fence (docs/LINK.md 2)
 *   anything else          LINK_RX_BAD_MSG (unknown type, bad length)
 * A CSR request with a wrong length is counted as LINK_RX_BAD_MSG and answered BAD_REQ.
 * RAW_TX outside 14..1514 frame bytes counts TX_RAW_BAD (and LINK_RX_MSGS: it was a well-formed
 * message).
 *
 * Device time: a microsecond counter from a fractional accumulator (1e6 added per clock,
 * CLK_HZ subtracted per microsecond), so 62.5 cycles/us is exact on average.
 */
module toe_link #(
    parameter CLK_HZ    = 62500000,
    parameter LINK_KIND = 0,
    parameter LINK_RATE = 0,
    parameter HQ_LOG2   = 11,
    parameter TX_FREE_BITS = 11,
    parameter TCP_SLOTS = 8,
    parameter TCP_BUF_LOG2 = 13,
    parameter TRAFFIC = 1        // the core has the traffic unit (CAPS_TRAFFIC)
) (
    input  wire                    clk,
    input  wire                    rst,

    input  wire [7:0]              s_link_tdata,
    input  wire                    s_link_tvalid,
    output wire                    s_link_tready,
    output wire [7:0]              m_link_tdata,
    output wire                    m_link_tvalid,
    input  wire                    m_link_tready,

    // configuration registers (reset values from the cfg_* inputs, sampled at reset)
    input  wire [47:0]             rst_mac,
    input  wire [31:0]             rst_ip,
    input  wire [31:0]             rst_netmask,
    input  wire [31:0]             rst_gateway,
    output reg  [47:0]             cfg_mac,
    output reg  [31:0]             cfg_ip,
    output reg  [31:0]             cfg_netmask,
    output reg  [31:0]             cfg_gateway,
    output reg  [31:0]             host_mask,
    output reg  [31:0]             chack_limit,   // CSR CHALLENGE_ACK_LIMIT, for toe_tcp
    output reg  [63:0]             now_us,

    // statistics read port (STAT_BASE + i; stat_data is counter stat_addr while stat_valid)
    // and increments for the link's counters
    output wire [5:0]              stat_addr,
    input  wire [31:0]             stat_data,
    input  wire                    stat_valid,
    output reg                     inc_rx_msgs,
    output reg                     inc_bad_msg,
    output wire                    inc_bad_frame,
    output wire                    inc_bad_crc,
    output wire                    inc_tx_msgs,
    output wire                    inc_events,
    output reg                     inc_tx_raw,
    output reg                     inc_tx_raw_bad,

    // host queue (frames for RAW_RX)
    input  wire                    hq_valid,
    output wire                    hq_pop,
    input  wire [HQ_LOG2:0]        hq_start,
    input  wire [8:0]              hq_words,
    input  wire [10:0]             hq_len,
    input  wire [5:0]              hq_verdict,
    input  wire [63:0]             hq_time,
    output wire [HQ_LOG2-1:0]      hq_rd_addr,
    input  wire [31:0]             hq_rd_data,
    output wire [HQ_LOG2:0]        hq_rd_ptr,

    // RAW_TX frames to the transmit arbiter (32-bit, 2-byte pad)
    output reg                     m_tx_req,
    output reg  [31:0]             m_tx_tdata,
    output reg  [3:0]              m_tx_tkeep,
    output reg                     m_tx_tvalid,
    input  wire                    m_tx_tready,
    output reg                     m_tx_tlast,
    input  wire [TX_FREE_BITS-1:0] m_tx_free,

    // the TCP engine (toe_tcp): slot CSRs, TX_DATA, RX_CONSUMED, RX_DATA, SLOT events
    output reg                     tcp_csr_req,
    output wire                    tcp_csr_we,
    output wire [15:0]             tcp_csr_addr,
    output wire [31:0]             tcp_csr_wdata,
    input  wire                    tcp_csr_ack,
    input  wire [31:0]             tcp_csr_rdata,
    input  wire [7:0]              tcp_csr_status,
    output wire                    host_quiet,   // no host frame coming in or held
    output reg                     tcp_txd_req,
    output wire [7:0]              tcp_txd_slot,
    output wire [31:0]             tcp_txd_seq,
    output wire [10:0]             tcp_txd_len,
    input  wire [8:0]              tcp_txd_rd_addr,
    output wire [31:0]             tcp_txd_rd_data,
    input  wire                    tcp_txd_ack,
    output reg                     tcp_rxc_req,
    output wire [7:0]              tcp_rxc_slot,
    output wire [31:0]             tcp_rxc_seq,
    input  wire                    tcp_rxc_ack,
    input  wire                    tcp_rxd_valid,
    output wire                    tcp_rxd_taken,
    input  wire [7:0]              tcp_rxd_slot,
    input  wire [31:0]             tcp_rxd_seq,
    input  wire [10:0]             tcp_rxd_len,
    output wire [7:0]              tcp_rxd_rd_slot,
    output wire [31:0]             tcp_rxd_rd_seq,
    output wire                    tcp_rxd_busy,
    input  wire [31:0]             tcp_rxd_rd_data,
    input  wire                    tcp_ev_valid,
    output reg                     tcp_ev_taken,
    input  wire [143:0]            tcp_ev_fields
);

`include "toe_defs.vh"

// ---- device time ----
localparam [31:0] US_STEP = 32'd1000000;
localparam [31:0] US_WRAP = CLK_HZ - 1000000;   // acc at or above this: a microsecond passes
reg [31:0] us_acc;

always @(posedge clk) begin
    if (us_acc >= US_WRAP) begin
        us_acc <= us_acc - US_WRAP;
        now_us <= now_us + 64'd1;
    end else begin
        us_acc <= us_acc + US_STEP;
    end
    if (rst) begin
        us_acc <= 32'd0;
        now_us <= 64'd0;
    end
end

// ---- receive side ----
wire        msg_valid;
reg         msg_done;
wire [10:0] msg_len;
wire [63:0] msg_head;
wire [8:0]  buf_rd_addr;
wire [31:0] buf_rd_data;
wire        ip_ok, l4_ok, l4_high;
wire [15:0] ip_csum, l4_csum;
wire [8:0]  l4_word;

toe_link_rx rx (
    .clk(clk), .rst(rst),
    .s_link_tdata(s_link_tdata), .s_link_tvalid(s_link_tvalid), .s_link_tready(s_link_tready),
    .msg_valid(msg_valid), .msg_done(msg_done), .msg_len(msg_len), .msg_head(msg_head),
    .buf_rd_addr(buf_rd_addr), .buf_rd_data(buf_rd_data),
    .ip_ok(ip_ok), .ip_csum(ip_csum), .l4_ok(l4_ok), .l4_csum(l4_csum),
    .l4_word(l4_word), .l4_high(l4_high),
    .bad_frame(inc_bad_frame), .bad_crc(inc_bad_crc), .idle(host_quiet)
);

// The top bit of message byte i in msg_head; the layouts (AT_*, HDR_*) come from spec/toe.spec.
function integer mbit(input integer i);
    mbit = 63 - 8 * i;
endfunction
localparam [10:0] LEN_CSR_READ = HDR_CSR_READ, LEN_CSR_WRITE = HDR_CSR_WRITE,
                  LEN_TX_DATA = HDR_TX_DATA, LEN_RX_CONSUMED = HDR_RX_CONSUMED,
                  LEN_SESSION = HDR_SESSION;

wire [7:0]  m_type  = msg_head[mbit(0) -: 8];
wire [7:0]  m_arg   = msg_head[mbit(1) -: 8];
wire [15:0] m_addr  = msg_head[mbit(AT_CSR_READ_ADDR) -: 16];   // CSR_WRITE's is there too
wire [31:0] m_value = msg_head[mbit(AT_CSR_WRITE_VALUE) -: 32];

// ---- RESP and EVENT registers for toe_link_tx ----
reg         resp_valid;
wire        resp_taken;
reg  [7:0]  resp_tag, resp_status;
reg  [31:0] resp_value;
reg         resp_session;   // the RESP register holds a SESSION_ACK
reg  [31:0] session;        // CSR LINK_SESSION
reg         ev_valid;
wire        ev_taken;
reg  [15:0] ev_seq;
reg  [63:0] ev_time;
reg  [7:0]  ev_kind;
reg  [143:0] ev_fields;

// the TCP engine reads the message buffer while it takes TX_DATA
assign tcp_csr_we      = m_type == MSG_CSR_WRITE;
assign tcp_csr_addr    = m_addr;
assign tcp_csr_wdata   = m_value;
assign tcp_txd_slot    = m_arg;
assign tcp_txd_seq     = msg_head[mbit(AT_TX_DATA_SEQ) -: 32];
assign tcp_txd_len     = msg_len - LEN_TX_DATA;
assign tcp_txd_rd_data = buf_rd_data;
assign tcp_rxc_slot    = m_arg;
assign tcp_rxc_seq     = msg_head[mbit(AT_RX_CONSUMED_SEQ) -: 32];

toe_link_tx #(.HQ_LOG2(HQ_LOG2)) tx (
    .clk(clk), .rst(rst),
    .resp_valid(resp_valid), .resp_taken(resp_taken), .resp_session(resp_session),
    .resp_tag(resp_tag),
    .resp_status(resp_status), .resp_value(resp_value),
    .ev_valid(ev_valid), .ev_taken(ev_taken), .ev_kind(ev_kind), .ev_seq(ev_seq),
    .ev_time(ev_time), .ev_has_fields(ev_kind == EVENT_SLOT), .ev_fields(ev_fields),
    .rxd_valid(tcp_rxd_valid), .rxd_taken(tcp_rxd_taken), .rxd_slot(tcp_rxd_slot),
    .rxd_seq(tcp_rxd_seq), .rxd_len(tcp_rxd_len), .rxd_rd_slot(tcp_rxd_rd_slot),
    .rxd_rd_seq(tcp_rxd_rd_seq), .rxd_busy(tcp_rxd_busy), .rxd_rd_data(tcp_rxd_rd_data),
    .hq_valid(hq_valid), .hq_pop(hq_pop), .hq_start(hq_start), .hq_words(hq_words),
    .hq_len(hq_len), .hq_verdict(hq_verdict), .hq_time(hq_time),
    .hq_rd_addr(hq_rd_addr), .hq_rd_data(hq_rd_data), .hq_rd_ptr(hq_rd_ptr),
    .m_link_tdata(m_link_tdata), .m_link_tvalid(m_link_tvalid), .m_link_tready(m_link_tready),
    .sent_msg(inc_tx_msgs), .sent_event(inc_events)
);

// ---- alarm ----
reg [31:0] alarm_lo, alarm_hi;
reg        armed;
reg        arm_now;      // ALARM_HI written this cycle
wire       alarm_due = armed && now_us >= {alarm_hi, alarm_lo};

// one event register for toe_link_tx, loaded from the alarm (first) or the TCP engine
always @(posedge clk) begin
    tcp_ev_taken <= 1'b0;
    if (ev_taken) begin
        ev_valid <= 1'b0;
        ev_seq   <= ev_seq + 16'd1;
    end
    if (arm_now) begin
        armed <= 1'b1;
    end else if (alarm_due) begin
        // fires once; a second alarm before the first event is sent merges into it
        armed <= 1'b0;
        if (!ev_valid || ev_taken) begin
            ev_valid <= 1'b1;
            ev_kind  <= EVENT_ALARM;
            ev_time  <= now_us;
        end
    end
    if (!alarm_due && (!ev_valid || ev_taken) && tcp_ev_valid && !tcp_ev_taken) begin
        ev_valid     <= 1'b1;
        ev_kind      <= EVENT_SLOT;
        ev_time      <= now_us;
        ev_fields    <= tcp_ev_fields;
        tcp_ev_taken <= 1'b1;
    end
    if (rst) begin
        armed    <= 1'b0;
        ev_valid <= 1'b0;
        ev_seq   <= 16'd0;
        ev_kind  <= EVENT_ALARM;
        tcp_ev_taken <= 1'b0;
    end
end

// ---- dispatcher and CSR block ----
localparam [2:0] D_IDLE = 3'd0, D_CSR = 3'd1, D_CSR2 = 3'd2, D_RAW = 3'd3, D_SEND = 3'd4,
                 D_DONE = 3'd5, D_TCP = 3'd6, D_MSG = 3'd7;
reg [2:0] dstate;

// The message's decode, registered: msg_head and msg_len hold from msg_valid until msg_done,
// so D_IDLE waits one cycle (D_MSG acts on these). Decoded in the same cycle, msg_len's
// compares ran on through the dispatch into resp_value's enable (the i9's worst path).
// Registered in that cycle only (msg_take; they hold while msg_head does): Verilator then
// skips the decode in the other cycles, where it would recompute the same values.
wire msg_take = dstate == D_IDLE && msg_valid && !msg_done;
reg is_raw, raw_bad, is_read, is_write, is_csr, is_stat, is_tcp, is_txd, is_rxc, is_sess;
always @(posedge clk) if (msg_take) begin
    is_raw   <= m_type == MSG_RAW_TX;
    raw_bad  <= msg_len < 11'd16 || msg_len > 11'd1516;
    is_read  <= m_type == MSG_CSR_READ && msg_len == LEN_CSR_READ;
    is_write <= m_type == MSG_CSR_WRITE && msg_len == LEN_CSR_WRITE;
    is_csr   <= m_type == MSG_CSR_READ || m_type == MSG_CSR_WRITE;
    is_stat  <= m_addr >= CSR_STAT_BASE && m_addr < CSR_STAT_BASE + STAT_COUNT;
    is_tcp   <= m_addr == CSR_SLOT_CMD || m_addr >= CSR_SLOT_BASE;
    is_txd   <= m_type == MSG_TX_DATA && msg_len > LEN_TX_DATA &&
                msg_len <= LEN_TX_DATA + CONST_SLOT_DATA_MAX[10:0];
    is_rxc   <= m_type == MSG_RX_CONSUMED && msg_len == LEN_RX_CONSUMED;
    is_sess  <= m_type == MSG_SESSION && msg_len == LEN_SESSION;
end
wire [31:0] m_session = msg_head[mbit(AT_SESSION_NUMBER) -: 32];
assign stat_addr = m_addr[5:0];   // STAT_BASE is a multiple of 64

reg        rd_stat;
// D_CSR2's first cycle: the walk's value then predates this read's own LINK_RX_MSGS count
// (counted in D_CSR), so a read of that counter would count itself only if its counter
// came by later; it is skipped, and every read counts itself.
reg        stat_first;
reg [31:0] time_hi_latch;

// The CSR a message names, one-hot (bit H_<name>) and registered: msg_head holds from
// msg_valid until msg_done, so it is there in D_CSR. Reads and writes are AND-ORs over it
// (yosys maps a case on the 16-bit address to several times the LUTs).
localparam H_ID = 0, H_VERSION = 1, H_CAPS = 2, H_LINK_RATE = 3,
           H_LINK_SESSION = 4, H_MAC_HI = 5, H_MAC_LO = 6, H_IP = 7,
           H_NETMASK = 8, H_GATEWAY = 9, H_HOST_MASK = 10, H_CHALLENGE_ACK_LIMIT = 11,
           H_TIME_LO = 12, H_TIME_HI = 13, H_ALARM_LO = 14, H_ALARM_HI = 15;
reg [15:0] csr_hot;
always @(posedge clk) if (msg_take) begin
    csr_hot[H_ID]                  <= m_addr == CSR_ID;
    csr_hot[H_VERSION]             <= m_addr == CSR_VERSION;
    csr_hot[H_CAPS]                <= m_addr == CSR_CAPS;
    csr_hot[H_LINK_RATE]           <= m_addr == CSR_LINK_RATE;
    csr_hot[H_LINK_SESSION]        <= m_addr == CSR_LINK_SESSION;
    csr_hot[H_MAC_HI]              <= m_addr == CSR_MAC_HI;
    csr_hot[H_MAC_LO]              <= m_addr == CSR_MAC_LO;
    csr_hot[H_IP]                  <= m_addr == CSR_IP;
    csr_hot[H_NETMASK]             <= m_addr == CSR_NETMASK;
    csr_hot[H_GATEWAY]             <= m_addr == CSR_GATEWAY;
    csr_hot[H_HOST_MASK]           <= m_addr == CSR_HOST_MASK;
    csr_hot[H_CHALLENGE_ACK_LIMIT] <= m_addr == CSR_CHALLENGE_ACK_LIMIT;
    csr_hot[H_TIME_LO]             <= m_addr == CSR_TIME_LO;
    csr_hot[H_TIME_HI]             <= m_addr == CSR_TIME_HI;
    csr_hot[H_ALARM_LO]            <= m_addr == CSR_ALARM_LO;
    csr_hot[H_ALARM_HI]            <= m_addr == CSR_ALARM_HI;
end

localparam [31:0] CAPS = {12'd0, TCP_BUF_LOG2[3:0], 4'd0, LINK_KIND[3:0], TCP_SLOTS[7:0]} |
                         (TRAFFIC != 0 ? CONST_CAPS_TRAFFIC : 32'd0);
// A function, not a wire: Verilator then evaluates the AND-OR only in D_CSR, not in every
// core cycle (the same logic in hardware).
function [31:0] rd_value;
    input [15:0] hot;
    begin rd_value =
        ({32{hot[H_ID]}}                  & CONST_ID) |
        ({32{hot[H_VERSION]}}             & CONST_VERSION) |
        ({32{hot[H_CAPS]}}                & CAPS) |
        ({32{hot[H_LINK_RATE]}}           & LINK_RATE) |
        ({32{hot[H_LINK_SESSION]}}        & session) |
        ({32{hot[H_MAC_HI]}}              & {16'd0, cfg_mac[47:32]}) |
        ({32{hot[H_MAC_LO]}}              & cfg_mac[31:0]) |
        ({32{hot[H_IP]}}                  & cfg_ip) |
        ({32{hot[H_NETMASK]}}             & cfg_netmask) |
        ({32{hot[H_GATEWAY]}}             & cfg_gateway) |
        ({32{hot[H_HOST_MASK]}}           & host_mask) |
        ({32{hot[H_CHALLENGE_ACK_LIMIT]}} & chack_limit) |
        ({32{hot[H_TIME_LO]}}             & now_us[31:0]) |
        ({32{hot[H_TIME_HI]}}             & time_hi_latch) |
        ({32{hot[H_ALARM_LO]}}            & alarm_lo) |
        ({32{hot[H_ALARM_HI]}}            & alarm_hi); end
endfunction

// for reads; writes decide below
wire [1:0]  rd_status = (|csr_hot || is_stat) ? CONST_RESP_OK[1:0] : CONST_RESP_BAD_ADDR[1:0];
wire writable = csr_hot[H_MAC_HI] || csr_hot[H_MAC_LO] || csr_hot[H_IP] || csr_hot[H_NETMASK] ||
                csr_hot[H_GATEWAY] || csr_hot[H_HOST_MASK] || csr_hot[H_ALARM_LO] ||
                csr_hot[H_ALARM_HI] || csr_hot[H_CHALLENGE_ACK_LIMIT];

// RAW_TX read-out: the message buffer in the core's frame format, one word ahead. The last
// word's index is registered when the frame starts: tlast runs into the arbiter's ready and
// back into D_SEND, with no room for msg_len's two adders before it.
reg  [8:0] widx, last_widx;
wire [8:0] nwords   = msg_len[10:2] + {8'd0, msg_len[1:0] != 2'd0};
wire       tx_beat  = m_tx_tvalid && m_tx_tready;
wire [8:0] widx_nxt = tx_beat ? widx + 9'd1 : widx;
assign buf_rd_addr = dstate == D_TCP ? tcp_txd_rd_addr : widx_nxt;

always @* begin
    m_tx_tdata = buf_rd_data;
    if (m_arg[0] && ip_ok && widx == 9'd6)
        m_tx_tdata[15:0] = ip_csum;
    if (m_arg[1] && l4_ok && widx == l4_word) begin
        if (l4_high) m_tx_tdata[31:16] = l4_csum;
        else         m_tx_tdata[15:0]  = l4_csum;
    end
    m_tx_tlast = widx == last_widx;
    m_tx_tkeep = !m_tx_tlast ? 4'b1111 : msg_len[1:0] == 2'd0 ? 4'b1111 :
                 msg_len[1:0] == 2'd1 ? 4'b1000 : msg_len[1:0] == 2'd2 ? 4'b1100 : 4'b1110;
end

always @(posedge clk) begin
    msg_done       <= 1'b0;
    inc_rx_msgs    <= 1'b0;
    inc_bad_msg    <= 1'b0;
    inc_tx_raw     <= 1'b0;
    inc_tx_raw_bad <= 1'b0;
    arm_now        <= 1'b0;
    if (resp_taken)
        resp_valid <= 1'b0;
    if (tcp_csr_ack) tcp_csr_req <= 1'b0;
    if (tcp_txd_ack) tcp_txd_req <= 1'b0;
    if (tcp_rxc_ack) tcp_rxc_req <= 1'b0;

    case (dstate)
        D_IDLE: if (msg_take)
            dstate <= D_MSG;
        D_MSG: begin
            if (is_raw) begin
                inc_rx_msgs <= 1'b1;
                if (raw_bad) begin
                    inc_tx_raw_bad <= 1'b1;
                    dstate         <= D_DONE;
                end else begin
                    widx      <= 9'd0;
                    last_widx <= nwords - 9'd1;
                    m_tx_req  <= 1'b1;
                    dstate   <= D_RAW;
                end
            end else if (is_txd || is_rxc) begin
                inc_rx_msgs <= 1'b1;
                tcp_txd_req <= is_txd;
                tcp_rxc_req <= is_rxc;
                dstate      <= D_TCP;
            end else if (is_sess) begin
                if (!resp_valid) begin
                    inc_rx_msgs  <= 1'b1;
                    session      <= m_session;
                    resp_session <= 1'b1;
                    resp_tag     <= 8'd0;
                    resp_status  <= CONST_RESP_OK[7:0];
                    resp_value   <= m_session;
                    resp_valid   <= 1'b1;
                    dstate       <= D_DONE;
                end
            end else if (is_csr) begin
                // every one of these gets a RESP: wait until the RESP register is free
                if (!resp_valid) begin
                    resp_session <= 1'b0;
                    resp_tag <= m_arg;
                    if ((is_read || is_write) && is_tcp) begin
                        inc_rx_msgs <= 1'b1;
                        tcp_csr_req <= 1'b1;
                        dstate      <= D_TCP;
                    end else if (is_read || is_write) begin
                        inc_rx_msgs <= 1'b1;
                        dstate      <= D_CSR;
                    end else begin
                        inc_bad_msg <= 1'b1;
                        resp_status <= CONST_RESP_BAD_REQ[7:0];
                        resp_value  <= 32'd0;
                        resp_valid  <= 1'b1;
                        dstate      <= D_DONE;
                    end
                end
            end else begin
                inc_bad_msg <= 1'b1;
                dstate      <= D_DONE;
            end
        end
        D_CSR: begin
            // register the read
            resp_value <= rd_value(csr_hot);
            rd_stat    <= is_stat;
            stat_first <= 1'b1;
            resp_status <= {6'd0, rd_status};
            if (is_read && csr_hot[H_TIME_LO])
                time_hi_latch <= now_us[63:32];
            if (is_write) begin
                resp_value <= m_value;
                if (writable) begin
                    resp_status <= CONST_RESP_OK[7:0];
                    if (csr_hot[H_MAC_HI])    cfg_mac[47:32] <= m_value[15:0];
                    if (csr_hot[H_MAC_LO])    cfg_mac[31:0]  <= m_value;
                    if (csr_hot[H_IP])        cfg_ip         <= m_value;
                    if (csr_hot[H_NETMASK])   cfg_netmask    <= m_value;
                    if (csr_hot[H_GATEWAY])   cfg_gateway    <= m_value;
                    if (csr_hot[H_HOST_MASK]) host_mask      <= m_value;
                    if (csr_hot[H_ALARM_LO])  alarm_lo       <= m_value;
                    if (csr_hot[H_CHALLENGE_ACK_LIMIT]) chack_limit <= m_value;
                    if (csr_hot[H_ALARM_HI]) begin alarm_hi <= m_value; arm_now <= 1'b1; end
                end else begin
                    resp_status <= rd_status == CONST_RESP_BAD_ADDR[1:0] ?
                                   CONST_RESP_BAD_ADDR[7:0] : CONST_RESP_READ_ONLY[7:0];
                    resp_value  <= 32'd0;
                end
            end
            dstate <= D_CSR2;
        end
        D_TCP: if (tcp_csr_ack || tcp_txd_ack || tcp_rxc_ack) begin
            if (tcp_csr_ack) begin
                resp_status <= tcp_csr_status;
                resp_value  <= tcp_csr_rdata;
                resp_valid  <= 1'b1;
            end
            dstate <= D_DONE;
        end
        D_CSR2: begin
            stat_first <= 1'b0;
            if (!(is_read && rd_stat) || (stat_valid && !stat_first)) begin   // a counter: wait for it
                if (is_read && rd_stat)
                    resp_value <= stat_data;
                resp_valid <= 1'b1;
                dstate     <= D_DONE;
            end
        end
        D_RAW: if ({{(20-TX_FREE_BITS){1'b0}}, m_tx_free} > {11'd0, last_widx}) begin
            // the arbiter shows this source a free count only while it is granted
            m_tx_req    <= 1'b0;
            m_tx_tvalid <= 1'b1;
            dstate      <= D_SEND;
        end
        D_SEND: if (tx_beat) begin
            widx <= widx + 9'd1;
            if (m_tx_tlast) begin
                m_tx_tvalid <= 1'b0;
                inc_tx_raw  <= 1'b1;
                dstate      <= D_DONE;
            end
        end
        default: begin  // D_DONE: release the message buffer
            msg_done <= 1'b1;
            dstate   <= D_IDLE;
        end
    endcase

    if (rst) begin
        dstate      <= D_IDLE;
        msg_done    <= 1'b0;
        resp_valid  <= 1'b0;
        resp_session <= 1'b0;
        session     <= 32'd0;
        m_tx_req    <= 1'b0;
        m_tx_tvalid <= 1'b0;
        widx        <= 9'd0;
        tcp_csr_req <= 1'b0;
        tcp_txd_req <= 1'b0;
        tcp_rxc_req <= 1'b0;
        cfg_mac     <= rst_mac;
        cfg_ip      <= rst_ip;
        cfg_netmask <= rst_netmask;
        cfg_gateway <= rst_gateway;
        host_mask   <= CONST_HOST_MASK_DEFAULT;
        chack_limit <= CONST_CHALLENGE_ACK_LIMIT_DEFAULT;
        alarm_lo    <= 32'd0;
        alarm_hi    <= 32'd0;
        arm_now     <= 1'b0;
        inc_rx_msgs <= 1'b0;
        inc_bad_msg <= 1'b0;
        inc_tx_raw  <= 1'b0;
        inc_tx_raw_bad <= 1'b0;
        time_hi_latch  <= 32'd0;
    end
end

endmodule

`default_nettype wire
