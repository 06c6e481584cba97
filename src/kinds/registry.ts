/**
 * Every layer kind, by name: adding a kind is its folder and one line here. The definitions are typed per
 * kind, and a kind of the vocabulary (src/dsl/vocabulary.ts) without an entry does not compile.
 */
import type { LayerKind } from '../dsl/index.js';
import { add } from './add/index.js';
import { avgpool } from './avgpool/index.js';
import { batchnorm } from './batchnorm/index.js';
import { input } from './input/index.js';
import { layernorm } from './layernorm/index.js';
import { linear } from './linear/index.js';
import { matmul } from './matmul/index.js';
import { posenc } from './posenc/index.js';
import { relu } from './relu/index.js';
import { softmax } from './softmax/index.js';
import type { KindDefinition } from './types.js';

const DEFINITIONS = { input, linear, posenc, matmul, softmax, add, batchnorm, layernorm, relu, avgpool } as const;

type Definitions = typeof DEFINITIONS;
/* eslint-disable @typescript-eslint/no-explicit-any -- `infer` positions */
export type DimsMap = { [K in LayerKind]: Definitions[K] extends KindDefinition<K, infer D, any, any> ? D : never };
export type FloatMap = { [K in LayerKind]: Definitions[K] extends KindDefinition<K, any, infer F, any> ? F : never };
export type ParamsMap = { [K in LayerKind]: Definitions[K] extends KindDefinition<K, any, any, infer P> ? P : never };
/* eslint-enable @typescript-eslint/no-explicit-any */

export type KindDefinitions = { readonly [K in LayerKind]: KindDefinition<K, DimsMap[K], FloatMap[K], ParamsMap[K]> };

/** Typed per kind: `KINDS[node.kind]` in a function generic over the kind sees that kind's own slices. */
export const KINDS: KindDefinitions = DEFINITIONS;
