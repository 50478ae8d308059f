import { describe, expect, it } from 'vitest';
import {
  AUTO_NOTICE_MS,
  type CountdownConfig,
  creditsAction,
  DEFAULT_CONFIG,
  type Effect,
  initialState,
  isCounting,
  type MachineEvent,
  type MachineState,
  transition,
} from '../../plugin/countdown.js';

/** Drives the machine through [now, event] pairs and records every effect. */
function drive(
  steps: Array<[number, MachineEvent]>,
  config: CountdownConfig = DEFAULT_CONFIG,
  start: MachineState = initialState(0),
) {
  let state = start;
  const effects: Array<Effect & { at: number }> = [];
  for (const [now, event] of steps) {
    const step = transition(config, state, event, now);
    state = step.state;
    for (const e of step.effects) effects.push({ ...e, at: now });
  }
  return { state, effects, types: effects.map((e) => e.type) };
}

const CREDITS = 100;
const cues = (
  over: Partial<{
    creditsStart: number | null;
    postCreditsStart: number | null;
    hasNext: boolean;
  }> = {},
): MachineEvent => ({
  type: 'cues',
  cues: { creditsStart: CREDITS, postCreditsStart: null, hasNext: true, ...over },
});
const time = (t: number): MachineEvent => ({ type: 'time', time: t });

/** Playing, credits known, card shown at `now` = 1000. */
const shownSteps: Array<[number, MachineEvent]> = [
  [0, cues()],
  [0, { type: 'play' }],
  [500, time(99.7)],
  [1000, time(100.05)],
];

describe('countdown state machine: trigger', () => {
  it('shows the credits card once playback reaches the credits start, not before', () => {
    const before = drive(shownSteps.slice(0, 3));
    expect(before.types).not.toContain('show');
    const after = drive(shownSteps);
    expect(after.state.phase).toBe('shown');
    expect(after.effects.find((e) => e.type === 'show')).toMatchObject({
      variant: 'credits',
      seconds: 10,
      at: 1000,
    });
  });

  it('does not show without a next episode, and shows once one becomes known', () => {
    const none = drive([
      [0, cues({ hasNext: false })],
      [0, { type: 'play' }],
      [10, time(101)],
    ]);
    expect(none.types).not.toContain('show');
    const later = drive(
      [[20, { type: 'cues', cues: { hasNext: true } }]],
      DEFAULT_CONFIG,
      none.state,
    );
    expect(later.types).toContain('show');
  });

  it('shows at once when the credits time arrives while already inside the credits', () => {
    const r = drive([
      [0, { type: 'play' }],
      [0, time(120)],
      [50, cues()],
    ]);
    expect(r.types).toContain('show');
  });

  it('does not show inside a post-credits scene', () => {
    const r = drive([
      [0, cues({ postCreditsStart: 130 })],
      [0, { type: 'play' }],
      [10, time(135)],
    ]);
    expect(r.types).not.toContain('show');
    expect(r.state.phase).toBe('armed');
  });

  it('without a credits time (pending or server down) waits for `ended` and shows a short card', () => {
    const r = drive([
      [0, cues({ creditsStart: null })],
      [0, { type: 'play' }],
      [10, time(150)],
      [20, { type: 'pause' }],
      [20, { type: 'ended' }],
    ]);
    const show = r.effects.filter((e) => e.type === 'show');
    expect(show).toHaveLength(1);
    expect(show[0]).toMatchObject({ variant: 'ended', seconds: 5, at: 20 });
    // The fallback card counts down although the media element reports paused at the end.
    expect(isCounting(r.state)).toBe(true);
  });
});

describe('countdown state machine: countdown', () => {
  it('fires each whole second once and advances at zero', () => {
    const ticks: Array<[number, MachineEvent]> = [];
    for (let now = 1200; now <= 11_400; now += 200) ticks.push([now, { type: 'tick' }]);
    const r = drive([...shownSteps, ...ticks]);
    const seconds = r.effects
      .filter((e) => e.type === 'countdown')
      .map((e) => (e as { seconds: number }).seconds);
    expect(seconds).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const advance = r.effects.find((e) => e.type === 'advance');
    expect(advance).toMatchObject({ auto: true, at: 11_000 });
    expect(r.state.phase).toBe('advanced');
    expect(r.state.binge.episodes).toBe(1);
  });

  it('pauses while the video is paused and while the tab is hidden', () => {
    const r = drive([
      ...shownSteps,
      [3000, { type: 'pause' }], // 2 s used
      [60_000, { type: 'tick' }],
      [61_000, { type: 'play' }],
      [62_000, { type: 'visibility', hidden: true }], // 3 s used
      [90_000, { type: 'tick' }],
      [91_000, { type: 'visibility', hidden: false }],
      [97_900, { type: 'tick' }], // 9.9 s used
    ]);
    expect(r.types).not.toContain('advance');
    expect(r.state.phase).toBe('shown');
    const done = drive([[98_000, { type: 'tick' }]], DEFAULT_CONFIG, r.state);
    expect(done.types).toContain('advance');
  });

  it('Infinity or autoplayNext:false makes the card a suggestion that never advances', () => {
    for (const config of [
      { ...DEFAULT_CONFIG, countdownMs: Number.POSITIVE_INFINITY },
      { ...DEFAULT_CONFIG, autoplayNext: false },
    ]) {
      const r = drive([...shownSteps, [1_000_000, { type: 'tick' }]], config);
      expect(r.effects.find((e) => e.type === 'show')).toMatchObject({ seconds: null });
      expect(r.types).not.toContain('advance');
      expect(r.types).not.toContain('countdown');
      expect(isCounting(r.state)).toBe(false);
    }
  });

  it('"Play next" advances at once and restarts the binge count', () => {
    const start = { ...initialState(0), binge: { episodes: 2, lastInteraction: 0 } };
    const r = drive([...shownSteps, [1500, { type: 'playNext' }]], DEFAULT_CONFIG, start);
    expect(r.types.slice(-2)).toEqual(['hide', 'advance']);
    expect(r.effects.at(-1)).toMatchObject({ auto: false });
    expect(r.state.binge).toEqual({ episodes: 0, lastInteraction: 1500 });
  });
});

describe('countdown state machine: dismissing and re-arming', () => {
  it('"Watch credits" dismisses for this title: no countdown, no second card until `ended`', () => {
    const r = drive([
      ...shownSteps,
      [1500, { type: 'dismiss', reason: 'watch-credits' }],
      [30_000, { type: 'tick' }],
      [31_000, time(110)],
    ]);
    expect(r.types).toContain('dismissed');
    expect(r.types.filter((t) => t === 'show')).toHaveLength(1);
    expect(r.types).not.toContain('advance');
    const end = drive([[40_000, { type: 'ended' }]], DEFAULT_CONFIG, r.state);
    expect(end.effects[0]).toMatchObject({ type: 'show', variant: 'ended' });
  });

  it('seeking back before the credits hides the card and re-arms it', () => {
    const r = drive([...shownSteps, [2000, time(50)]]);
    expect(r.effects.at(-1)).toMatchObject({ type: 'hide', reason: 'seek-back' });
    expect(r.state.phase).toBe('armed');
    expect(isCounting(r.state)).toBe(false);
    const again = drive(
      [
        [9000, time(99.9)],
        [9300, time(100.1)],
      ],
      DEFAULT_CONFIG,
      r.state,
    );
    expect(again.effects[0]).toMatchObject({ type: 'show', seconds: 10 });
  });

  it('a small jitter around the credits start does not hide the card', () => {
    const r = drive([...shownSteps, [1200, time(99.8)]]);
    expect(r.state.phase).toBe('shown');
  });

  it('seeking back from the fallback card re-arms it for the next `ended`', () => {
    const r = drive([
      [0, cues({ creditsStart: null })],
      [0, { type: 'play' }],
      [10, time(150)],
      [20, { type: 'ended' }],
      [1000, time(20)],
    ]);
    expect(r.effects.at(-1)).toMatchObject({ type: 'hide', reason: 'seek-back' });
    expect(r.state.ended).toBe(false);
    const end = drive(
      [
        [5000, time(150)],
        [5000, { type: 'ended' }],
      ],
      DEFAULT_CONFIG,
      r.state,
    );
    expect(end.types).toContain('show');
  });

  it('a source change hides the card and re-arms everything but the binge count', () => {
    const start = { ...initialState(0), binge: { episodes: 2, lastInteraction: 0 } };
    const r = drive([...shownSteps, [1500, { type: 'source' }]], DEFAULT_CONFIG, start);
    expect(r.effects.at(-1)).toMatchObject({ type: 'hide', reason: 'source' });
    expect(r.state.phase).toBe('armed');
    expect(r.state.cues).toEqual({ creditsStart: null, postCreditsStart: null, hasNext: false });
    expect(r.state.binge.episodes).toBe(2);
  });

  it('dismiss and playNext are ignored when there is nothing to act on', () => {
    const idle = drive([[0, { type: 'dismiss', reason: 'escape' }]]);
    expect(idle.effects).toEqual([]);
    const advanced = drive([
      ...shownSteps,
      [1100, { type: 'playNext' }],
      [1200, { type: 'playNext' }],
    ]);
    expect(advanced.types.filter((t) => t === 'advance')).toHaveLength(1);
  });
});

describe('countdown state machine: "Are you still watching?"', () => {
  const zero: Array<[number, MachineEvent]> = [[11_000, { type: 'tick' }]];

  it('asks instead of advancing after the episode limit without interaction', () => {
    const start = { ...initialState(0), binge: { episodes: 3, lastInteraction: 0 } };
    const r = drive([...shownSteps, ...zero], DEFAULT_CONFIG, start);
    expect(r.types).toContain('stillwatching');
    expect(r.types).not.toContain('advance');
    expect(r.state.phase).toBe('stillwatching');
  });

  it('asks after the time limit without interaction', () => {
    const config = { ...DEFAULT_CONFIG, bingeMs: 5_000 };
    const r = drive([...shownSteps, ...zero], config);
    expect(r.types).toContain('stillwatching');
  });

  it('an interaction resets the count, so the next episode plays', () => {
    const start = { ...initialState(0), binge: { episodes: 3, lastInteraction: 0 } };
    const r = drive([[10, { type: 'interaction' }], ...shownSteps, ...zero], DEFAULT_CONFIG, start);
    expect(r.types).toContain('advance');
    expect(r.types).not.toContain('stillwatching');
  });

  it('"Continue watching" (playNext) from the question advances', () => {
    const start = { ...initialState(0), binge: { episodes: 3, lastInteraction: 0 } };
    const r = drive(
      [...shownSteps, ...zero, [12_000, { type: 'playNext' }]],
      DEFAULT_CONFIG,
      start,
    );
    expect(r.types.slice(-2)).toEqual(['hide', 'advance']);
  });
});

describe('countdown state machine: credits actions', () => {
  const auto: CountdownConfig = { ...DEFAULT_CONFIG, countdownMs: AUTO_NOTICE_MS, autoSkip: true };

  it('auto skips to the post-credits scene when the notice runs out (no binge check)', () => {
    const steps: Array<[number, MachineEvent]> = [
      [0, cues({ postCreditsStart: 110 })],
      ...shownSteps.slice(1),
      [1000 + AUTO_NOTICE_MS, { type: 'tick' }],
    ];
    const run = drive(steps, { ...auto, bingeEpisodes: 0 });
    expect(run.types).toEqual(['show', 'countdown', 'hide', 'dismissed', 'skip']);
    expect(run.effects.find((e) => e.type === 'dismissed')).toMatchObject({
      reason: 'skip-credits',
    });
    expect(run.state.phase).toBe('dismissed');
    // The card comes back at `ended`, after the scene.
    expect(drive([[9000, { type: 'ended' }]], auto, run.state).types).toContain('show');
  });

  it('auto plays the next episode when there is no post-credits scene', () => {
    const run = drive([...shownSteps, [1000 + AUTO_NOTICE_MS, { type: 'tick' }]], auto);
    expect(run.types).not.toContain('skip');
    expect(run.effects.find((e) => e.type === 'advance')).toMatchObject({ auto: true });
  });

  it('chooses the action: given, or auto for countdown 0, else ask', () => {
    expect(creditsAction('off', 0)).toBe('off');
    expect(creditsAction(undefined, 0)).toBe('auto');
    expect(creditsAction(undefined, 10)).toBe('ask');
    expect(creditsAction(undefined, undefined)).toBe('ask');
  });
});
