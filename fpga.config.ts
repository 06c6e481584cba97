/**
 * kiln's default config: the research model of "Resource-aware Mixed-precision Quantization for Enhancing
 * Deployability of Transformers for Time-series Forecasting on Embedded FPGAs" on a Spartan-7 XC7S15.
 * Window of 24 hourly steps of 7 air-quality features → 1 forecast; d_model 16, 1 head, FFN 64,
 * one encoder layer with batch norm; 8-bit weights and activations; 100 MHz.
 */
import { defineConfig, transformer } from 'kiln-fpga';

export default defineConfig({
  device: 'xc7s15',
  clockMHz: 100,
  model: transformer({
    window: 24,
    inputFeatures: 7,
    outputs: 1,
    dModel: 16,
    heads: 1,
    ffnDim: 64,
    encoderLayers: 1,
    norm: 'batchnorm',
  }),
  defaults: {
    weightBits: 8,
    outputBits: 8,
    buffer: 'auto',
    weightStorage: 'auto',
    multiplier: 'auto',
  },
  weights: { seed: 1 },
});
