import { describe, expect, it } from 'vitest';
import { cardMove, isHotkey, moveIndex } from '../../plugin/keys.js';

describe('card keys (remote / D-pad)', () => {
  it('maps arrows to moves, swapping Left and Right in right-to-left text', () => {
    expect(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].map((k) => cardMove(k))).toEqual([
      'prev',
      'next',
      'prev',
      'next',
    ]);
    expect(cardMove('ArrowLeft', true)).toBe('next');
    expect(cardMove('ArrowRight', true)).toBe('prev');
  });

  it('dismisses with Escape and a remote Back key; leaves other keys alone', () => {
    for (const key of ['Escape', 'Esc', 'GoBack', 'BrowserBack', 'XF86Back']) {
      expect(cardMove(key)).toBe('back');
    }
    for (const key of ['Enter', ' ', 'Tab', 'n', 'Backspace']) expect(cardMove(key)).toBeNull();
  });

  it('moves between buttons and stops at the ends', () => {
    expect(moveIndex(0, 3, 'next')).toBe(1);
    expect(moveIndex(2, 3, 'next')).toBe(2);
    expect(moveIndex(1, 3, 'prev')).toBe(0);
    expect(moveIndex(0, 3, 'prev')).toBe(0);
    // Focus on none of them (-1): either move lands on the first.
    expect(moveIndex(-1, 2, 'next')).toBe(0);
    expect(moveIndex(-1, 2, 'prev')).toBe(0);
  });
});

describe('next-episode hotkey', () => {
  it('matches Shift+N exactly', () => {
    expect(isHotkey({ key: 'N', shiftKey: true }, 'Shift+N')).toBe(true);
    expect(isHotkey({ key: 'n' }, 'Shift+N')).toBe(false);
    expect(isHotkey({ key: 'N', shiftKey: true, ctrlKey: true }, 'Shift+N')).toBe(false);
    expect(isHotkey({ key: 'M', shiftKey: true }, 'Shift+N')).toBe(false);
  });

  it('takes other keys and modifiers, and is off with false or for pointer events', () => {
    expect(isHotkey({ key: 'n' }, 'n')).toBe(true);
    expect(
      isHotkey({ key: 'ArrowRight', ctrlKey: true, altKey: true }, 'Ctrl+Alt+ArrowRight'),
    ).toBe(true);
    expect(isHotkey({ key: 'N', shiftKey: true }, false)).toBe(false);
    expect(isHotkey({}, 'Shift+N')).toBe(false);
  });
});
