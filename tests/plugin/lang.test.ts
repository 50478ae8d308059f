import { describe, expect, it } from 'vitest';
import { de } from '../../plugin/lang/de.js';
import { en } from '../../plugin/lang/en.js';

const languages = { en, de };

describe('built-in languages', () => {
  it('translate every English string', () => {
    for (const strings of Object.values(languages)) {
      expect(Object.keys(strings).sort()).toEqual(Object.keys(en).sort());
    }
  });

  it('give every countdown a unit ("in 9 s", not "in 9")', () => {
    const countdowns = Object.keys(en).filter((k) => /in \{1\}/.test(k) && !k.includes('.'));
    expect(countdowns.length).toBeGreaterThanOrEqual(2);
    for (const [lang, strings] of Object.entries(languages)) {
      for (const key of countdowns) {
        expect(`${lang}: ${strings[key]}`).toMatch(/\{1\} s\b/);
      }
    }
  });
});
