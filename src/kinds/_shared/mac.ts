/** Constants handed to the MAC engine by the kinds that run on it, built from their integer parameters. */
import type { Multiplier } from '../../arith/index.js';
import type { MacConstants, MacRom } from '../../engines/mac/index.js';

/** y = z_y + round(M·acc) with M ≈ m·2^−shift. */
export const scaled = (mult: Multiplier, roms: MacConstants['roms'] = {}, bias?: ArrayLike<number>): MacConstants => ({ roms, ...(bias ? { bias } : {}), m: mult.m, shift: mult.n });

/** y = z_y + round((m1·a + m2·b) / 2^shift): the terms carry their multipliers, the accumulator is not scaled. */
export const twoTerms = (p: { m1: number; m2: number; shift: number }, roms: MacConstants['roms'] = {}): MacConstants => ({ roms, m: 1, shift: p.shift, terms: { m1: p.m1, m2: p.m2 } });

export const rom = (values: ArrayLike<number>, zero: number): MacRom => ({ values, zero });
