/**
 * Repairs and reads GHDL 2.0's Verilog netlists before yosys sees them (toolchain.md, "GHDL 2.0 Verilog
 * output: defects"). kiln's VHDL already avoids two of the four defects (no `case`, so no missing default
 * arms and no latches; no narrowing `resize`); this module fixes the third and finds the memories:
 * - GHDL writes `signed * signed` as an unsigned product of operands sign-extended to the full product
 *   width (`// smul`), which yosys cannot narrow (two DSP48E1 instead of one). Such products are rewritten
 *   as `$signed(a) * $signed(b)` of the original operands: the same value in the same result width.
 * - GHDL writes VHDL's arithmetic `shift_right` of a signed value as `$signed(x) >> n`, but Verilog's `>>` is
 *   a logical shift whatever the operand's signedness (found by kiln's netlist simulation: negative values
 *   came out as large positive ones). Such shifts are rewritten as `$signed(x) >>> n`.
 * - GHDL writes constants wider than 32 bits as quoted bit strings ("0101…"), which Verilog reads as ASCII
 *   text, not as a number (found the same way: a 39-bit rounding constant became garbage). They are
 *   rewritten as sized binary literals (39'b0101…).
 * - GHDL keeps RAM names but gives ROMs generated names; memories are listed with their module, width and
 *   depth so the yosys script can re-apply each one's configured style.
 * The repaired netlist is then checked by simulation against the reference vectors (see verilog-tb.ts).
 */

export interface NetlistMemory {
  module: string;
  name: string;
  width: number;
  depth: number;
}

/** Rewrites sign-extended `// smul` products; returns the text and how many were rewritten. */
export function fixSignedMultiplies(verilog: string): { text: string; fixed: number } {
  const sext = new Map<string, string>();
  for (const m of verilog.matchAll(/assign (\w+) = \{\{\d+\{(\w+)\[\d+\]\}\}, (\w+)\}; \/\/ sext/g)) {
    if (m[2] === m[3]) sext.set(m[1]!, m[2]!);
  }
  let fixed = 0;
  const text = verilog.replace(/assign (\w+) = (\w+) \* (\w+); \/\/ smul/g, (line, y: string, a: string, b: string) => {
    const ao = sext.get(a);
    const bo = sext.get(b);
    if (ao === undefined || bo === undefined) return line;
    fixed++;
    return `assign ${y} = $signed(${ao}) * $signed(${bo}); // smul, operands un-extended by kiln`;
  });
  return { text, fixed };
}

/** Rewrites `$signed(x) >> n` (logical in Verilog) as `$signed(x) >>> n` (arithmetic, what VHDL meant). */
export function fixArithmeticShifts(verilog: string): { text: string; fixed: number } {
  let fixed = 0;
  const text = verilog.replace(/(\$signed\([\w\[\]:]+\)) >> /g, (_m, operand: string) => {
    fixed++;
    return `${operand} >>> `;
  });
  return { text, fixed };
}

/** Rewrites quoted bit strings (`"0101"`, ASCII in Verilog) as sized binary literals (`4'b0101`). */
export function fixWideConstants(verilog: string): { text: string; fixed: number } {
  let fixed = 0;
  const text = verilog.replace(/"([01]+)"/g, (_m, bits: string) => {
    fixed++;
    return `${bits.length}'b${bits}`;
  });
  return { text, fixed };
}

export interface RepairedNetlist {
  text: string;
  signedProducts: number;
  arithmeticShifts: number;
  wideConstants: number;
}

/** All repairs, in order. */
export function repairGhdlVerilog(verilog: string): RepairedNetlist {
  const products = fixSignedMultiplies(verilog);
  const shifts = fixArithmeticShifts(products.text);
  const constants = fixWideConstants(shifts.text);
  return { text: constants.text, signedProducts: products.fixed, arithmeticShifts: shifts.fixed, wideConstants: constants.fixed };
}

/** Memories declared in a GHDL netlist (`reg [w-1:0] name[d-1:0] ; // memory`), with their module. */
export function findMemories(verilog: string): NetlistMemory[] {
  const out: NetlistMemory[] = [];
  let module = '';
  for (const line of verilog.split('\n')) {
    const mod = /^module (\w+)/.exec(line);
    if (mod) module = mod[1]!;
    const mem = /^\s*reg \[(\d+):0\] (\w+)\[(\d+):0\] ; \/\/ memory/.exec(line);
    if (mem) out.push({ module, name: mem[2]!, width: Number(mem[1]) + 1, depth: Number(mem[3]) + 1 });
  }
  return out;
}

/** Latch cells in a synthesized netlist: kiln's designs have none, so any is an error. */
export const LATCH_CELLS = ['LDCE', 'LDPE', '$_DLATCH_P_', '$_DLATCH_N_', '$dlatch'];
