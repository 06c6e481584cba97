/**
 * Characterization of the primitives (issue 12): each mapping decision the estimator counts exactly is
 * synthesized alone, over a systematic sweep, with kiln's own flow (GHDL --synth → the netlist repair of
 * `kiln synth` → yosys synth_xilinx with the storage attributes re-applied → stat), and compared with the
 * counting rules of src/devices/ point by point.
 *
 *   npm run bench:characterize                    the whole sweep; writes bench/characterization/data.json and
 *                                                 bench/results/characterize.{md,json}
 *   npm run bench:characterize -- --only ram      one family: ram, rom, mul, address
 *   npm run bench:characterize -- --quick         a small sweep (a few minutes), written nowhere
 *   npm run bench:characterize -- --report        rewrite the results page from the committed data and the
 *                                                 current rules (after a change to a rule; no synthesis)
 *   npm run bench:characterize -- --state DIR     keep each finished batch in DIR/measured.jsonl; the same command
 *                                                 run again goes on where an interrupted run stopped
 *
 * Each point is a small entity written with the same VHDL blocks as the layers (the output buffer of
 * src/engines/_shared/blocks.ts, the engines' ROM declaration and clocked read, the layer multiplier statement,
 * the address expressions). Points are synthesized in batches: one yosys run per batch, the points as
 * submodules of a wrapper that is not flattened, so each point's cells are counted alone.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { addressBits, DSP_MIN_PRODUCT_BITS } from '../src/devices/mapping.js';
import { solve } from './lib/fit.js';
import { GroupSums, memory, multiplier, type Cost } from '../src/devices/primitives.js';
import { rawCost } from '../src/estimator/index.js';
import type { MemoryNode, MultiplierNode } from '../src/ir/types.js';
import { emitArithPackage, ARITH_PACKAGE_NAME } from '../src/engines/_shared/arith-package.js';
import { addressAdders, addressExpr, constantProductLuts, multiplyStatement, OUTPUT_BUFFER_PROCESS, outputBufferSignals } from '../src/engines/_shared/blocks.js';
import { synthRomStyle } from '../src/engines/_shared/memories.js';
import { aggregate, ramStyle, romStyle } from '../src/engines/_shared/vhdl.js';
import { countCells, repairGhdlVerilog, type SynthCounts } from '../src/synth/index.js';
import { ghdlVersion } from '../src/toolchain/ghdl.js';
import { runYosys, yosysVersion } from '../src/toolchain/yosys.js';
import { machine } from './lib/machine.js';

// ───────────────────────────── the sweep ─────────────────────────────

export type Point =
  | { readonly family: 'ram'; readonly storage: 'bram' | 'lutram'; readonly depth: number; readonly width: number }
  | { readonly family: 'rom'; readonly storage: 'bram' | 'logic'; readonly depth: number; readonly width: number }
  | { readonly family: 'mul'; readonly mapping: 'dsp' | 'lut'; readonly a: number; readonly b: number }
  | { readonly family: 'address'; readonly range: number; readonly coefficient: number };

const WIDTHS = Array.from({ length: 36 }, (_, i) => i + 1);
/** Powers of two and the depths between them that change a mapping (one past a power, 1.5×, the parity shapes). */
const DEPTHS = [1, 2, 16, 32, 33, 64, 65, 128, 256, 384, 512, 513, 1024, 1025, 1536, 2048, 2304, 3072, 4096, 4608, 6144, 8192, 9216, 12288, 16384];
/** LUTRAM past 4K entries costs thousands of LUTs per bit: the sweep stops there for every width, and samples deeper. */
const LUTRAM_FULL_DEPTH = 4096;
const DEEP_LUTRAM_WIDTHS = [1, 2, 3, 4, 6, 8, 9, 12, 16, 18, 24, 32, 36];
/** Logic ROMs of random contents are slow to synthesize: all widths to 1K entries, a sample to 4K. */
const LOGIC_ROM_FULL_DEPTH = 1024;
const LOGIC_ROM_MAX_DEPTH = 4096;

export function sweep(only?: string, quick = false): Point[] {
  const points: Point[] = [];
  const widths = quick ? [1, 4, 6, 8, 9, 16, 18, 36] : WIDTHS;
  const depths = quick ? [16, 64, 65, 512, 2048, 2304, 4096] : DEPTHS;
  const want = (f: string) => only === undefined || only === f;
  if (want('ram')) {
    for (const depth of depths) for (const width of widths) points.push({ family: 'ram', storage: 'bram', depth, width });
    for (const depth of depths) for (const width of depth <= LUTRAM_FULL_DEPTH ? widths : DEEP_LUTRAM_WIDTHS.filter((w) => widths.includes(w))) points.push({ family: 'ram', storage: 'lutram', depth, width });
  }
  if (want('rom')) {
    for (const depth of depths) for (const width of widths) if (depth > 1) points.push({ family: 'rom', storage: 'bram', depth, width });
    for (const depth of depths) {
      if (depth <= 1 || depth > LOGIC_ROM_MAX_DEPTH) continue;
      for (const width of depth <= LOGIC_ROM_FULL_DEPTH ? widths : DEEP_LUTRAM_WIDTHS.filter((w) => widths.includes(w))) points.push({ family: 'rom', storage: 'logic', depth, width });
    }
  }
  if (want('mul')) {
    const bits = quick ? [2, 4, 5, 8, 9, 12, 17, 18, 19, 25, 26, 32] : Array.from({ length: 31 }, (_, i) => i + 2);
    for (const mapping of ['dsp', 'lut'] as const) for (const a of bits) for (const b of bits) if (mapping === 'dsp' || a + b <= (quick ? 24 : 40)) points.push({ family: 'mul', mapping, a, b });
  }
  if (want('address')) {
    // A counter over 0..range-1 times a constant, as the layers' addresses are written (shifted copies added).
    const ranges = quick ? [8, 96, 1024] : [2, 4, 8, 16, 24, 48, 64, 96, 128, 256, 512, 1024, 4096];
    const coefficients = quick ? [3, 24, 96] : [2, 3, 5, 6, 7, 9, 12, 20, 24, 40, 48, 96, 100, 127];
    for (const range of ranges) for (const coefficient of coefficients) points.push({ family: 'address', range, coefficient });
  }
  return points;
}

export const pointName = (p: Point): string =>
  p.family === 'mul' ? `ch_mul_${p.mapping}_${p.a}x${p.b}` : p.family === 'address' ? `ch_addr_${p.range}x${p.coefficient}` : `ch_${p.family}_${p.storage}_${p.depth}x${p.width}`;

// ───────────────────────────── what kiln's rules say ─────────────────────────────

/** kiln's count for a point: the estimator's own primitive functions, uncalibrated. */
export function ruleCount(p: Point): Cost {
  const sums = new GroupSums();
  if (p.family === 'ram' || p.family === 'rom') {
    const mem: Pick<MemoryNode, 'role' | 'depth' | 'width' | 'storage'> = { role: p.family === 'ram' ? 'buffer' : 'weights', depth: p.depth, width: p.width, storage: p.storage };
    memory(sums, '', mem);
  } else if (p.family === 'mul') {
    const m: Pick<MultiplierNode, 'aBits' | 'bBits' | 'mapping'> = { aBits: p.a, bBits: p.b, mapping: p.mapping };
    multiplier(sums, '', m);
  } else {
    addressAdders(sums, '', 1, constantProductLuts(p.coefficient, p.range), false, p.range * p.coefficient);
  }
  return rawCost(sums);
}

// ───────────────────────────── VHDL of a point ─────────────────────────────

const LIBS = ['library ieee;', 'use ieee.std_logic_1164.all;', 'use ieee.numeric_std.all;'];

/** Deterministic ROM contents over the whole signed range of the width (what trained weights look like to synthesis). */
function romValues(depth: number, width: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const lo = -(2 ** (width - 1));
  const span = 2 ** width;
  return Array.from({ length: depth }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + Math.floor((s / 2 ** 32) * span);
  });
}

export function pointVhdl(p: Point): string {
  const name = pointName(p);
  switch (p.family) {
    case 'ram': {
      const ab = addressBits(p.depth);
      return [
        ...LIBS,
        `-- characterization: the layers' output buffer, ${p.depth} x ${p.width} (${p.storage})`,
        `entity ${name} is`,
        `  port (clk : in std_logic; we : in std_logic; wa : in natural range 0 to ${p.depth - 1}; wd : in signed(${p.width - 1} downto 0);`,
        `        y_addr : in unsigned(${ab - 1} downto 0); q : out signed(${p.width - 1} downto 0));`,
        'end entity;',
        `architecture rtl of ${name} is`,
        `  constant OUT_BITS : positive := ${p.width};`,
        outputBufferSignals(String(p.depth), p.storage).trimEnd(),
        `  signal wr : natural range 0 to ${p.depth - 1};`,
        '  signal y_data : signed(OUT_BITS - 1 downto 0);',
        'begin',
        '  y_we <= we;',
        '  y_wdata <= wd;',
        '  wr <= wa;',
        '  q <= y_data;',
        OUTPUT_BUFFER_PROCESS.trimEnd(),
        'end architecture;',
        '',
      ].join('\n');
    }
    case 'rom':
      return [
        ...LIBS,
        `-- characterization: a parameter ROM as the engines declare it, ${p.depth} x ${p.width} (${p.storage}), clocked read`,
        `entity ${name} is`,
        `  port (clk : in std_logic; addr : in natural range 0 to ${p.depth - 1}; q : out signed(${p.width - 1} downto 0));`,
        'end entity;',
        `architecture rtl of ${name} is`,
        `  type w_rom_t is array (${p.depth - 1} downto 0) of signed(${p.width - 1} downto 0);`,
        `  constant W_ROM : w_rom_t := ${aggregate(romValues(p.depth, p.width, p.depth * 37 + p.width), p.width, '    ')};`,
        '  attribute rom_style : string;',
        `  attribute rom_style of W_ROM : constant is "${romStyle(p.storage)}";`,
        `  signal w_data : signed(${p.width - 1} downto 0) := (others => '0');`,
        'begin',
        '  process (clk)',
        '  begin',
        '    if rising_edge(clk) then',
        '      w_data <= W_ROM(addr);',
        '    end if;',
        '  end process;',
        '  q <= w_data;',
        'end architecture;',
        '',
      ].join('\n');
    case 'mul':
      return [
        ...LIBS,
        `use work.${ARITH_PACKAGE_NAME}.all;`,
        `-- characterization: the layers' multiplier, signed ${p.a} x ${p.b} (${p.mapping}), registered product`,
        `entity ${name} is`,
        `  port (clk : in std_logic; enable : in std_logic; a : in signed(${p.a - 1} downto 0); b : in signed(${p.b - 1} downto 0); p : out signed(${p.a + p.b - 1} downto 0));`,
        'end entity;',
        `architecture rtl of ${name} is`,
        `  signal mul_a : signed(${p.a - 1} downto 0);`,
        `  signal mul_b : signed(${p.b - 1} downto 0);`,
        `  signal prod : signed(${p.a + p.b - 1} downto 0) := (others => '0');`,
        'begin',
        '  mul_a <= a;',
        '  mul_b <= b;',
        '  process (clk)',
        '  begin',
        '    if rising_edge(clk) then',
        `      if enable = '1' then ${multiplyStatement(p.mapping)}`,
        '      end if;',
        '    end if;',
        '  end process;',
        '  p <= prod;',
        'end architecture;',
        '',
      ].join('\n');
    case 'address': {
      const out = addressBits(p.range * p.coefficient);
      return [
        ...LIBS,
        `-- characterization: an address i * ${p.coefficient} (i < ${p.range}) as the layers write it, registered`,
        `entity ${name} is`,
        `  port (clk : in std_logic; i : in natural range 0 to ${p.range - 1}; q : out unsigned(${out - 1} downto 0));`,
        'end entity;',
        `architecture rtl of ${name} is`,
        'begin',
        '  process (clk)',
        '  begin',
        '    if rising_edge(clk) then',
        `      q <= to_unsigned(${addressExpr([[p.coefficient, 'i']], 0)}, ${out});`,
        '    end if;',
        '  end process;',
        'end architecture;',
        '',
      ].join('\n');
    }
  }
}

// ───────────────────────────── synthesis of a batch ─────────────────────────────

interface Measured {
  point: Point;
  synthesized?: SynthCounts;
  error?: string;
}

/** Ports of a GHDL Verilog module header: `module m\n  (input  clk,\n   input  [3:0] a,\n   output [5:0] q);`. */
function ports(verilog: string, module: string): { dir: 'input' | 'output'; width: number; name: string }[] {
  const start = verilog.indexOf(`module ${module}`);
  const header = verilog.slice(start, verilog.indexOf(');', start));
  return [...header.matchAll(/(input|output)\s+(?:\[(\d+):0\]\s+)?(\w+)/g)].map((m) => ({ dir: m[1] as 'input' | 'output', width: m[2] ? Number(m[2]) + 1 : 1, name: m[3]! }));
}

/** A wrapper instantiating every module on its own top-level ports, so nothing of a point is optimized away. */
function wrapper(netlist: string, modules: readonly string[]): string {
  const decls: string[] = [];
  const insts: string[] = [];
  for (const m of modules) {
    const conns: string[] = [];
    for (const p of ports(netlist, m)) {
      const top = `${m}__${p.name}`;
      decls.push(`  ${p.dir} ${p.width > 1 ? `[${p.width - 1}:0] ` : ''}${top};`);
      conns.push(`.${p.name}(${top})`);
    }
    insts.push(`  ${m} u_${m} (${conns.join(', ')});`);
  }
  const names = decls.map((d) => /(\w+);$/.exec(d)![1]);
  return `module ch_top (${names.join(', ')});\n${decls.join('\n')}\n${insts.join('\n')}\nendmodule\n`;
}

export async function synthesizeBatch(points: readonly Point[], dir: string): Promise<Measured[]> {
  mkdirSync(dir, { recursive: true });
  const files = [join(dir, `${ARITH_PACKAGE_NAME}.vhd`)];
  writeFileSync(files[0]!, emitArithPackage());
  for (const p of points) {
    const f = join(dir, `${pointName(p)}.vhd`);
    writeFileSync(f, pointVhdl(p));
    files.push(f);
  }
  const ghdl = (args: string[]) => execFileSync('ghdl', [...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  ghdl(['-a', '--std=08', `--workdir=${dir}`, ...files]);
  const netlists: string[] = [];
  const ok: Point[] = [];
  const results: Measured[] = [];
  for (const p of points) {
    try {
      netlists.push(repairGhdlVerilog(ghdl(['--synth', '--std=08', `--workdir=${dir}`, '--out=verilog', pointName(p)])).text);
      ok.push(p);
    } catch (err) {
      results.push({ point: p, error: `GHDL: ${String((err as { stderr?: string }).stderr ?? err).split('\n')[0]}` });
    }
  }
  if (ok.length === 0) return results;
  const netlist = netlists.join('\n');
  writeFileSync(join(dir, 'points.v'), netlist + '\n' + wrapper(netlist, ok.map(pointName)));
  // GHDL drops the storage attributes: re-apply them as kiln synth does (buffers by name, ROMs by module).
  const styles = ok.flatMap((p) => (p.family === 'ram' ? [`setattr -set ram_style "${ramStyle(p.storage)}" ${pointName(p)}/m:*`] : p.family === 'rom' ? [`setattr -set rom_style "${synthRomStyle(p.storage)}" ${pointName(p)}/m:*`] : []));
  const script = ['read_verilog points.v', 'hierarchy -top ch_top', ...styles, 'synth_xilinx -family xc7 -top ch_top -noiopad -noclkbuf', 'tee -q -o stat.json stat -json', ''].join('\n');
  const y = await runYosys(dir, script, 3_600_000);
  if (!y.ok) {
    const message = `yosys: ${(y.stderr + y.stdout).split('\n').find((l) => /ERROR/.test(l)) ?? 'failed'}`;
    return [...results, ...ok.map((point) => ({ point, error: message }))];
  }
  const stat = JSON.parse(readFileSync(join(dir, 'stat.json'), 'utf8')) as { modules: Record<string, { num_cells_by_type?: Record<string, number> }> };
  for (const p of ok) {
    const mod = stat.modules[pointName(p)] ?? stat.modules[`\\${pointName(p)}`];
    results.push(mod ? { point: p, synthesized: countCells(mod.num_cells_by_type ?? {}) } : { point: p, error: 'no such module after synthesis' });
  }
  return results;
}

/** Batches of about `budget` units of work (a point's work grows with its size; a deep BRAM point alone takes 10-40 s). */
function batches(points: readonly Point[], budget: number): Point[][] {
  const weight = (p: Point) => (p.family === 'mul' ? (p.mapping === 'lut' ? (p.a * p.b) / 64 : 1) : p.family === 'address' ? 0.2 : p.family === 'ram' && p.storage === 'bram' ? 0.5 + (p.depth * p.width) / 2 ** 13 : 0.5 + (p.depth * p.width) / 2 ** 11);
  const out: Point[][] = [];
  let current: Point[] = [];
  let load = 0;
  for (const p of points) {
    if (current.length > 0 && load + weight(p) > budget) {
      out.push(current);
      current = [];
      load = 0;
    }
    current.push(p);
    load += weight(p);
  }
  if (current.length > 0) out.push(current);
  return out;
}

// ───────────────────────────── the report ─────────────────────────────

export interface Data {
  schema: 'kiln-characterization';
  /** The run that measured each family. */
  runs: Record<string, { date: string; machine: string; tools: Record<string, string | undefined>; quick: boolean; points: number; seconds: number; note?: string }>;
  points: { point: Point; synthesized?: SynthCounts; error?: string }[];
}

const EXACT = ['bram18', 'dsp', 'lutram'] as const;

function report(data: Data): string {
  const rows = data.points.map((x) => ({ ...x, rule: ruleCount(x.point) }));
  const exact = (r: (typeof rows)[number], k: (typeof EXACT)[number] | 'lut') => r.synthesized !== undefined && r.synthesized[k] === r.rule[k];
  const lines: string[] = ['# Primitive characterization (npm run bench:characterize)', ''];
  lines.push('Each point is one memory, multiplier or address synthesized alone with kiln\'s flow (GHDL → netlist repair → yosys synth_xilinx, storage attributes re-applied), compared with the counting rules of `src/devices/` (uncalibrated). BRAM18, DSP and LUTRAM are counts the estimator takes as exact; LUT is modelled (multipliers in LUTs from the table derived from this sweep) and calibrated per layer kind; the LUT columns compare the uncalibrated rule. The data: `bench/characterization/data.json`.', '');
  lines.push('| Family | Run | Tools | Points | Errors | BRAM18 exact | DSP exact | LUTRAM exact | LUT exact | LUT error median / max |', '|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [family, run] of Object.entries(data.runs)) {
    const fr = rows.filter((r) => r.point.family === family);
    const ok = fr.filter((r) => r.synthesized);
    const count = (k: (typeof EXACT)[number] | 'lut') => `${ok.filter((r) => exact(r, k)).length} / ${ok.length}`;
    const lutErrors = ok.map((r) => Math.abs(r.rule.lut - r.synthesized!.lut) / Math.max(1, r.synthesized!.lut)).sort((x, y) => x - y);
    const lutError = lutErrors.length === 0 ? '' : `${(lutErrors[lutErrors.length >> 1]! * 100).toFixed(1)} % / ${(lutErrors.at(-1)! * 100).toFixed(1)} %`;
    lines.push(`| ${family}${run.note ? ` (${run.note})` : ''} | ${run.date.slice(0, 16).replace('T', ' ')} UTC, ${run.seconds} s on ${run.machine} | ${run.tools.ghdl?.split(' (')[0] ?? '?'}; ${run.tools.yosys?.split(' (')[0] ?? '?'} | ${fr.length} | ${fr.length - ok.length} | ${count('bram18')} | ${count('dsp')} | ${count('lutram')} | ${count('lut')} | ${lutError} |`);
  }
  const wrong = rows.flatMap((r) => (r.synthesized ? EXACT.filter((k) => !exact(r, k)).map((k) => `| ${pointName(r.point)} | ${k} | ${r.rule[k]} | ${r.synthesized![k]} |`) : []));
  lines.push('', `## Counts that differ from the rules: ${wrong.length}`, '');
  if (wrong.length > 0) lines.push('| Point | resource | rule | synthesized |', '|---|---|---:|---:|', ...wrong);
  const errors = rows.filter((r) => r.error);
  if (errors.length > 0) lines.push('', `## Points that failed: ${errors.length}`, '', ...errors.map((r) => `- ${pointName(r.point)}: ${r.error}`));
  return lines.join('\n') + '\n';
}

// ───────────────────────────── rules derived from the data ─────────────────────────────

/** Least-squares line y = slope·x + intercept. */
function line(xs: readonly number[], ys: readonly number[]): [number, number] {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / sxx;
  return [slope, my - slope * mx];
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The LUT counts of multipliers, from the mul family's points:
 * - shift-and-add (kiln_arith.multiply_lut): for each width b of the second operand, LUTs are a line in a
 *   (exact to b = 11, within 1 % above), so the rule is a table of lines by b;
 * - beyond the table (b > 32), a surface fitted over every point: k₀·ab + k₁·b² + k₂·a + k₃·b + k₄;
 * - products yosys keeps in LUTs although DSPs are allowed (under DSP_MIN_PRODUCT_BITS): their measured counts.
 */
export function deriveMultiplierRules(data: Data): { rows: Record<number, [number, number]>; surface: number[]; small: Record<string, number> } {
  const lut = data.points.flatMap((x) => (x.point.family === 'mul' && x.point.mapping === 'lut' && x.synthesized ? [{ a: x.point.a, b: x.point.b, y: x.synthesized.lut }] : []));
  const rows: Record<number, [number, number]> = {};
  for (const b of [...new Set(lut.map((p) => p.b))].sort((x, y) => x - y)) {
    const at = lut.filter((p) => p.b === b);
    if (at.length < 2) continue;
    const [slope, intercept] = line(at.map((p) => p.a), at.map((p) => p.y));
    rows[b] = [round2(slope), round2(intercept)];
  }
  // relative least squares over every point: Σ ((f(a,b) − y) / y)²
  const features = (a: number, b: number) => [a * b, b * b, a, b, 1];
  const A = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
  const rhs = new Array<number>(5).fill(0);
  for (const p of lut) {
    const f = features(p.a, p.b);
    const w = 1 / p.y ** 2;
    for (let i = 0; i < 5; i++) {
      rhs[i]! += w * f[i]! * p.y;
      for (let j = 0; j < 5; j++) A[i]![j]! += w * f[i]! * f[j]!;
    }
  }
  const surface = lut.length >= 5 ? solve(A, rhs).map((k) => Math.round(k * 1000) / 1000) : [];
  const small: Record<string, number> = {};
  for (const x of data.points) if (x.point.family === 'mul' && x.point.mapping === 'dsp' && x.synthesized && x.point.a + x.point.b < DSP_MIN_PRODUCT_BITS) small[`${x.point.a}x${x.point.b}`] = x.synthesized.lut;
  return { rows, surface, small };
}

function generatedRules(data: Data): string {
  const run = data.runs['mul'];
  const { rows, surface, small } = deriveMultiplierRules(data);
  return [
    `// Generated by bench/characterize.ts from bench/characterization/data.json (mul family: ${run?.points ?? 0} points, ${run?.date.slice(0, 10) ?? '?'}, ${run?.tools.ghdl?.split(' (')[0] ?? '?'}, ${run?.tools.yosys?.split(' (')[0] ?? '?'}); do not edit.`,
    '// Rewritten by `npm run bench:characterize -- --report` and by every mul run.',
    '',
    '/** LUTs of a shift-and-add a × b multiplier, by b: LUT = slope · a + intercept (measured for b = 2..32). */',
    `export const LUT_MULTIPLIER_ROWS: Readonly<Record<number, readonly [slope: number, intercept: number]>> = ${JSON.stringify(rows)};`,
    '',
    '/** Beyond the table: k₀·ab + k₁·b² + k₂·a + k₃·b + k₄, fitted over every measured point. */',
    `export const LUT_MULTIPLIER_SURFACE: readonly number[] = ${JSON.stringify(surface)};`,
    '',
    "/** LUTs of the products yosys keeps in LUTs when DSPs are allowed (a + b under DSP_MIN_PRODUCT_BITS), keyed 'axb'. */",
    `export const SMALL_PRODUCT_LUTS: Readonly<Record<string, number>> = ${JSON.stringify(small)};`,
    '',
  ].join('\n');
}

// ───────────────────────────── main ─────────────────────────────

/** The points an interrupted run measured, and the seconds it had run (a line cut short by the interruption is dropped). */
function readJournal(path: string): { measured: Measured[]; seconds: number } {
  const measured: Measured[] = [];
  let seconds = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    try {
      const x = JSON.parse(line) as Measured & { seconds: number };
      measured.push({ point: x.point, ...(x.synthesized ? { synthesized: x.synthesized } : {}), ...(x.error ? { error: x.error } : {}) });
      seconds = Math.max(seconds, x.seconds);
    } catch {
      // an empty or partial last line
    }
  }
  return { measured, seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, report: { type: 'boolean', default: false }, jobs: { type: 'string' }, 'no-write': { type: 'boolean', default: false }, state: { type: 'string' } } });
  const root = join(import.meta.dirname, '..');
  const dataPath = join(root, 'bench', 'characterization', 'data.json');
  const RULES_PATH = join(root, 'src', 'devices', 'characterized.generated.ts');
  if (values.report) {
    const data = JSON.parse(readFileSync(dataPath, 'utf8')) as Data;
    writeFileSync(RULES_PATH, generatedRules(data));
    writeFileSync(join(root, 'bench', 'results', 'characterize.md'), report(data));
    console.log('wrote src/devices/characterized.generated.ts and bench/results/characterize.md');
    process.exit(0);
  }
  const points = sweep(values.only, values.quick);
  const jobs = Number(values.jobs ?? Math.max(1, availableParallelism()));
  const work = mkdtempSync(join(tmpdir(), 'kiln-characterize-'));
  // A resumable run: finished points are journaled, and a later sitting measures only the rest.
  const journal = values.state === undefined ? undefined : join(values.state, 'measured.jsonl');
  const earlier = journal !== undefined && existsSync(journal) ? readJournal(journal) : { measured: [], seconds: 0 };
  const done = new Set(earlier.measured.map((x) => pointName(x.point)));
  if (journal !== undefined) mkdirSync(values.state!, { recursive: true });
  const groups = batches(points.filter((p) => !done.has(pointName(p))), 40);
  console.log(`characterize: ${points.length} points${done.size > 0 ? ` (${done.size} measured in earlier sittings)` : ''} in ${groups.length} batches, ${jobs} at a time (${work})`);
  const measured: Measured[] = earlier.measured.filter((x) => points.some((p) => pointName(p) === pointName(x.point)));
  const t0 = Date.now() - earlier.seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < groups.length) {
        const i = next++;
        const r = await synthesizeBatch(groups[i]!, join(work, `batch-${i}`));
        measured.push(...r);
        if (journal !== undefined) appendFileSync(journal, r.map((x) => JSON.stringify({ ...x, seconds: Math.round((Date.now() - t0) / 1000) }) + '\n').join(''));
        rmSync(join(work, `batch-${i}`), { recursive: true, force: true });
        console.log(`[characterize] batch ${i + 1}/${groups.length}: ${measured.length}/${points.length} points, ${Math.round((Date.now() - t0) / 1000)} s`);
      }
    }),
  );
  const order = new Map(points.map((p, i) => [pointName(p), i]));
  measured.sort((x, y) => order.get(pointName(x.point))! - order.get(pointName(y.point))!);
  const m = machine();
  const tools = { ghdl: ghdlVersion(), yosys: yosysVersion() };
  const run = { date: m.date, machine: `${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}`, tools, quick: values.quick, points: measured.length, seconds: Math.round((Date.now() - t0) / 1000) };
  // Families run alone replace their own points and keep the others' (each family records its run).
  const previous: Data = !values.quick && existsSync(dataPath) ? (JSON.parse(readFileSync(dataPath, 'utf8')) as Data) : { schema: 'kiln-characterization', runs: {}, points: [] };
  const ran = new Set(points.map((p) => p.family));
  const data: Data = {
    schema: 'kiln-characterization',
    runs: { ...previous.runs, ...Object.fromEntries([...ran].map((f) => [f, run])) },
    points: [...previous.points.filter((x) => !ran.has(x.point.family)), ...measured.map((x) => ({ point: x.point, ...(x.synthesized ? { synthesized: x.synthesized } : {}), ...(x.error ? { error: x.error } : {}) }))],
  };
  const md = report(data);
  console.log(md.split('\n').slice(0, 16).join('\n'));
  if (!values.quick && !values['no-write']) {
    mkdirSync(join(root, 'bench', 'characterization'), { recursive: true });
    writeFileSync(dataPath, JSON.stringify(data) + '\n');
    writeFileSync(RULES_PATH, generatedRules(data));
    writeFileSync(join(root, 'bench', 'results', 'characterize.md'), report(data));
    console.log('wrote bench/characterization/data.json, src/devices/characterized.generated.ts and bench/results/characterize.md');
  } else {
    writeFileSync(join(work, 'characterize.md'), md);
    writeFileSync(join(work, 'data.json'), JSON.stringify(data) + '\n');
    console.log(`results in ${work}`);
  }
}

