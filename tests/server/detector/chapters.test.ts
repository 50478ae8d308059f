import { describe, expect, it } from 'vitest';
import {
  applyCreditsChapter,
  CHAPTER_CONFIDENCE,
  creditsChapter,
  foldChapterTitle,
  framesConfirmChapter,
  isCreditsChapterTitle,
  isEndcueChapterList,
} from '../../../server/detector/chapters.js';
import { creditsChapters } from '../../../server/export/chapters.js';

describe('credits chapter titles', () => {
  it.each([
    'Credits',
    'End Credits',
    'Closing credits',
    'Outro',
    'ED',
    'Ending',
    'Chapter 12 - End Credits',
    '12. Credits',
    'Générique de fin',
    'Créditos finales',
    'Titoli di coda',
    'Abspann',
    'Титры',
    'エンディング',
    '엔딩',
    '片尾',
  ])('%s names closing credits', (title) => {
    expect(isCreditsChapterTitle(title)).toBe(true);
  });

  it.each([
    'Opening Credits',
    'OP',
    'Intro',
    'Chapter 3',
    'The Ending of the War',
    '',
    'Credit Card Heist',
  ])('%s does not', (title) => {
    expect(isCreditsChapterTitle(title)).toBe(false);
  });

  it('folds numbering, accents and punctuation', () => {
    expect(foldChapterTitle('Chapter 7: Générique!')).toBe('generique');
  });
});

describe('creditsChapter', () => {
  const chapters = [
    { start: 0, end: 60, title: 'Credits' },
    { start: 60, end: 1500, title: 'Chapter 2' },
    { start: 1500, end: 1620, title: 'End Credits' },
    { start: 1620, end: 1680, title: 'Post-credits' },
  ];

  it('takes the credits chapter of the second half, not opening credits', () => {
    expect(creditsChapter(chapters, 1680)?.start).toBe(1500);
    expect(creditsChapter(chapters.slice(0, 2), 1680)).toBeNull();
    expect(creditsChapter([], 100)).toBeNull();
  });

  it("ignores the chapters EndCue embedded itself (its own earlier answer), not a person's", () => {
    const endcue = creditsChapters({
      creditsStart: 1500,
      creditsEnd: 1620,
      segments: [{ kind: 'post-credits', start: 1620, end: 1680 }],
      duration: 1680,
    }).map((c) => ({ start: c.start, end: c.end, title: c.label }));
    expect(isEndcueChapterList(endcue)).toBe(true);
    expect(creditsChapter(endcue, 1680)).toBeNull();
    // A person's "Credits" chapter after their own first chapter still counts.
    const own = [
      { start: 0, end: 1500, title: 'Story' },
      { start: 1500, end: 1680, title: 'Credits' },
    ];
    expect(isEndcueChapterList(own)).toBe(false);
    expect(creditsChapter(own, 1680)?.start).toBe(1500);
  });
});

describe('framesConfirmChapter', () => {
  const chapter = { start: 100, end: 160, title: 'Credits' };

  it('confirms when the frames after the mark score as credits', () => {
    const samples = [90, 100, 107.5, 115, 122.5].map((t) => ({ t, score: t >= 100 ? 0.9 : 0.1 }));
    expect(framesConfirmChapter(chapter, samples)).toBe(true);
  });

  it('refuses when they score as story, and cannot tell with too few frames', () => {
    const story = [100, 107.5, 115].map((t) => ({ t, score: 0.2 }));
    expect(framesConfirmChapter(chapter, story)).toBe(false);
    expect(framesConfirmChapter(chapter, [{ t: 101, score: 1 }])).toBeNull();
  });
});

describe('applyCreditsChapter', () => {
  const chapter = { start: 100, end: 160, title: 'Credits' };
  const decision = { creditsStart: 102.5, creditsEnd: 158, confidence: 0.6, extra: 'kept' };

  it('moves a confirmed start to the chapter mark and raises the confidence', () => {
    const out = applyCreditsChapter(decision, chapter, true);
    expect(out).toMatchObject({ creditsStart: 100, creditsEnd: 158, extra: 'kept', chapter });
    expect(out.confidence).toBe(CHAPTER_CONFIDENCE);
  });

  it('finds credits the frames alone missed, ending with the chapter', () => {
    const none = { creditsStart: null, creditsEnd: null, confidence: 0.7 };
    expect(applyCreditsChapter(none, chapter, true)).toMatchObject({
      creditsStart: 100,
      creditsEnd: 160,
    });
  });

  it('rewrites the credits segment and keeps a post-credits scene after it', () => {
    const withSegments = {
      ...decision,
      segments: [
        { kind: 'credits' as const, start: 102.5, end: 150 },
        { kind: 'post-credits' as const, start: 150, end: 158 },
      ],
    };
    const out = applyCreditsChapter({ ...withSegments, creditsEnd: 150 }, chapter, true);
    expect(out.segments).toEqual([
      { kind: 'credits', start: 100, end: 150 },
      { kind: 'post-credits', start: 150, end: 158 },
    ]);
  });

  it('changes nothing when the frames do not confirm the chapter', () => {
    expect(applyCreditsChapter(decision, chapter, false)).toEqual({ ...decision, chapter: null });
    expect(applyCreditsChapter(decision, chapter, null)).toEqual({ ...decision, chapter: null });
    expect(applyCreditsChapter(decision, null, true)).toEqual({ ...decision, chapter: null });
  });
});
