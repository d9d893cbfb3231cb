// SPDX-License-Identifier: MIT
// Dual-clock stream FIFO (Gray pointers, two-flop synchronisers, optional whole-frame commit).
`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * axis_async_fifo
 *
 * Moves a stream from the s_clk domain to the m_clk domain through an inferred
 * simple dual-port RAM of 2^ADDR_WIDTH words of (DATA_WIDTH + 1) bits (tdata and
 * tlast). tdata is opaque: a wrapper packs keep/user bits into it. The RAM read is
 * registered (with a read enable), so Yosys maps it to ECP5 EBR, and a second
 * register follows it: an EBR's clock-to-output (about 5.8 ns on a -6 part) leaves
 * too little of a 125 MHz cycle for logic behind it. The two stages move together,
 * so the read side sustains one word per m_clk cycle, and m_tvalid/m_tdata follow the
 * valid/ready rules (valid never waits for ready, data held until accepted).
 *
 * Pointers are ADDR_WIDTH + 1 bits (one wrap bit). The read pointer crosses to the
 * write side Gray coded through two flops and is converted back to binary in a
 * third register, so the write side's view is always conservative (never more
 * room than there is).
 *
 * FRAME_COMMIT = 0: the write pointer crosses to the read side the same way; the
 * reader sees each word a few m_clk cycles after it was written.
 *
 * FRAME_COMMIT = 1: the write side keeps a commit pointer that advances only at a
 * written tlast word; the reader sees only committed words, so it only ever sees
 * whole frames and never runs dry inside one. The commit pointer can jump by many
 * words, so it is not Gray coded: it crosses with a request/acknowledge handshake
 * (toggle synchronised through two flops, pointer held stable until acknowledged,
 * captured on the read side only after the toggle has been synchronised). Several
 * frames committed while a transfer is in flight are published together by the
 * next transfer.
 *   A frame must fit in the FIFO (at most 2^ADDR_WIDTH words): the writer must not
 *   send a larger one. s_free (words free, conservative, registered) lets a writer
 *   check that a whole frame fits before it starts. Should a larger frame arrive
 *   anyway, it cannot deadlock the FIFO: when the uncommitted part fills the whole
 *   FIFO, the FIFO rolls back to the last commit point and discards the rest of that
 *   frame up to and including its tlast beat (the frame is lost; simulation prints
 *   a message).
 *   s_patch (FRAME_COMMIT = 1 only): the beat is not appended; its tdata replaces word
 *   PATCH_WORD of the frame being written (counted from the word after the last commit
 *   point), which must already have been written. It must not carry tlast (the frame's
 *   own tlast commits it after the patch), takes no room and is ignored while a giant
 *   frame is dropped. This lets a writer fill in a header field (a checksum) that it knows
 *   only after the frame's last word.
 *
 * s_free is provided in both modes: DEPTH - (words written - words read as last
 * seen through the synchroniser). It is a register: in a given cycle it counts the
 * words written at earlier clock edges, so a writer that checks it in the same cycle
 * as it writes a word (s_tvalid && s_tready) must subtract that word. The read count
 * it uses lags, so it never over-reports.
 *
 * Resets are synchronous per side. s_rst and m_rst must be asserted together (each
 * for at least a few cycles of the slower clock, as a system reset does); resetting
 * one side alone desynchronises the pointers.
 *
 * ADDR_WIDTH must be at least 2.
 */
module axis_async_fifo #(
    parameter DATA_WIDTH   = 8,   // tdata width in bits (opaque payload)
    parameter ADDR_WIDTH   = 9,   // depth is 2^ADDR_WIDTH words (at least 2)
    parameter FRAME_COMMIT = 0,   // 1: reader sees a frame only after its tlast word is written
    parameter PATCH_WORD   = 0    // word of the uncommitted frame that s_patch overwrites
) (
    // write side (s_clk domain)
    input  wire                  s_clk,
    input  wire                  s_rst,
    input  wire [DATA_WIDTH-1:0] s_tdata,
    input  wire                  s_tvalid,
    output wire                  s_tready,
    input  wire                  s_tlast,
    input  wire                  s_patch,    // FRAME_COMMIT: the beat overwrites word PATCH_WORD
    output wire [ADDR_WIDTH:0]   s_free,     // words free (conservative)
    // read side (m_clk domain)
    input  wire                  m_clk,
    input  wire                  m_rst,
    output wire [DATA_WIDTH-1:0] m_tdata,
    output wire                  m_tvalid,
    input  wire                  m_tready,
    output wire                  m_tlast
);

localparam PW = ADDR_WIDTH + 1;                      // pointer width (with wrap bit)
localparam [PW-1:0] PTR_ONE = 1;                     // pointer increment
localparam [PW-1:0] WRAP_BIT = {1'b1, {ADDR_WIDTH{1'b0}}};  // 2^ADDR_WIDTH = depth
localparam DEPTH = 1 << ADDR_WIDTH;                  // words

function [PW-1:0] bin2gray;
    input [PW-1:0] b;
    begin
        bin2gray = b ^ (b >> 1);
    end
endfunction

// Bit i of the binary value is the XOR of gray bits PW-1..i: a suffix XOR in log2(PW) shift
// steps (the same function as one reduction per bit, and cheaper in the virtual board).
function [PW-1:0] gray2bin;
    input [PW-1:0] g;
    integer s;
    begin
        gray2bin = g;
        for (s = 1; s < PW; s = s * 2)
            gray2bin = gray2bin ^ (gray2bin >> s);
    end
endfunction

// ---------------------------------------------------------------- storage
reg [DATA_WIDTH:0] mem [0:DEPTH-1];                  // {tlast, tdata}

// ---------------------------------------------------------------- write side
reg  [PW-1:0] wr_ptr;       // next word to write (binary)
reg  [PW-1:0] rd_gray_s1;   // read pointer synchroniser, stage 1
reg  [PW-1:0] rd_gray_s2;   // stage 2
reg  [PW-1:0] rd_bin_w;     // synchronised read pointer, binary
reg  [PW-1:0] free_r;       // s_free
reg  [PW-1:0] rd_gray;      // read side: bin2gray(rd_ptr), crosses to the write side

wire          giant;        // FRAME_COMMIT: uncommitted frame fills the whole FIFO
wire          drop;         // FRAME_COMMIT: discarding the rest of a giant frame
wire [PW-1:0] commit_ptr;   // FRAME_COMMIT: last commit point (roll-back target)

// Registered with s_free, from the read pointer as last seen (conservative: full for a cycle
// longer at most): the write enable is then one gate from flip-flops, since the FIFO's block
// RAM can sit far from its writer.
reg full;

assign s_tready = drop || !full;
assign s_free   = free_r;

wire push  = s_tvalid && !full && !drop && !s_patch;
wire patch = s_tvalid && !full && !drop && s_patch;
localparam [ADDR_WIDTH-1:0] PATCH_OFF = PATCH_WORD;
wire [ADDR_WIDTH-1:0] patch_addr = commit_ptr[ADDR_WIDTH-1:0] + PATCH_OFF;

// wr_ptr + 1, kept a cycle ahead: the pointer's next value and the full flag's compares then
// start from flip-flops, not from a carry chain (the i9's GMII RX worst path ran through it).
reg  [PW-1:0] wr_ptr_inc;
wire [PW-1:0] wr_ptr_nxt = giant ? commit_ptr : push ? wr_ptr_inc : wr_ptr;
wire full_if_stay  = (wr_ptr     ^ rd_bin_w) == WRAP_BIT;  // XORs, not a second carry chain
wire full_if_push  = (wr_ptr_inc ^ rd_bin_w) == WRAP_BIT;
wire full_if_giant = (commit_ptr ^ rd_bin_w) == WRAP_BIT;

always @(posedge s_clk) begin
    if (push || patch)
        mem[patch ? patch_addr : wr_ptr[ADDR_WIDTH-1:0]] <= {s_tlast, s_tdata};
end

always @(posedge s_clk) begin
    if (s_rst) begin
        wr_ptr     <= {PW{1'b0}};
        wr_ptr_inc <= PTR_ONE;
        rd_gray_s1 <= {PW{1'b0}};
        rd_gray_s2 <= {PW{1'b0}};
        rd_bin_w   <= {PW{1'b0}};
        free_r     <= {PW{1'b0}};
        full       <= 1'b1;
    end else begin
        wr_ptr     <= wr_ptr_nxt;
        wr_ptr_inc <= wr_ptr_nxt + PTR_ONE;
        rd_gray_s1 <= rd_gray;
        rd_gray_s2 <= rd_gray_s1;
        rd_bin_w   <= gray2bin(rd_gray_s2);
        // DEPTH - (wr - rd) == (rd - wr) + DEPTH (mod 2^PW)
        free_r     <= (rd_bin_w - wr_ptr_nxt) ^ WRAP_BIT;
        full       <= giant ? full_if_giant : push ? full_if_push : full_if_stay;
    end
end

// ---------------------------------------------------------------- read side
reg  [PW-1:0]     rd_ptr;    // next word to read (binary)
wire [PW-1:0]     wr_vis;    // write pointer visible to the reader (binary)
reg  [DATA_WIDTH:0] q;       // RAM read register
reg               q_valid;
reg  [DATA_WIDTH:0] o;       // output register
reg               o_valid;

wire empty  = (rd_ptr == wr_vis);
wire o_free = !o_valid || m_tready;          // the output register takes a word this cycle
wire rd_en  = !empty && (!q_valid || o_free);

assign m_tdata  = o[DATA_WIDTH-1:0];
assign m_tlast  = o[DATA_WIDTH];
assign m_tvalid = o_valid;

always @(posedge m_clk) begin
    if (rd_en)
        q <= mem[rd_ptr[ADDR_WIDTH-1:0]];
    if (o_free)
        o <= q;
end

always @(posedge m_clk) begin
    if (m_rst) begin
        rd_ptr  <= {PW{1'b0}};
        rd_gray <= {PW{1'b0}};
        q_valid <= 1'b0;
        o_valid <= 1'b0;
    end else begin
        if (rd_en) begin
            rd_ptr  <= rd_ptr + PTR_ONE;
            rd_gray <= bin2gray(rd_ptr + PTR_ONE);
        end
        if (rd_en)
            q_valid <= 1'b1;
        else if (o_free)
            q_valid <= 1'b0;
        if (o_free)
            o_valid <= q_valid;
    end
end

// ---------------------------------------------------------------- write pointer crossing
generate
if (FRAME_COMMIT != 0) begin : g_commit
    reg [PW-1:0] wr_commit;  // write side: words up to the last written tlast
    reg          drop_r;     // write side: discarding a giant frame
    reg [PW-1:0] pub_ptr;    // write side: published commit pointer, stable while in flight
    reg          pub_req;    // write side: toggles when pub_ptr changes
    reg          ack_s1;     // write side: acknowledge synchroniser
    reg          ack_s2;
    reg          req_s1;     // read side: request synchroniser
    reg          req_s2;
    reg          req_s3;     // read side: also the acknowledge back to the write side
    reg [PW-1:0] vis_r;      // read side: captured commit pointer

    assign giant      = !drop_r && (wr_ptr[PW-1] != wr_commit[PW-1]) &&
                        (wr_ptr[PW-2:0] == wr_commit[PW-2:0]);
    assign drop       = drop_r;
    assign commit_ptr = wr_commit;
    assign wr_vis     = vis_r;

    always @(posedge s_clk) begin
        if (s_rst) begin
            wr_commit <= {PW{1'b0}};
            drop_r    <= 1'b0;
            pub_ptr   <= {PW{1'b0}};
            pub_req   <= 1'b0;
            ack_s1    <= 1'b0;
            ack_s2    <= 1'b0;
        end else begin
            ack_s1 <= req_s3;
            ack_s2 <= ack_s1;
            if (push && s_tlast)
                wr_commit <= wr_ptr_inc;
            if (giant)
                drop_r <= 1'b1;
            else if (drop_r && s_tvalid && s_tlast)
                drop_r <= 1'b0;
            if (pub_req == ack_s2 && pub_ptr != wr_commit) begin
                pub_ptr <= wr_commit;
                pub_req <= !pub_req;
            end
        end
    end

    always @(posedge m_clk) begin
        if (m_rst) begin
            req_s1 <= 1'b0;
            req_s2 <= 1'b0;
            req_s3 <= 1'b0;
            vis_r  <= {PW{1'b0}};
        end else begin
            req_s1 <= pub_req;
            req_s2 <= req_s1;
            req_s3 <= req_s2;
            // pub_ptr has been stable since pub_req toggled, which is at least
            // two m_clk edges ago
            if (req_s2 != req_s3)
                vis_r <= pub_ptr;
        end
    end

`ifndef SYNTHESIS
    always @(posedge s_clk) begin
        if (!s_rst && giant)
            $display("%m: frame larger than the FIFO, dropped (time %0t)", $time);
    end
`endif
end else begin : g_plain
    reg [PW-1:0] wr_gray;     // write side: bin2gray(wr_ptr)
    reg [PW-1:0] wr_gray_s1;  // read side: synchroniser
    reg [PW-1:0] wr_gray_s2;
    reg [PW-1:0] vis_r;       // read side: synchronised write pointer, binary

    assign giant      = 1'b0;
    assign drop       = 1'b0;
    assign commit_ptr = wr_ptr;
    assign wr_vis     = vis_r;

    always @(posedge s_clk) begin
        if (s_rst)
            wr_gray <= {PW{1'b0}};
        else
            wr_gray <= bin2gray(wr_ptr_nxt);
    end

    always @(posedge m_clk) begin
        if (m_rst) begin
            wr_gray_s1 <= {PW{1'b0}};
            wr_gray_s2 <= {PW{1'b0}};
            vis_r      <= {PW{1'b0}};
        end else begin
            wr_gray_s1 <= wr_gray;
            wr_gray_s2 <= wr_gray_s1;
            vis_r      <= gray2bin(wr_gray_s2);
        end
    end
end
endgenerate

endmodule

`resetall
