/** Any network, not only Transformers: a two-layer MLP over a flattened window, on the smallest Spartan-7. */
import { defineConfig, graph } from 'kiln-fpga';

const mlp = graph({ window: 1, features: 24 * 7, name: 'mlp' }, (g, x) => {
  const hidden = g.relu('act', g.linear('fc1', x, { out: 32 }));
  return g.linear('fc2', hidden, { out: 1 });
});

export default defineConfig({
  device: 'xc7s6',
  model: mlp,
  defaults: { weightBits: 6, outputBits: 8 },
  layers: { fc1: { weightStorage: 'bram' } },
});
