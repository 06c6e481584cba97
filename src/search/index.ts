/**
 * `kiln search`: the space from the config, the resource model (cached per-layer estimates), the accuracy model
 * (the integer reference model on held-out windows) and the search over them.
 */
import type { KilnConfig } from '../dsl/index.js';
import { layerVariants } from '../ir/resolve.js';
import { createQuantizeCache, quantizeWithStats, syntheticWindows, type QuantizeSources } from '../reference/index.js';
import type { Dataset } from '../data/series.js';
import { AccuracyModel, type HeldWindows } from './accuracy.js';
import { ResourceModel } from './resources.js';
import { Search, type SearchOptions, type SearchResult } from './search.js';
import { DEFAULT_SEARCH_BITS, searchSpace, type SearchSpace } from './space.js';

export { AccuracyModel, type CandidateAccuracy, type HeldWindows } from './accuracy.js';
export { ResourceModel, type CandidateCost } from './resources.js';
export { Search, OBJECTIVES, DEFAULT_OBJECTIVES, DEFAULT_EVALUATIONS, type Objective, type SearchOptions, type SearchPoint, type SearchProgress, type SearchResult } from './search.js';
export { searchSpace, baseCandidate, changesOf, settingsOf, uniformPrecision, candidateKey, resolvedSettings, DEFAULT_SEARCH_BITS, type Candidate, type Gene, type SearchSpace } from './space.js';
export { dominates, nondominated, nondominatedSort, hypervolume } from './pareto.js';
export { knapsack, placeWithinBudget } from './placement.js';

/** Synthetic windows scored when the config names no data (against the float model's output). */
export const SYNTHETIC_SEARCH_WINDOWS = 64;

/** Windows of the validation split the search scores candidates on (the front is scored again on all). */
export const DEFAULT_SEARCH_WINDOWS = 128;

export interface SearchSetup {
  readonly space: SearchSpace;
  readonly resources: ResourceModel;
  /** Scores candidates during the search (a sample of the held-out windows). */
  readonly accuracy: AccuracyModel;
  /** Scores the result (all of them); the same model when the sample is all of them. */
  readonly finalAccuracy: AccuracyModel;
  readonly held: HeldWindows;
}

/** Everything a search of `config` needs; `dataset` and `sources` as the build loads them (src/build/inputs.ts). */
export function setupSearch(config: KilnConfig, sources: QuantizeSources, dataset: Dataset | undefined, bits: readonly number[] = DEFAULT_SEARCH_BITS, windows = DEFAULT_SEARCH_WINDOWS): SearchSetup {
  const variants = layerVariants(config);
  const design = variants.design;
  const space = searchSpace(design, config, bits);
  const resources = new ResourceModel(space, variants);
  const { floatParams } = quantizeWithStats(design, createQuantizeCache(), sources);
  const input = design.layers[0]!;
  const perWindow = input.output.elements;
  const v = dataset?.splits.validation;
  const held: HeldWindows = v
    ? { windows: v.windows, targets: v.targets, describe: `the validation split (${v.windows.samples} windows)` }
    : { windows: syntheticWindows(input.output.shape[0]!, input.output.shape[1]!, SYNTHETIC_SEARCH_WINDOWS, design.weights.seed, 'search'), describe: `${SYNTHETIC_SEARCH_WINDOWS} synthetic windows, against the float model` };
  const finalAccuracy = new AccuracyModel(design, sources, held, floatParams);
  const n = held.windows.samples;
  if (n <= windows) return { space, resources, accuracy: finalAccuracy, finalAccuracy, held };
  // an even sample of the windows (and their targets) for the search itself
  const picked = Array.from({ length: windows }, (_, i) => Math.floor((i * n) / windows));
  const outputs = held.targets ? held.targets.length / n : 0;
  const sample: HeldWindows = {
    windows: { samples: windows, data: Float64Array.from({ length: windows * perWindow }, (_, i) => held.windows.data[picked[Math.floor(i / perWindow)]! * perWindow + (i % perWindow)]!) },
    ...(held.targets ? { targets: Float64Array.from({ length: windows * outputs }, (_, i) => held.targets![picked[Math.floor(i / outputs)]! * outputs + (i % outputs)]!) } : {}),
    describe: `${windows} windows spread over ${held.describe}`,
  };
  return { space, resources, accuracy: new AccuracyModel(design, sources, sample, floatParams), finalAccuracy, held };
}

export function runSearch(setup: SearchSetup, options: SearchOptions = {}): SearchResult {
  return new Search(setup.space, setup.resources, setup.accuracy, options, setup.finalAccuracy === setup.accuracy ? undefined : setup.finalAccuracy).run();
}
