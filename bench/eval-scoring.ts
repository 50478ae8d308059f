/**
 * How `npm run eval` scores its rows (PURE): what counts as a hit, the summary by set and
 * part, and how far a reported start's confidence can be trusted (bands and the expected
 * calibration error).
 */

export const TOLERANCE_S = 2;

export interface ScoredTitle {
  /** Truth: seconds, or null for "no closing credits". */
  creditsStart: number | null;
  /** A second start a careful labeller could choose; a start near it counts too. */
  creditsStartAlt?: number;
}

/** Right when both say "no credits", or the start is within the tolerance of a labelled start. */
export function isHit(
  title: ScoredTitle,
  predicted: number | null,
  tolerance = TOLERANCE_S,
): boolean {
  if (title.creditsStart === null) {
    // A negative whose labeller allowed a start (a "THE END" card) is right either way there.
    if (predicted === null) return true;
    return (
      title.creditsStartAlt !== undefined &&
      Math.abs(predicted - title.creditsStartAlt) <= tolerance
    );
  }
  if (predicted === null) return false;
  const starts = [
    title.creditsStart,
    ...(title.creditsStartAlt === undefined ? [] : [title.creditsStartAlt]),
  ];
  return starts.some((s) => Math.abs(predicted - s) <= tolerance);
}

export interface ReportedStart {
  confidence: number;
  hit: boolean;
}

export interface ConfidenceBand {
  /** Inclusive lower edge. */
  from: number;
  /** Exclusive upper edge (1 is inclusive). */
  to: number;
  count: number;
  right: number;
  /** Mean confidence of the starts in the band (NaN when empty). */
  meanConfidence: number;
}

export const BAND_EDGES: readonly number[] = [0, 0.5, 0.7, 0.8, 0.9, 1];

/** Reported starts grouped by confidence band. */
export function confidenceBands(
  starts: readonly ReportedStart[],
  edges: readonly number[] = BAND_EDGES,
): ConfidenceBand[] {
  const bands: ConfidenceBand[] = [];
  for (let i = 0; i + 1 < edges.length; i++) {
    const from = edges[i] as number;
    const to = edges[i + 1] as number;
    const last = i + 2 === edges.length;
    const inBand = starts.filter(
      (s) => s.confidence >= from && (last ? s.confidence <= to : s.confidence < to),
    );
    const sum = inBand.reduce((acc, s) => acc + s.confidence, 0);
    bands.push({
      from,
      to,
      count: inBand.length,
      right: inBand.filter((s) => s.hit).length,
      meanConfidence: inBand.length ? sum / inBand.length : Number.NaN,
    });
  }
  return bands;
}

/** Expected calibration error: the count-weighted gap between each band's confidence and accuracy. */
export function expectedCalibrationError(bands: readonly ConfidenceBand[]): number {
  const total = bands.reduce((acc, b) => acc + b.count, 0);
  if (total === 0) return Number.NaN;
  let ece = 0;
  for (const b of bands) {
    if (b.count === 0) continue;
    ece += (b.count / total) * Math.abs(b.right / b.count - b.meanConfidence);
  }
  return ece;
}

/** "a/b (pct%)", or "-" for an empty set. */
export function share(hits: number, n: number): string {
  return n ? `${hits}/${n} (${Math.round((100 * hits) / n)}%)` : '-';
}
