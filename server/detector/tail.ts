/** How much of a title's end the detector analyses first (`--tail`): pure. */
import { EndcueError } from '../errors.js';

/** How much of the end to analyse first: seconds, a fraction of the duration, or both (max). */
export interface TailSpec {
  seconds?: number;
  fraction?: number;
}

export const DEFAULT_TAIL: Readonly<TailSpec> = { seconds: 15 * 60, fraction: 0.25 };

/** Seconds from the title's start where the analysis begins. */
export function tailStart(duration: number, tail: TailSpec = DEFAULT_TAIL): number {
  const bySeconds = tail.seconds ?? 0;
  const byFraction = (tail.fraction ?? 0) * duration;
  const length = Math.max(bySeconds, byFraction);
  if (!(length > 0)) return 0;
  return Math.max(0, duration - length);
}

/**
 * Parses a --tail value: "15m", "900", "900s", "1h", "25%", "0.25" (a fraction when < 1),
 * "all"; several joined by "," take the longest ("25%,15m", the default).
 */
export function parseTail(value: string): TailSpec {
  const spec: TailSpec = {};
  for (const raw of value.split(',')) {
    const part = raw.trim().toLowerCase();
    if (part === 'all') return { fraction: 1 };
    const m = /^(\d+(?:\.\d+)?)\s*(%|s|sec|m|min|h)?$/.exec(part);
    if (!m) {
      throw new EndcueError('invalid-input', `--tail ${value}: cannot read "${raw.trim()}"`, {
        hint: 'Use seconds (900), minutes (15m), hours (1h), a percentage (25%), or "all".',
      });
    }
    const n = Number(m[1]);
    const unit = m[2];
    if (unit === '%' || (unit === undefined && n < 1)) {
      const fraction = unit === '%' ? n / 100 : n;
      if (!(fraction > 0 && fraction <= 1)) {
        throw new EndcueError(
          'invalid-input',
          `--tail ${value}: ${raw.trim()} is not in (0, 100%]`,
          {
            hint: 'Use a percentage between 1% and 100%, e.g. 25%.',
          },
        );
      }
      spec.fraction = Math.max(spec.fraction ?? 0, fraction);
    } else {
      const seconds = unit === 'm' || unit === 'min' ? n * 60 : unit === 'h' ? n * 3600 : n;
      if (!(seconds > 0)) {
        throw new EndcueError('invalid-input', `--tail ${value}: must be longer than 0`, {
          hint: 'Use e.g. 15m.',
        });
      }
      spec.seconds = Math.max(spec.seconds ?? 0, seconds);
    }
  }
  return spec;
}
