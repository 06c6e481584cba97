/**
 * A Transformer with a classification head (human-activity recognition: 9 sensor channels, 6 classes),
 * written with the graph builder, with a softmax over the class logits. (Layer norm can be estimated but has no
 * integer hardware yet, so this model uses batch norm.)
 */
import { defineConfig, graph } from 'kiln-fpga';

const har = graph({ window: 32, features: 9, name: 'har_classifier' }, (g, x) => {
  const h = g.posenc('pe', g.linear('embed', x, { out: 16 }));
  const q = g.linear('attn.q', h, { out: 16 });
  const k = g.linear('attn.k', h, { out: 16 });
  const v = g.linear('attn.v', h, { out: 16 });
  const weights = g.softmax('attn.softmax', g.matmul('attn.scores', q, k, { mode: 'scores', heads: 2 }));
  const context = g.linear('attn.out', g.matmul('attn.context', weights, v, { mode: 'context', heads: 2 }), { out: 16 });
  const y = g.batchnorm('norm', g.add('residual', h, context));
  const logits = g.linear('classes', g.avgpool('pool', y), { out: 6 });
  return g.softmax('probabilities', logits);
});

export default defineConfig({
  device: 'xc7s25',
  model: har,
  defaults: { weightBits: 8, outputBits: 8 },
  layers: { 'attn.scores': { outputBits: 10 }, probabilities: { outputBits: 8 } },
});
