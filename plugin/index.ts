/**
 * `player.endcue(options)`: asks the EndCue server when the credits start and shows the
 * "Next episode" card at that moment. Wires player and page events into the pure state
 * machine (countdown.ts) and carries out its effects on the card (card.ts) and the player.
 */
import videojs from 'video.js';
import type Player from 'video.js/dist/types/player';
import type PluginType from 'video.js/dist/types/plugin';
import { EndcueCard } from './card.js';
import {
  type Credits,
  defaultSleep,
  fetchCredits,
  guessType,
  type NextEpisode,
  trustedStart,
} from './client.js';
import {
  AUTO_NOTICE_MS,
  type CountdownConfig,
  type CreditsAction,
  creditsAction,
  DEFAULT_CONFIG,
  type DismissReason,
  type Effect,
  initialState,
  isCounting,
  type MachineEvent,
  type MachineState,
  transition,
} from './countdown.js';
import {
  INITIAL_INTRO,
  type IntroAction,
  type IntroEffect,
  type IntroEvent,
  type IntroState,
  introAction,
  introStep,
} from './intro.js';
import { isHotkey } from './keys.js';
import { de } from './lang/de.js';
import { en } from './lang/en.js';
import { EndcueNextButton } from './next-button.js';
import { EndcueSkipIntro } from './skip-intro.js';

export type { CardContent } from './card.js';
export type { Credits, CreditsResult, Intro, NextEpisode } from './client.js';
export { fetchCredits } from './client.js';
export type { HlsConstructor, HlsJsHandle, HlsJsOptions } from './hls.js';
export { registerHlsJs } from './hls.js';
export type { IntroAction } from './intro.js';
export { EndcueCard, EndcueNextButton, EndcueSkipIntro };

export const VERSION = '0.1.0';

export interface CurrentTitle {
  titleId: string | null;
  src: string;
  credits: Credits | null;
}

type NextResult = NextEpisode | null | undefined;

export interface EndcueOptions {
  /** Base URL of the EndCue server (default '' = same origin). */
  server?: string;
  /** The current title's id; or read from the source object (`titleId`) / `data-title-id`. */
  titleId?: string | ((source: { src?: string; type?: string }) => string | undefined);
  /** The next episode for the first title, or a callback for every title. */
  next?: NextEpisode | ((current: CurrentTitle) => NextResult | Promise<NextResult>) | null;
  /** Callback for the next episode; undefined/null falls back to the server's `next`. */
  getNext?: (current: CurrentTitle) => NextResult | Promise<NextResult>;
  /** At the credits start: 'ask' (the card), 'auto' (skip after a short notice), 'off'. */
  credits?: CreditsAction;
  /** During the intro: 'ask' ("Skip intro" while it plays), 'auto' (skip it), 'off'. */
  intro?: IntroAction;
  /** Seconds before the next episode starts (default 10); Infinity = suggestion only; 0 = credits: 'auto'. */
  countdown?: number;
  /** Seconds on the fallback card shown at `ended` (default 5). */
  endedCountdown?: number;
  /** false: never start the next episode by itself (default true). */
  autoplayNext?: boolean;
  /**
   * Detected starts the server is less sure of than this (0..1) are not used: the card waits
   * for `ended` instead (default 0: every start is used).
   */
  minConfidence?: number;
  /** Show "Skip credits" (jumps to a post-credits scene or to the end). */
  skipCredits?: boolean;
  /** "Are you still watching?" after N automatic episodes or M minutes without interaction. */
  bingeLimit?: { episodes?: number; minutes?: number } | number | false;
  /** Overrides of the card's strings (key: English text, `{1}` tokens). */
  language?: Record<string, string>;
  /** Shrink the video under the card, like Netflix post-play (default true). */
  shrink?: boolean;
  /** fetch implementation (tests, auth headers). */
  fetch?: typeof fetch;
  /** TV layout: larger targets, no hover states, focus moves to the card on show. */
  tv?: boolean;
  /** A "Next episode" button in the control bar (default true). */
  nextButton?: boolean;
  /** Key that plays the next title while focus is in the player (default 'Shift+N'). */
  nextHotkey?: string | false;
}

videojs.addLanguage('en', en);
videojs.addLanguage('de', de);

const Plugin = videojs.getPlugin('plugin') as typeof PluginType;

/** The evented mixin's `on(target, type, fn)`, which video.js's types leave out. */
interface EventedTarget {
  on(target: Player, type: string | string[], fn: (event: Event) => void): void;
}

/**
 * While the answer says the season is still being compared (introReason 'pending'), ask
 * again this often, this many times, so "Skip intro" can still come for this viewing.
 */
const INTRO_POLL_MS = 10_000;
const INTRO_POLLS = 30;

/** Seconds before the credits at which a precise timer replaces timeupdate's ~250 ms grain. */
const PRECISE_WINDOW = 1.5;
const TICK_MS = 200;

function toConfig(o: EndcueOptions): CountdownConfig {
  const limit = o.bingeLimit;
  const episodes =
    limit === false ? Infinity : typeof limit === 'number' ? limit : (limit?.episodes ?? 3);
  const minutes = limit === false || typeof limit === 'number' ? Infinity : (limit?.minutes ?? 90);
  const auto = creditsAction(o.credits, o.countdown) === 'auto';
  return {
    ...DEFAULT_CONFIG,
    countdownMs: auto ? AUTO_NOTICE_MS : (o.countdown ?? 10) * 1000,
    autoSkip: auto,
    endedCountdownMs: (o.endedCountdown ?? 5) * 1000,
    autoplayNext: o.autoplayNext ?? true,
    bingeEpisodes: episodes,
    bingeMs: minutes * 60_000,
  };
}

/** A minConfidence outside 0..1 (70 meant as 0.7?) is reported and ignored, not obeyed. */
function withValidConfidence(o: EndcueOptions): EndcueOptions {
  const min = o.minConfidence;
  if (min === undefined || (min >= 0 && min <= 1)) return o;
  videojs.log.warn(
    `endcue: minConfidence must be a number from 0 to 1 (got ${String(min)}); every detected start will be used`,
  );
  return { ...o, minConfidence: 0 };
}

/** An unknown `intro` action ('skip'?) is reported and read as 'ask'. */
function validIntroAction(value: unknown): IntroAction {
  const action = introAction(value);
  if (action) return action;
  videojs.log.warn(
    `endcue: intro must be 'ask', 'auto' or 'off' (got ${JSON.stringify(value)}); using 'ask'`,
  );
  return 'ask';
}

function absolute(src: string): string {
  try {
    return new URL(src, document.baseURI).href;
  } catch {
    return src;
  }
}

export class Endcue extends Plugin {
  private readonly opts: EndcueOptions;
  private readonly config: CountdownConfig;
  private readonly card: EndcueCard;
  private readonly nextButton: EndcueNextButton | null = null;
  private readonly skipIntroButton: EndcueSkipIntro;
  private readonly introAction: IntroAction;
  private introState: IntroState = INITIAL_INTRO;
  private machine: MachineState;
  private token = 0;
  private abort: AbortController | null = null;
  private armedSrc: string | null = null;
  private firstTitle = true;
  private pendingNext: NextEpisode | null = null;
  private currentTitleId: string | null = null;
  private currentCredits: Credits | null = null;
  private nextEpisode: NextEpisode | null = null;
  private tickTimer: number | null = null;
  private preciseTimer: number | null = null;
  private readonly onHotkey: (event: KeyboardEvent) => void;
  private readonly onVisibility = () => this.send({ type: 'visibility', hidden: document.hidden });

  constructor(player: Player, options: EndcueOptions = {}) {
    super(player);
    this.opts = withValidConfidence(options);
    this.config = toConfig(options);
    this.machine = initialState(performance.now());
    this.card = player.addChild('EndcueCard', {
      strings: options.language,
      tv: options.tv,
    }) as EndcueCard;
    this.card.handlers = {
      playNext: () => this.playNext(),
      dismiss: (reason) => this.dismiss(reason),
      skip: () => this.skipCredits(),
    };
    this.introAction = validIntroAction(options.intro);
    this.skipIntroButton = player.addChild('EndcueSkipIntro', {
      strings: options.language,
      tv: options.tv,
    }) as EndcueSkipIntro;
    this.skipIntroButton.onPress = () => this.skipIntro();
    this.skipIntroButton.onDismiss = () => this.sendIntro({ type: 'dismiss' });
    const hotkey = options.nextHotkey ?? 'Shift+N';
    const bar = player.getChild('ControlBar');
    if (bar && options.nextButton !== false) {
      const at = bar.children().indexOf(bar.getChild('PlayToggle') as never) + 1;
      this.nextButton = bar.addChild('EndcueNextButton', { hotkey }, at) as EndcueNextButton;
      this.nextButton.onPress = () => this.playNext();
      this.nextButton.hide();
    }
    player.addClass('vjs-endcue-player');
    if (options.tv) player.addClass('vjs-endcue-tv');
    // Listening through the plugin (evented mixin) removes these when the plugin is disposed.
    const listen = (type: string | string[], fn: (event: Event) => void) =>
      (this as unknown as EventedTarget).on(player, type, fn);
    listen('timeupdate', () => this.onTime());
    listen(['play', 'playing'], () => this.send({ type: 'play' }));
    listen('pause', () => this.send({ type: 'pause' }));
    listen('ended', () => this.send({ type: 'ended' }));
    listen('loadstart', () => this.onSourceMaybeChanged());
    listen('fullscreenchange', () => this.card.refocus());
    listen(['pointerdown', 'keydown'], (event) => {
      if ((event as KeyboardEvent).key === 'Escape' && this.card.isOpen()) this.dismiss('escape');
      else this.send({ type: 'interaction' });
    });
    // On the player's element, so only while focus is inside the player; capturing, because
    // video.js controls stop their keydowns from bubbling.
    this.onHotkey = (event: KeyboardEvent) => {
      if (!isHotkey(event, hotkey) || !this.nextEpisode) return;
      event.preventDefault();
      event.stopPropagation();
      this.playNext();
    };
    player.el().addEventListener('keydown', this.onHotkey as EventListener, true);
    document.addEventListener('visibilitychange', this.onVisibility);
    this.send({ type: 'visibility', hidden: document.hidden });
    player.ready(() => this.onSourceMaybeChanged());
  }

  /** What the server said about the current title (null while unknown). */
  credits(): Credits | null {
    return this.currentCredits;
  }

  titleId(): string | null {
    return this.currentTitleId;
  }

  next(): NextEpisode | null {
    return this.nextEpisode;
  }

  /** Sets (or clears) the next episode for the current title. */
  setNext(next: NextEpisode | null): void {
    this.nextEpisode = next ? { ...next, type: next.type ?? guessType(next.src) } : null;
    this.nextButton?.[next ? 'show' : 'hide']();
    this.send({ type: 'cues', cues: { hasNext: this.nextEpisode !== null } });
  }

  /** Starts the next episode now (as the "Play next" button does). */
  playNext(): void {
    if (this.nextEpisode) this.send({ type: 'playNext' });
  }

  dismiss(reason: DismissReason = 'close'): void {
    this.send({ type: 'dismiss', reason });
  }

  /** The current title's intro (seconds), or null: none, or not known yet. */
  intro(): { start: number; end: number } | null {
    return this.introState.intro;
  }

  /** To the end of the intro, as the "Skip intro" button does (nothing outside an intro). */
  skipIntro(): void {
    this.sendIntro({ type: 'skip' });
  }

  /** To the post-credits scene; without one, the next title (or the end). */
  skipCredits(): void {
    const post = this.currentCredits?.postCreditsStart ?? null;
    const duration = this.player.duration();
    if (post === null && this.nextEpisode) this.playNext();
    else {
      this.send({ type: 'dismiss', reason: 'skip-credits' });
      if (post !== null) this.player.currentTime(post);
      else if (Number.isFinite(duration) && duration) this.player.currentTime(duration);
    }
  }

  override dispose(): void {
    this.abort?.abort();
    this.stopTimers();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.player.el().removeEventListener('keydown', this.onHotkey as EventListener, true);
    this.player.removeClass('vjs-endcue-player');
    this.player.removeClass('vjs-endcue-postplay');
    this.player.removeClass('vjs-endcue-tv');
    this.card.dispose();
    this.skipIntroButton.dispose();
    this.nextButton?.dispose();
    super.dispose();
  }

  private emit(type: string, data: Record<string, unknown> = {}): void {
    this.player.trigger(`endcue:${type}`, { titleId: this.currentTitleId, ...data });
  }

  private send(event: MachineEvent): void {
    const step = transition(this.config, this.machine, event, performance.now());
    this.machine = step.state;
    for (const effect of step.effects) this.apply(effect);
    this.scheduleTick();
  }

  private sendIntro(event: IntroEvent): void {
    const step = introStep(this.introAction, this.introState, event);
    this.introState = step.state;
    for (const effect of step.effects) this.applyIntro(effect);
  }

  private applyIntro(effect: IntroEffect): void {
    const intro = this.introState.intro;
    switch (effect.type) {
      case 'show':
        this.skipIntroButton.open();
        this.emit('intro-shown', { intro, time: this.player.currentTime() });
        break;
      case 'hide':
        this.skipIntroButton.close();
        break;
      case 'seek':
        this.player.currentTime(effect.to);
        // Said, so a viewer who hears the jump knows why.
        this.skipIntroButton.close(this.skipIntroButton.t('Intro skipped'));
        this.emit('intro-skipped', { auto: effect.auto, from: effect.from, to: effect.to, intro });
        break;
    }
  }

  private apply(effect: Effect): void {
    const next = this.nextEpisode;
    switch (effect.type) {
      case 'show':
        this.card.open({
          mode: 'next',
          variant: effect.variant,
          title: next?.title,
          poster: next?.poster,
          seconds: effect.seconds,
          showSkip: Boolean(this.opts.skipCredits) && effect.variant === 'credits',
          skipping:
            this.config.autoSkip &&
            effect.variant === 'credits' &&
            this.machine.cues.postCreditsStart !== null,
        });
        if (this.opts.shrink !== false) this.player.addClass('vjs-endcue-postplay');
        this.emit('shown', {
          variant: effect.variant,
          time: this.player.currentTime(),
          creditsStart: this.currentCredits?.creditsStart ?? null,
          next,
        });
        break;
      case 'hide':
        this.card.close();
        this.player.removeClass('vjs-endcue-postplay');
        break;
      case 'countdown':
        this.card.setCountdown(effect.seconds, effect.fraction);
        this.emit('countdown', { seconds: effect.seconds });
        break;
      case 'stillwatching':
        // Nobody may be watching: stop behind the question rather than play on.
        this.player.pause();
        this.card.open({
          mode: 'stillwatching',
          variant: this.machine.variant,
          seconds: null,
          showSkip: false,
        });
        this.emit('stillwatching');
        break;
      case 'dismissed':
        this.emit('dismissed', { reason: effect.reason });
        break;
      case 'advance':
        this.load(effect.auto);
        break;
      case 'skip':
        this.player.currentTime(this.machine.cues.postCreditsStart ?? this.player.currentTime());
        break;
    }
  }

  private load(auto: boolean): void {
    const next = this.nextEpisode;
    if (!next) return;
    this.emit('next', { auto, next });
    this.pendingNext = next;
    const player = this.player;
    if (next.poster) player.poster(next.poster);
    player.src({ src: next.src, type: next.type ?? guessType(next.src) });
    this.onSourceMaybeChanged();
    const playing = player.play() as Promise<void> | undefined;
    playing?.catch(() => {
      // Autoplay refused (no user activation yet): the viewer presses play.
    });
  }

  private scheduleTick(): void {
    const counting = isCounting(this.machine);
    if (counting && this.tickTimer === null) {
      this.tickTimer = window.setInterval(() => this.send({ type: 'tick' }), TICK_MS);
    } else if (!counting && this.tickTimer !== null) {
      window.clearInterval(this.tickTimer);
      this.tickTimer = null;
    }
  }

  private stopTimers(): void {
    if (this.tickTimer !== null) window.clearInterval(this.tickTimer);
    if (this.preciseTimer !== null) window.clearTimeout(this.preciseTimer);
    this.tickTimer = null;
    this.preciseTimer = null;
  }

  private onTime(): void {
    const time = this.player.currentTime() ?? 0;
    this.sendIntro({ type: 'time', time });
    this.send({ type: 'time', time });
    // timeupdate fires every ~250 ms: close to the credits, a timer hits the moment itself.
    const start = this.machine.cues.creditsStart;
    if (this.preciseTimer !== null) window.clearTimeout(this.preciseTimer);
    this.preciseTimer = null;
    if (this.machine.phase !== 'armed' || start === null || this.player.paused()) return;
    const ahead = start - time;
    if (ahead > 0 && ahead < PRECISE_WINDOW) {
      const rate = this.player.playbackRate() || 1;
      this.preciseTimer = window.setTimeout(
        () => {
          this.preciseTimer = null;
          this.send({ type: 'time', time: this.player.currentTime() ?? 0 });
        },
        (ahead / rate) * 1000 + 5,
      );
    }
  }

  private resolveTitleId(src: string): string | null {
    const pending = this.pendingNext;
    if (pending && absolute(pending.src) === src) return pending.titleId ?? null;
    const source = (this.player.currentSource() ?? {}) as {
      src?: string;
      type?: string;
      titleId?: string;
    };
    if (typeof source.titleId === 'string') return source.titleId;
    const opt = this.opts.titleId;
    if (typeof opt === 'function') return opt(source) ?? null;
    if (!this.firstTitle) return null;
    const attr =
      this.player.el().getAttribute('data-title-id') ??
      this.player.tech(true)?.el()?.getAttribute('data-title-id');
    return opt ?? attr ?? null;
  }

  /** loadstart (and our own src()): a new source means a new title, so re-arm. */
  private onSourceMaybeChanged(): void {
    const raw = this.player.currentSrc();
    if (!raw) return;
    const src = absolute(raw);
    if (src === this.armedSrc) return;
    const titleId = this.resolveTitleId(src);
    const wasFirst = this.firstTitle;
    this.armedSrc = src;
    this.firstTitle = false;
    this.pendingNext = null;
    this.abort?.abort();
    this.stopTimers();
    const token = ++this.token;
    const abort = new AbortController();
    this.abort = abort;
    this.currentTitleId = titleId;
    this.currentCredits = null;
    this.nextEpisode = null;
    this.nextButton?.hide();
    this.send({ type: 'source' });
    this.sendIntro({ type: 'source' });
    void this.resolveNext(token, wasFirst, src);
    if (!titleId) {
      this.emit('error', { code: 'no-title-id', message: 'no titleId for the current source' });
      return;
    }
    void this.fetch(titleId, abort.signal).then((result) => {
      if (token !== this.token || result.status === 'aborted') return;
      if (result.status === 'unavailable') {
        this.emit('error', { code: result.reason, message: result.message });
        this.emit('ready', { creditsStart: null, fallback: true });
        return;
      }
      const credits = result.credits;
      this.currentCredits = credits;
      if (!this.nextEpisode && credits.next) this.setNext(credits.next);
      const creditsStart = trustedStart(credits, this.opts.minConfidence ?? 0);
      this.emit('ready', {
        creditsStart,
        fallback: creditsStart === null,
        unsure: creditsStart === null && credits.creditsStart !== null,
        intro: credits.intro,
        credits,
      });
      this.sendIntro({ type: 'intro', intro: credits.intro });
      if (credits.introReason === 'pending') void this.awaitIntro(token, titleId, abort.signal);
      this.send({
        type: 'cues',
        cues: {
          creditsStart:
            creditsAction(this.opts.credits, this.opts.countdown) === 'off' ? null : creditsStart,
          postCreditsStart: credits.postCreditsStart,
        },
      });
    });
  }

  private fetch(titleId: string, signal: AbortSignal) {
    return fetchCredits({
      server: this.opts.server ?? '',
      titleId,
      signal,
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
    });
  }

  /** Asks again until the season's analysis has answered; only the intro is taken from it. */
  private async awaitIntro(token: number, titleId: string, signal: AbortSignal): Promise<void> {
    for (let i = 0; i < INTRO_POLLS; i++) {
      await defaultSleep(INTRO_POLL_MS, signal);
      if (token !== this.token) return;
      const result = await this.fetch(titleId, signal);
      if (token !== this.token || result.status !== 'ready') return;
      const { intro, introReason } = result.credits;
      if (introReason === 'pending') continue;
      if (this.currentCredits) this.currentCredits = { ...this.currentCredits, intro, introReason };
      if (intro) this.emit('intro', { intro });
      this.sendIntro({ type: 'intro', intro });
      return;
    }
  }

  /** The page's own idea of "next" wins over the server's. */
  private async resolveNext(token: number, first: boolean, src: string): Promise<void> {
    const { next, getNext } = this.opts;
    const current: CurrentTitle = { titleId: this.currentTitleId, src, credits: null };
    let found: NextResult;
    try {
      if (typeof next === 'function') found = await next(current);
      else if (next && first) found = next;
      if (!found && getNext) found = await getNext(current);
    } catch (error) {
      if (token === this.token) this.emit('error', { code: 'get-next', message: String(error) });
      return;
    }
    if (token === this.token && found) this.setNext(found);
  }
}

videojs.registerPlugin('endcue', Endcue);

declare module 'video.js/dist/types/player' {
  export default interface Player {
    endcue(options?: EndcueOptions): Endcue;
  }
}
