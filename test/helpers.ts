import { cpSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/main.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG = join(ROOT, 'fpga.config.ts');

export function tempDir(prefix = 'kiln-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes files (relative path → content) into a fresh temporary project and returns its directory. */
export function project(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (same code path as the binary, minus process startup). */
export async function kiln(args: string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd, stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** A config module body around a model expression, importing from kiln-fpga like a user would. */
export function configSource(body: string): string {
  return `import { defineConfig, transformer, graph } from 'kiln-fpga';\nexport default defineConfig(${body});\n`;
}

export const DEFAULT_MODEL = `transformer({ window: 24, inputFeatures: 7, dModel: 16, ffnDim: 64 })`;

/** A fresh copy of the default project: the root fpga.config.ts and the trained model it names. */
export function defaultProject(config: (text: string) => string = (t) => t): string {
  const dir = tempDir('kiln-default-');
  writeFileSync(join(dir, 'fpga.config.ts'), config(readFileSync(DEFAULT_CONFIG, 'utf8')));
  mkdirSync(join(dir, 'models'));
  cpSync(join(ROOT, 'models', 'airbase-pm10'), join(dir, 'models', 'airbase-pm10'), { recursive: true });
  return dir;
}
