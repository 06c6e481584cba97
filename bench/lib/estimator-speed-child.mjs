// One measurement of `npm run bench:estimator-ab`, run against any checkout's built dist/ (plain JS, so an older
// checkout with its own node_modules can run it too):
//   node estimator-speed-child.mjs ROOT CONFIG
// Prints {repeated, distinct}: whole-model estimates per second of CPU time (user + system, so that other work
// on the machine counts less than in wall time), median of 5 passes, for the config's design estimated again
// and again and for 2,000 distinct variants of it (other widths and storage per layer, resolved beforehand).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, config] = process.argv.slice(2);
const kiln = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);
const loaded = await kiln.loadConfig({ configPath: config });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function rate(designs, rounds) {
  const c0 = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const d of designs) kiln.estimateDesign(d);
  const c = process.cpuUsage(c0);
  return (designs.length * rounds) / ((c.user + c.system) / 1e6);
}

const design = kiln.resolveDesign(loaded.config);
rate([design], 5000); // warm up the JIT
const repeated = median(Array.from({ length: 5 }, () => rate([design], 20000)));

// The same variants in every checkout: a fixed linear congruential sequence.
let state = 7;
const pick = (xs) => xs[(state = (state * 1103515245 + 12345) % 2 ** 31) % xs.length];
const layers = design.layers.filter((l) => l.kind !== 'input' && l.kind !== 'relu');
const variants = Array.from({ length: 2000 }, () =>
  kiln.resolveDesign({
    ...loaded.config,
    layers: Object.fromEntries(layers.map((l) => [l.path, { outputBits: pick([4, 6, 8]), buffer: pick(['auto', 'bram', 'lutram']), ...(/linear|posenc|norm/.test(l.kind) ? { weightBits: pick([4, 6, 8]) } : {}) }])),
  }),
);
rate(variants, 3);
const distinct = median(Array.from({ length: 5 }, () => rate(variants, 1)));
process.stdout.write(JSON.stringify({ repeated: Math.round(repeated), distinct: Math.round(distinct) }) + '\n');
process.exit(0);
