import { parseDuration } from './time-units.js';

/** From `fromSeconds` on, messages arrive at `perMinute` (until the next segment). */
export interface ArrivalSegment {
  fromSeconds: number;
  perMinute: number;
}

/**
 * Parses `--arrivals "0:120,2h:0"`: a list of `start:rate` pairs, start a duration from the
 * beginning of the run, rate in messages per minute. Segments are sorted; before the first, 0.
 */
export function parseArrivals(text: string): ArrivalSegment[] {
  const segments = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((pair) => {
      const [start, rate, extra] = pair.split(':');
      if (start === undefined || rate === undefined || extra !== undefined) throw new Error(`arrival segment "${pair}" must be start:perMinute, e.g. 0:120 or 2h:0`);
      const perMinute = Number(rate);
      if (rate.trim() === '' || !Number.isFinite(perMinute) || perMinute < 0) throw new Error(`arrival rate "${rate}" must be a number of messages per minute >= 0`);
      return { fromSeconds: parseDuration(start), perMinute };
    });
  return segments.sort((a, b) => a.fromSeconds - b.fromSeconds);
}

export function arrivalRateAt(segments: ArrivalSegment[], t: number): number {
  let rate = 0;
  for (const s of segments) if (s.fromSeconds <= t) rate = s.perMinute;
  return rate;
}

/** True when no message arrives at or after `t`. */
export function arrivalsOverAt(segments: ArrivalSegment[], t: number): boolean {
  return arrivalRateAt(segments, t) === 0 && segments.every((s) => s.fromSeconds <= t || s.perMinute === 0);
}
