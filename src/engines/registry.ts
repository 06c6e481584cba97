/** Every engine, by name: adding one is its folder and one line here. */
import { buffer } from './buffer/index.js';
import { layernorm } from './layernorm/index.js';
import { mac } from './mac/index.js';
import { relu } from './relu/index.js';
import { softmax } from './softmax/index.js';
import type { Engine } from './types.js';

const DEFINITIONS = { buffer, layernorm, mac, relu, softmax } as const;

type Definitions = typeof DEFINITIONS;
export type EngineName = keyof Definitions;
export type PlanMap = { [E in EngineName]: Definitions[E] extends Engine<infer P, unknown> ? P : never };
export type ConstantsMap = { [E in EngineName]: Definitions[E] extends Engine<unknown, infer C> ? C : never };

/** Typed per engine, so that a plan is only ever handed to the engine it was made for. */
export const ENGINES: { readonly [E in EngineName]: Engine<PlanMap[E], ConstantsMap[E]> } = DEFINITIONS;
