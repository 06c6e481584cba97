/**
 * Device database. Capacities of the Spartan-7 family from the Xilinx "7 Series FPGAs Data Sheet: Overview"
 * (DS180, Table "Spartan-7 FPGA Feature Summary"): slices, CLB flip-flops, maximum distributed RAM, 36 Kb block
 * RAMs and DSP48E1 slices. Derived figures follow UG474: 4 LUT6 and 8 flip-flops per slice; LUTs usable as
 * memory = distributed RAM bits / 64 (only SLICEM LUTs can be memory); BRAM18 = 2 × RAMB36.
 *
 * Provenance: the XC7S15 figures are corroborated by the research code's prune limits (8,000 LUT, 2,400 LUTRAM,
 * 10 BRAM36, 20 DSP). The other parts' figures are transcribed from DS180 and were not re-checked against a
 * vendor tool here; a different speed grade or package does not change them.
 */

export interface Device {
  readonly id: DeviceId;
  readonly family: 'spartan7';
  /** Part string for vendor tools (default package and speed grade). */
  readonly part: string;
  readonly lut: number;
  readonly ff: number;
  /** LUTs usable as distributed RAM or shift registers (SLICEM). */
  readonly lutram: number;
  readonly bram18: number;
  readonly dsp: number;
  /** Nominal clock used when the config gives none. */
  readonly defaultClockMHz: number;
  /**
   * The fastest clock the part can distribute at its speed grade (the global clock buffer's maximum), with its
   * source: a bound no design exceeds, not a timing sign-off (logic, DSP and block RAM paths are slower).
   */
  readonly clockLimit: { readonly speedGrade: string; readonly maxMHz: number; readonly source: string };
  /** Where the figures come from. */
  readonly source: string;
}

const DS180 = 'Xilinx DS180 (7 Series FPGAs Data Sheet: Overview), Spartan-7 feature summary; LUT/FF per UG474';

function spartan7(
  id: DeviceId,
  part: string,
  slices: number,
  ffs: number,
  distributedRamKb: number,
  bram36: number,
  dsp: number,
  note = '',
): Device {
  return {
    id,
    family: 'spartan7',
    part,
    lut: slices * 4,
    ff: ffs,
    lutram: (distributedRamKb * 1024) / 64,
    bram18: bram36 * 2,
    dsp,
    defaultClockMHz: 100,
    // every part string of the database ends in -2, the fastest Spartan-7 speed grade
    clockLimit: { speedGrade: '-2', maxMHz: 628, source: 'DS189 v1.10 (Spartan-7 DC and AC Switching Characteristics), Table 32: FMAX_BUFG 628 MHz at speed grade -2' },
    source: note ? `${DS180}; ${note}` : DS180,
  };
}

export const DEVICES = {
  xc7s6: spartan7('xc7s6', 'xc7s6cpga196-2', 938, 7_500, 70, 5, 10),
  xc7s15: spartan7('xc7s15', 'xc7s15ftgb196-2', 2_000, 16_000, 150, 10, 20, 'matches the research code limits (8,000 LUT, 2,400 LUTRAM, 10 BRAM36, 20 DSP)'),
  xc7s25: spartan7('xc7s25', 'xc7s25csga324-2', 3_650, 29_200, 313, 45, 80),
  xc7s50: spartan7('xc7s50', 'xc7s50csga324-2', 8_150, 65_200, 600, 75, 120),
  xc7s75: spartan7('xc7s75', 'xc7s75fgga484-2', 12_000, 96_000, 832, 90, 140),
  xc7s100: spartan7('xc7s100', 'xc7s100fgga484-2', 16_000, 128_000, 1_100, 120, 160),
} as const satisfies Record<string, Device>;

export type DeviceId = 'xc7s6' | 'xc7s15' | 'xc7s25' | 'xc7s50' | 'xc7s75' | 'xc7s100';

export const DEVICE_IDS = Object.keys(DEVICES) as DeviceId[];

export function findDevice(id: string): Device | undefined {
  const key = id.toLowerCase();
  // Own keys only: 'constructor' or '__proto__' are not devices.
  return Object.hasOwn(DEVICES, key) ? (DEVICES as Record<string, Device>)[key] : undefined;
}
