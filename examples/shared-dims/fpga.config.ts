/**
 * A config that imports its dimensions from a local module and is a function of the environment: release
 * builds (NODE_ENV unset or 'production') keep 10% of the device free for the host interface.
 */
import { defineConfig, transformer } from 'kiln-fpga';
import { dims } from './dims.js';

export default defineConfig((env) => ({
  device: 'xc7s25',
  model: transformer(dims),
  budget: env.mode === 'development' ? 1 : 0.9,
  defaults: { weightBits: 8, outputBits: 8 },
  layers: {
    'encoder.1.ffn.fc1': { weightBits: 4 },
    'encoder.1.ffn.fc2': { weightBits: 4 },
  },
}));
