import { describe, expect, it } from 'vitest';
import {
  END_MARGIN,
  INITIAL_INTRO,
  type IntroAction,
  type IntroEffect,
  type IntroEvent,
  type IntroState,
  inIntro,
  introAction,
  introStep,
} from '../../plugin/intro.js';

const INTRO = { start: 12, end: 42 };

/** Runs events through the machine; returns the last state and every effect, in order. */
function run(action: IntroAction, events: IntroEvent[], from: IntroState = INITIAL_INTRO) {
  let state = from;
  const effects: IntroEffect[] = [];
  for (const event of events) {
    const step = introStep(action, state, event);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

const times = (...t: number[]): IntroEvent[] => t.map((time) => ({ type: 'time', time }));
const known: IntroEvent = { type: 'intro', intro: INTRO };

describe("intro: 'ask'", () => {
  it('shows the button once when playback enters the intro and hides it at its end', () => {
    const { effects, state } = run('ask', [known, ...times(5, 11.9, 12, 20, 30, 40.9, 41.5)]);
    expect(effects).toEqual([{ type: 'show' }, { type: 'hide' }]);
    expect(state.showing).toBe(false);
  });

  it('shows nothing in the last second (skipping would gain nothing)', () => {
    const { effects } = run('ask', [known, ...times(INTRO.end - END_MARGIN + 0.1, INTRO.end)]);
    expect(effects).toEqual([]);
  });

  it('a press seeks to the end of the intro and hides the button', () => {
    const { effects, state } = run('ask', [known, ...times(15), { type: 'skip' }]);
    expect(effects).toEqual([
      { type: 'show' },
      { type: 'hide' },
      { type: 'seek', from: 15, to: 42, auto: false },
    ]);
    // The seek's own timeupdate (at the end) shows nothing again.
    expect(run('ask', times(42, 43), state).effects).toEqual([]);
  });

  it('a press after the intro does nothing (skipIntro() outside an intro)', () => {
    expect(run('ask', [known, ...times(50), { type: 'skip' }]).effects).toEqual([]);
    expect(run('ask', [...times(15), { type: 'skip' }]).effects).toEqual([]);
  });

  it('a title opened inside its intro shows the button as soon as the intro is known', () => {
    const { effects } = run('ask', [...times(20), known]);
    expect(effects).toEqual([{ type: 'show' }]);
  });

  it('dismissed stays away for this pass; seeking back before the intro offers it again', () => {
    const first = run('ask', [known, ...times(15), { type: 'dismiss' }, ...times(16, 25)]);
    expect(first.effects).toEqual([{ type: 'show' }, { type: 'hide' }]);
    expect(run('ask', times(5, 13), first.state).effects).toEqual([{ type: 'show' }]);
  });

  it('seeking out of the intro hides the button, seeking back in shows it', () => {
    const { effects } = run('ask', [known, ...times(15, 60, 30)]);
    expect(effects).toEqual([{ type: 'show' }, { type: 'hide' }, { type: 'show' }]);
  });

  it('a new source hides the button and forgets the intro until the next answer', () => {
    const { effects, state } = run('ask', [known, ...times(15), { type: 'source' }]);
    expect(effects).toEqual([{ type: 'show' }, { type: 'hide' }]);
    expect(state).toEqual(INITIAL_INTRO);
    expect(run('ask', times(15), state).effects).toEqual([]);
  });

  it('no intro (null), or an intro that is taken back, shows nothing', () => {
    expect(run('ask', [{ type: 'intro', intro: null }, ...times(0, 15, 30)]).effects).toEqual([]);
    const gone = run('ask', [known, ...times(15), { type: 'intro', intro: null }]);
    expect(gone.effects).toEqual([{ type: 'show' }, { type: 'hide' }]);
  });
});

describe("intro: 'auto'", () => {
  it('skips to the end when playback reaches the intro, without showing the button', () => {
    const { effects } = run('auto', [known, ...times(5, 12.2, 42.1)]);
    expect(effects).toEqual([{ type: 'seek', from: 12.2, to: 42, auto: true }]);
  });

  it('skips once per title: seeking back into the intro shows the button instead', () => {
    const skipped = run('auto', [known, ...times(12.5)]);
    const back = run('auto', times(42, 20), skipped.state);
    expect(back.effects).toEqual([{ type: 'show' }]);
  });

  it('an intro at 0 s is skipped as the title starts', () => {
    const { effects } = run('auto', [{ type: 'intro', intro: { start: 0, end: 25 } }]);
    expect(effects).toEqual([{ type: 'seek', from: 0, to: 25, auto: true }]);
  });
});

describe("intro: 'off'", () => {
  it('never shows or skips', () => {
    expect(run('off', [known, ...times(12, 20), { type: 'dismiss' }]).effects).toEqual([]);
  });
});

describe('the intro option', () => {
  it('defaults to ask and rejects anything but the three actions', () => {
    expect(introAction(undefined)).toBe('ask');
    for (const a of ['ask', 'auto', 'off']) expect(introAction(a)).toBe(a);
    for (const bad of ['skip', true, 0, null]) expect(introAction(bad)).toBeNull();
  });

  it('inIntro: from the start to a second before the end', () => {
    expect([11.99, 12, 40.99, 41, 42].map((t) => inIntro(INTRO, t))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(inIntro(null, 20)).toBe(false);
  });
});
