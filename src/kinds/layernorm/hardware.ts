/** Layer norm has no hardware yet: kiln estimates its structure but refuses to build it. */
import type { NoHardware } from '../types.js';

export const hardware: NoHardware = {
  engine: 'none',
  reason: 'layer norm has no integer-only hardware yet',
};
