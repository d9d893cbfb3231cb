// SPDX-License-Identifier: MIT
// The host on a board top's link pins, for the board-top bench (RTL) and the netlist bench;
// needs toe_defs.vh, crc32.vh and link_codec.vh (included here) on the include path.
/*
 * link_host: libtoe's side of the host link (docs/LINK.md) on the board's own pins, as the
 * USB chip presents it. LINK is the board's CONST_LINK_* kind:
 *  - CONST_LINK_FT245: an FT232H in 245 synchronous FIFO mode. It drives ft_clk (60 MHz);
 *    RXF# is low while the host has bytes queued and D carries the next one while OE# is low;
 *    TXE# is low (room) once the link is open; a byte moves at an ft_clk edge with RD# and RXF#
 *    (or WR# and TXE#) low. Outputs change 1 ns after the edge.
 *  - CONST_LINK_UART: 12 Mbaud 8N1 on uart_rx (to the FPGA) and uart_tx (from it); a bad stop
 *    bit is an error.
 * Host to device: send (mb[] framed into a byte queue the pins drain). Device to host: frames
 * decoded as they arrive; RESP kept by tag, SLOT events kept (the last), RX_DATA payload kept
 * in rxd[] in sequence order (a gap is an error), RAW_RX counted.
 * Tasks: open (the link opens: a 0x00 flushes the device's decoder), csr_write, csr_read (value
 * in csr_value), tx_data (slot payload from tx_pat()).
 */
module link_host #(
    parameter NAME = "board",
    parameter LINK = 2
) (
    output reg        ft_clk = 1'b0,
    output reg        ft_rxf_n = 1'b1,
    output reg        ft_txe_n = 1'b1,
    input  wire       ft_rd_n,
    input  wire       ft_wr_n,
    input  wire       ft_oe_n,
    inout  wire [7:0] ft_d,
    output reg        uart_rx = 1'b1,   // the FPGA's UART input
    input  wire       uart_tx
);

`include "toe_defs.vh"
`include "crc32.vh"
`include "link_codec.vh"

localparam real UART_BIT_NS = 1.0e9 / 12.0e6;

integer errors = 0;

// ---- host -> device: a byte queue ----
reg [7:0] hq [0:16383];
integer   hq_wr = 0, hq_rd = 0;

task send;   // mb[0 .. mb_len-1] as one frame
    integer i;
    begin
        link_encode;
        for (i = 0; i < enc_len; i = i + 1) begin hq[hq_wr % 16384] = enc[i]; hq_wr = hq_wr + 1; end
    end
endtask

// ---- device -> host: frames decoded, messages kept ----
reg [31:0] resp_value [0:255];
reg [7:0]  resp_status [0:255];
reg [255:0] resp_seen = 256'd0;
integer    events = 0, raw_rx = 0;
reg [7:0]  ev_slot, ev_flags;
reg [31:0] ev_una, ev_wnd, ev_rcv_nxt;
reg [7:0]  rxd [0:4095];   // RX_DATA payload of rxd_slot, from rxd_base on
integer    rxd_len = 0, rxd_slot = 0;
reg [31:0] rxd_base = 32'd0;

// Device message fields at the offsets generated from spec/toe.spec (AT_*, HDR_*).
function [31:0] dm32(input integer at);
    dm32 = {dm[at], dm[at + 1], dm[at + 2], dm[at + 3]};
endfunction
localparam EV_AT = HDR_EVENT;
task mb16(input integer at, input [15:0] v); {mb[at], mb[at + 1]} = v; endtask
task mb32(input integer at, input [31:0] v); {mb[at], mb[at + 1], mb[at + 2], mb[at + 3]} = v; endtask   // a SLOT event's fields follow the EVENT's fixed part

task take_msg;
    integer i;
    reg [31:0] seq;
    begin
        case (dm[0])
        MSG_RESP, MSG_SESSION_ACK: begin
            resp_status[dm[1]] = dm[AT_RESP_STATUS];
            resp_value[dm[1]]  = dm32(AT_RESP_VALUE);
            resp_seen[dm[1]]   = 1'b1;
        end
        MSG_EVENT: begin
            events = events + 1;
            if (dm[1] == EVENT_SLOT) begin
                ev_slot = dm[EV_AT + AT_SLOT_EVENT_SLOT]; ev_flags = dm[EV_AT + AT_SLOT_EVENT_FLAGS];
                ev_una = dm32(EV_AT + AT_SLOT_EVENT_SND_UNA);
                ev_wnd = dm32(EV_AT + AT_SLOT_EVENT_SND_WND);
                ev_rcv_nxt = dm32(EV_AT + AT_SLOT_EVENT_RCV_NXT);
            end
        end
        MSG_RAW_RX: raw_rx = raw_rx + 1;
        MSG_RX_DATA: begin
            seq = dm32(AT_RX_DATA_SEQ);
            if (dm[1] != rxd_slot || seq != rxd_base + rxd_len) begin
                $display("FAIL %0s: RX_DATA slot %0d seq %h, expected slot %0d seq %h", NAME, dm[1],
                         seq, rxd_slot, rxd_base + rxd_len);
                errors = errors + 1;
            end
            for (i = HDR_RX_DATA; i < dm_len; i = i + 1) begin rxd[rxd_len % 4096] = dm[i]; rxd_len = rxd_len + 1; end
        end
        default: begin
            $display("FAIL %0s: unknown device message type %h", NAME, dm[0]);
            errors = errors + 1;
        end
        endcase
    end
endtask

task take_byte(input [7:0] b);
    begin
        if (b != 8'h00) begin
            fr[fr_len] = b; fr_len = fr_len + 1;
        end else if (fr_len > 0) begin
            link_decode;
            fr_len = 0;
            take_msg;
        end
    end
endtask

// ---- the pins ----
reg [7:0] ft_dout = 8'h00;
assign ft_d = (LINK == CONST_LINK_FT245 && ft_oe_n === 1'b0) ? ft_dout : 8'bzzzz_zzzz;

initial if (LINK == CONST_LINK_FT245) forever #(50.0 / 6.0) ft_clk = !ft_clk;

always @(posedge ft_clk) begin
    if (ft_rd_n === 1'b0 && !ft_rxf_n) hq_rd = hq_rd + 1;
    if (ft_wr_n === 1'b0 && !ft_txe_n) take_byte(ft_d);
    ft_rxf_n <= #1 hq_rd >= hq_wr;
    ft_dout  <= #1 hq[hq_rd % 16384];
end

initial if (LINK == CONST_LINK_UART) forever begin : uart_send
    integer k;
    reg [7:0] b;
    wait (hq_rd < hq_wr);
    b = hq[hq_rd % 16384];
    uart_rx = 1'b0;
    #(UART_BIT_NS);
    for (k = 0; k < 8; k = k + 1) begin uart_rx = b[k]; #(UART_BIT_NS); end
    uart_rx = 1'b1;
    #(UART_BIT_NS);
    hq_rd = hq_rd + 1;
end

reg opened = 1'b0;
initial if (LINK == CONST_LINK_UART) forever begin : uart_receive
    integer k;
    reg [7:0] b;
    wait (opened);
    @(negedge uart_tx);
    #(UART_BIT_NS / 2);
    for (k = 0; k < 8; k = k + 1) begin #(UART_BIT_NS); b[k] = uart_tx; end
    #(UART_BIT_NS);
    if (uart_tx !== 1'b1) begin
        $display("FAIL %0s: UART stop bit %b", NAME, uart_tx); errors = errors + 1;
    end
    take_byte(b);
end

// ---- libtoe's requests ----
integer tag = 0;

task open;
    begin
        opened = 1'b1;
        ft_txe_n = 1'b0;
        hq[hq_wr % 16384] = 8'h00; hq_wr = hq_wr + 1;
    end
endtask

// Send the request in mb[] with tag t and wait for its answer (limit_us of bench time).
task request(input integer limit_us);
    integer t;
    begin
        mb[1] = tag[7:0];
        resp_seen[tag[7:0]] = 1'b0;
        send;
        t = 0;
        while (!resp_seen[tag[7:0]]) begin
            #100;
            t = t + 1;
            if (t > 10 * limit_us) begin
                $display("FAIL %0s: no RESP to a request (type %h) in %0d us", NAME, mb[0], limit_us);
                $fatal;
            end
        end
        tag = tag + 1;
    end
endtask

reg [31:0] csr_value;
task csr_read(input [15:0] addr);
    begin
        mb[0] = MSG_CSR_READ; mb16(AT_CSR_READ_ADDR, addr); mb_len = HDR_CSR_READ;
        request(200);
        if (resp_status[mb[1]] !== CONST_RESP_OK) begin
            $display("FAIL %0s: CSR read %h: status %0d", NAME, addr, resp_status[mb[1]]); $fatal;
        end
        csr_value = resp_value[mb[1]];
    end
endtask

task csr_write(input [15:0] addr, input [31:0] value);
    begin
        mb[0] = MSG_CSR_WRITE; mb16(AT_CSR_WRITE_ADDR, addr); mb32(AT_CSR_WRITE_VALUE, value);
        mb_len = HDR_CSR_WRITE;
        request(200);
        if (resp_status[mb[1]] !== CONST_RESP_OK) begin
            $display("FAIL %0s: CSR write %h: status %0d", NAME, addr, resp_status[mb[1]]); $fatal;
        end
    end
endtask

task slot_write(input integer slot, input integer field, input [31:0] value);
    begin csr_write(CSR_SLOT_BASE + CONST_SLOT_STRIDE * slot + field, value); end
endtask

// The byte of slot payload at seq (host to device).
function [7:0] tx_pat(input [31:0] seq);
    tx_pat = seq[7:0] ^ seq[15:8] ^ 8'h5a;
endfunction

task tx_data(input integer slot, input [31:0] seq, input integer len);
    integer i;
    begin
        mb[0] = MSG_TX_DATA; mb[1] = slot[7:0]; mb32(AT_TX_DATA_SEQ, seq);
        for (i = 0; i < len; i = i + 1) mb[HDR_TX_DATA + i] = tx_pat(seq + i);
        mb_len = HDR_TX_DATA + len;
        send;
    end
endtask

endmodule
