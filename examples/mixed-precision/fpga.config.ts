/**
 * Mixed precision and explicit storage: the research model at d_model 32, which does not fit the XC7S15
 * with uniform 8-bit widths and LUTRAM buffers, fitted by narrowing the big layers and placing buffers.
 */
import { defineConfig, transformer } from 'kiln-fpga';

export default defineConfig({
  device: 'xc7s15',
  model: transformer({ window: 24, inputFeatures: 7, dModel: 32, heads: 2, ffnDim: 64 }),
  defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram' },
  kinds: {
    softmax: { outputBits: 8 },
    linear: { multiplier: 'auto' },
  },
  layers: {
    'encoder.0.ffn.fc1': { weightBits: 4, buffer: 'bram', weightStorage: 'bram' },
    'encoder.0.ffn.fc2': { weightBits: 4, weightStorage: 'bram' },
    'encoder.0.attn.scores': { buffer: 'bram' },
    'encoder.0.attn.softmax': { buffer: 'bram' },
    output_linear: { outputBits: 12 },
  },
});
