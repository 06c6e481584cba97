import { DEVICES } from '../../devices/index.js';
import { formatCount } from '../../emitters/report.js';
import { COMMON_OPTIONS, EXIT_OK, JSON_HELP, type Command } from './_shared.js';

export const devices: Command = {
  summary: 'list the device database',
  usage: 'kiln devices [--json]',
  details: `Options:
${JSON_HELP}`,
  options: { json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help },
  async run(values, io) {
    const list = Object.values(DEVICES);
    if (values.json) {
      io.stdout(JSON.stringify(list, null, 2) + '\n');
      return EXIT_OK;
    }
    const rows = [['Device', 'Part', 'LUT', 'FF', 'LUTRAM', 'BRAM18', 'DSP'], ...list.map((d) => [d.id, d.part, ...[d.lut, d.ff, d.lutram, d.bram18, d.dsp].map(formatCount)])];
    const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    io.stderr(rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n') + '\n');
    io.stderr(`\nSource: ${list[0]!.source}\n`);
    return EXIT_OK;
  },
};
