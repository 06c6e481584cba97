/**
 * Canonical content hashing for cache keys: a value is hashed by walking it (object keys sorted, `undefined`
 * members skipped like JSON, typed arrays as their bytes with their type), so equal content gives an equal
 * SHA-256 whatever the key order or the object identity, and large integer arrays (weights, vectors) are
 * hashed without being stringified.
 */
import { createHash, hash, type Hash } from 'node:crypto';

const FLUSH_AT = 1 << 16;

class Walker {
  readonly #hash: Hash = createHash('sha256');
  #pending = '';

  #flush(): void {
    if (this.#pending.length > 0) this.#hash.update(this.#pending);
    this.#pending = '';
  }

  value(v: unknown): void {
    switch (typeof v) {
      case 'string':
        this.#pending += `s${v.length}:${v}`;
        break;
      case 'number':
        this.#pending += `d${Object.is(v, -0) ? '-0' : v};`;
        break;
      case 'boolean':
        this.#pending += v ? 'T' : 'F';
        break;
      case 'bigint':
        this.#pending += `b${v};`;
        break;
      case 'undefined':
        this.#pending += 'u';
        break;
      case 'object':
        this.#object(v);
        break;
      default:
        throw new TypeError(`cannot hash a ${typeof v}`);
    }
    if (this.#pending.length >= FLUSH_AT) this.#flush();
  }

  #object(v: object | null): void {
    if (v === null) {
      this.#pending += 'n';
      return;
    }
    if (ArrayBuffer.isView(v)) {
      this.#pending += `${v.constructor.name}${v.byteLength}:`;
      this.#flush();
      this.#hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return;
    }
    if (Array.isArray(v)) {
      this.#pending += `[${v.length}:`;
      for (const item of v) this.value(item);
      this.#pending += ']';
      return;
    }
    if (v instanceof Map) {
      this.#object(Object.fromEntries(v));
      return;
    }
    // Keys sorted, members that are undefined skipped (as JSON does); the count is written after the members.
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let count = 0;
    this.#pending += '{';
    for (const k of keys) {
      const x = record[k];
      if (x === undefined) continue;
      count++;
      this.#pending += `k${k.length}:${k}`;
      this.value(x);
    }
    this.#pending += `}${count}`;
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
  return hash('sha256', content, 'hex');
}
