/**
 * Normalisation layers.
 * - batchnorm (folded): per element y = requant((x − z_x)(w_c − z_w) + b_c); the product and the requant share
 *   the multiplier, so two multiplier cycles per element.
 * - layernorm: per row a mean pass and a variance pass, an integer square root and a reciprocal on the
 *   restoring divider, then an affine pass like batchnorm.
 */
import type { LayerNode } from '../../ir/types.js';
import { adder, controller, counter, register } from '../primitives.js';
import { accumulator, type KindEstimator, memories, planCycles, requantizer, sharedMultiplier, zeroPointSubtract } from './_shared.js';
import { macParts } from './_mac.js';

/** Layer norm has no hardware yet; its v0 cycle model assumes the MAC engine's 2 start/done cycles. */
const LAYER_START_CYCLES = 2;

/** Layer norm (estimate only): per element a mean, a variance and an affine pass of ~4 cycles. */
export const BATCHNORM_CYCLES_PER_ELEMENT = 4;
/** Layernorm per-row fixed cost: square root (one cycle per result bit pair) and reciprocal (one per bit). */
export const LAYERNORM_ROW_OVERHEAD = 40;
export const LAYERNORM_CYCLES_PER_ELEMENT = 2 + 1 + BATCHNORM_CYCLES_PER_ELEMENT;

function rc(node: LayerNode) {
  if (node.dims.kind !== 'batchnorm' && node.dims.kind !== 'layernorm') throw new Error(`not a norm layer: ${node.path}`);
  return node.dims;
}

export const batchnorm: KindEstimator = {
  parts: macParts,
  cycles: planCycles,
};

export const layernorm: KindEstimator = {
  parts: (node, s) => {
    const d = rc(node);
    const acc = node.widths.acc!;
    // v0 model (no hardware yet): the batchnorm datapath plus row statistics
    memories(node, s);
    controller(s, 9);
    counter(s, 'element', node.output.elements);
    counter(s, 'row', d.rows);
    zeroPointSubtract(node, s);
    adder(s, 'weight zero point', node.widths.weight! + 1);
    sharedMultiplier(node, s);
    requantizer(node, s);
    accumulator(s, acc);
    register(s, 'row mean', node.inputs[0]!.bits + 2);
    adder(s, 'square root', acc);
    register(s, 'square root', Math.ceil(acc / 2));
    adder(s, 'reciprocal divider', acc);
    register(s, 'reciprocal', acc);
  },
  cycles: (node) => {
    const d = rc(node);
    return d.rows * (d.cols * LAYERNORM_CYCLES_PER_ELEMENT + LAYERNORM_ROW_OVERHEAD) + LAYER_START_CYCLES;
  },
};
