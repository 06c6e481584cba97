/**
 * Accuracy of a search candidate: the integer reference model (what the hardware computes, bit for bit) run on
 * held-out windows, scored by RMSE against the targets. With data, the windows are the validation split (the
 * test split stays for `kiln eval`); without, synthetic windows scored against the float model's own output (the
 * error quantization adds).
 *
 * Only bit widths change the integer model. Each layer's outputs over all windows are kept under a key chaining
 * its widths and its producers' keys, so a candidate reuses the outputs of the unchanged prefix of layers and
 * computes the changed layer and those downstream. The kept outputs are bounded (least recently used go first).
 */
import { dequantize, quantizeAll } from '../arith/index.js';
import type { ResolvedDesign } from '../ir/types.js';
import { createQuantizeCache, floatForward, quantizeWithStats, runLayer, type QuantizeCache, type QuantizeSources } from '../reference/index.js';
import type { FloatBatch } from '../kinds/types.js';
import type { LayerNode } from '../ir/types.js';

export interface HeldWindows {
  readonly windows: FloatBatch;
  /** samples × outputs, in the model's (normalised) units; absent: score against the float model. */
  readonly targets?: Float64Array;
  /** What the windows are, for the reports. */
  readonly describe: string;
}

export interface CandidateAccuracy {
  /** Integer-model RMSE on the held-out windows. */
  readonly rmse: number;
  /** (rmse − float rmse) / float rmse; with no targets, undefined (the float model is the reference). */
  readonly rmseIncrease?: number;
}

/** Bytes of layer outputs kept between candidates. */
const DEFAULT_MEMORY_BYTES = 256 * 2 ** 20;

export class AccuracyModel {
  private readonly quantCache: QuantizeCache = createQuantizeCache();
  private readonly outputs = new Map<number, Int32Array>();
  /** Short ids for the chained keys (a key names its producers by id, so keys stay short however deep the model). */
  private readonly ids = new Map<string, number>();
  private bytes = 0;
  private readonly targets: Float64Array;
  private readonly floatRmse: number | undefined;
  private readonly producers: number[][];
  /** Integer forwards of one layer over all windows, so far. */
  layerRuns = 0;

  constructor(
    private readonly design: ResolvedDesign,
    private readonly sources: QuantizeSources,
    private readonly held: HeldWindows,
    floatParams: ReadonlyMap<string, unknown>,
    private readonly maxBytes = DEFAULT_MEMORY_BYTES,
  ) {
    const floats = floatForward(design, floatParams, held.windows);
    const floatOut = floats.get(design.output)!.data;
    this.targets = held.targets ?? floatOut;
    this.floatRmse = held.targets ? rmse(floatOut, held.targets) : undefined;
    const index = new Map(design.layers.map((l) => [l.path, l.index]));
    this.producers = design.layers.map((l) => l.inputs.map((i) => index.get(i.from)!));
  }

  get float(): number | undefined {
    return this.floatRmse;
  }

  get describe(): string {
    return this.held.describe;
  }

  /** The candidate's accuracy; `nodes` are its layers (ResourceModel.nodes). */
  evaluate(nodes: readonly LayerNode[]): CandidateAccuracy {
    const design: ResolvedDesign = { ...this.design, layers: nodes };
    const model = quantizeWithStats(design, this.quantCache, this.sources).model;
    const samples = this.held.windows.samples;
    const keys: number[] = [];
    const values: Int32Array[] = [];
    for (const node of nodes) {
      const from = this.producers[node.index]!;
      const chained = `${node.index}:${node.widths.weight ?? ''},${node.output.bits}(${from.map((p) => keys[p]).join(';')})`;
      let key = this.ids.get(chained);
      if (key === undefined) this.ids.set(chained, (key = this.ids.size));
      keys.push(key);
      let out = this.outputs.get(key);
      if (out !== undefined) {
        // most recently used last
        this.outputs.delete(key);
        this.outputs.set(key, out);
      } else {
        out = this.run(node, model, from.map((p) => values[p]!), samples);
        this.keep(key, out);
      }
      values.push(out);
    }
    const q = model.layers.get(this.design.output)!.output;
    const outInts = values[nodes.findIndex((n) => n.path === this.design.output)]!;
    const predicted = Float64Array.from(outInts, (v) => dequantize(v, q));
    const r = rmse(predicted, this.targets);
    return { rmse: r, ...(this.floatRmse !== undefined ? { rmseIncrease: (r - this.floatRmse) / this.floatRmse } : {}) };
  }

  private run(node: LayerNode, model: ReturnType<typeof quantizeWithStats>['model'], inputs: Int32Array[], samples: number): Int32Array {
    this.layerRuns++;
    // every window in one call (the kinds' forwards take a batch of windows back to back)
    if (node.kind !== 'input') return runLayer(node, model, inputs);
    const q = model.layers.get(node.path)!.output;
    return runLayer(node, model, [quantizeAll(this.held.windows.data.subarray(0, samples * node.output.elements), q)]);
  }

  private keep(key: number, out: Int32Array): void {
    this.outputs.set(key, out);
    this.bytes += out.byteLength;
    for (const [k, v] of this.outputs) {
      if (this.bytes <= this.maxBytes) break;
      this.outputs.delete(k);
      this.bytes -= v.byteLength;
    }
  }
}

function rmse(predicted: ArrayLike<number>, targets: ArrayLike<number>): number {
  let sq = 0;
  for (let i = 0; i < targets.length; i++) sq += (predicted[i]! - targets[i]!) ** 2;
  return Math.sqrt(sq / targets.length);
}
