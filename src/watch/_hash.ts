/**
 * Canonical content hashing for cache keys: a value is hashed by walking it (object keys sorted, `undefined`
 * members skipped like JSON, typed arrays as their bytes with their type), so equal content gives an equal
 * SHA-256 whatever the key order or the object identity, and large integer arrays (weights, vectors) are
 * hashed without being stringified.
 */
import { createHash, type Hash } from 'node:crypto';

const FLUSH_AT = 1 << 16;

class Walker {
  readonly #hash: Hash = createHash('sha256');
  #pending = '';

  #text(s: string): void {
    this.#pending += s;
    if (this.#pending.length >= FLUSH_AT) this.#flush();
  }

  #flush(): void {
    if (this.#pending.length > 0) this.#hash.update(this.#pending);
    this.#pending = '';
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.#text(`s${v.length}:${v}`);
        return;
      case 'number':
        this.#text(`d${Object.is(v, -0) ? '-0' : String(v)};`);
        return;
      case 'boolean':
        this.#text(v ? 'T' : 'F');
        return;
      case 'bigint':
        this.#text(`b${v.toString()};`);
        return;
      case 'undefined':
        this.#text('u');
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`cannot hash a ${typeof v}`);
    }
    if (v === null) {
      this.#text('n');
      return;
    }
    if (ArrayBuffer.isView(v)) {
      this.#text(`${v.constructor.name}${v.byteLength}:`);
      this.#flush();
      this.#hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    if (Array.isArray(v)) {
      this.#text(`[${v.length}:`);
      for (const item of v) this.value(item);
      this.#text(']');
      return;
    }
    if (v instanceof Map) {
      this.value(Object.fromEntries(v));
      return;
    }
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#text(`{${entries.length}:`);
    for (const [k, x] of entries) {
      this.#text(`k${k.length}:${k}`);
      this.value(x);
    }
    this.#text('}');
  }

  digest(): string {
    this.#flush();
    return this.#hash.digest('hex');
  }
}

/** SHA-256 (hex) of a value's canonical form. */
export function hashValue(value: unknown): string {
  const w = new Walker();
  w.value(value);
  return w.digest();
}

/** SHA-256 (hex) of a text or buffer, as stored for every file in the manifest. */
export function hashContent(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** JSON with object keys sorted (for small values stored in the manifest and compared as text). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
