/**
 * The export formats (PURE): chapter names against the media servers' default
 * expressions, Kodi's EDL, WebVTT chapters and ffmetadata.
 */
import { describe, expect, it } from 'vitest';
import {
  CHAPTER_NAMES,
  type ChapterSource,
  creditsChapters,
} from '../../../server/export/chapters.js';
import { toKodiEdl } from '../../../server/export/edl.js';
import { escapeFfmetadata, toFfmetadata } from '../../../server/export/ffmetadata.js';
import { creditsToVtt } from '../../../server/export/webvtt.js';
import { parseKodiEdl } from './kodi-edl.js';

const withPost: ChapterSource = {
  creditsStart: 744,
  creditsEnd: 780,
  duration: 800,
  segments: [
    { kind: 'credits', start: 744, end: 780 },
    { kind: 'post-credits', start: 780, end: 800 },
  ],
};
const noCredits: ChapterSource = {
  creditsStart: null,
  creditsEnd: null,
  duration: 800,
  segments: [],
};

/**
 * Jellyfin's Chapter Segments Provider (jellyfin-plugin-chapter-segments,
 * Configuration/PluginConfiguration.cs): the first default expression a chapter name
 * matches (case-insensitive, anywhere in the name) gives its segment type, in this order.
 */
const CHAPTER_SEGMENTS_PROVIDER: Array<[string, RegExp]> = [
  ['Intro', /intro|opening|^OP$/is],
  ['Commercial', /break|ad|advertisement|intermission|advert|commercial/is],
  ['Preview', /preview|next time on|next on|sneak peek/is],
  ['Recap', /recap|last time on|last on|previously on/is],
  ['Outro', /outro|closing|credits|ending|^ED$/is],
];
const providerType = (name: string) =>
  CHAPTER_SEGMENTS_PROVIDER.find(([, pattern]) => pattern.test(name))?.[0] ?? null;

/**
 * intro-skipper's chapter analyzer defaults (IntroSkipper/Configuration/PluginConfiguration.cs,
 * matched case-insensitively), the older and the newer form of each.
 */
const INTRO_SKIPPER: Record<string, RegExp[]> = {
  Credits: [
    /(^|\s)(Credits?|ED|Ending|Outro)(?!\sEnd)(\s|$)/i,
    /(^|\s)(Credits?|ED|Ending|Outro)(?![\s:]+End)(\s|:|$)/i,
  ],
  Introduction: [
    /(^|\s)(Intro|Introduction|OP|Opening)(?!\sEnd)(\s|$)/i,
    /(^|\s)(Intro|Introduction|OP|Opening)(?![\s:]+End)(\s|:|$)/i,
  ],
  Preview: [
    /(^|\s)(Preview|PV|Sneak\s?Peek|Coming\s?(Up|Soon)|Next\s+(time|on|episode)|Extra|Teaser|Trailer)(?!\sEnd)(\s|:|$)/i,
  ],
  Recap: [
    /(^|\s)(Re?cap|Sum{1,2}ary|Prev(ious(ly)?)?|(Last|Earlier)(\s\w+)?|Catch[ -]up)(?!\sEnd)(\s|:|$)/i,
  ],
  Commercial: [
    /(^|\s)(Ad(vert(isement)?)?|Commercial)(?!\sEnd)(\s|$)/i,
    /(^|\s)(Ad(vert(isement)?)?|Commercial|Intermission)(?![\s:]+End)(\s|:|$)/i,
  ],
};
const introSkipperTypes = (name: string) =>
  Object.entries(INTRO_SKIPPER)
    .filter(([, patterns]) => patterns.some((p) => p.test(name)))
    .map(([type]) => type);

describe('chapter names', () => {
  it('type the credits as Outro and nothing else as anything (Chapter Segments Provider)', () => {
    expect(providerType(CHAPTER_NAMES.credits)).toBe('Outro');
    expect(providerType(CHAPTER_NAMES.programme)).toBeNull();
    expect(providerType(CHAPTER_NAMES.postCredits)).toBeNull();
    // The old name typed the scene after the credits as Outro: skipped with them.
    expect(providerType('After the credits')).toBe('Outro');
  });

  it("type the credits as Credits and nothing else as anything (intro-skipper's defaults)", () => {
    expect(introSkipperTypes(CHAPTER_NAMES.credits)).toEqual(['Credits']);
    expect(introSkipperTypes(CHAPTER_NAMES.programme)).toEqual([]);
    expect(introSkipperTypes(CHAPTER_NAMES.postCredits)).toEqual([]);
    expect(introSkipperTypes('After the credits')).toEqual(['Credits']);
  });

  it('are the chapters of a title with a scene after its credits', () => {
    expect(creditsChapters(withPost).map((c) => c.label)).toEqual([
      'Programme',
      'Credits',
      'Epilogue',
    ]);
  });
});

describe("Kodi's EDL", () => {
  it('lists the credits as a commercial break (action 3), not the scene after them', () => {
    const edl = toKodiEdl(withPost);
    expect(edl).toBe('744.000\t780.000\t3\n');
    expect(parseKodiEdl(edl)).toEqual([{ start: 744, end: 780, action: 3 }]);
  });

  it('is empty when there are no credits (no file is written)', () => {
    expect(toKodiEdl(noCredits)).toBe('');
  });

  it('the oracle rejects what Kodi rejects (the test can fail)', () => {
    expect(() => parseKodiEdl('# EndCue\n744 780 3\n')).toThrow(/line 1/);
    expect(() => parseKodiEdl('780 744 3\n')).toThrow(/bad times/);
    expect(() => parseKodiEdl('744 780 7\n')).toThrow(/invalid action/);
  });
});

describe('WebVTT chapters', () => {
  it('are a WEBVTT file with a NOTE and one cue per chapter, times increasing', () => {
    const vtt = creditsToVtt(withPost, { note: 'Written by EndCue' });
    const blocks = vtt.trimEnd().split('\n\n');
    expect(blocks[0]).toBe('WEBVTT');
    expect(blocks[1]).toBe('NOTE Written by EndCue');
    expect(blocks.slice(2)).toEqual([
      '1\n00:00:00.000 --> 00:12:24.000\nProgramme',
      '2\n00:12:24.000 --> 00:13:00.000\nCredits',
      '3\n00:13:00.000 --> 00:13:20.000\nEpilogue',
    ]);
  });

  it('keep a NOTE from breaking the file', () => {
    expect(creditsToVtt(noCredits, { note: 'a --> b\n\nc' })).toContain('NOTE a   b c\n\n1\n');
  });
});

describe('ffmetadata', () => {
  it('has the header, a comment and a [CHAPTER] per chapter in milliseconds', () => {
    const text = toFfmetadata(withPost, 'Written by EndCue');
    expect(text.split('\n').slice(0, 2)).toEqual([';FFMETADATA1', '; Written by EndCue']);
    expect(text).toContain('[CHAPTER]\nTIMEBASE=1/1000\nSTART=744000\nEND=780000\ntitle=Credits\n');
    expect(text.match(/\[CHAPTER\]/g)).toHaveLength(3);
  });

  it('escapes its special characters', () => {
    expect(escapeFfmetadata('a=b;c#d\\e')).toBe('a\\=b\\;c\\#d\\\\e');
  });
});

describe("a season's intro (issue 22)", () => {
  const withIntro: ChapterSource = {
    ...withPost,
    segments: [{ kind: 'intro', start: 62.5, end: 92 }, ...withPost.segments],
  };

  it('is named so both media servers type it as the intro, and nothing else', () => {
    expect(providerType(CHAPTER_NAMES.intro)).toBe('Intro');
    expect(introSkipperTypes(CHAPTER_NAMES.intro)).toEqual(['Introduction']);
  });

  it('cuts the programme around it: Programme, Intro, Programme, Credits, Epilogue', () => {
    expect(creditsChapters(withIntro)).toEqual([
      { start: 0, end: 62.5, label: 'Programme' },
      { start: 62.5, end: 92, label: 'Intro' },
      { start: 92, end: 744, label: 'Programme' },
      { start: 744, end: 780, label: 'Credits' },
      { start: 780, end: 800, label: 'Epilogue' },
    ]);
    // At 0 s there is no programme before it; with no credits the programme runs to the end.
    const atZero = { ...noCredits, segments: [{ kind: 'intro' as const, start: 0, end: 30 }] };
    expect(creditsChapters(atZero).map((c) => [c.start, c.end, c.label])).toEqual([
      [0, 30, 'Intro'],
      [30, 800, 'Programme'],
    ]);
    // One that overlaps the credits is not the programme's: left out.
    const late = { ...withPost, segments: [{ kind: 'intro' as const, start: 700, end: 760 }] };
    expect(creditsChapters(late).map((c) => c.label)).toEqual(['Programme', 'Credits']);
  });

  it("is a commercial break in Kodi's EDL before the credits, and in every chapter format", () => {
    const edl = toKodiEdl(withIntro);
    expect(parseKodiEdl(edl)).toEqual([
      { start: 62.5, end: 92, action: 3 },
      { start: 744, end: 780, action: 3 },
    ]);
    expect(creditsToVtt(withIntro)).toContain('2\n00:01:02.500 --> 00:01:32.000\nIntro\n');
    expect(toFfmetadata(withIntro)).toContain('START=62500\nEND=92000\ntitle=Intro\n');
  });
});
