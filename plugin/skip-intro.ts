/**
 * The "Skip intro" button as a registered video.js component (`EndcueSkipIntro`): one real
 * button above the control bar, on the side of the "Next episode" card. Same focus rules as
 * the card: it takes focus only when focus already is inside the player (or in the `tv`
 * layout), and gives it back when it leaves. Escape or a remote's Back sends it away.
 */
import videojs from 'video.js';
import type Player from 'video.js/dist/types/player';
import { cardMove } from './keys.js';

const Component = videojs.getComponent('Component');

export interface SkipIntroOptions {
  /** Per-player overrides of the localised strings (key: English text). */
  strings?: Record<string, string>;
  /** TV layout: focus moves to the button on show, wherever it was. */
  tv?: boolean;
}

export class EndcueSkipIntro extends Component {
  /** What a press does (the plugin's skipIntro). */
  onPress: (() => void) | null = null;
  /** What Escape / Back does. */
  onDismiss: (() => void) | null = null;
  private readonly button: HTMLButtonElement;
  private readonly live: HTMLElement;
  private readonly strings: Record<string, string>;
  private readonly tv: boolean;
  private returnFocus: Element | null = null;

  constructor(player: Player, options: SkipIntroOptions = {}) {
    super(player, options as object);
    this.strings = options.strings ?? {};
    this.tv = Boolean(options.tv);
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'vjs-endcue-button vjs-endcue-skip-intro';
    this.button.hidden = true;
    // A live region outside the button, so it exists before its text changes.
    this.live = document.createElement('div');
    // Its own class: pages and tests that read the card's region by class still find one.
    this.live.className = 'vjs-endcue-intro-live';
    this.live.setAttribute('aria-live', 'polite');
    this.el().append(this.live, this.button);
    this.button.addEventListener('click', () => this.onPress?.());
    this.button.addEventListener('keydown', (event) => {
      // The button acts on Enter/Space itself; keep video.js hotkeys (play/pause) out of it.
      if (event.key === 'Enter' || event.key === ' ') event.stopPropagation();
      if (cardMove(event.key) !== 'back') return;
      event.preventDefault();
      event.stopPropagation();
      this.onDismiss?.();
    });
    this.handleLanguagechange();
  }

  override createEl(): Element {
    return super.createEl('div', { className: 'vjs-endcue-intro' });
  }

  /** Localised text: per-player overrides first, then video.js languages. */
  t(key: string): string {
    return this.strings[key] ?? this.localize(key);
  }

  isOpen(): boolean {
    return !this.button.hidden;
  }

  open(): void {
    if (this.isOpen()) return;
    this.button.hidden = false;
    this.live.textContent = this.t('Skip intro available');
    if (!(this.tv || this.player().el().contains(document.activeElement))) return;
    this.returnFocus = document.activeElement;
    this.button.focus({ preventScroll: true });
  }

  /** Hides the button; focus it had goes back where it came from, or to the player. */
  close(announce?: string): void {
    const hadFocus = document.activeElement === this.button;
    this.button.hidden = true;
    this.live.textContent = announce ?? '';
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

  override handleLanguagechange(): void {
    this.button.textContent = this.t('Skip intro');
  }
}

videojs.registerComponent('EndcueSkipIntro', EndcueSkipIntro as unknown as typeof Component);
