/**
 * The control bar's "Next episode" button, a registered video.js component
 * (`EndcueNextButton`): placed after the play button, hidden while there is no next title.
 */
import videojs from 'video.js';
import type ButtonType from 'video.js/dist/types/button';
import type Player from 'video.js/dist/types/player';

const Button = videojs.getComponent('Button') as unknown as typeof ButtonType;

export interface NextButtonOptions {
  /** Shown in the tooltip, e.g. 'Shift+N'. */
  hotkey?: string | false;
}

export class EndcueNextButton extends Button {
  /** What a click does (the plugin's playNext). */
  onPress: (() => void) | null = null;
  private readonly hotkey: string | false;

  constructor(player: Player, options: NextButtonOptions = {}) {
    super(player, options as object);
    this.hotkey = options.hotkey ?? false;
    this.el().querySelector('.vjs-icon-placeholder')?.classList.add('vjs-icon-next-item');
    this.setIcon('next-item');
    this.handleLanguagechange();
  }

  override buildCSSClass(): string {
    return `vjs-endcue-next ${super.buildCSSClass()}`;
  }

  override handleClick(): void {
    this.onPress?.();
  }

  override handleLanguagechange(): void {
    this.controlText('Next episode');
    // The accessible name stays "Next episode"; the hotkey goes into the tooltip only.
    const title = this.localize('Next episode');
    this.el().setAttribute('title', this.hotkey ? `${title} (${this.hotkey})` : title);
  }
}

videojs.registerComponent(
  'EndcueNextButton',
  EndcueNextButton as unknown as ReturnType<typeof videojs.getComponent>,
);
