/**
 * Which parts of an episode's audio are fingerprinted (issue 22). Pure.
 *
 * The opening window holds the intro (theme song), the closing window the end-credits music.
 * Defaults follow intro-skipper's description: the first 25% of the title capped at 10 min,
 * and the last 25% (capped too, so a feature-length title stays bounded in decode time).
 * A short episode's 25% is too short to hold a cold open and a theme (18-24 s of the demo's
 * 72-96 s episodes found nothing), so each window is at least 90 s, but never more than half
 * the title: the opening window must not reach the end music, nor the closing one the theme.
 */

/** A span of a file's audio, in seconds from the start of the file. */
export interface AudioWindow {
  start: number;
  duration: number;
}

export interface WindowOptions {
  /** Share of the title the opening window covers (default 0.25). */
  openingShare?: number;
  /** Longest opening window, seconds (default 600). */
  openingMaxSeconds?: number;
  /** Share of the title the closing window covers (default 0.25). */
  closingShare?: number;
  /** Longest closing window, seconds (default 600). */
  closingMaxSeconds?: number;
  /** Shortest opening window, seconds, at most half the title (default 90). */
  openingMinSeconds?: number;
  /** Shortest closing window, seconds, at most half the title (default 90). */
  closingMinSeconds?: number;
}

export const WINDOW_DEFAULTS: Required<WindowOptions> = {
  openingShare: 0.25,
  openingMaxSeconds: 600,
  closingShare: 0.25,
  closingMaxSeconds: 600,
  openingMinSeconds: 90,
  closingMinSeconds: 90,
};

/** The opening and closing windows of a title `duration` seconds long. */
export function audioWindows(
  duration: number,
  options: WindowOptions = {},
): { opening: AudioWindow; closing: AudioWindow } {
  if (!(duration > 0) || !Number.isFinite(duration)) {
    throw new RangeError(`audioWindows: duration must be a positive number, got ${duration}`);
  }
  const o = { ...WINDOW_DEFAULTS, ...options };
  const length = (share: number, min: number, max: number) =>
    Math.min(Math.max(duration * clampShare(share), Math.min(min, duration / 2)), max);
  const openingLength = length(o.openingShare, o.openingMinSeconds, o.openingMaxSeconds);
  const closingLength = length(o.closingShare, o.closingMinSeconds, o.closingMaxSeconds);
  return {
    opening: { start: 0, duration: openingLength },
    closing: { start: duration - closingLength, duration: closingLength },
  };
}

function clampShare(share: number): number {
  return Math.min(1, Math.max(0, share));
}
