/**
 * The "Skip intro" button's judgement, pure (no DOM, no timers): when it shows, when it
 * hides, and what `intro: 'auto'` does. The plugin feeds playback times and presses and
 * carries out the returned effects on the button (skip-intro.ts) and the player.
 *
 * The button shows for the whole intro, as on Netflix, rather than for a few seconds as in
 * Jellyfin: a viewer who looks away, joins late or seeks into the theme can still skip it,
 * and it never covers the story (it leaves when the intro ends).
 */

/** What happens during the intro: `ask` shows the button, `auto` skips it, `off` nothing. */
export type IntroAction = 'ask' | 'auto' | 'off';

export const INTRO_ACTIONS: readonly IntroAction[] = ['ask', 'auto', 'off'];

export interface IntroSpan {
  /** Seconds from the start of the title. */
  start: number;
  end: number;
}

/** In the intro's last second the button no longer shows: skipping would gain nothing. */
export const END_MARGIN = 1;

export interface IntroState {
  intro: IntroSpan | null;
  /** Last playback position seen, seconds. */
  lastTime: number;
  showing: boolean;
  /** `auto` skips once per title; seeking back into the intro afterwards shows the button. */
  autoDone: boolean;
  /** The viewer sent the button away (Escape, Back) for this pass through the intro. */
  dismissed: boolean;
}

export type IntroEvent =
  | { type: 'intro'; intro: IntroSpan | null }
  | { type: 'time'; time: number }
  /** The button was pressed, or `skipIntro()` called. */
  | { type: 'skip' }
  | { type: 'dismiss' }
  | { type: 'source' };

export type IntroEffect =
  | { type: 'show' }
  | { type: 'hide' }
  /** Seek to `to` (the intro's end). */
  | { type: 'seek'; from: number; to: number; auto: boolean };

export interface IntroStep {
  state: IntroState;
  effects: IntroEffect[];
}

export const INITIAL_INTRO: IntroState = {
  intro: null,
  lastTime: 0,
  showing: false,
  autoDone: false,
  dismissed: false,
};

/** The `intro` option as given, or null when it is none of the three actions. */
export function introAction(value: unknown): IntroAction | null {
  if (value === undefined) return 'ask';
  return INTRO_ACTIONS.includes(value as IntroAction) ? (value as IntroAction) : null;
}

/** Whether `time` is inside the intro far enough from its end for a skip to be worth it. */
export function inIntro(intro: IntroSpan | null, time: number): boolean {
  return intro !== null && time >= intro.start && time < intro.end - END_MARGIN;
}

function hide(s: IntroState, effects: IntroEffect[]): IntroState {
  if (s.showing) effects.push({ type: 'hide' });
  return { ...s, showing: false };
}

function skip(s: IntroState, auto: boolean, effects: IntroEffect[]): IntroState {
  const intro = s.intro;
  if (!intro || s.lastTime >= intro.end) return s;
  const next = hide(s, effects);
  effects.push({ type: 'seek', from: s.lastTime, to: intro.end, auto });
  return { ...next, lastTime: intro.end };
}

function onTime(
  action: IntroAction,
  s: IntroState,
  time: number,
  effects: IntroEffect[],
): IntroState {
  let next: IntroState = { ...s, lastTime: time };
  if (action === 'off' || !next.intro) return next;
  if (!inIntro(next.intro, time)) {
    // Back before the intro: the next pass through it offers the button again.
    if (time < next.intro.start) next = { ...next, dismissed: false };
    return hide(next, effects);
  }
  if (action === 'auto' && !next.autoDone) return { ...skip(next, true, effects), autoDone: true };
  if (next.showing || next.dismissed) return next;
  effects.push({ type: 'show' });
  return { ...next, showing: true };
}

/** One step: the new state and what the view should do about it. */
export function introStep(action: IntroAction, state: IntroState, event: IntroEvent): IntroStep {
  const effects: IntroEffect[] = [];
  let next: IntroState;
  switch (event.type) {
    case 'intro':
      // Re-check at once: a title opened (or resumed) inside its intro.
      next = onTime(
        action,
        hide({ ...state, intro: event.intro }, effects),
        state.lastTime,
        effects,
      );
      break;
    case 'time':
      next = onTime(action, state, event.time, effects);
      break;
    case 'skip':
      next = skip(state, false, effects);
      break;
    case 'dismiss':
      next = state.showing ? { ...hide(state, effects), dismissed: true } : state;
      break;
    case 'source':
      next = { ...hide(state, effects), ...INITIAL_INTRO };
      break;
  }
  return { state: next, effects };
}
