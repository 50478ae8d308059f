/**
 * The "Next episode" card as a registered video.js component: real buttons, Escape to
 * dismiss, focus moved in and back, one polite announcement per appearance (a live region
 * outside the card, so it exists before its text changes; countdown ticks are not read).
 */
import videojs from 'video.js';
import type Player from 'video.js/dist/types/player';
import type { DismissReason, Variant } from './countdown.js';
import { cardMove, moveIndex } from './keys.js';

const Component = videojs.getComponent('Component');

export interface CardContent {
  mode: 'next' | 'stillwatching';
  variant: Variant;
  title?: string | undefined;
  poster?: string | undefined;
  /** Whole seconds on the countdown; null = no countdown (suggestion only). */
  seconds: number | null;
  showSkip: boolean;
  /** credits: 'auto' with a post-credits scene: the countdown runs to the scene. */
  skipping?: boolean;
}

export interface CardHandlers {
  playNext(): void;
  dismiss(reason: DismissReason): void;
  skip(): void;
}

export interface CardOptions {
  /** Per-player overrides of the localised strings (key: English text). */
  strings?: Record<string, string>;
  /** TV layout: focus moves to the card on show, wherever it was. */
  tv?: boolean;
}

let uid = 0;

/**
 * Player width (px) below which the card is compact. Measured with the desktop card at
 * 16:9: at 560 px it covers 58% of the player's width and, with a poster and three buttons,
 * 184 of 315 px of its height; at 400 px it no longer fits (its top is outside the player).
 */
export const COMPACT_BELOW = 600;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

export class EndcueCard extends Component {
  handlers: CardHandlers | null = null;
  private live: HTMLElement;
  private panel: HTMLElement;
  private heading: HTMLElement;
  private titleEl: HTMLElement;
  private countdownEl: HTMLElement;
  private poster: HTMLImageElement;
  private playBtn: HTMLButtonElement;
  private secondaryBtn: HTMLButtonElement;
  private skipBtn: HTMLButtonElement;
  private content: CardContent | null = null;
  private returnFocus: Element | null = null;
  private strings: Record<string, string>;
  private tv: boolean;
  private resize: ResizeObserver | null = null;

  constructor(player: Player, options: CardOptions = {}) {
    super(player, options as object);
    this.strings = options.strings ?? {};
    this.tv = Boolean(options.tv);
    const root = this.el() as HTMLElement;
    const headingId = `vjs-endcue-heading-${++uid}`;
    this.live = el('div', 'vjs-endcue-live', { 'aria-live': 'polite', 'aria-atomic': 'true' });
    this.panel = el('div', 'vjs-endcue-card', { role: 'region', 'aria-labelledby': headingId });
    this.panel.hidden = true;
    this.poster = el('img', 'vjs-endcue-poster', { alt: '' });
    const body = el('div', 'vjs-endcue-body');
    this.heading = el('div', 'vjs-endcue-heading', { id: headingId });
    this.titleEl = el('div', 'vjs-endcue-title');
    this.countdownEl = el('div', 'vjs-endcue-countdown');
    const actions = el('div', 'vjs-endcue-actions');
    this.playBtn = el('button', 'vjs-endcue-button vjs-endcue-play', { type: 'button' });
    this.secondaryBtn = el('button', 'vjs-endcue-button vjs-endcue-dismiss', { type: 'button' });
    this.skipBtn = el('button', 'vjs-endcue-button vjs-endcue-skip', { type: 'button' });
    actions.append(this.playBtn, this.secondaryBtn, this.skipBtn);
    body.append(this.heading, this.titleEl, this.countdownEl, actions);
    this.panel.append(this.poster, body);
    root.append(this.live, this.panel);

    this.playBtn.addEventListener('click', () => this.handlers?.playNext());
    this.secondaryBtn.addEventListener('click', () =>
      this.handlers?.dismiss(
        this.content?.variant === 'credits' && this.content.mode === 'next'
          ? 'watch-credits'
          : 'close',
      ),
    );
    this.skipBtn.addEventListener('click', () => this.handlers?.skip());
    // A poster that fails to load is hidden rather than shown broken.
    this.poster.addEventListener('error', () => {
      this.poster.hidden = true;
    });
    if (typeof ResizeObserver === 'function') {
      const playerEl = player.el() as HTMLElement;
      this.resize = new ResizeObserver(() =>
        player.toggleClass('vjs-endcue-compact', playerEl.offsetWidth < COMPACT_BELOW),
      );
      this.resize.observe(playerEl);
    }
    this.panel.addEventListener('keydown', (event) => this.onKeyDown(event));
  }

  override createEl(): Element {
    return super.createEl('div', { className: 'vjs-endcue' });
  }

  /** Localised text: per-player overrides first, then video.js languages. */
  t(key: string, ...tokens: string[]): string {
    const own = this.strings[key];
    if (own !== undefined) return own.replace(/\{(\d+)\}/g, (m, i) => tokens[Number(i) - 1] ?? m);
    return this.localize(key, tokens, key);
  }

  isOpen(): boolean {
    return !this.panel.hidden;
  }

  /**
   * Shows the card. Focus moves to "Play next" only if it already is inside the player (or
   * in the `tv` mode): a viewer typing elsewhere on the page keeps focus and keys; the card
   * is announced and reachable by Tab instead.
   */
  open(content: CardContent): void {
    const wasOpen = this.isOpen();
    this.content = content;
    this.render();
    this.panel.hidden = false;
    this.panel.dataset.mode = content.mode;
    this.panel.dataset.variant = content.variant;
    this.player().addClass('vjs-endcue-open');
    this.announce();
    if (!this.mayFocus()) return;
    if (!wasOpen) this.returnFocus = document.activeElement;
    this.playBtn.focus({ preventScroll: true });
  }

  /** Whether the card may take focus: it is inside the player already, or a TV layout. */
  private mayFocus(): boolean {
    return this.tv || this.player().el().contains(document.activeElement);
  }

  close(): void {
    if (!this.isOpen()) return;
    const hadFocus = this.panel.contains(document.activeElement);
    this.panel.hidden = true;
    this.content = null;
    this.live.textContent = '';
    this.player().removeClass('vjs-endcue-open');
    if (hadFocus) {
      const back = this.returnFocus;
      const target =
        back instanceof HTMLElement && back.isConnected && back !== document.body
          ? back
          : (this.player().el() as HTMLElement);
      target.focus({ preventScroll: true });
    }
    this.returnFocus = null;
  }

  setCountdown(seconds: number, fraction: number): void {
    if (!this.content) return;
    this.content.seconds = seconds;
    this.countdownEl.textContent = this.countdownText(seconds);
    this.panel.style.setProperty(
      '--vjs-endcue-progress',
      String(Math.max(0, Math.min(1, fraction))),
    );
  }

  /** Moves focus back to the card (e.g. after leaving fullscreen). */
  refocus(): void {
    if (this.isOpen() && this.mayFocus() && !this.panel.contains(document.activeElement)) {
      this.playBtn.focus({ preventScroll: true });
    }
  }

  override dispose(): void {
    this.resize?.disconnect();
    super.dispose();
  }

  override handleLanguagechange(): void {
    if (this.content) this.render();
  }

  private render(): void {
    const c = this.content;
    if (!c) return;
    const still = c.mode === 'stillwatching';
    this.heading.textContent = this.t(still ? 'Are you still watching?' : 'Next episode');
    this.titleEl.textContent = still ? '' : (c.title ?? '');
    // The whole title, where the card has to cut it short.
    this.titleEl.title = this.titleEl.textContent;
    this.titleEl.hidden = still || !c.title;
    this.countdownEl.hidden = still || c.seconds === null;
    this.countdownEl.textContent = c.seconds === null ? '' : this.countdownText(c.seconds);
    this.panel.style.setProperty('--vjs-endcue-progress', '1');
    this.playBtn.textContent = this.t(still ? 'Continue watching' : 'Play next');
    const watch = !still && c.variant === 'credits';
    this.secondaryBtn.textContent = this.t(watch ? 'Watch credits' : 'Close');
    this.skipBtn.textContent = this.t('Skip credits');
    this.skipBtn.hidden = still || !c.showSkip;
    if (c.poster && !still) {
      this.poster.src = c.poster;
      this.poster.hidden = false;
    } else {
      this.poster.removeAttribute('src');
      this.poster.hidden = true;
    }
  }

  private countdownText(seconds: number): string {
    const key = this.content?.skipping ? 'Skipping credits in {1} s' : 'Next episode in {1} s';
    return this.t(key, String(seconds));
  }

  /** Said once per appearance; the ticking countdown stays silent. */
  private announce(): void {
    const c = this.content;
    if (!c) return;
    const title = c.title ?? '';
    this.live.textContent =
      c.mode === 'stillwatching'
        ? this.t('Are you still watching?')
        : c.seconds === null
          ? this.t('Next episode: {1}.', title)
          : this.t('Next episode: {1}. Plays in {2} seconds.', title, String(c.seconds));
  }

  /** Escape / Back dismisses; arrows move between the buttons (remote, D-pad). */
  private onKeyDown(event: KeyboardEvent): void {
    const move = cardMove(event.key, getComputedStyle(this.panel).direction === 'rtl');
    if (event.key === 'Enter' || event.key === ' ' || move) {
      // The focused <button> acts on Enter/Space itself; keep video.js hotkeys out of it.
      event.stopPropagation();
    }
    if (!move) return;
    event.preventDefault();
    if (move === 'back') {
      this.handlers?.dismiss('escape');
      return;
    }
    const buttons = [this.playBtn, this.secondaryBtn, this.skipBtn].filter((b) => !b.hidden);
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[moveIndex(at, buttons.length, move)]?.focus();
  }
}

videojs.registerComponent('EndcueCard', EndcueCard as unknown as typeof Component);
