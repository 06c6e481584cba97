/** Repairs of GHDL 2.0's Verilog, on excerpts of real GHDL output. */
import { describe, expect, it } from 'vitest';
import { findMemories, fixArithmeticShifts, fixSignedMultiplies, fixWideConstants, repairGhdlVerilog } from '../../src/synth/index.js';

const EXCERPT = `module encoder_0_ffn_fc1
  reg [7:0] n268[1023:0] ; // memory
  reg [7:0] y_mem[1535:0] ; // memory
  assign n22_o = n20_o * 32'b00000000000000000000000000010000; // smul
  assign n110_o = {{16{mul_a[21]}}, mul_a}; // sext
  assign n111_o = {{22{mul_b[15]}}, mul_b}; // sext
  assign n112_o = n110_o * n111_o; // smul
  assign n82_o = n79_o + "000000000000000010000000000000000000000";
  assign n84_o = $signed(n82_o) >> 31'b0000000000000000000000000010111;
  assign n85_o = n84_o >> 3;
endmodule
module pool
  reg [17:0] n270[63:0] ; // memory
endmodule`;

describe('GHDL netlist repairs', () => {
  it('rewrites sign-extended products as signed products of the original operands', () => {
    const r = fixSignedMultiplies(EXCERPT);
    expect(r.fixed).toBe(1);
    expect(r.text).toContain('assign n112_o = $signed(mul_a) * $signed(mul_b);');
    expect(r.text).toContain("assign n22_o = n20_o * 32'b00000000000000000000000000010000; // smul"); // not sign-extended: unchanged
  });

  it('makes arithmetic shifts arithmetic', () => {
    const r = fixArithmeticShifts(EXCERPT);
    expect(r.fixed).toBe(1);
    expect(r.text).toContain("assign n84_o = $signed(n82_o) >>> 31'b");
    expect(r.text).toContain('assign n85_o = n84_o >> 3;'); // logical shift of an unsigned value: unchanged
  });

  it('turns quoted bit strings into sized binary literals', () => {
    const r = fixWideConstants(EXCERPT);
    expect(r.fixed).toBe(1);
    expect(r.text).toContain("n79_o + 39'b000000000000000010000000000000000000000;");
  });

  it('applies all repairs and lists memories by module', () => {
    const r = repairGhdlVerilog(EXCERPT);
    expect([r.signedProducts, r.arithmeticShifts, r.wideConstants]).toEqual([1, 1, 1]);
    expect(findMemories(EXCERPT)).toEqual([
      { module: 'encoder_0_ffn_fc1', name: 'n268', width: 8, depth: 1024 },
      { module: 'encoder_0_ffn_fc1', name: 'y_mem', width: 8, depth: 1536 },
      { module: 'pool', name: 'n270', width: 18, depth: 64 },
    ]);
  });
});
