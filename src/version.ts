import { readFileSync } from 'node:fs';

/** kiln's version, read from its package.json (works from src/ and dist/ alike). */
export const KILN_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
