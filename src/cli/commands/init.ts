import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { writeFileAtomicSync } from '../../build/write.js';
import { fail } from '../../dsl/diagnostics.js';
import { DEVICE_IDS, findDevice } from '../../devices/index.js';
import { ioFailure } from '../../util/io-error.js';
import { KILN_VERSION } from '../../version.js';
import { EXIT_OK, type Command } from './_shared.js';

/** The npm scripts init adds. */
export const INIT_SCRIPTS: Record<string, string> = {
  'fpga:build': 'kiln build',
  'fpga:watch': 'kiln watch',
  'fpga:sim': 'kiln sim',
};
const GITIGNORE_ENTRIES = ['node_modules/', 'build/'];
const WORKFLOW = '.github/workflows/fpga.yml';

export const init: Command = {
  summary: 'set up kiln in this folder: fpga.config.ts, npm scripts, .gitignore, tsconfig.json, a CI workflow',
  usage: 'kiln init [--device ID] [--force] [--json]',
  details: `Writes, in the current folder (an empty one or an existing npm project):
  fpga.config.ts            a commented config: a small Transformer on the device (synthetic weights until
                            you name a trained model)
  package.json              the scripts fpga:build, fpga:watch and fpga:sim (created when there is none,
                            with kiln-fpga as a dev dependency)
  .gitignore                node_modules/ and build/ (entries added, nothing removed)
  tsconfig.json             only when there is none, so that \`tsc --noEmit\` type-checks the config
  ${WORKFLOW}  CI: kiln build --json as the budget gate, then kiln sim

It never overwrites: a file that exists with other content, or a script of the same name with another
command, stops it before anything is written (exit 2, naming them); --force replaces them.

Options:
      --device ID     target device (default xc7s15): ${DEVICE_IDS.join(', ')}
  -f, --force         replace files and scripts that differ
      --json          print what was written as JSON on stdout`,
  options: { device: { type: 'string' }, force: { type: 'boolean', short: 'f' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  async run(values, io) {
    const device = typeof values.device === 'string' ? values.device : 'xc7s15';
    if (!findDevice(device)) fail('KILN_E_UNKNOWN_DEVICE', ['--device'], `unknown device '${device}'`, `known devices: ${DEVICE_IDS.join(', ')}`);
    const force = values.force === true;
    const dir = io.cwd;
    const read = (rel: string): string | undefined => {
      const p = join(dir, rel);
      if (!existsSync(p)) return undefined;
      try {
        return readFileSync(p, 'utf8');
      } catch (err) {
        throw ioFailure(err, 'read', p, dir);
      }
    };

    // Everything to write, decided before anything is written.
    const planned: { rel: string; text: string; action: 'created' | 'updated' | 'replaced' }[] = [];
    const conflicts: string[] = [];
    const want = (rel: string, text: string) => {
      const now = read(rel);
      if (now === undefined) planned.push({ rel, text, action: 'created' });
      else if (now !== text) {
        if (force) planned.push({ rel, text, action: 'replaced' });
        else conflicts.push(`${rel} exists with other content`);
      }
    };

    want('fpga.config.ts', configTemplate(device));
    want(WORKFLOW, workflowTemplate());
    if (read('tsconfig.json') === undefined) want('tsconfig.json', TSCONFIG);

    const pkgText = read('package.json');
    if (pkgText === undefined) {
      const pkg = { name: basename(dir).toLowerCase().replace(/[^a-z0-9-_.]/g, '-') || 'fpga-project', private: true, type: 'module', scripts: INIT_SCRIPTS, devDependencies: { 'kiln-fpga': `^${KILN_VERSION}` } };
      planned.push({ rel: 'package.json', text: JSON.stringify(pkg, null, 2) + '\n', action: 'created' });
    } else {
      let pkg: { scripts?: Record<string, string> } & Record<string, unknown>;
      try {
        pkg = JSON.parse(pkgText) as typeof pkg;
      } catch (err) {
        return fail('KILN_E_IO', ['package.json'], `package.json is not valid JSON: ${(err as Error).message}`, 'fix it, then run kiln init again');
      }
      const scripts = { ...(pkg.scripts ?? {}) };
      let changed = false;
      for (const [name, command] of Object.entries(INIT_SCRIPTS)) {
        if (scripts[name] === command) continue;
        if (scripts[name] !== undefined && !force) {
          conflicts.push(`package.json script '${name}' is '${scripts[name]}', not '${command}'`);
          continue;
        }
        scripts[name] = command;
        changed = true;
      }
      if (changed) {
        const indent = /^(\s+)"/m.exec(pkgText)?.[1] ?? '  ';
        planned.push({ rel: 'package.json', text: JSON.stringify({ ...pkg, scripts }, null, indent) + '\n', action: 'updated' });
      }
    }

    const ignore = read('.gitignore');
    const lines = new Set((ignore ?? '').split('\n').map((l) => l.trim()));
    const missing = GITIGNORE_ENTRIES.filter((e) => !lines.has(e) && !lines.has(e.replace(/\/$/, '')) && !lines.has(`/${e}`));
    if (missing.length > 0) planned.push({ rel: '.gitignore', text: `${ignore === undefined || ignore === '' || ignore.endsWith('\n') ? (ignore ?? '') : `${ignore}\n`}${missing.join('\n')}\n`, action: ignore === undefined ? 'created' : 'updated' });

    if (conflicts.length > 0) {
      fail('KILN_E_USAGE', [], `kiln init would overwrite: ${conflicts.join('; ')}`, 'nothing was written; run kiln init --force to replace them');
    }
    for (const f of planned) {
      const p = join(dir, f.rel);
      try {
        mkdirSync(dirname(p), { recursive: true });
        writeFileAtomicSync(p, f.text);
      } catch (err) {
        throw ioFailure(err, 'write', p, dir);
      }
    }
    if (values.json) io.stdout(JSON.stringify({ schema: 'kiln-init', schemaVersion: 1, files: planned.map(({ rel, action }) => ({ file: rel, action })) }, null, 2) + '\n');
    for (const f of planned) io.stderr(`${f.action.padEnd(8)} ${relative(dir, join(dir, f.rel))}\n`);
    io.stderr(planned.length === 0 ? 'kiln init: everything is in place already\n' : `next: npm install (if kiln-fpga is not installed yet), then npm run fpga:build\n`);
    return EXIT_OK;
  },
};

function configTemplate(device: string): string {
  return `/**
 * kiln's config: the model, its precision, where its memories live and the device. \`npm run fpga:build\`
 * writes the reports and the VHDL to build/; \`npm run fpga:watch\` rebuilds on every save. The options are
 * typed: your editor completes them and flags a misspelled layer path.
 */
import { defineConfig, transformer } from 'kiln-fpga';

export default defineConfig({
  // the FPGA (\`npx kiln devices\` lists them) and the clock the design is estimated at
  device: '${device}',
  clockMHz: 100,
  // an encoder-only Transformer over windows of 24 time steps of 8 features, forecasting one value
  model: transformer({ window: 24, inputFeatures: 8, outputs: 1, dModel: 16, heads: 1, ffnDim: 64, encoderLayers: 1 }),
  // every layer's precision and storage unless a kind or a layer says otherwise
  defaults: { weightBits: 8, outputBits: 8, buffer: 'auto', weightStorage: 'auto', multiplier: 'auto' },
  // per layer (paths as \`npx kiln estimate\` lists them), for example:
  // layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } },
  // Without weights, kiln generates synthetic ones from a seed. With a trained model and its data:
  // weights: { file: 'model.safetensors' },
  // data: { csv: 'data.csv', features: ['a', 'b' /* … */], target: 'a' },
});
`;
}

function workflowTemplate(): string {
  return `# kiln in CI: the build is the budget gate (exit 1 when the design no longer fits the device), then every
# testbench is simulated in GHDL against kiln's integer reference model.
name: fpga
on: [push, pull_request]
jobs:
  fpga:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - run: sudo apt-get update && sudo apt-get install -y ghdl
      - run: npm ci
      - name: build (budget gate)
        run: npx kiln build --json > kiln-build.json
      - name: simulate
        run: npx kiln sim
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: kiln-report
          path: |
            kiln-build.json
            build/report.md
`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true },
    include: ['fpga.config.ts'],
  },
  null,
  2,
)}\n`;
