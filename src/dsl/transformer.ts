/**
 * `transformer({...})`: the encoder-only forecasting Transformer of the research line, built with the general
 * graph builder. Its layer paths are declared once, in `ENCODER_SUBLAYERS` and `TOP_LAYERS`; the type
 * `TransformerPath<N>` is derived from the same tuples.
 */
import { describeValue, didYouMean, fail } from './diagnostics.js';
import { graph, type GraphBuilder, type Model, type Tensor } from './model.js';

/** Per-encoder-layer sub-layer paths, in execution order. */
export const ENCODER_SUBLAYERS = [
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.scores',
  'attn.softmax',
  'attn.context',
  'attn.out',
  'attn_add',
  'attn_norm',
  'ffn.fc1',
  'ffn.relu',
  'ffn.fc2',
  'ffn_add',
  'ffn_norm',
] as const;
export type EncoderSublayer = (typeof ENCODER_SUBLAYERS)[number];

export const TOP_LAYERS = ['input', 'input_linear', 'posenc', 'pool', 'output_linear'] as const;
export type TopLayer = (typeof TOP_LAYERS)[number];

/** Encoder counts up to this are enumerated in types; larger ones fall back to `encoder.${number}.…`. */
type MaxTypedLayers = 32;
type Indices<N extends number, Acc extends number[] = []> = Acc['length'] extends N
  ? Acc[number]
  : Acc['length'] extends MaxTypedLayers
    ? number
    : Indices<N, [...Acc, Acc['length']]>;
type EncoderIndex<N> = N extends number ? (number extends N ? number : Indices<N>) : 0;

export type TransformerPath<N = 1> = TopLayer | `encoder.${EncoderIndex<N>}.${EncoderSublayer}`;

export interface TransformerOptions {
  /** Time steps per inference. */
  window: number;
  /** Input features per time step. */
  inputFeatures: number;
  /** Outputs of the regression head. Default 1. */
  outputs?: number;
  /** Embedding width. */
  dModel: number;
  /** Attention heads; must divide dModel. Default 1. */
  heads?: number;
  /** Hidden width of the feed-forward block. Default 4·dModel. */
  ffnDim?: number;
  /** Number of encoder layers, at least 1. Default 1. */
  encoderLayers?: number;
  /** Normalisation after each residual add. Default 'batchnorm'. */
  norm?: 'batchnorm' | 'layernorm';
  /** Name of the top-level entity. Default 'transformer'. */
  name?: string;
}

const OPTION_KEYS = ['window', 'inputFeatures', 'outputs', 'dModel', 'heads', 'ffnDim', 'encoderLayers', 'norm', 'name'];

/**
 * Encoder-only Transformer: input linear → positional encoding → N × (MHA → add → norm → FFN → add → norm)
 * → average pooling over time → output linear.
 */
export function transformer<const O extends TransformerOptions>(
  options: O & Record<Exclude<keyof O, keyof TransformerOptions>, never>,
): Model<TransformerPath<O['encoderLayers']>> {
  // Validation runs when the design is resolved, so errors become diagnostics naming `model.<option>`.
  return {
    kind: 'kiln-model',
    name: typeof options?.name === 'string' ? options.name : 'transformer',
    describe: () => buildTransformer(validateTransformerOptions(options)).describe(),
  };
}

function buildTransformer(o: ResolvedTransformerOptions): Model<string> {
  return graph({ window: o.window, features: o.inputFeatures, name: o.name }, (g, x) => {
    let h: Tensor<string> = g.posenc('posenc', g.linear('input_linear', x, { out: o.dModel }));
    for (let i = 0; i < o.encoderLayers; i++) {
      const p = `encoder.${i}.`;
      const q = g.linear(`${p}attn.q`, h, { out: o.dModel });
      const k = g.linear(`${p}attn.k`, h, { out: o.dModel });
      const v = g.linear(`${p}attn.v`, h, { out: o.dModel });
      const scores = g.matmul(`${p}attn.scores`, q, k, { mode: 'scores', heads: o.heads });
      const weights = g.softmax(`${p}attn.softmax`, scores);
      const context = g.matmul(`${p}attn.context`, weights, v, { mode: 'context', heads: o.heads });
      const attn = g.linear(`${p}attn.out`, context, { out: o.dModel });
      const a = norm(g, o.norm, `${p}attn_norm`, g.add(`${p}attn_add`, h, attn));
      const f = g.linear(`${p}ffn.fc2`, g.relu(`${p}ffn.relu`, g.linear(`${p}ffn.fc1`, a, { out: o.ffnDim })), { out: o.dModel });
      h = norm(g, o.norm, `${p}ffn_norm`, g.add(`${p}ffn_add`, a, f));
    }
    return g.linear('output_linear', g.avgpool('pool', h), { out: o.outputs });
  });
}

function norm(g: GraphBuilder, kind: 'batchnorm' | 'layernorm', name: string, x: Tensor<string>): Tensor<string> {
  return kind === 'batchnorm' ? g.batchnorm(name, x) : g.layernorm(name, x);
}

type ResolvedTransformerOptions = Required<TransformerOptions>;

function validateTransformerOptions(options: TransformerOptions): ResolvedTransformerOptions {
  if (options === null || typeof options !== 'object') fail('KILN_E_TYPE', ['model'], 'transformer() needs an options object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) fail('KILN_E_UNKNOWN_KEY', ['model', key], `unknown transformer option '${key}'`, didYouMean(key, OPTION_KEYS));
  }
  const int = (key: keyof TransformerOptions, fallback?: number): number => {
    const v = (options as unknown as Record<string, unknown>)[key] ?? fallback;
    if (v === undefined) fail('KILN_E_MISSING', ['model', key], `transformer option '${key}' is required`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      fail('KILN_E_RANGE', ['model', key], `must be a positive integer, got ${describeValue(v)}`);
    }
    return v;
  };
  const window = int('window');
  const inputFeatures = int('inputFeatures');
  const dModel = int('dModel');
  const heads = int('heads', 1);
  if (dModel % heads !== 0) {
    fail('KILN_E_RANGE', ['model', 'heads'], `heads (${heads}) must divide dModel (${dModel})`, `use one of ${divisors(dModel).join(', ')}`);
  }
  const norm = options.norm ?? 'batchnorm';
  if (norm !== 'batchnorm' && norm !== 'layernorm') {
    fail('KILN_E_TYPE', ['model', 'norm'], `must be 'batchnorm' or 'layernorm', got ${describeValue(norm)}`);
  }
  const name = options.name ?? 'transformer';
  return {
    window,
    inputFeatures,
    outputs: int('outputs', 1),
    dModel,
    heads,
    ffnDim: int('ffnDim', 4 * dModel),
    encoderLayers: int('encoderLayers', 1),
    norm,
    name,
  };
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}
