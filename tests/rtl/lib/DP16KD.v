// SPDX-License-Identifier: MIT
// DP16KD, the ECP5 18 Kbit block RAM, as a behavioural model for the netlist bench. Debian
// yosys 0.23's ecp5/cells_sim.v declares DP16KD with its ports and parameters but no
// behaviour (every read gives z), so scripts/netlist_bench.sh removes that stub and compiles
// this file instead. Written from the cell's documented behaviour (Lattice TN1264) and the way
// yosys's ecp5/brams_map.v drives it:
//   - the array is 1024 words of 18 bits (two 9-bit bytes); INITVAL_nn holds words 16nn..
//     16nn+15, 20 bits each, the low 18 used;
//   - port width W selects the address bits: x1 AD[13:0], x2 AD[13:1], x4 AD[13:2], x9
//     AD[13:3], x18 AD[13:4] with AD[1:0] as byte write enables, x36 AD[13:5] with AD[3:0]
//     as byte write enables (port A writes DIB:DIA, port B reads DOB:DOA);
//   - x1/x2/x4 use the 8 data bits of each byte (bit 8 of a byte is its parity bit);
//   - a port's output register loads on its clock edge when CE and the chip select match;
//     WRITEMODE NORMAL keeps it on a write, WRITETHROUGH shows the new data, READBEFOREWRITE
//     the old; RST clears it (asynchronously with RESETMODE ASYNC); REGMODE OUTREG adds a
//     pipeline register enabled by OCE.
`timescale 1ns / 1ps
module DP16KD (
    input  DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6,
           DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
    input  ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1,
           ADA0,
    input  CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0,
    output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6,
           DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
    input  DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6,
           DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
    input  ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1,
           ADB0,
    input  CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0,
    output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6,
           DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter WEAMUX = "WEA";
    parameter WEBMUX = "WEB";
    parameter RSTAMUX = "RSTA";
    parameter RSTBMUX = "RSTB";
    parameter CEAMUX = "CEA";
    parameter CEBMUX = "CEB";
    parameter OCEAMUX = "OCEA";
    parameter OCEBMUX = "OCEB";
    parameter GSR = "ENABLED";
    parameter INIT_DATA = "STATIC";
    parameter INITVAL_00 = 320'h0;
    parameter INITVAL_01 = 320'h0;
    parameter INITVAL_02 = 320'h0;
    parameter INITVAL_03 = 320'h0;
    parameter INITVAL_04 = 320'h0;
    parameter INITVAL_05 = 320'h0;
    parameter INITVAL_06 = 320'h0;
    parameter INITVAL_07 = 320'h0;
    parameter INITVAL_08 = 320'h0;
    parameter INITVAL_09 = 320'h0;
    parameter INITVAL_0A = 320'h0;
    parameter INITVAL_0B = 320'h0;
    parameter INITVAL_0C = 320'h0;
    parameter INITVAL_0D = 320'h0;
    parameter INITVAL_0E = 320'h0;
    parameter INITVAL_0F = 320'h0;
    parameter INITVAL_10 = 320'h0;
    parameter INITVAL_11 = 320'h0;
    parameter INITVAL_12 = 320'h0;
    parameter INITVAL_13 = 320'h0;
    parameter INITVAL_14 = 320'h0;
    parameter INITVAL_15 = 320'h0;
    parameter INITVAL_16 = 320'h0;
    parameter INITVAL_17 = 320'h0;
    parameter INITVAL_18 = 320'h0;
    parameter INITVAL_19 = 320'h0;
    parameter INITVAL_1A = 320'h0;
    parameter INITVAL_1B = 320'h0;
    parameter INITVAL_1C = 320'h0;
    parameter INITVAL_1D = 320'h0;
    parameter INITVAL_1E = 320'h0;
    parameter INITVAL_1F = 320'h0;
    parameter INITVAL_20 = 320'h0;
    parameter INITVAL_21 = 320'h0;
    parameter INITVAL_22 = 320'h0;
    parameter INITVAL_23 = 320'h0;
    parameter INITVAL_24 = 320'h0;
    parameter INITVAL_25 = 320'h0;
    parameter INITVAL_26 = 320'h0;
    parameter INITVAL_27 = 320'h0;
    parameter INITVAL_28 = 320'h0;
    parameter INITVAL_29 = 320'h0;
    parameter INITVAL_2A = 320'h0;
    parameter INITVAL_2B = 320'h0;
    parameter INITVAL_2C = 320'h0;
    parameter INITVAL_2D = 320'h0;
    parameter INITVAL_2E = 320'h0;
    parameter INITVAL_2F = 320'h0;
    parameter INITVAL_30 = 320'h0;
    parameter INITVAL_31 = 320'h0;
    parameter INITVAL_32 = 320'h0;
    parameter INITVAL_33 = 320'h0;
    parameter INITVAL_34 = 320'h0;
    parameter INITVAL_35 = 320'h0;
    parameter INITVAL_36 = 320'h0;
    parameter INITVAL_37 = 320'h0;
    parameter INITVAL_38 = 320'h0;
    parameter INITVAL_39 = 320'h0;
    parameter INITVAL_3A = 320'h0;
    parameter INITVAL_3B = 320'h0;
    parameter INITVAL_3C = 320'h0;
    parameter INITVAL_3D = 320'h0;
    parameter INITVAL_3E = 320'h0;
    parameter INITVAL_3F = 320'h0;

    reg [17:0] mem [0:1023];

    task init_row(input integer row, input [319:0] val);
        integer i;
        for (i = 0; i < 16; i = i + 1) mem[row * 16 + i] = val[i * 20 +: 18];
    endtask

    initial begin
    init_row(0, INITVAL_00);
    init_row(1, INITVAL_01);
    init_row(2, INITVAL_02);
    init_row(3, INITVAL_03);
    init_row(4, INITVAL_04);
    init_row(5, INITVAL_05);
    init_row(6, INITVAL_06);
    init_row(7, INITVAL_07);
    init_row(8, INITVAL_08);
    init_row(9, INITVAL_09);
    init_row(10, INITVAL_0A);
    init_row(11, INITVAL_0B);
    init_row(12, INITVAL_0C);
    init_row(13, INITVAL_0D);
    init_row(14, INITVAL_0E);
    init_row(15, INITVAL_0F);
    init_row(16, INITVAL_10);
    init_row(17, INITVAL_11);
    init_row(18, INITVAL_12);
    init_row(19, INITVAL_13);
    init_row(20, INITVAL_14);
    init_row(21, INITVAL_15);
    init_row(22, INITVAL_16);
    init_row(23, INITVAL_17);
    init_row(24, INITVAL_18);
    init_row(25, INITVAL_19);
    init_row(26, INITVAL_1A);
    init_row(27, INITVAL_1B);
    init_row(28, INITVAL_1C);
    init_row(29, INITVAL_1D);
    init_row(30, INITVAL_1E);
    init_row(31, INITVAL_1F);
    init_row(32, INITVAL_20);
    init_row(33, INITVAL_21);
    init_row(34, INITVAL_22);
    init_row(35, INITVAL_23);
    init_row(36, INITVAL_24);
    init_row(37, INITVAL_25);
    init_row(38, INITVAL_26);
    init_row(39, INITVAL_27);
    init_row(40, INITVAL_28);
    init_row(41, INITVAL_29);
    init_row(42, INITVAL_2A);
    init_row(43, INITVAL_2B);
    init_row(44, INITVAL_2C);
    init_row(45, INITVAL_2D);
    init_row(46, INITVAL_2E);
    init_row(47, INITVAL_2F);
    init_row(48, INITVAL_30);
    init_row(49, INITVAL_31);
    init_row(50, INITVAL_32);
    init_row(51, INITVAL_33);
    init_row(52, INITVAL_34);
    init_row(53, INITVAL_35);
    init_row(54, INITVAL_36);
    init_row(55, INITVAL_37);
    init_row(56, INITVAL_38);
    init_row(57, INITVAL_39);
    init_row(58, INITVAL_3A);
    init_row(59, INITVAL_3B);
    init_row(60, INITVAL_3C);
    init_row(61, INITVAL_3D);
    init_row(62, INITVAL_3E);
    init_row(63, INITVAL_3F);
    end

    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3,
                       ADA2, ADA1, ADA0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3,
                       ADB2, ADB1, ADB0};
    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8,
                       DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8,
                       DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};

    // Chip select: CSDECODE is "0bXYZ" (X for CS2); the port works when CS matches it.
    function cs_match(input [39:0] decode, input [2:0] cs);
        cs_match = cs == {decode[16] , decode[8], decode[0]};
    endfunction
    wire sel_a = cs_match(CSDECODE_A, {CSA2, CSA1, CSA0});
    wire sel_b = cs_match(CSDECODE_B, {CSB2, CSB1, CSB0});

    wire clka = CLKAMUX == "INV" ? ~CLKA : CLKA;
    wire clkb = CLKBMUX == "INV" ? ~CLKB : CLKB;

    // Bit positions of a narrow port's data in an 18-bit word (x1/x2/x4 skip the parity bits).
    function integer lane_lsb(input integer width, input [13:0] ad);
        case (width)
        1:       lane_lsb = ad[3] * 9 + ad[2:0];
        2:       lane_lsb = ad[3] * 9 + ad[2:1] * 2;
        4:       lane_lsb = ad[3] * 9 + ad[2] * 4;
        9:       lane_lsb = ad[3] * 9;
        default: lane_lsb = 0;
        endcase
    endfunction

    // Read a port's view of the array: 36 bits, the x36 port's high half in [35:18].
    function [35:0] read_view(input integer width, input [13:0] ad);
        reg [17:0] w;
        begin
            w = mem[ad[13:4]];
            case (width)
            36:      read_view = {mem[{ad[13:5], 1'b1}], mem[{ad[13:5], 1'b0}]};
            18:      read_view = {18'd0, w};
            default: read_view = {18'd0, (w >> lane_lsb(width, ad)) & ~(18'h3ffff << width)};
            endcase
        end
    endfunction

    // Write a port's data (di: 36 bits, the x36 high half from the other port's DI pins).
    task write_port(input integer width, input [13:0] ad, input [35:0] di);
        integer b, lsb;
        begin
            case (width)
            36: for (b = 0; b < 4; b = b + 1)
                    if (ad[b]) begin
                        if (b < 2) mem[{ad[13:5], 1'b0}][b * 9 +: 9] = di[b * 9 +: 9];
                        else       mem[{ad[13:5], 1'b1}][(b - 2) * 9 +: 9] = di[b * 9 +: 9];
                    end
            18: for (b = 0; b < 2; b = b + 1)
                    if (ad[b]) mem[ad[13:4]][b * 9 +: 9] = di[b * 9 +: 9];
            default: begin
                lsb = lane_lsb(width, ad);
                for (b = 0; b < width; b = b + 1) mem[ad[13:4]][lsb + b] = di[b];
            end
            endcase
        end
    endtask

    reg [35:0] q_a = 36'd0, q_b = 36'd0;      // the array's output registers
    reg [35:0] r_a = 36'd0, r_b = 36'd0;      // REGMODE OUTREG's pipeline registers
    wire arst = RESETMODE == "ASYNC";

    always @(posedge clka or posedge (arst & RSTA)) begin
        if (RSTA) q_a <= 36'd0;
        else if (CEA && sel_a) begin
            if (WEA && DATA_WIDTH_A != 36 && WRITEMODE_A == "NORMAL") ;
            else if (WEA && WRITEMODE_A == "WRITETHROUGH" && DATA_WIDTH_A != 36)
                q_a <= {18'd0, dia} & ~(36'hfffffffff << DATA_WIDTH_A);
            else if (DATA_WIDTH_A != 36) q_a <= read_view(DATA_WIDTH_A, ada);
            if (WEA) write_port(DATA_WIDTH_A, ada, {dib, dia});
        end
        if (OCEA) r_a <= q_a;
    end

    always @(posedge clkb or posedge (arst & RSTB)) begin
        if (RSTB) q_b <= 36'd0;
        else if (CEB && sel_b) begin
            if (WEB && DATA_WIDTH_B != 36 && WRITEMODE_B == "NORMAL") ;
            else if (WEB && WRITEMODE_B == "WRITETHROUGH" && DATA_WIDTH_B != 36)
                q_b <= {18'd0, dib} & ~(36'hfffffffff << DATA_WIDTH_B);
            else q_b <= read_view(DATA_WIDTH_B, adb);
            if (WEB && DATA_WIDTH_B != 36) write_port(DATA_WIDTH_B, adb, {18'd0, dib});
        end
        if (OCEB) r_b <= q_b;
    end

    // An x36 port B drives both output buses (DOA low half, DOB high half).
    wire [35:0] out_a = REGMODE_A == "OUTREG" ? r_a : q_a;
    wire [35:0] out_b = REGMODE_B == "OUTREG" ? r_b : q_b;
    wire [17:0] doa = DATA_WIDTH_B == 36 ? out_b[17:0] : out_a[17:0];
    wire [17:0] dob = DATA_WIDTH_B == 36 ? out_b[35:18] : out_b[17:0];
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6,
            DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6,
            DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;
endmodule
