/**
 * The general graph builder. A model is a recipe (a function) that is replayed by `resolveDesign()`, so that
 * shape errors surface as diagnostics naming the field, not as exceptions thrown while the config loads.
 *
 * Layer paths are type-level too: every builder call takes its name as a literal and returns a tensor whose
 * type carries the union of all layer paths upstream of it. The model's paths are those of its output tensor,
 * which is what `defineConfig` checks `layers:` keys against.
 */
import { describeValue, fail } from './diagnostics.js';
import type { LayerKind } from './vocabulary.js';

export type Shape = readonly number[];
export type MatmulMode = 'scores' | 'context';

interface LayerSpecBase {
  /** Stable dotted path, e.g. `encoder.0.ffn.fc1`. Becomes the VHDL entity name (dots → underscores). */
  readonly path: string;
  /** Producer paths, in operand order. */
  readonly inputs: readonly string[];
  /** Output shape: [rows, cols], or [heads, rows, cols] for attention scores. */
  readonly shape: Shape;
}
export interface InputSpec extends LayerSpecBase { readonly kind: 'input' }
export interface LinearSpec extends LayerSpecBase { readonly kind: 'linear'; readonly bias: boolean }
export interface PosencSpec extends LayerSpecBase { readonly kind: 'posenc' }
export interface MatmulSpec extends LayerSpecBase {
  readonly kind: 'matmul';
  /** `scores`: A·Bᵀ per head, scaled by 1/sqrt(d_head). `context`: A·B per head, heads concatenated. */
  readonly mode: MatmulMode;
  readonly heads: number;
}
export interface SimpleSpec extends LayerSpecBase {
  readonly kind: 'softmax' | 'add' | 'batchnorm' | 'layernorm' | 'relu' | 'avgpool';
}
export type LayerSpec = InputSpec | LinearSpec | PosencSpec | MatmulSpec | SimpleSpec;

export interface GraphSpec {
  readonly name: string;
  /** Layers in a valid execution order (producers before consumers), the input first. */
  readonly layers: readonly LayerSpec[];
  readonly output: string;
}

declare const PATHS: unique symbol;

/** A tensor handle inside a graph recipe. `P` is the union of layer paths it depends on (type-level only). */
export interface Tensor<P extends string = string> {
  readonly path: string;
  readonly shape: Shape;
  readonly [PATHS]?: P;
}

export interface Model<P extends string = string> {
  readonly kind: 'kiln-model';
  readonly name: string;
  /** Replays the recipe. Throws KilnError with `model` field paths on shape or naming errors. */
  describe(): GraphSpec;
  readonly [PATHS]?: P;
}

/** The layer paths of a model, e.g. `LayerPath<typeof model>`. */
export type LayerPath<M> = M extends Model<infer P> ? P : never;

export interface GraphInput {
  /** Time steps per inference (rows of the input tensor). */
  window: number;
  /** Input features per time step. */
  features: number;
}

export interface GraphOptions extends GraphInput {
  /** Model name, used for the top-level VHDL entity. Default 'model'. */
  name?: string;
}

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

/** The builder handed to a graph recipe. Each method adds one layer named by a literal path. */
export class GraphBuilder {
  readonly #layers: LayerSpec[] = [];
  readonly #byPath = new Map<string, LayerSpec>();
  readonly #vhdlNames = new Map<string, string>();
  readonly #field: readonly (string | number)[];

  constructor(field: readonly (string | number)[]) {
    this.#field = field;
  }

  /** @internal */
  addInput(window: number, features: number): Tensor<'input'> {
    positiveInt(window, [...this.#field, 'window']);
    positiveInt(features, [...this.#field, 'features']);
    return this.#add({ kind: 'input', path: 'input', inputs: [], shape: [window, features] }) as Tensor<'input'>;
  }

  /** @internal */
  layers(): readonly LayerSpec[] {
    return this.#layers;
  }

  /** Fully connected layer applied to every row: [rows, in] → [rows, out], with bias. */
  linear<const N extends string, P extends string>(name: N, x: Tensor<P>, options: { out: number; bias?: boolean }): Tensor<P | N> {
    const [rows, cols] = this.#matrix(name, x);
    void cols;
    positiveInt(options?.out, [...this.#field, name, 'out']);
    return this.#add({ kind: 'linear', path: name, inputs: [x.path], shape: [rows, options.out], bias: options.bias ?? true });
  }

  /** Adds a sinusoidal positional-encoding table (sin on even, cos on odd columns) to x. */
  posenc<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    const [rows, cols] = this.#matrix(name, x);
    return this.#add({ kind: 'posenc', path: name, inputs: [x.path], shape: [rows, cols] });
  }

  /**
   * Attention matmuls. `scores`: q [L, d] · k [L, d]ᵀ per head → [heads, L, L], scaled by 1/sqrt(d / heads).
   * `context`: a [heads, L, L] · v [L, d] per head → [L, d] (heads concatenated along columns).
   */
  matmul<const N extends string, P1 extends string, P2 extends string>(
    name: N,
    a: Tensor<P1>,
    b: Tensor<P2>,
    options: { mode: MatmulMode; heads?: number },
  ): Tensor<P1 | P2 | N> {
    const heads = options?.heads ?? 1;
    positiveInt(heads, [...this.#field, name, 'heads']);
    const field = [...this.#field, name];
    if (options?.mode === 'scores') {
      const [la, da] = this.#matrix(name, a);
      const [lb, db] = this.#matrix(name, b);
      if (da !== db) fail('KILN_E_SHAPE', field, `scores matmul needs operands with equal columns, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
      if (da % heads !== 0) fail('KILN_E_SHAPE', [...field, 'heads'], `heads (${heads}) must divide the operand width ${da}`);
      return this.#add({ kind: 'matmul', path: name, inputs: [a.path, b.path], shape: [heads, la, lb], mode: 'scores', heads });
    }
    if (options?.mode === 'context') {
      if (a.shape.length !== 3) fail('KILN_E_SHAPE', field, `context matmul needs attention weights [heads, L, L] as first operand, got ${fmt(a.shape)}`);
      const [ha, la, ka] = a.shape as [number, number, number];
      const [lb, db] = this.#matrix(name, b);
      if (ha !== heads) fail('KILN_E_SHAPE', [...field, 'heads'], `heads (${heads}) differs from the attention weights' ${ha} heads`);
      if (ka !== lb) fail('KILN_E_SHAPE', field, `context matmul: attention columns (${ka}) must equal value rows (${lb})`);
      if (db % heads !== 0) fail('KILN_E_SHAPE', [...field, 'heads'], `heads (${heads}) must divide the value width ${db}`);
      return this.#add({ kind: 'matmul', path: name, inputs: [a.path, b.path], shape: [la, db], mode: 'context', heads });
    }
    return fail('KILN_E_TYPE', [...field, 'mode'], `matmul mode must be 'scores' or 'context', got ${describeValue(options?.mode)}`);
  }

  /** Row-wise softmax over the last dimension. */
  softmax<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    this.#tensor(name, x);
    return this.#add({ kind: 'softmax', path: name, inputs: [x.path], shape: x.shape });
  }

  /** Element-wise sum of two tensors of equal shape (residual connections). */
  add<const N extends string, P1 extends string, P2 extends string>(name: N, a: Tensor<P1>, b: Tensor<P2>): Tensor<P1 | P2 | N> {
    this.#tensor(name, a);
    this.#tensor(name, b);
    if (fmt(a.shape) !== fmt(b.shape)) {
      fail('KILN_E_SHAPE', [...this.#field, name], `add needs equal shapes, got ${fmt(a.shape)} ('${a.path}') and ${fmt(b.shape)} ('${b.path}')`);
    }
    return this.#add({ kind: 'add', path: name, inputs: [a.path, b.path], shape: a.shape });
  }

  /** Batch normalisation over columns, folded into a per-column affine transform. */
  batchnorm<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    const [rows, cols] = this.#matrix(name, x);
    return this.#add({ kind: 'batchnorm', path: name, inputs: [x.path], shape: [rows, cols] });
  }

  /** Layer normalisation of each row, with a per-column affine transform. */
  layernorm<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    const [rows, cols] = this.#matrix(name, x);
    return this.#add({ kind: 'layernorm', path: name, inputs: [x.path], shape: [rows, cols] });
  }

  /** max(x, 0), applied on read: it has no buffer of its own and keeps its input's quantization. */
  relu<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    this.#tensor(name, x);
    return this.#add({ kind: 'relu', path: name, inputs: [x.path], shape: x.shape });
  }

  /** Average over time (rows): [L, d] → [1, d]. */
  avgpool<const N extends string, P extends string>(name: N, x: Tensor<P>): Tensor<P | N> {
    const [, cols] = this.#matrix(name, x);
    return this.#add({ kind: 'avgpool', path: name, inputs: [x.path], shape: [1, cols] });
  }

  #tensor(name: string, x: unknown): Tensor {
    this.#checkName(name);
    const t = x as Tensor | undefined;
    if (!t || typeof t !== 'object' || typeof t.path !== 'string' || !this.#byPath.has(t.path)) {
      fail('KILN_E_GRAPH', [...this.#field, name], 'operand is not a tensor of this graph (pass the value returned by an earlier builder call)');
    }
    return t;
  }

  #matrix(name: string, x: unknown): [number, number] {
    const t = this.#tensor(name, x);
    if (t.shape.length !== 2) {
      fail('KILN_E_SHAPE', [...this.#field, name], `expects a matrix [rows, cols], got ${fmt(t.shape)} from '${t.path}'`);
    }
    return [t.shape[0]!, t.shape[1]!];
  }

  #checkName(name: unknown): asserts name is string {
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      fail('KILN_E_GRAPH', [...this.#field], `invalid layer name ${describeValue(name)}: use letters, digits and '_' in dot-separated parts, starting with a letter`);
    }
    if (name.length > MAX_NAME_LENGTH) {
      fail('KILN_E_GRAPH', [...this.#field], `layer name '${name.slice(0, 40)}…' is ${name.length} characters long; names become VHDL entities and file names, so at most ${MAX_NAME_LENGTH}`, 'use a shorter name');
    }
  }

  #add<P extends string>(spec: LayerSpec): Tensor<P> {
    if (spec.kind !== 'input') this.#checkName(spec.path);
    if (this.#byPath.has(spec.path)) {
      fail('KILN_E_GRAPH', [...this.#field, spec.path], `duplicate layer path '${spec.path}'`);
    }
    const vhdl = vhdlName(spec.path);
    if (isReservedName(vhdl) || /__|_$/.test(vhdl)) {
      fail('KILN_E_GRAPH', [...this.#field, spec.path], `layer path '${spec.path}' gives the entity name '${vhdl}', which is ${isReservedName(vhdl) ? 'a reserved word in VHDL or Verilog' : 'not a valid VHDL identifier (no double or trailing underscores)'}`, 'rename the layer');
    }
    const clash = this.#vhdlNames.get(vhdl);
    if (clash !== undefined) {
      fail('KILN_E_GRAPH', [...this.#field, spec.path], `layer paths '${clash}' and '${spec.path}' map to the same VHDL name '${vhdl}'`);
    }
    this.#vhdlNames.set(vhdl, spec.path);
    this.#byPath.set(spec.path, spec);
    this.#layers.push(spec);
    return { path: spec.path, shape: spec.shape };
  }
}

/**
 * Entity name of a layer path: dots become underscores, lower case. The model input is `input_buffer`
 * (`input` is a Verilog keyword, and the synthesis flow goes through Verilog).
 */
export function vhdlName(path: string): string {
  return path === 'input' ? 'input_buffer' : path.replace(/\./g, '_').toLowerCase();
}

/**
 * Longest layer path or model name: each becomes an entity and file names (`<name>_tb.vhd`, and the temporary
 * file written before it), which must stay under the 255-byte file-name limit of common file systems.
 */
export const MAX_NAME_LENGTH = 128;

/** Reserved words of VHDL-2008 and Verilog-2005 (the generated design passes through both). */
const RESERVED = new Set(
  (
    'abs access after alias all and architecture array assert assume attribute begin block body buffer bus case component configuration constant context cover default disconnect downto else elsif end entity exit fairness file for force function generate generic group guarded if impure in inertial inout is label library linkage literal loop map mod nand new next nor not null of on open or others out package parameter port postponed procedure process property protected pure range record register reject release rem report restrict return rol ror select sequence severity shared signal sla sll sra srl strong subtype then to transport type unaffected units until use variable vmode vprop vunit wait when while with xnor xor ' +
    'always assign automatic cell config deassign defparam design disable edge endcase endconfig endfunction endgenerate endmodule endprimitive endspecify endtable endtask event forever fork genvar highz0 highz1 ifnone incdir include initial input instance integer join large liblist localparam macromodule medium module negedge noshowcancelled output posedge primitive pull0 pull1 pulldown pullup pulsestyle_onevent pulsestyle_ondetect rcmos real realtime reg repeat scalared showcancelled signed small specify specparam strong0 strong1 supply0 supply1 table task time tran tranif0 tranif1 tri tri0 tri1 triand trior trireg unsigned uwire vectored wand weak0 weak1 wire wor logic bit byte int'
  ).split(' '),
);

export function isReservedName(name: string): boolean {
  return RESERVED.has(name.toLowerCase());
}

function positiveInt(value: unknown, field: readonly (string | number)[]): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail('KILN_E_RANGE', field, `must be a positive integer, got ${describeValue(value)}`);
  }
}

function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Describes any network as a graph:
 *
 * ```ts
 * const mlp = graph({ window: 24, features: 7 }, (g, x) => {
 *   const h = g.relu('act', g.linear('fc1', x, { out: 32 }));
 *   return g.linear('fc2', h, { out: 1 });
 * });
 * ```
 */
export function graph<P extends string>(options: GraphOptions, recipe: (g: GraphBuilder, x: Tensor<'input'>) => Tensor<P>): Model<P | 'input'> {
  const name = options?.name ?? 'model';
  return {
    kind: 'kiln-model',
    name,
    describe(): GraphSpec {
      if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || /__|_$/.test(name) || isReservedName(name) || name.length > MAX_NAME_LENGTH) {
        fail('KILN_E_GRAPH', ['model', 'name'], `model name must be a VHDL and Verilog identifier of at most ${MAX_NAME_LENGTH} characters that is not a reserved word, got ${describeValue(typeof name === 'string' && name.length > 60 ? `${name.slice(0, 40)}…` : name)}`);
      }
      const g = new GraphBuilder(['model']);
      const x = g.addInput(options?.window, options?.features);
      const out = recipe(g, x);
      const clash = g.layers().find((l) => vhdlName(l.path) === name.toLowerCase());
      if (clash) fail('KILN_E_GRAPH', ['model', 'name'], `the model name '${name}' is also the entity name of layer '${clash.path}'`, 'rename the model or the layer');
      if (!out || typeof out !== 'object' || typeof (out as Tensor).path !== 'string') {
        fail('KILN_E_GRAPH', ['model'], 'the graph recipe must return the output tensor');
      }
      return { name, layers: pruneCheck(g.layers(), out.path), output: out.path };
    },
  };
}

/** Rejects layers that do not reach the output: they would cost hardware and compute nothing. */
function pruneCheck(layers: readonly LayerSpec[], output: string): readonly LayerSpec[] {
  const byPath = new Map(layers.map((l) => [l.path, l]));
  const live = new Set<string>();
  const stack = [output];
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (live.has(p)) continue;
    live.add(p);
    stack.push(...(byPath.get(p)?.inputs ?? []));
  }
  const dead = layers.filter((l) => !live.has(l.path));
  if (dead.length > 0) {
    fail('KILN_E_GRAPH', ['model', dead[0]!.path], `layer '${dead[0]!.path}' does not contribute to the output '${output}'`, 'remove it or use its result');
  }
  if (output === 'input') fail('KILN_E_GRAPH', ['model'], 'the model has no layers');
  return layers;
}

export type { LayerKind };

/**
 * A spec from a model kiln's builder did not make (any object with `kind: 'kiln-model'` and a describe()),
 * rebuilt layer by layer with the builder, so it meets every rule a recipe's spec meets: names, operands,
 * shapes, order, reachability. Throws KilnError naming the layer, as a recipe would. A spec the builder made
 * rebuilds to an equal one.
 */
export function rebuildSpec(spec: unknown): GraphSpec {
  const field = ['model'];
  const s = spec as Partial<Record<keyof GraphSpec, unknown>> | null | undefined;
  if (s === null || typeof s !== 'object' || !Array.isArray(s.layers) || typeof s.output !== 'string') {
    fail('KILN_E_GRAPH', field, `the model's describe() must return { name, layers: [...], output }, got ${describeValue(spec)}`, 'build the model with transformer() or graph()');
  }
  const layers = s.layers as unknown[];
  const first = layers[0] as Partial<LayerSpec> | undefined;
  if (first?.kind !== 'input' || first.path !== 'input' || !Array.isArray(first.shape) || first.shape.length !== 2) {
    fail('KILN_E_GRAPH', [...field, 'layers', 0], "the first layer must be the input: { kind: 'input', path: 'input', inputs: [], shape: [window, features] }");
  }
  const [window, features] = first.shape as unknown[];
  return graph({ window: window as number, features: features as number, name: s.name as string }, (g, x) => {
    const tensors = new Map<string, Tensor>([['input', x]]);
    layers.forEach((raw, i) => {
      const l = raw as Partial<LayerSpec> & { bias?: unknown; mode?: unknown; heads?: unknown };
      if (l === null || typeof l !== 'object') fail('KILN_E_GRAPH', [...field, 'layers', i], `layer ${i} is ${describeValue(l)}, not a layer`);
      if (i === 0) return;
      const where = typeof l.path === 'string' ? l.path : i;
      const inputs = Array.isArray(l.inputs) ? l.inputs : [];
      const operand = (n: number): Tensor => {
        const p = inputs[n];
        const t = typeof p === 'string' ? tensors.get(p) : undefined;
        if (!t) fail('KILN_E_GRAPH', [...field, where], `operand ${n + 1} (${describeValue(p)}) is not a layer defined before this one`);
        return t;
      };
      const name = l.path as string;
      const declared = Array.isArray(l.shape) ? (l.shape as number[]) : [];
      // How the builder makes each kind from a spec's fields (a record, so the type checker lists a new kind).
      const makers: Record<Exclude<LayerKind, 'input'>, () => Tensor> = {
        linear: () => g.linear(name, operand(0), { out: declared[declared.length - 1]!, bias: l.bias === undefined ? true : (l.bias as boolean) }),
        matmul: () => g.matmul(name, operand(0), operand(1), { mode: l.mode as MatmulMode, heads: l.heads as number }),
        add: () => g.add(name, operand(0), operand(1)),
        posenc: () => g.posenc(name, operand(0)),
        softmax: () => g.softmax(name, operand(0)),
        batchnorm: () => g.batchnorm(name, operand(0)),
        layernorm: () => g.layernorm(name, operand(0)),
        relu: () => g.relu(name, operand(0)),
        avgpool: () => g.avgpool(name, operand(0)),
      };
      const make = typeof l.kind === 'string' && Object.hasOwn(makers, l.kind) ? makers[l.kind as keyof typeof makers] : undefined;
      if (!make) fail('KILN_E_GRAPH', [...field, where], `unknown layer kind ${describeValue(l.kind)}`);
      const arity = l.kind === 'add' || l.kind === 'matmul' ? 2 : 1;
      if (inputs.length !== arity) fail('KILN_E_GRAPH', [...field, where], `a ${describeValue(l.kind)} layer takes ${arity} operand${arity === 1 ? '' : 's'}, got inputs ${describeValue(l.inputs)}`);
      const out = make();
      if (!Array.isArray(l.shape) || fmt(l.shape as Shape) !== fmt(out.shape)) {
        fail('KILN_E_SHAPE', [...field, name], `declares shape ${describeValue(l.shape)}, but its operands give ${fmt(out.shape)}`);
      }
      tensors.set(name, out);
    });
    const output = tensors.get(s.output as string);
    if (!output) fail('KILN_E_GRAPH', [...field, 'output'], `output ${describeValue(s.output)} is not one of the model's layers`);
    return output;
  }).describe();
}
