// SPDX-License-Identifier: MIT
// An RGMII PHY model at 1000 Mb/s and the host on the link pins, with the checks of one board
// run, shared by the board-top bench (tests/rtl/board_tops, RTL) and the netlist bench
// (tests/netlist, the synthesised board tops). Needs a top module `tb` that includes
// frames.vh, and bench.vh, csum.vh, link_host.vh (toe_defs.vh, crc32.vh, link_codec.vh).
/*
 * phy_model: an RGMII PHY at 1000 Mb/s for one board top, with the checks of one run.
 *  - RXC stays still while the PHY reset is low and starts (125 MHz, data centred on the
 *    clock, as a PHY adding RX delay presents it at the IDDR) only when `start` is raised,
 *    so the board must wait for its RX domain's reset acknowledge.
 *  - send_frame: tb.fb[0 .. tb.fb_len-1] as an RGMII burst (preamble, SFD, FCS); idle: in-band
 *    status "link up, 1000 Mb/s, full duplex" between frames.
 *  - RGMII TX is sampled 2 ns after each TXC edge (a PHY adding TX delay); each frame's
 *    preamble, SFD and FCS are checked and its bytes kept in rx_buf.
 *  - run: ARP request -> reply checked field by field; ICMP echo requests of 8, 64, 1000 and
 *    1472 bytes (SHORT: 64 and 1472) -> replies checked (addresses, checksums, payload); a
 *    bad-FCS frame -> no reply and the board's error indication; st_ok (link LEDs, no error)
 *    must hold when idle.
 *  - tcp: the host (link_host on the board's link pins, LINK its kind) reads CAPS; with TCP
 *    slots it programs the last slot as an established connection to this PHY's peer, as
 *    libtoe does after a handshake (CSR writes, OPEN), sends TX_DATA and checks the segment
 *    on RGMII TX (addresses, IPv4 and TCP checksums, seq, ack, flags, payload); then the peer
 *    sends payload with FIN, acknowledging it: the payload must come up in RX_DATA, an ACK of
 *    payload and FIN go out at once (a FIN is not ACKed late) and a SLOT event report both.
 *    Without slots it prints why it skips.
 */
module phy_model #(
    parameter NAME  = "board",
    parameter SHORT = 0,          // 1: echo requests of 64 and 1472 bytes only (netlist bench)
    parameter LINK  = 2           // the board's host link, CONST_LINK_* (UART or FT245)
) (
    input  wire       rst_n,      // PHY reset from the board
    output wire       rxc,
    output reg  [3:0] rxd = 4'd0,
    output reg        rx_ctl = 1'b0,
    input  wire       txc,
    input  wire [3:0] txd,
    input  wire       tx_ctl,
    input  wire       st_ok,      // board status: link indicated, no error
    input  wire       st_err,     // board status: error indicated
    // host link pins (link_host): FT245 FIFO or UART, by LINK
    output wire       ft_clk,
    output wire       ft_rxf_n,
    output wire       ft_txe_n,
    input  wire       ft_rd_n,
    input  wire       ft_wr_n,
    input  wire       ft_oe_n,
    inout  wire [7:0] ft_d,
    output wire       uart_rx,
    input  wire       uart_tx
);

`include "toe_defs.vh"

link_host #(.NAME(NAME), .LINK(LINK)) host (
    .ft_clk(ft_clk), .ft_rxf_n(ft_rxf_n), .ft_txe_n(ft_txe_n), .ft_rd_n(ft_rd_n),
    .ft_wr_n(ft_wr_n), .ft_oe_n(ft_oe_n), .ft_d(ft_d), .uart_rx(uart_rx), .uart_tx(uart_tx)
);

localparam [47:0] OUR_MAC  = 48'h02_00_00_00_00_01;
localparam [31:0] OUR_IP   = {8'd192, 8'd168, 8'd1, 8'd50};
localparam [47:0] PEER_MAC = 48'h02_12_34_56_78_9a;
localparam [31:0] PEER_IP  = {8'd192, 8'd168, 8'd1, 8'd10};

reg clk = 1'b0;     // launches RX data
reg run_clk = 1'b0;
always #4 clk = run_clk ? !clk : 1'b0;
assign #2 rxc = clk;  // RXC 2 ns after the data changes: centred at the IDDR

function [31:0] crc32_byte;
    input [31:0] crc;
    input [7:0]  b;
    integer k;
    reg [31:0] c;
    begin
        c = crc ^ {24'd0, b};
        for (k = 0; k < 8; k = k + 1)
            c = c[0] ? (c >> 1) ^ 32'hEDB88320 : c >> 1;
        crc32_byte = c;
    end
endfunction

// ---- the PHY sends (FPGA receive side) ----
task rgmii_byte(input [7:0] b, input dv, input er);
    begin
        @(posedge clk); rxd <= b[3:0]; rx_ctl <= dv;
        @(negedge clk); rxd <= b[7:4]; rx_ctl <= dv ^ er;
    end
endtask

task send_frame(input bad_fcs);
    integer i;
    reg [31:0] crc;
    begin
        for (i = 0; i < 7; i = i + 1) rgmii_byte(8'h55, 1'b1, 1'b0);
        rgmii_byte(8'hd5, 1'b1, 1'b0);
        crc = 32'hffffffff;
        for (i = 0; i < tb.fb_len; i = i + 1) begin
            rgmii_byte(tb.fb[i], 1'b1, 1'b0);
            crc = crc32_byte(crc, tb.fb[i]);
        end
        crc = ~crc ^ (bad_fcs ? 32'h00000001 : 32'h0);
        for (i = 0; i < 4; i = i + 1) rgmii_byte(crc[8 * i +: 8], 1'b1, 1'b0);
        for (i = 0; i < 12; i = i + 1) rgmii_byte(8'h00, 1'b0, 1'b0);
    end
endtask

task idle(input integer n);
    integer i;
    begin
        for (i = 0; i < n; i = i + 1) rgmii_byte(8'hdd, 1'b0, 1'b0);
    end
endtask

// ---- the PHY receives (FPGA transmit side) ----
reg [7:0] rx_buf [0:2047];   // last frame, FCS stripped
reg [7:0] cur [0:2047];
integer   rx_len = 0, rx_frames = 0, errors = 0, cur_len = 0;
reg       in_frame = 1'b0;
reg [3:0] tx_lo;
reg       tx_ctl_lo;

always @(posedge txc) begin
    #2;
    tx_lo     = txd;
    tx_ctl_lo = tx_ctl;
end

always @(negedge txc) begin : decode
    integer i;
    reg [31:0] crc;
    #2;
    if (tx_ctl_lo ^ tx_ctl) begin
        $display("FAIL %0s: TX_ER on RGMII TX", NAME);
        errors = errors + 1;
    end
    if (tx_ctl_lo) begin
        if (cur_len < 2048) cur[cur_len] = {txd, tx_lo};
        cur_len  = cur_len + 1;
        in_frame = 1'b1;
    end else if (in_frame) begin
        in_frame = 1'b0;
        for (i = 0; i < 7; i = i + 1)
            if (cur[i] !== 8'h55) errors = errors + 1;
        if (cur[7] !== 8'hd5) errors = errors + 1;
        crc = 32'hffffffff;
        for (i = 8; i < cur_len; i = i + 1) crc = crc32_byte(crc, cur[i]);
        if (crc !== 32'hdebb20e3) begin
            $display("FAIL %0s: RGMII TX frame with a bad FCS (%0d bytes)", NAME, cur_len);
            errors = errors + 1;
        end
        for (i = 8; i < cur_len - 4; i = i + 1) rx_buf[i - 8] = cur[i];
        rx_len    = cur_len - 12;
        rx_frames = rx_frames + 1;
        cur_len   = 0;
    end
end

// ---- checks ----
task expect_bytes(input integer at, input integer n, input [47:0] v, input [8*24-1:0] what);
    integer i;
    begin
        for (i = 0; i < n; i = i + 1)
            if (rx_buf[at + i] !== v[8 * (n - 1 - i) +: 8]) begin
                $display("FAIL %0s: %0s: byte %0d is %h, expected %h", NAME, what, at + i,
                         rx_buf[at + i], v[8 * (n - 1 - i) +: 8]);
                errors = errors + 1;
            end
    end
endtask

`INET_CSUM_FN(rx_csum, rx_buf)

task wait_reply(input integer before);
    integer t;
    begin
        t = 0;
        while (rx_frames == before && t < 20000) begin
            @(posedge clk);
            t = t + 1;
        end
        if (rx_frames == before) begin
            $display("FAIL %0s: no reply on RGMII TX", NAME);
            $fatal;
        end
    end
endtask

task expect_ok(input integer n, input [8*24-1:0] what);
    integer i;
    begin
        for (i = 0; i < n; i = i + 1) begin
            @(posedge clk);
            if (st_ok !== 1'b1) begin
                $display("FAIL %0s: status LEDs not showing an idle good link (%0s)", NAME, what);
                $fatal;
            end
        end
    end
endtask

task start;
    begin
        if (rst_n !== 1'b0) begin $display("FAIL %0s: PHY reset not asserted", NAME); $fatal; end
        wait (rst_n === 1'b1);
        $display("%0s: PHY reset released at %0d ns", NAME, $time);
        #5000;
        run_clk = 1'b1;
    end
endtask

// Until st_ok has held for n RX clocks: the board is out of reset and shows a 1000 Mb/s link
// (for the netlist, whose internal status nets are not kept by name).
task wait_ok(input integer n);
    integer k;
    begin
        k = 0;
        while (k < n) begin
            @(posedge clk);
            k = (st_ok === 1'b1) ? k + 1 : 0;
        end
    end
endtask

task run;
    integer n, i, k, plen, before, dark;
    begin
        idle(200);
        // past an end of the benches' clock-meter window (2^8 or 2^10 oscillator cycles, 10.3 us)
        expect_ok(1400, "idle link");

        tb.fb_eth(48'hffffffffffff, PEER_MAC, 16'h0806);
        tb.fb_arp(16'd1, PEER_MAC, PEER_IP, 48'h0, OUR_IP);
        before = rx_frames;
        send_frame(1'b0);
        wait_reply(before);
        expect_bytes(0, 6, PEER_MAC, "ARP reply dst");
        expect_bytes(6, 6, OUR_MAC, "ARP reply src");
        expect_bytes(12, 2, 16'h0806, "ARP ethertype");
        expect_bytes(14, 6, 48'h0001_0800_0604, "ARP htype/ptype/sizes");
        expect_bytes(20, 2, 16'd2, "ARP oper");
        expect_bytes(22, 6, OUR_MAC, "ARP sha");
        expect_bytes(28, 4, OUR_IP, "ARP spa");
        expect_bytes(32, 6, PEER_MAC, "ARP tha");
        expect_bytes(38, 4, PEER_IP, "ARP tpa");
        $display("%0s: ARP reply ok (%0d bytes)", NAME, rx_len);
        idle(300);

        for (n = SHORT; n < 4; n = n + 1 + SHORT) begin
            plen = (n == 0) ? 8 : (n == 1) ? 64 : (n == 2) ? 1000 : 1472;
            tb.fb_eth(OUR_MAC, PEER_MAC, 16'h0800);
            tb.fb_icmp(8'd8, PEER_IP, OUR_IP, plen);
            before = rx_frames;
            send_frame(1'b0);
            wait_reply(before);
            expect_bytes(0, 6, PEER_MAC, "echo reply dst");
            expect_bytes(6, 6, OUR_MAC, "echo reply src");
            expect_bytes(12, 2, 16'h0800, "IPv4 ethertype");
            expect_bytes(26, 4, OUR_IP, "IPv4 src");
            expect_bytes(30, 4, PEER_IP, "IPv4 dst");
            expect_bytes(34, 1, 8'd0, "ICMP type");
            if (rx_csum(14, 20, 0) !== 16'hffff) begin
                $display("FAIL %0s: IPv4 header checksum", NAME); errors = errors + 1;
            end
            if (rx_csum(34, plen, 0) !== 16'hffff) begin
                $display("FAIL %0s: ICMP checksum", NAME); errors = errors + 1;
            end
            k = 0;
            for (i = 4; i < plen; i = i + 1)
                if (rx_buf[34 + i] !== tb.fb[34 + i]) k = k + 1;
            if (k != 0) begin
                $display("FAIL %0s: %0d echo payload bytes differ", NAME, k); errors = errors + 1;
            end
            if (rx_len != ((34 + plen < 60) ? 60 : 34 + plen)) begin
                $display("FAIL %0s: echo reply of %0d bytes for %0d payload bytes", NAME, rx_len, plen);
                errors = errors + 1;
            end
            $display("%0s: echo reply ok (%0d payload bytes)", NAME, plen);
            idle(300);
        end

        expect_ok(200, "before the bad frame");
        tb.fb_eth(OUR_MAC, PEER_MAC, 16'h0800);
        tb.fb_icmp(8'd8, PEER_IP, OUR_IP, 32);
        before = rx_frames;
        send_frame(1'b1);
        // The error flash (2^ERR_LOG2 core cycles: 512 RGMII bytes with the benches' ERR_LOG2=8)
        // starts within a statistics walk (64 core cycles) and must outlast the activity
        // flashes of the frame (about 180 bytes dark).
        dark = 0;
        for (k = 0; k < 1000; k = k + 1) begin
            rgmii_byte(8'hdd, 1'b0, 1'b0);
            if (st_err === 1'b1) dark = dark + 1;
        end
        if (dark < 300) begin
            $display("FAIL %0s: a bad FCS did not show as an error (%0d)", NAME, dark); errors = errors + 1;
        end
        idle(100);
        if (rx_frames != before) begin
            $display("FAIL %0s: a frame with a bad FCS was answered", NAME); errors = errors + 1;
        end
        expect_ok(500, "after the error flash");
        $display("%0s: bad FCS flagged (%0d RGMII bytes dark), not answered", NAME, dark);
    end
endtask

// ---- TCP: one offloaded connection, this PHY's side playing the peer ----
localparam [15:0] OUR_PORT  = 16'd5001;
localparam [15:0] PEER_PORT = 16'd40000;
localparam [31:0] ISS1      = 32'hfffffff0;   // SND.UNA at open: the payload wraps the seq space
localparam [31:0] IRS1      = 32'h12345678;   // RCV.NXT at open
localparam        TX_LEN    = 24;             // host -> peer payload bytes
localparam        RX_LEN    = 20;             // peer -> host payload bytes

// The TCP segment in rx_buf: from us to the peer, checksums right, seq, ack, flags, length.
task expect_tcp(input [31:0] seq, input [31:0] ack, input [7:0] flags, input integer len);
    begin
        expect_bytes(0, 6, PEER_MAC, "TCP dst MAC");
        expect_bytes(6, 6, OUR_MAC, "TCP src MAC");
        expect_bytes(12, 2, 16'h0800, "IPv4 ethertype");
        expect_bytes(14, 4, {16'h4500, 16'd40 + len[15:0]}, "IPv4 version, length");
        expect_bytes(23, 1, 8'd6, "IPv4 protocol");
        expect_bytes(26, 4, OUR_IP, "IPv4 src");
        expect_bytes(30, 4, PEER_IP, "IPv4 dst");
        expect_bytes(34, 4, {OUR_PORT, PEER_PORT}, "TCP ports");
        expect_bytes(38, 4, seq, "TCP seq");
        expect_bytes(42, 4, ack, "TCP ack");
        expect_bytes(46, 2, {8'h50, flags}, "TCP offset, flags");
        if (rx_csum(14, 20, 0) !== 16'hffff) begin
            $display("FAIL %0s: IPv4 header checksum", NAME); errors = errors + 1;
        end
        if (rx_csum(34, 20 + len, 32'd6 + OUR_IP[31:16] + OUR_IP[15:0] + PEER_IP[31:16] +
                    PEER_IP[15:0] + 20 + len) !== 16'hffff) begin
            $display("FAIL %0s: TCP checksum", NAME); errors = errors + 1;
        end
        if (rx_len != ((54 + len < 60) ? 60 : 54 + len)) begin
            $display("FAIL %0s: TCP segment frame of %0d bytes for %0d payload bytes", NAME, rx_len, len);
            errors = errors + 1;
        end
    end
endtask

task tcp;
    integer s, i, k, before;
    begin
        $display("%0s: TCP exchange from %0d ns", NAME, $time);
        host.open;
        host.csr_read(CSR_CAPS);
        if (host.csr_value[11:8] !== LINK) begin
            $display("FAIL %0s: CAPS link kind %0d", NAME, host.csr_value[11:8]); errors = errors + 1;
        end
        s = host.csr_value[7:0];
        if (s == 0) begin
            $display("%0s: CAPS shows no TCP slots: no TCP exchange", NAME);
        end else begin
            s = s - 1;
            host.slot_write(s, FIELD_REMOTE_IP, PEER_IP);
            host.slot_write(s, FIELD_PORTS, {OUR_PORT, PEER_PORT});
            host.slot_write(s, FIELD_MAC_HI, {16'd0, PEER_MAC[47:32]});
            host.slot_write(s, FIELD_MAC_LO, PEER_MAC[31:0]);
            host.slot_write(s, FIELD_MSS, 32'd1460);
            host.slot_write(s, FIELD_SND_UNA, ISS1);
            host.slot_write(s, FIELD_RCV_NXT, IRS1);
            host.slot_write(s, FIELD_SND_WND, 32'd65535);
            host.slot_write(s, FIELD_CWND, 32'd14600);
            host.slot_write(s, FIELD_SSTHRESH, 32'd65535);
            host.csr_write(CSR_SLOT_CMD, {16'd0, CMD_OPEN, s[7:0]});
            host.csr_read(CSR_SLOT_BASE + CONST_SLOT_STRIDE * s + FIELD_FLAGS);
            if (host.csr_value !== CONST_SF_VALID) begin
                $display("FAIL %0s: slot %0d flags %h after OPEN", NAME, s, host.csr_value); $fatal;
            end
            $display("%0s: slot %0d open through the link at %0d ns", NAME, s, $time);

            before = rx_frames;
            host.tx_data(s, ISS1, TX_LEN);
            wait_reply(before);
            expect_tcp(ISS1, IRS1, 8'h18, TX_LEN);
            k = 0;
            for (i = 0; i < TX_LEN; i = i + 1)
                if (rx_buf[54 + i] !== host.tx_pat(ISS1 + i)) k = k + 1;
            if (k != 0) begin
                $display("FAIL %0s: %0d TCP payload bytes differ", NAME, k); errors = errors + 1;
            end
            $display("%0s: TX_DATA sent as a TCP segment (%0d payload bytes)", NAME, TX_LEN);

            tb.fb_tcp(PEER_IP, OUR_IP, RX_LEN);
            tb.fb_eth(OUR_MAC, PEER_MAC, 16'h0800);
            tb.fb_put32(34, {PEER_PORT, OUR_PORT});
            tb.fb_put32(38, IRS1);
            tb.fb_put32(42, ISS1 + TX_LEN);
            tb.fb_put32(46, {16'h5019, 16'd65535});   // FIN, PSH, ACK
            tb.fb_put16(52, 16'd0);
            tb.fb_tcp_fix;
            host.rxd_slot = s; host.rxd_base = IRS1; host.rxd_len = 0;
            before = rx_frames;
            send_frame(1'b0);
            wait_reply(before);
            expect_tcp(ISS1 + TX_LEN, IRS1 + RX_LEN + 1, 8'h10, 0);
            k = 0;
            while ((host.rxd_len < RX_LEN || host.ev_rcv_nxt !== IRS1 + RX_LEN + 1) && k < 20000) begin
                @(posedge clk);
                k = k + 1;
            end
            if (host.rxd_len != RX_LEN) begin
                $display("FAIL %0s: %0d bytes of RX_DATA, expected %0d", NAME, host.rxd_len, RX_LEN);
                $fatal;
            end
            k = 0;
            for (i = 0; i < RX_LEN; i = i + 1)
                if (host.rxd[i] !== tb.fb[54 + i]) k = k + 1;
            if (k != 0) begin
                $display("FAIL %0s: %0d RX_DATA bytes differ", NAME, k); errors = errors + 1;
            end
            if (host.ev_slot != s || host.ev_una !== ISS1 + TX_LEN || host.ev_rcv_nxt !== IRS1 + RX_LEN + 1 ||
                (host.ev_flags & CONST_EVF_FIN_RCVD) == 0) begin
                $display("FAIL %0s: SLOT event slot %0d flags %h una %h rcv_nxt %h", NAME, host.ev_slot,
                         host.ev_flags, host.ev_una, host.ev_rcv_nxt);
                errors = errors + 1;
            end
            $display("%0s: peer's payload and FIN ACKed at once, up in RX_DATA (%0d bytes), SLOT event at %0d ns",
                     NAME, RX_LEN, $time);
        end
        errors = errors + host.errors;
    end
endtask

endmodule
