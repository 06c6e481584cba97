#!/usr/bin/env node
// Entry of the `kiln` binary: runs the compiled CLI (built by `npm ci`/`npm install` through "prepare").
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("kiln: dist/ is missing; run 'npm run build' (npm ci runs it automatically)\n");
  process.exit(2);
}
await import(cli.href);
