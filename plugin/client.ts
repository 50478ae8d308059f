/**
 * Asks the EndCue server when a title's credits start. While the server is still analysing
 * (202) it polls as told by Retry-After; when the server is down or has no answer it says
 * so, and the plugin falls back to a card at `ended`. No video.js here: unit-tested with a
 * fake fetch and a fake sleep.
 */

export interface NextEpisode {
  titleId?: string;
  src: string;
  /** MIME type; guessed from the URL when missing (.m3u8 -> HLS, else mp4). */
  type?: string;
  title?: string;
  poster?: string;
}

export interface Credits {
  titleId: string;
  creditsStart: number | null;
  creditsEnd: number | null;
  postCreditsStart: number | null;
  duration: number | null;
  confidence: number | null;
  source: string | null;
  next: NextEpisode | null;
  /** The intro the season's episodes share (seconds), or null. */
  intro: Intro | null;
  /** Why there is no intro ('pending': the season is still being compared), or null. */
  introReason: string | null;
}

export interface Intro {
  start: number;
  end: number;
  confidence: number | null;
}

export type UnavailableReason = 'not-found' | 'failed' | 'unreachable' | 'invalid' | 'timeout';

export type CreditsResult =
  | { status: 'ready'; credits: Credits }
  | { status: 'unavailable'; reason: UnavailableReason; message: string }
  | { status: 'aborted' };

export interface Pending {
  status: string;
  progress: number | null;
  retryAfterMs: number;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface FetchCreditsOptions {
  /** Base URL of the EndCue server; '' = same origin as the page. */
  server: string;
  titleId: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  sleep?: Sleep;
  onPending?: (pending: Pending) => void;
  /** Tries for network errors and 5xx before giving up (with backoff). */
  maxErrors?: number;
  /** Stop polling after this long, ms (the title will have ended long before). */
  maxWaitMs?: number;
  /** One request may take this long before it counts as a network error, ms. */
  requestTimeoutMs?: number;
  now?: () => number;
}

export const MIN_POLL_MS = 1_000;
export const MAX_POLL_MS = 60_000;

/** Retry-After as delta-seconds or an HTTP date, else the body's retryAfter, clamped. */
export function retryDelayMs(
  header: string | null,
  bodyRetryAfter: unknown,
  nowMs: number,
  fallbackMs = 2_000,
): number {
  let ms = Number.NaN;
  if (header !== null && header.trim() !== '') {
    const text = header.trim();
    ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - nowMs;
  }
  if (!Number.isFinite(ms) && typeof bodyRetryAfter === 'number') ms = bodyRetryAfter * 1000;
  if (!Number.isFinite(ms)) ms = fallbackMs;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms));
}

/** Exponential backoff for errors: 1 s, 2 s, 4 s... capped. */
export function backoffMs(attempt: number): number {
  return Math.min(MAX_POLL_MS, MIN_POLL_MS * 2 ** attempt);
}

export function creditsUrl(server: string, titleId: string): string {
  return `${server.replace(/\/+$/, '')}/v1/titles/${encodeURIComponent(titleId)}/credits`;
}

/** The next episode's src may be relative to the server (e.g. `/media/ep2.mp4`). */
export function resolveAgainst(server: string, src: string): string {
  if (!server) return src;
  try {
    return new URL(src, server.endsWith('/') ? server : `${server}/`).href;
  } catch {
    return src;
  }
}

export function guessType(src: string): string {
  return /\.m3u8(\?|#|$)/i.test(src) ? 'application/x-mpegURL' : 'video/mp4';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

function parseNext(server: string, raw: unknown): NextEpisode | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const src = str(o.src);
  if (!src) return null;
  const next: NextEpisode = { src: resolveAgainst(server, src) };
  const titleId = str(o.titleId);
  const type = str(o.type);
  const title = str(o.title);
  const poster = str(o.poster);
  if (titleId) next.titleId = titleId;
  next.type = type ?? guessType(src);
  if (title) next.title = title;
  if (poster) next.poster = resolveAgainst(server, poster);
  return next;
}

/** A span with 0 <= start < end, else null (a broken intro is ignored, not obeyed). */
function parseIntro(raw: unknown): Intro | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Record<string, unknown>;
  const start = num(o.start);
  const end = num(o.end);
  if (start === null || end === null || start < 0 || end <= start) return null;
  return { start, end, confidence: num(o.confidence) };
}

/** Validates the 200 body by hand (a schema library would blow the size budget). */
export function parseCredits(server: string, titleId: string, body: unknown): Credits | null {
  if (!body || typeof body !== 'object') return null;
  const o = body as Record<string, unknown>;
  const creditsStart = num(o.creditsStart);
  if (o.creditsStart !== null && creditsStart === null) return null;
  let postCreditsStart: number | null = null;
  // The answer's `intro`; a server that lists it only among the segments is read too.
  let intro = parseIntro(o.intro);
  if (Array.isArray(o.segments)) {
    for (const seg of o.segments) {
      const s = seg as Record<string, unknown> | null;
      if (s && s.kind === 'post-credits' && num(s.start) !== null) postCreditsStart = num(s.start);
      if (s && s.kind === 'intro' && o.intro === undefined) intro ??= parseIntro(s);
    }
  }
  return {
    titleId: str(o.titleId) ?? titleId,
    creditsStart,
    creditsEnd: num(o.creditsEnd),
    postCreditsStart,
    duration: num(o.duration),
    confidence: num(o.confidence),
    source: str(o.source) ?? null,
    next: parseNext(server, o.next),
    intro,
    introReason: intro ? null : (str(o.introReason) ?? null),
  };
}

/**
 * The credits start the card is timed to: the server's, unless the detector was less sure of
 * it than `minConfidence` (then null: the short card at `ended` instead). A start set by hand
 * (`source: "manual"`) is always used.
 */
export function trustedStart(credits: Credits, minConfidence: number): number | null {
  if (credits.creditsStart === null || credits.source === 'manual') return credits.creditsStart;
  return (credits.confidence ?? 0) >= minConfidence ? credits.creditsStart : null;
}

export const defaultSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

async function readJson(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

function errorMessage(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const err = o.error as Record<string, unknown> | string | undefined;
    if (typeof err === 'string') return err;
    if (err && typeof err.message === 'string') return err.message;
    if (typeof o.message === 'string') return o.message;
  }
  return fallback;
}

/** Resolves once the server has an answer, gives up, or the signal aborts. Never throws. */
export async function fetchCredits(options: FetchCreditsOptions): Promise<CreditsResult> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const maxErrors = options.maxErrors ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 30 * 60_000;
  const { signal, server, titleId } = options;
  const url = creditsUrl(server, titleId);
  const started = now();
  let errors = 0;
  let lastError = '';

  while (!signal?.aborted) {
    let res: Response | null = null;
    // A server that accepts the connection but never answers must not stall the plugin.
    const request = new AbortController();
    const onAbort = () => request.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(onAbort, options.requestTimeoutMs ?? 10_000);
    try {
      res = await doFetch(url, { headers: { accept: 'application/json' }, signal: request.signal });
    } catch (error) {
      if (signal?.aborted) break;
      lastError = `${url}: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    let waitMs: number;
    if (res && res.status === 200) {
      const credits = parseCredits(server, titleId, await readJson(res));
      if (credits) return { status: 'ready', credits };
      return { status: 'unavailable', reason: 'invalid', message: `${url}: unexpected answer` };
    } else if (res && res.status === 202) {
      const body = (await readJson(res)) as Record<string, unknown> | null;
      waitMs = retryDelayMs(res.headers.get('retry-after'), body?.retryAfter, now());
      options.onPending?.({
        status: str(body?.status) ?? 'queued',
        progress: num(body?.progress),
        retryAfterMs: waitMs,
      });
    } else if (res && res.status < 500 && res.status !== 429) {
      const body = await readJson(res);
      const reason: UnavailableReason = res.status === 404 ? 'not-found' : 'failed';
      return {
        status: 'unavailable',
        reason,
        message: errorMessage(body, `${url}: HTTP ${res.status}`),
      };
    } else {
      // 5xx, 429 or no answer at all: transient, retry a few times with backoff.
      if (res) lastError = `${url}: HTTP ${res.status}`;
      errors += 1;
      if (errors >= maxErrors)
        return { status: 'unavailable', reason: 'unreachable', message: lastError };
      waitMs = res
        ? Math.max(
            backoffMs(errors - 1),
            retryDelayMs(res.headers.get('retry-after'), null, now(), 0),
          )
        : backoffMs(errors - 1);
    }
    if (now() - started + waitMs > maxWaitMs) {
      return { status: 'unavailable', reason: 'timeout', message: `${url}: still not analysed` };
    }
    await sleep(waitMs, signal);
  }
  return { status: 'aborted' };
}
