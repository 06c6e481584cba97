/**
 * The estimator pinned without tools: every layer's estimate of the models in bench/lib/golden.ts must equal
 * the committed figures exactly. A change to a coefficient, a counting rule or an engine's blocks fails here;
 * when the change is meant, `npm run bench:calibrate -- --golden` (or a refit) rewrites the figures, and the
 * diff of test/estimator/golden.json shows what moved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOLDEN_FILE, GOLDEN_MODELS, goldenEstimates } from '../../bench/lib/golden.js';
import { ROOT } from '../helpers.js';

describe('golden estimates', () => {
  const committed = JSON.parse(readFileSync(join(ROOT, GOLDEN_FILE), 'utf8')) as ReturnType<typeof goldenEstimates>;
  const now = goldenEstimates();
  it('covers every golden model', () => expect(Object.keys(committed).sort()).toEqual(Object.keys(GOLDEN_MODELS).sort()));
  for (const name of Object.keys(GOLDEN_MODELS)) {
    it(`${name}: every layer, the top level and the total as committed`, () => expect(now[name]).toEqual(committed[name]));
  }
});
