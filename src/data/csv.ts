/**
 * A CSV time series: a header row of column names, then one row per time step, comma separated, fields optionally
 * in double quotes (RFC 4180). Only the columns asked for are read, and each of their cells must be a number;
 * errors name the row and the column.
 */
import { didYouMean, fail } from '../dsl/diagnostics.js';

export interface CsvColumns {
  /** Column name → values, one per data row. */
  readonly columns: ReadonlyMap<string, Float64Array>;
  readonly rows: number;
}

const field = ['data', 'csv'];

/** Splits one line into fields (quotes may hold commas; "" is a quote). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function readCsvColumns(text: string, file: string, wanted: readonly string[]): CsvColumns {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) fail('KILN_E_DATA', field, `${file} is empty`, 'the CSV needs a header row of column names, then one row per time step');
  const header = fields(lines[0]!).map((h) => h.trim());
  const index = new Map<string, number>();
  header.forEach((h, i) => index.set(h, i));
  const missing = wanted.filter((c) => !index.has(c));
  if (missing.length > 0) {
    const near = didYouMean(missing[0]!, header);
    fail('KILN_E_DATA', field, `${file} has no column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}`, `${near ? `${near} ` : ''}(columns: ${header.join(', ')})`);
  }
  const rows = lines.length - 1;
  const columns = new Map(wanted.map((c) => [c, new Float64Array(rows)]));
  for (let r = 0; r < rows; r++) {
    const cells = fields(lines[r + 1]!);
    for (const c of wanted) {
      const raw = cells[index.get(c)!];
      const cell = raw?.trim() ?? '';
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        fail('KILN_E_DATA', field, `${file}:${r + 2}: column '${c}' holds ${raw === undefined ? 'nothing (the row is short)' : JSON.stringify(raw)}, not a number`, 'fill or drop missing values before handing the series to kiln');
      }
      columns.get(c)![r] = v;
    }
  }
  return { columns, rows };
}
