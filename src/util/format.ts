/** Number formatting shared by reports and diagnostics. */

/**
 * An integer with thousands separators (12,345), as toLocaleString('en-US') writes it. Written out because the
 * first toLocaleString call of a process loads ICU data (~11 ms), a tenth of a one-shot `kiln build`.
 */
export function formatCount(n: number): string {
  if (!Number.isInteger(n)) return n.toLocaleString('en-US');
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
}
