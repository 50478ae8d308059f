/** The detector's public contract, shared by the CLI, the job queue and the HTTP API. */

/** 'intro': the opening theme a season's episodes share (issue 22; never from one title's frames). */
export type SegmentKind = 'intro' | 'credits' | 'post-credits';

export interface Segment {
  kind: SegmentKind;
  /** Seconds from the start of the title. */
  start: number;
  end: number;
}

export interface DetectionResult {
  /** The path or URL analysed, as given. */
  file: string;
  duration: number;
  fps: number | null;
  /** Where the closing credits begin, in seconds; null when the title has none. */
  creditsStart: number | null;
  creditsEnd: number | null;
  /** Frame index of creditsStart at the title's frame rate. */
  frame: number | null;
  /** How sure the decision is, 0..1 (for "no credits" too). */
  confidence: number;
  /**
   * Where the start came from: the frames (and their text), or a chapter named like credits
   * that the frames confirmed. Absent in results stored before 2026-12-06 (frames).
   */
  creditsSource?: 'frames' | 'chapter';
  segments: Segment[];
  modelVersion: string;
  backend: string;
  elapsedMs: number;
}

export type DetectPhase = 'probe' | 'coarse' | 'fine' | 'done';

export interface DetectProgress {
  phase: DetectPhase;
  /** Overall progress, 0..1. */
  fraction: number;
}

export interface DetectOptions {
  signal?: AbortSignal;
  /**
   * Seconds before which the credits may not start (issue 22: the season job re-runs an
   * episode bounded by its shared end music; DetectorOptions.notBefore). Default: no bound.
   */
  notBefore?: number;
  onProgress?: (progress: DetectProgress) => void;
}

/** What the job queue calls; the real one wraps ffmpeg + the model, tests pass fakes. */
export type Detector = (source: string, options?: DetectOptions) => Promise<DetectionResult>;
