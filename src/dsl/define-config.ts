import type { ConfigEnv, KilnConfig } from './types.js';

/**
 * Typing helper for `fpga.config.ts`; returns its argument unchanged. The layer paths of `model` become the
 * only keys `layers:` accepts, so a misspelled path is an editor error.
 */
export function defineConfig<const P extends string>(config: KilnConfig<P>): KilnConfig<P>;
export function defineConfig<const P extends string>(
  config: (env: ConfigEnv) => KilnConfig<P> | Promise<KilnConfig<P>>,
): (env: ConfigEnv) => KilnConfig<P> | Promise<KilnConfig<P>>;
export function defineConfig(config: unknown): unknown {
  return config;
}
