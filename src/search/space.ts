/**
 * The search space of `kiln search`: one gene per choice the config leaves open. Every layer not pinned in the
 * config's `layers:` gets a gene for each setting its kind takes: weightBits and outputBits from a set of widths,
 * the storage of its output buffer, the storage of its weight memories, the mapping of its multiplier. A candidate
 * is one option index per gene; pinned layers keep the settings they resolved to.
 */
import type { KilnConfig, LayerSettings } from '../dsl/index.js';
import type { ExplicitSettings } from '../ir/resolve.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { KINDS } from '../kinds/index.js';

export type GeneSetting = keyof ExplicitSettings;
export type GeneValue = number | string;

export interface Gene {
  /** Index of the layer in the design. */
  readonly layer: number;
  readonly path: string;
  readonly setting: GeneSetting;
  /** Ascending widths, or storage / mapping names. */
  readonly options: readonly GeneValue[];
}

/** A candidate: for each gene, the index of its option. */
export type Candidate = Uint8Array;

export interface SearchSpace {
  readonly design: ResolvedDesign;
  readonly genes: readonly Gene[];
  /** Per layer, the indices of its genes (empty for pinned layers and layers without settings). */
  readonly layerGenes: readonly (readonly number[])[];
  /** Per layer, its settings in the user's config as resolved: what a layer without a gene for a setting keeps. */
  readonly base: readonly ExplicitSettings[];
  /** Layers the config pins in `layers:` (kept as they are). */
  readonly pinned: readonly string[];
  /** Genes of bit widths (what accuracy depends on); the others only change resources. */
  readonly precisionGenes: readonly number[];
}

/** Buffers at most this deep may be kept in registers (deeper register files are never the cheaper choice). */
export const REGISTER_BUFFER_MAX_DEPTH = 64;
export const DEFAULT_SEARCH_BITS: readonly number[] = [2, 3, 4, 5, 6, 7, 8];

/** A layer's settings as resolved, made explicit (what its memories and multiplier actually got). */
export function resolvedSettings(node: LayerNode): ExplicitSettings {
  const weights = node.memories.find((m) => m.role === 'weights') ?? node.memories[0];
  return {
    weightBits: node.widths.weight ?? 8,
    outputBits: node.output.bits,
    buffer: (node.buffer?.storage ?? 'lutram') as ExplicitSettings['buffer'],
    weightStorage: (weights?.storage ?? 'logic') as ExplicitSettings['weightStorage'],
    multiplier: node.multiplier?.mapping ?? 'lut',
  };
}

export function searchSpace(design: ResolvedDesign, config: Pick<KilnConfig, 'layers'>, bits: readonly number[] = DEFAULT_SEARCH_BITS): SearchSpace {
  const pinned = new Set(Object.keys((config.layers ?? {}) as Record<string, LayerSettings>));
  const genes: Gene[] = [];
  const layerGenes: number[][] = [];
  const base = design.layers.map(resolvedSettings);
  for (const node of design.layers) {
    const own: number[] = [];
    layerGenes.push(own);
    if (pinned.has(node.path)) continue;
    const takes = (s: GeneSetting) => (KINDS[node.kind].rules.settings as readonly string[]).includes(s);
    const add = (setting: GeneSetting, options: readonly GeneValue[]) => {
      if (options.length < 2) return; // nothing to choose
      own.push(genes.length);
      genes.push({ layer: node.index, path: node.path, setting, options });
    };
    const widths = (current: number) => [...new Set([...bits, current])].sort((a, b) => a - b);
    if (takes('weightBits') && node.widths.weight !== undefined) add('weightBits', widths(node.widths.weight));
    if (takes('outputBits')) add('outputBits', widths(node.output.bits));
    if (takes('buffer') && node.buffer && node.buffer.depth > 1) add('buffer', node.buffer.depth <= REGISTER_BUFFER_MAX_DEPTH ? ['bram', 'lutram', 'registers'] : ['bram', 'lutram']);
    // A ROM in 'lutram' is a distributed ROM, built and counted like 'logic': one option of the two.
    if (takes('weightStorage') && node.memories.length > 0) add('weightStorage', ['bram', 'logic']);
    if (takes('multiplier') && node.multiplier) add('multiplier', ['dsp', 'lut']);
  }
  const precisionGenes = genes.flatMap((g, i) => (g.setting === 'weightBits' || g.setting === 'outputBits' ? [i] : []));
  return { design, genes, layerGenes, base, pinned: [...pinned], precisionGenes };
}

/** The candidate closest to the user's config: each gene at its resolved value. */
export function baseCandidate(space: SearchSpace): Candidate {
  return Uint8Array.from(space.genes, (g) => Math.max(0, g.options.indexOf(space.base[g.layer]![g.setting])));
}

/** Layer `layer`'s settings under candidate `c`. */
export function settingsOf(space: SearchSpace, c: Candidate, layer: number): ExplicitSettings {
  const own = space.layerGenes[layer]!;
  if (own.length === 0) return space.base[layer]!;
  const s: Record<string, GeneValue> = { ...space.base[layer]! };
  for (const g of own) s[space.genes[g]!.setting] = space.genes[g]!.options[c[g]!]!;
  return s as unknown as ExplicitSettings;
}

/** What a candidate changes against the config as resolved: layer path → setting → [configured, candidate]. */
export function changesOf(space: SearchSpace, c: Candidate): Record<string, Partial<Record<GeneSetting, [GeneValue, GeneValue]>>> {
  const changes: Record<string, Partial<Record<GeneSetting, [GeneValue, GeneValue]>>> = {};
  space.layerGenes.forEach((genes, layer) => {
    const s = settingsOf(space, c, layer);
    for (const g of genes) {
      const setting = space.genes[g]!.setting;
      const was = space.base[layer]![setting];
      if (was !== s[setting]) (changes[space.design.layers[layer]!.path] ??= {})[setting] = [was, s[setting]];
    }
  });
  return changes;
}

/** Every candidate with all bit widths at `w` (or the nearest option), other genes as in `c`. */
export function uniformPrecision(space: SearchSpace, c: Candidate, w: number): Candidate {
  const out = Uint8Array.from(c);
  for (const g of space.precisionGenes) {
    const options = space.genes[g]!.options as number[];
    let best = 0;
    for (let i = 1; i < options.length; i++) if (Math.abs(options[i]! - w) < Math.abs(options[best]! - w)) best = i;
    out[g] = best;
  }
  return out;
}

/** Compact text of a candidate, for memo keys. */
export const candidateKey = (c: Candidate): string => String.fromCharCode(...c);
