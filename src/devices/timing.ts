/**
 * Timing sanity for `clockMHz`: a clock above what the part's global clock buffers can distribute at its speed
 * grade cannot run any design. Only that bound is checked; the DSP48E1 and block RAM maxima of DS189 and the
 * logic paths of the design are lower and not modelled, so passing this is not a timing sign-off.
 */
import type { Device } from './index.js';

export interface ClockCheck {
  readonly clockMHz: number;
  readonly limitMHz: number;
  readonly speedGrade: string;
  readonly source: string;
  readonly withinLimit: boolean;
  readonly note: string;
}

export function checkClock(device: Device, clockMHz: number): ClockCheck {
  const { maxMHz, speedGrade, source } = device.clockLimit;
  const withinLimit = clockMHz <= maxMHz;
  return {
    clockMHz,
    limitMHz: maxMHz,
    speedGrade,
    source,
    withinLimit,
    note: withinLimit
      ? `within the ${device.id}'s global clock limit (${maxMHz} MHz at speed grade ${speedGrade}); an estimate, not a timing sign-off: the design's own paths are not analysed`
      : `clockMHz ${clockMHz} is above the ${device.id}'s global clock limit, ${maxMHz} MHz at speed grade ${speedGrade} (${source}): no design runs at that clock on this part`,
  };
}
