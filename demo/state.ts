/**
 * What the demo page shows beside the player for each episode, derived from the answer of
 * the product's own API (GET /v1/titles/:id/credits). Pure: unit-tested without a server.
 */
import type { DemoEpisode } from './series.js';

export type AnalysisState = 'queued' | 'running' | 'done' | 'failed';

/** A bar on the timeline strip, in percent of the episode's duration. */
export interface StripBar {
  kind: 'intro' | 'credits' | 'post-credits';
  left: number;
  width: number;
}

export interface EpisodeView {
  id: string;
  episode: number;
  title: string;
  style: string;
  duration: number;
  mp4: string;
  hls: string;
  state: AnalysisState;
  /** 0..1 while queued/running, 1 when done. */
  progress: number;
  /** One line for people: "queued", "running 42 %", "credits at 01:02 · confidence 0.93". */
  label: string;
  creditsStart: number | null;
  creditsEnd: number | null;
  postCreditsStart: number | null;
  confidence: number | null;
  /** The intro the season analysis found, seconds; null: none (yet). */
  intro: { start: number; end: number } | null;
  /** "intro 00:08–00:28", "no intro (nothing-shared)", or '' while the server says nothing. */
  introLabel: string;
  strip: StripBar[];
  /** Where the generator put the credits: a tick on the strip, so errors are visible. */
  truth: { creditsStart: number; left: number; label: string; introLabel: string };
  error?: string;
}

/** 62.4 -> "01:02"; 3725 -> "1:02:05". Floors to the second, as players show time. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-6));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function percent(at: number, duration: number): number {
  if (!(duration > 0)) return 0;
  return Math.round(Math.min(100, Math.max(0, (at / duration) * 100)) * 100) / 100;
}

interface CreditsBody {
  creditsStart?: number | null;
  creditsEnd?: number | null;
  confidence?: number;
  duration?: number | null;
  segments?: Array<{ kind: string; start: number; end: number }>;
  intro?: { start: number; end: number } | null;
  introReason?: string | null;
}

const span = (s: { start: number; end: number }) => `${formatClock(s.start)}–${formatClock(s.end)}`;

/** The intro from the answer's `intro`, else its 'intro' segment (the plugin reads it so too). */
function introOf(credits: CreditsBody): { start: number; end: number } | null {
  const intro = credits.intro ?? credits.segments?.find((s) => s.kind === 'intro') ?? null;
  return intro ? { start: intro.start, end: intro.end } : null;
}

function introLabel(credits: CreditsBody, intro: { start: number; end: number } | null): string {
  if (intro) return `intro ${span(intro)}`;
  if (credits.introReason === 'pending') return 'intro: comparing the episodes…';
  return credits.introReason ? `no intro (${credits.introReason})` : '';
}

interface PendingBody {
  status?: string;
  progress?: number;
}

interface FailedBody {
  error?: { code?: string; message?: string };
}

/** Turns one HTTP answer (status code + parsed JSON body) into the episode's view. */
export function episodeView(episode: DemoEpisode, status: number, body: unknown): EpisodeView {
  const base = {
    id: episode.id,
    episode: episode.episode,
    title: episode.title,
    style: episode.style,
    duration: episode.duration,
    mp4: episode.mp4,
    hls: episode.hls,
    truth: {
      creditsStart: episode.truth.creditsStart,
      left: percent(episode.truth.creditsStart, episode.duration),
      label: `generated credits start ${formatClock(episode.truth.creditsStart)}`,
      introLabel: `generated intro ${span(episode.truth.intro)}`,
    },
    creditsStart: null,
    creditsEnd: null,
    postCreditsStart: null,
    confidence: null,
    intro: null,
    introLabel: '',
    strip: [],
  };
  if (status === 200) {
    const credits = (body ?? {}) as CreditsBody;
    const duration = credits.duration ?? episode.duration;
    const start = credits.creditsStart ?? null;
    const segments = credits.segments ?? [];
    const post = segments.find((s) => s.kind === 'post-credits')?.start ?? null;
    const confidence = typeof credits.confidence === 'number' ? credits.confidence : null;
    const intro = introOf(credits);
    const bars = [
      ...(intro ? [{ kind: 'intro', ...intro }] : []),
      ...segments.filter((s) => s.kind === 'credits' || s.kind === 'post-credits'),
    ];
    const strip: StripBar[] = bars.map((s) => ({
      kind: s.kind as StripBar['kind'],
      left: percent(s.start, duration),
      width: Math.max(0.5, percent(s.end, duration) - percent(s.start, duration)),
    }));
    const confidenceText = confidence === null ? '' : ` · confidence ${confidence.toFixed(2)}`;
    return {
      ...base,
      state: 'done',
      progress: 1,
      label:
        start === null
          ? `no credits found${confidenceText}`
          : `credits at ${formatClock(start)}${confidenceText}`,
      creditsStart: start,
      creditsEnd: credits.creditsEnd ?? null,
      postCreditsStart: post,
      confidence,
      intro,
      introLabel: introLabel(credits, intro),
      strip,
    };
  }
  if (status === 202) {
    const pending = (body ?? {}) as PendingBody;
    const running = pending.status === 'running';
    const progress = Math.min(1, Math.max(0, pending.progress ?? 0));
    return {
      ...base,
      state: running ? 'running' : 'queued',
      progress,
      label: running ? `analysing… ${Math.round(progress * 100)} %` : 'queued',
    };
  }
  const failed = (body ?? {}) as FailedBody;
  const message = failed.error?.message ?? `HTTP ${status}`;
  return {
    ...base,
    state: 'failed',
    progress: 0,
    label: `analysis failed: ${failed.error?.code ?? status}`,
    error: message,
  };
}
