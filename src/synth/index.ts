/**
 * kiln's synthesis check: each layer entity alone and the whole top level go through
 * GHDL (`--synth --out=verilog`) → netlist repair (netlist.ts) → yosys `synth_xilinx -family xc7`
 * (flattened, no IO buffers, configured memory styles re-applied) → `stat -json`, counted by stat.ts.
 * Each layer's repaired netlist is also simulated (iverilog) on its reference vectors, so the numbers are
 * those of a netlist proven to compute what kiln's VHDL computes. Any latch fails the unit.
 */
import { availableParallelism } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestbenchEntry } from '../emitters/vhdl/index.js';
import { estimateDesign, estimateLayer, type Cost } from '../estimator/index.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { synthGhdl } from '../toolchain/ghdl.js';
import { runYosys } from '../toolchain/yosys.js';
import { findMemories, repairGhdlVerilog } from './netlist.js';
import { memoryStyles, yosysScript, type MemoryStyle } from './script.js';
import { parseStatJson, type SynthCounts } from './stat.js';
import { simulateNetlist } from './verilog-tb.js';

export { parseStatJson, countCells, type SynthCounts } from './stat.js';
export { fixArithmeticShifts, fixSignedMultiplies, fixWideConstants, findMemories, repairGhdlVerilog } from './netlist.js';

export const SYNTH_DIR = 'synth';

export interface SynthUnit {
  /** Layer path, or the model name for the top level. */
  unit: string;
  entity: string;
  kind: LayerNode['kind'] | 'model';
  /** ok; mismatch: the netlist disagrees with the reference or has latches (a finding); error: a tool failed. */
  status: 'ok' | 'mismatch' | 'error';
  counts?: SynthCounts;
  estimate: Cost;
  memories: MemoryStyle[];
  /** Repairs applied to GHDL's netlist (signed products, arithmetic shifts, wide constants). */
  repairs: { signedProducts: number; arithmeticShifts: number; wideConstants: number };
  /** Netlist simulated against the reference vectors (layers): 'pass', 'fail' or 'skipped' (top level). */
  netlistCheck: 'pass' | 'fail' | 'skipped';
  durationMs: number;
  message?: string;
}

export interface SynthOptions {
  outDir: string;
  /** Entities to synthesize (default: every layer with a testbench, and the top level). */
  units?: readonly string[];
  jobs?: number;
  onStart?: (unit: string) => void;
  onResult?: (r: SynthUnit, done: number, total: number) => void;
}

/** VHDL sources in compile order, as written by the build. */
function sources(outDir: string): string[] {
  return readFileSync(join(outDir, 'vhdl', 'files.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((f) => join(outDir, 'vhdl', f));
}

export async function synthesize(design: ResolvedDesign, testbenches: readonly TestbenchEntry[], o: SynthOptions): Promise<SynthUnit[]> {
  const tbByUnit = new Map(testbenches.map((t) => [t.unit, t]));
  const layerUnits = design.layers.filter((l) => tbByUnit.has(l.path));
  const all: { entity: string; node?: LayerNode }[] = [...layerUnits.map((node) => ({ entity: node.name, node })), { entity: design.name }];
  const wanted = o.units ? all.filter((u) => o.units!.includes(u.entity)) : all;
  const files = sources(o.outDir);
  const results: SynthUnit[] = new Array(wanted.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      const u = wanted[i]!;
      o.onStart?.(u.node?.path ?? design.name);
      results[i] = await synthesizeOne(design, u.entity, u.node, u.node ? tbByUnit.get(u.node.path) : undefined, files, o.outDir);
      finished++;
      o.onResult?.(results[i]!, finished, wanted.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs ?? availableParallelism(), wanted.length)) }, worker));
  return results;
}

async function synthesizeOne(
  design: ResolvedDesign,
  entity: string,
  node: LayerNode | undefined,
  tb: TestbenchEntry | undefined,
  files: string[],
  outDir: string,
): Promise<SynthUnit> {
  const start = Date.now();
  const dir = join(outDir, SYNTH_DIR, entity);
  mkdirSync(dir, { recursive: true });
  const estimate: Cost = node ? pick(estimateLayer(node)) : pick(estimateDesign(design).total);
  const base = { unit: node ? node.path : design.name, entity, kind: node ? node.kind : ('model' as const), estimate, memories: [] as MemoryStyle[], repairs: { signedProducts: 0, arithmeticShifts: 0, wideConstants: 0 }, netlistCheck: 'skipped' as SynthUnit['netlistCheck'] };
  const fail = (message: string, extra: Partial<SynthUnit> = {}, status: SynthUnit['status'] = 'error'): SynthUnit => ({ ...base, ...extra, status, durationMs: Date.now() - start, message });

  const ghdl = await synthGhdl({ workDir: join(dir, 'work'), files, top: entity, out: 'verilog', timeoutMs: 600_000 });
  if (!ghdl.ok) return fail(`GHDL synthesis failed: ${ghdl.stderr.split('\n').find((l) => /error/i.test(l)) ?? ghdl.stderr.trim().split('\n')[0]}`);
  const { text, ...repairs } = repairGhdlVerilog(ghdl.netlist);
  const fixed = { repairs };
  writeFileSync(join(dir, 'netlist.v'), text);
  let styles: MemoryStyle[];
  try {
    styles = memoryStyles(design, findMemories(text));
  } catch (err) {
    return fail((err as Error).message, fixed);
  }
  const extra = { memories: styles, ...fixed };

  let netlistCheck: SynthUnit['netlistCheck'] = 'skipped';
  if (node && tb) {
    const check = await simulateNetlist(dir, 'netlist.v', node, tb, outDir);
    if (!check.ok) return fail(`the repaired netlist is not faithful: ${check.message}`, { ...extra, netlistCheck: 'fail' }, 'mismatch');
    netlistCheck = 'pass';
  }

  const y = await runYosys(dir, yosysScript(entity, 'netlist.v', styles, 'stat.json'));
  if (!y.ok) return fail(`yosys failed: ${(y.stderr + y.stdout).split('\n').find((l) => /ERROR/.test(l)) ?? y.stderr.trim().split('\n')[0]}`, { ...extra, netlistCheck });
  const counts = parseStatJson(readFileSync(join(dir, 'stat.json'), 'utf8'), entity);
  if (counts.latches > 0) return fail(`${counts.latches} latches in the netlist: kiln's designs must have none`, { ...extra, netlistCheck, counts }, 'mismatch');
  return { ...base, ...extra, netlistCheck, status: 'ok', counts, durationMs: Date.now() - start };
}

function pick(c: Cost): Cost {
  return { lut: c.lut, ff: c.ff, lutram: c.lutram, bram18: c.bram18, dsp: c.dsp };
}
