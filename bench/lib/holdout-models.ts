/**
 * The estimator's hold-out models (issue 12): whole models of random shapes, widths, storage and multiplier
 * placements, generated from a seed, for `npm run bench:holdout`. Nothing here is tuned: the ranges are the
 * issue's, and a hold-out seed is scored once (see bench/holdout.ts).
 *
 * - transformers: d_model 4–64 with any dividing head count, window 4–64, input features 1–16, 1–3 encoder
 *   layers, batch or layer norm;
 * - graph() models: MLPs of 1–3 hidden layers, and residual stacks (linear, batch norm, add, average pool);
 * - every layer: output width 2–16 (weights 2–16 on kinds with parameters), a random buffer storage, parameter
 *   storage and multiplier mapping, or 'auto'.
 */
import { graph, transformer, type KilnConfig, type Tensor } from '../../src/index.js';
import { resolveDesign, type ResolvedDesign } from '../../src/ir/index.js';
import { quantizeModel } from '../../src/reference/index.js';
import { createRng, type Rng } from '../../src/util/rng.js';

const WEIGHTED = new Set(['linear', 'posenc', 'batchnorm', 'layernorm']);
const MULTIPLIED = new Set(['linear', 'posenc', 'batchnorm', 'layernorm', 'matmul', 'add', 'avgpool']);

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;

function transformerModel(rng: Rng): { label: string; model: KilnConfig['model'] } {
  const dModel = rng.int(4, 64);
  const divisors = Array.from({ length: dModel }, (_, i) => i + 1).filter((h) => dModel % h === 0 && h <= 8);
  const heads = pick(rng, divisors);
  const o = {
    window: rng.int(4, 64),
    inputFeatures: rng.int(1, 16),
    dModel,
    heads,
    ffnDim: rng.int(Math.max(4, dModel / 2), Math.min(128, dModel * 4)),
    encoderLayers: rng.int(1, 3),
    norm: rng.next() < 0.3 ? ('layernorm' as const) : ('batchnorm' as const),
  };
  return { label: `transformer d${o.dModel} h${o.heads} L${o.encoderLayers} w${o.window} f${o.inputFeatures} ffn${o.ffnDim}${o.norm === 'layernorm' ? ' layernorm' : ''}`, model: transformer(o) };
}

function graphModel(rng: Rng): { label: string; model: KilnConfig['model'] } {
  const window = rng.int(2, 32);
  const features = rng.int(1, 16);
  if (rng.next() < 0.5) {
    const hidden = Array.from({ length: rng.int(1, 3) }, () => rng.int(4, 64));
    const outputs = rng.int(1, 4);
    return {
      label: `MLP w${window} f${features} hidden ${hidden.join('-')} out ${outputs}`,
      model: graph({ window, features, name: 'mlp' }, (g, x) => {
        let h: Tensor<string> = x;
        hidden.forEach((n, i) => (h = g.relu(`act${i}`, g.linear(`hidden${i}`, h, { out: n }))));
        return g.linear('forecast', g.avgpool('pool', h), { out: outputs });
      }),
    };
  }
  const width = rng.int(4, 48);
  const blocks = rng.int(1, 3);
  return {
    label: `residual stack w${window} f${features} width ${width} blocks ${blocks}`,
    model: graph({ window, features, name: 'stack' }, (g, x) => {
      let h: Tensor<string> = g.linear('embed', x, { out: width });
      for (let b = 0; b < blocks; b++) h = g.batchnorm(`norm${b}`, g.add(`res${b}`, h, g.relu(`act${b}`, g.linear(`mix${b}`, h, { out: width }))));
      return g.linear('forecast', g.avgpool('pool', h), { out: 1 });
    }),
  };
}

/** Random per-layer settings for every layer of a resolved design. */
function layerSettings(rng: Rng, design: ResolvedDesign): NonNullable<KilnConfig['layers']> {
  const layers: Record<string, Record<string, unknown>> = {};
  for (const l of design.layers) {
    if (l.kind === 'input' || l.kind === 'relu') continue;
    const s: Record<string, unknown> = {};
    s.outputBits = rng.int(2, 16);
    if (WEIGHTED.has(l.kind)) {
      s.weightBits = rng.int(2, 16);
      s.weightStorage = pick(rng, ['auto', 'auto', 'bram', 'lutram', 'logic']);
    }
    s.buffer = pick(rng, ['auto', 'auto', 'bram', 'lutram', 'registers']);
    if (MULTIPLIED.has(l.kind)) s.multiplier = pick(rng, ['auto', 'auto', 'dsp', 'lut']);
    layers[l.path] = s;
  }
  return layers as NonNullable<KilnConfig['layers']>;
}

export interface HoldoutModel {
  readonly index: number;
  readonly label: string;
  readonly config: KilnConfig;
  /** Draws refused before this one (by kiln, or for size), with the reason: they are regenerated, and reported. */
  readonly refused: readonly string[];
}

/** Largest design the hold-out synthesizes: twice the XC7S15's LUTs (larger ones take hours in yosys here). */
export const MAX_ESTIMATED_LUT = 16_000;

/** The index-th hold-out model of a seed: the same model for the same (seed, index) on every machine. */
export function holdoutModel(seed: number, index: number, estimateLut: (d: ResolvedDesign) => number): HoldoutModel {
  const refused: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const rng = createRng(seed, `holdout ${index} ${attempt}`);
    const { label, model } = rng.next() < 0.7 ? transformerModel(rng) : graphModel(rng);
    const base: KilnConfig = { device: 'xc7s100', model, weights: { seed: rng.int(1, 1_000_000) } };
    try {
      const config: KilnConfig = { ...base, layers: layerSettings(rng, resolveDesign(base)) };
      const design = resolveDesign(config);
      quantizeModel(design); // refusals that only quantization finds (a scale that would vanish)
      const lut = estimateLut(design);
      if (lut > MAX_ESTIMATED_LUT) {
        refused.push(`${label}: ${lut} LUT estimated, over the ${MAX_ESTIMATED_LUT} the hold-out synthesizes`);
        continue;
      }
      return { index, label, config, refused };
    } catch (err) {
      // a shape or width kiln refuses with a diagnostic: draw again, and say why
      refused.push(`${label}: ${String((err as Error).message ?? err).split('\n')[0]!.slice(0, 200)}`);
    }
  }
  throw new Error(`hold-out model ${index} of seed ${seed}: no accepted config in 50 attempts`);
}
