/**
 * Shared by the calibration and validation benchmarks: build a config in memory, write its hardware to a
 * scratch directory, synthesize its layers and top level, and pair each unit with its raw part groups.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifacts } from '../../src/build/write.js';
import { emitHardware, type TestbenchEntry } from '../../src/emitters/vhdl/index.js';
import { estimateDesign, PART_GROUPS, type Part, type PartGroup } from '../../src/estimator/index.js';
import { resolveDesign, type ResolvedDesign } from '../../src/ir/index.js';
import { quantizeModel } from '../../src/reference/index.js';
import { synthesize, type SynthUnit } from '../../src/synth/index.js';
import type { KilnConfig, LayerKind } from '../../src/dsl/index.js';

export type GroupTotals = Record<PartGroup, { lut: number; ff: number; lutram: number }>;

export function groupTotals(parts: readonly Part[]): GroupTotals {
  const g = Object.fromEntries(PART_GROUPS.map((k) => [k, { lut: 0, ff: 0, lutram: 0 }])) as GroupTotals;
  for (const p of parts) {
    g[p.group].lut += p.cost.lut;
    g[p.group].ff += p.cost.ff;
    g[p.group].lutram += p.cost.lutram;
  }
  return g;
}

export interface ModelSynthesis {
  name: string;
  /** Where the build's files (VHDL, testbenches, vectors) and the synthesis runs are. */
  outDir: string;
  testbenches: TestbenchEntry[];
  design: ResolvedDesign;
  units: SynthUnit[];
  seconds: number;
}

/** Synthesizes a model's layers (those of `kinds` only, when given) and, unless `top` is false, its top level. */
export async function synthesizeModel(name: string, config: KilnConfig, opts: { top?: boolean; kinds?: readonly LayerKind[]; jobs?: number; log?: (s: string) => void } = {}): Promise<ModelSynthesis> {
  const design = resolveDesign(config);
  const { files, testbenches } = emitHardware(design, quantizeModel(design));
  const outDir = mkdtempSync(join(tmpdir(), `kiln-bench-${name}-`));
  await writeArtifacts(outDir, files);
  const layers = design.layers.filter((l) => testbenches.some((t) => t.unit === l.path) && (!opts.kinds || opts.kinds.includes(l.kind)));
  const entities = [...layers.map((l) => l.name), ...(opts.top === false ? [] : [design.name])];
  const start = Date.now();
  const units = await synthesize(design, testbenches, {
    outDir,
    units: entities,
    jobs: opts.jobs ?? 2,
    onResult: (r, done, total) => opts.log?.(`  [${name} ${done}/${total}] ${r.status} ${r.unit} ${(r.durationMs / 1000).toFixed(1)} s${r.message ? ` ${r.message}` : ''}`),
  });
  const bad = units.filter((u) => u.status !== 'ok');
  if (bad.length > 0) throw new Error(`${name}: synthesis failed for ${bad.map((u) => `${u.unit} (${u.message})`).join(', ')}`);
  return { name, outDir, testbenches, design, units, seconds: (Date.now() - start) / 1000 };
}

export { estimateDesign };
