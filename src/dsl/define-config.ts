import type { ConfigEnv, KilnConfig } from './types.js';

/**
 * Typing helper for `fpga.config.ts`; returns its argument unchanged. The layer paths of `model` become the
 * only keys `layers:` accepts, so a misspelled path is an editor error (on the key itself). Accepts the
 * config object or a function of the command environment returning it.
 */
export function defineConfig<const P extends string>(
  config: KilnConfig<P> | ((env: ConfigEnv) => KilnConfig<P> | Promise<KilnConfig<P>>),
): typeof config {
  return config;
}
