/**
 * kiln's default config: the research model of "Resource-aware Mixed-precision Quantization for Enhancing
 * Deployability of Transformers for Time-series Forecasting on Embedded FPGAs" on a Spartan-7 XC7S15, trained on
 * real air-quality data (models/airbase-pm10: daily PM10 at eight German rural background stations).
 * Window of 24 days of 8 stations → tomorrow's PM10 at DEUB005; d_model 16, 1 head, FFN 64, one encoder layer
 * with batch norm; 8-bit weights and activations; 100 MHz.
 */
import { defineConfig, transformer } from 'kiln-fpga';

const stations = ['DEUB005', 'DENI060', 'DENI063', 'DENI059', 'DENI058', 'DEMV017', 'DEUB030', 'DEUB028'];

export default defineConfig({
  device: 'xc7s15',
  clockMHz: 100,
  model: transformer({
    window: 24,
    inputFeatures: 8,
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
  // The trained weights (PyTorch state_dict names = kiln layer paths) and the series they were trained on:
  // kiln calibrates on the training split and scores on the test split (`kiln eval`).
  weights: { file: 'models/airbase-pm10/model.safetensors' },
  data: { csv: 'models/airbase-pm10/data.csv', features: stations, target: 'DEUB005' },
  accuracy: { maxRmseIncrease: 0.05 },
});
