/**
 * Keys as pure functions (no DOM, unit-tested without a browser): moving between the
 * card's buttons with a remote or D-pad, dismissing it with Escape or a remote's Back, and
 * matching the player's "next episode" hotkey.
 */

export type CardMove = 'prev' | 'next' | 'back' | null;

/** Escape, and what TV remotes send for Back (Android TV / browsers, Tizen, webOS). */
const BACK = new Set(['Escape', 'Esc', 'GoBack', 'BrowserBack', 'XF86Back']);

/** What a key does on the card; in right-to-left text Left and Right swap. */
export function cardMove(key: string, rtl = false): CardMove {
  if (BACK.has(key)) return 'back';
  if (key === 'ArrowUp') return 'prev';
  if (key === 'ArrowDown') return 'next';
  if (key === 'ArrowLeft') return rtl ? 'next' : 'prev';
  if (key === 'ArrowRight') return rtl ? 'prev' : 'next';
  return null;
}

/** The button to focus after a move from `index` among `count`; stops at the ends. */
export function moveIndex(index: number, count: number, move: 'prev' | 'next'): number {
  return Math.max(0, Math.min(count - 1, index + (move === 'next' ? 1 : -1)));
}

export interface KeyLike {
  key?: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
}

/** Whether a keydown is `hotkey` ('Shift+N', 'Ctrl+Alt+ArrowRight', 'n'), modifiers exact. */
export function isHotkey(event: KeyLike, hotkey: string | false | undefined): boolean {
  if (!hotkey || typeof event.key !== 'string') return false;
  const parts = hotkey.toLowerCase().split('+');
  const key = parts.pop();
  return (
    event.key.toLowerCase() === key &&
    Boolean(event.shiftKey) === parts.includes('shift') &&
    Boolean(event.ctrlKey) === parts.includes('ctrl') &&
    Boolean(event.altKey) === parts.includes('alt') &&
    Boolean(event.metaKey) === parts.includes('meta')
  );
}
