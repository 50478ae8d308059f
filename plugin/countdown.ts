/**
 * The "Next episode" card's judgement as a pure state machine: when to show it, when to
 * hide and re-arm it, how the countdown runs (paused with the video or a hidden tab), and
 * when binge-watching should ask "Are you still watching?". No DOM, no timers: the plugin
 * feeds events with a monotonic `now` (ms) and applies the returned effects.
 */

export type Phase = 'armed' | 'shown' | 'stillwatching' | 'dismissed' | 'advanced';

/** `credits`: shown at the detected credits start; `ended`: the fallback card at `ended`. */
export type Variant = 'credits' | 'ended';

export interface CountdownConfig {
  /** Countdown on the credits card, ms; Infinity = suggestion only. */
  countdownMs: number;
  /** Countdown on the card shown at `ended` (fallback), ms; capped by countdownMs. */
  endedCountdownMs: number;
  /** false = never advance by itself (the viewer must press "Play next"). */
  autoplayNext: boolean;
  /** Ask "Are you still watching?" after this many automatic advances without interaction. */
  bingeEpisodes: number;
  /** ...or after this long without interaction, ms. */
  bingeMs: number;
  /** credits: 'auto': when the countdown runs out, a post-credits scene is played instead. */
  autoSkip: boolean;
}

/**
 * What happens at the credits start: `ask` shows the card, `auto` skips to the post-credits
 * scene or the next episode after a short notice, `off` does nothing there (the short card
 * at `ended` still offers the next episode).
 */
export type CreditsAction = 'ask' | 'auto' | 'off';

/** The notice before `auto` skips, ms. */
export const AUTO_NOTICE_MS = 3000;

/** The credits action; without one, `countdown: 0` (which advanced at once) means `auto`. */
export function creditsAction(
  credits: CreditsAction | undefined,
  countdownSeconds: number | undefined,
): CreditsAction {
  return credits ?? (countdownSeconds === 0 ? 'auto' : 'ask');
}

export interface Cues {
  /** Seconds; null while unknown (pending, server down, no credits): fall back to `ended`. */
  creditsStart: number | null;
  /** Start of a post-credits scene, seconds; the card does not appear inside it. */
  postCreditsStart: number | null;
  /** Without a next episode there is nothing to offer, so the card never shows. */
  hasNext: boolean;
}

export interface MachineState {
  phase: Phase;
  variant: Variant;
  cues: Cues;
  playing: boolean;
  ended: boolean;
  tabHidden: boolean;
  /** Last playback position seen, seconds (to recognise a backward seek). */
  lastTime: number;
  remainingMs: number;
  /** When the countdown last resumed; null while it is stopped. */
  countingSince: number | null;
  /** Last whole second reported, so `countdown` fires once per second. */
  lastSecond: number | null;
  /** Survives title changes: automatic advances and last interaction since. */
  binge: { episodes: number; lastInteraction: number };
}

export type DismissReason = 'watch-credits' | 'escape' | 'close' | 'skip-credits';

export type MachineEvent =
  | { type: 'cues'; cues: Partial<Cues> }
  | { type: 'time'; time: number }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'ended' }
  | { type: 'visibility'; hidden: boolean }
  | { type: 'tick' }
  | { type: 'playNext' }
  | { type: 'dismiss'; reason: DismissReason }
  | { type: 'interaction' }
  | { type: 'source' };

export type HideReason = 'seek-back' | 'dismissed' | 'advance' | 'source';

export type Effect =
  | { type: 'show'; variant: Variant; seconds: number | null }
  | { type: 'hide'; reason: HideReason }
  | { type: 'countdown'; seconds: number; fraction: number }
  | { type: 'advance'; auto: boolean }
  | { type: 'stillwatching' }
  | { type: 'dismissed'; reason: DismissReason }
  | { type: 'skip' };

export interface Step {
  state: MachineState;
  effects: Effect[];
}

/** A seek this far (s) before the credits start hides the card and re-arms it. */
export const SEEK_BACK_TOLERANCE = 0.5;

export const DEFAULT_CONFIG: CountdownConfig = {
  countdownMs: 10_000,
  endedCountdownMs: 5_000,
  autoplayNext: true,
  bingeEpisodes: 3,
  bingeMs: 90 * 60_000,
  autoSkip: false,
};

const NO_CUES: Cues = { creditsStart: null, postCreditsStart: null, hasNext: false };

export function initialState(now: number): MachineState {
  return {
    phase: 'armed',
    variant: 'credits',
    cues: NO_CUES,
    playing: false,
    ended: false,
    tabHidden: false,
    lastTime: 0,
    remainingMs: 0,
    countingSince: null,
    lastSecond: null,
    binge: { episodes: 0, lastInteraction: now },
  };
}

function totalMs(config: CountdownConfig, variant: Variant): number {
  if (!config.autoplayNext) return Number.POSITIVE_INFINITY;
  return variant === 'ended'
    ? Math.min(config.countdownMs, config.endedCountdownMs)
    : config.countdownMs;
}

function counts(config: CountdownConfig, s: MachineState): boolean {
  return (
    s.phase === 'shown' &&
    Number.isFinite(totalMs(config, s.variant)) &&
    !s.tabHidden &&
    (s.playing || s.ended)
  );
}

function remainingAt(s: MachineState, now: number): number {
  return s.countingSince === null ? s.remainingMs : s.remainingMs - (now - s.countingSince);
}

/** Folds elapsed time into remainingMs and stops the clock (call before changing flags). */
function settle(s: MachineState, now: number): MachineState {
  return { ...s, remainingMs: remainingAt(s, now), countingSince: null };
}

/** Restarts the clock if the (new) flags say it should run; fires zero and whole seconds. */
function resume(
  config: CountdownConfig,
  s: MachineState,
  now: number,
  effects: Effect[],
): MachineState {
  if (!counts(config, s)) return s;
  if (s.remainingMs <= 0) return finish(config, s, now, effects);
  const seconds = Math.ceil(s.remainingMs / 1000);
  let next: MachineState = { ...s, countingSince: now };
  if (seconds !== s.lastSecond) {
    effects.push({
      type: 'countdown',
      seconds,
      fraction: s.remainingMs / totalMs(config, s.variant),
    });
    next = { ...next, lastSecond: seconds };
  }
  return next;
}

function bingeReached(config: CountdownConfig, s: MachineState, now: number): boolean {
  return (
    s.binge.episodes >= config.bingeEpisodes || now - s.binge.lastInteraction >= config.bingeMs
  );
}

/** Countdown hit zero: advance, unless the viewer may have fallen asleep. */
function finish(
  config: CountdownConfig,
  s: MachineState,
  now: number,
  effects: Effect[],
): MachineState {
  const stopped = { ...s, remainingMs: 0, countingSince: null };
  if (config.autoSkip && s.variant === 'credits' && s.cues.postCreditsStart !== null) {
    // Not an episode change, so no binge check: the card returns at `ended` as usual.
    effects.push(
      { type: 'hide', reason: 'dismissed' },
      { type: 'dismissed', reason: 'skip-credits' },
      { type: 'skip' },
    );
    return { ...stopped, phase: 'dismissed' };
  }
  if (bingeReached(config, s, now)) {
    effects.push({ type: 'stillwatching' });
    return { ...stopped, phase: 'stillwatching' };
  }
  effects.push({ type: 'hide', reason: 'advance' }, { type: 'advance', auto: true });
  return {
    ...stopped,
    phase: 'advanced',
    binge: { ...s.binge, episodes: s.binge.episodes + 1 },
  };
}

function show(
  config: CountdownConfig,
  s: MachineState,
  variant: Variant,
  now: number,
  effects: Effect[],
): MachineState {
  const total = totalMs(config, variant);
  effects.push({
    type: 'show',
    variant,
    seconds: Number.isFinite(total) ? Math.ceil(total / 1000) : null,
  });
  const shown: MachineState = {
    ...s,
    phase: 'shown',
    variant,
    remainingMs: total,
    countingSince: null,
    lastSecond: null,
  };
  return resume(config, shown, now, effects);
}

function hide(s: MachineState, reason: HideReason, effects: Effect[]): MachineState {
  if (s.phase === 'shown' || s.phase === 'stillwatching') effects.push({ type: 'hide', reason });
  return { ...s, phase: 'armed', countingSince: null, lastSecond: null };
}

function onTime(
  config: CountdownConfig,
  s: MachineState,
  time: number,
  now: number,
  effects: Effect[],
): MachineState {
  const back = time < s.lastTime - SEEK_BACK_TOLERANCE;
  let next: MachineState = { ...s, lastTime: time, ended: back ? false : s.ended };
  const { creditsStart, postCreditsStart, hasNext } = next.cues;
  const visible = next.phase === 'shown' || next.phase === 'stillwatching';
  if (visible && next.variant === 'credits' && creditsStart !== null) {
    if (time < creditsStart - SEEK_BACK_TOLERANCE) return hide(next, 'seek-back', effects);
  } else if (visible && next.variant === 'ended' && back) {
    return hide(settle(next, now), 'seek-back', effects);
  }
  if (next.phase === 'dismissed' && back && next.variant === 'ended')
    next = { ...next, phase: 'armed' };
  if (
    next.phase === 'armed' &&
    hasNext &&
    creditsStart !== null &&
    time >= creditsStart &&
    (postCreditsStart === null || time < postCreditsStart)
  ) {
    return show(config, next, 'credits', now, effects);
  }
  return next;
}

/** One step of the machine: the new state and what the view should do about it. */
export function transition(
  config: CountdownConfig,
  state: MachineState,
  event: MachineEvent,
  now: number,
): Step {
  const effects: Effect[] = [];
  const s = settle(state, now);
  let next: MachineState;
  switch (event.type) {
    case 'cues':
      next = { ...s, cues: { ...s.cues, ...event.cues } };
      // Re-check at once so a title opened mid-credits shows the card without waiting.
      next = onTime(config, next, next.lastTime, now, effects);
      break;
    case 'time':
      next = onTime(config, s, event.time, now, effects);
      break;
    case 'play':
      next = { ...s, playing: true, ended: false };
      break;
    case 'pause':
      next = { ...s, playing: false };
      break;
    case 'ended':
      next = { ...s, ended: true, playing: false };
      if (next.cues.hasNext && (next.phase === 'armed' || next.phase === 'dismissed')) {
        next = show(config, next, 'ended', now, effects);
      }
      break;
    case 'visibility':
      next = { ...s, tabHidden: event.hidden };
      break;
    case 'tick':
      next = s;
      break;
    case 'playNext':
      if (s.phase === 'advanced') return { state: s, effects };
      if (s.phase === 'shown' || s.phase === 'stillwatching') {
        effects.push({ type: 'hide', reason: 'advance' });
      }
      effects.push({ type: 'advance', auto: false });
      // Choosing the next episode is an interaction: the binge count starts over.
      next = {
        ...s,
        phase: 'advanced',
        countingSince: null,
        binge: { episodes: 0, lastInteraction: now },
      };
      return { state: next, effects };
    case 'dismiss':
      if (s.phase !== 'shown' && s.phase !== 'stillwatching') return { state: s, effects };
      effects.push(
        { type: 'hide', reason: 'dismissed' },
        { type: 'dismissed', reason: event.reason },
      );
      next = {
        ...s,
        phase: 'dismissed',
        countingSince: null,
        binge: { episodes: 0, lastInteraction: now },
      };
      return { state: next, effects };
    case 'interaction':
      next = { ...s, binge: { episodes: 0, lastInteraction: now } };
      break;
    case 'source':
      if (s.phase === 'shown' || s.phase === 'stillwatching') {
        effects.push({ type: 'hide', reason: 'source' });
      }
      // A new title: everything re-arms except the binge counters.
      next = { ...initialState(now), tabHidden: s.tabHidden, binge: s.binge };
      return { state: next, effects };
  }
  if (next.countingSince === null && next.phase === 'shown')
    next = resume(config, next, now, effects);
  return { state: next, effects };
}

/** Whether the countdown clock is running (the plugin ticks only then). */
export function isCounting(state: MachineState): boolean {
  return state.countingSince !== null;
}
