/**
 * What the words of a frame in another script say (PURE): Chinese, Japanese and Korean
 * (read with tesseract's chi_sim+jpn+kor models) and Cyrillic (the ukr model, which reads
 * Russian, Ukrainian, Bulgarian and Serbian letters but for ы and э). The English reading
 * (text-cues.ts) comes first; these are read only when English finds no evidence and the
 * frame's text looks like a script the English model cannot read (scriptsToTry).
 *
 * As conservative as text-cues.ts: role words and sign-offs confirm credits, "next episode"
 * and "coming soon" cards count against them, and anything else is no evidence.
 */
import { isKoreanFullName } from './given-names.js';
import {
  isCaption,
  isLowerThird,
  isProse,
  isStoryLike,
  MAX_CAPTION_LINES,
  MAX_END_TITLE_WORDS,
  MIN_NAMES,
  MIN_WORD_CONFIDENCE,
  type OcrWord,
  type TextLayout,
  type TextReading,
  textReading,
  wordTerms,
} from './text-cues.js';

export type OtherScript = 'cjk' | 'cyrillic';

/**
 * tesseract languages per script (model/ocr/<lang>.traineddata.gz). The first language
 * leads: tesseract tries the others on a word only when it reads that word poorly.
 */
export const SCRIPT_LANGUAGES: Readonly<Record<OtherScript, string>> = {
  cjk: 'chi_sim+jpn+kor',
  cyrillic: 'ukr',
};

/** Words English reads below MIN_WORD_CONFIDENCE that mark a frame as unreadable to it. */
export const MIN_UNREADABLE_WORDS = 2;
/** Share of the English words that must be unsure for the frame to be unreadable to it. */
export const MIN_UNREADABLE_SHARE = 0.6;
/** Letters of a script read with confidence before a frame counts as written in it. */
export const MIN_SCRIPT_LETTERS = 2;
/**
 * Share of the words read that must be confident words of the script: the ukr model reads
 * a few confident Cyrillic "words" (т, ЕВ) in Japanese text, among many unsure ones.
 */
export const MIN_SCRIPT_SHARE = 0.5;

/**
 * Is this English reading (of a frame that gave no evidence) text in a script the English
 * model cannot read? CJK or Cyrillic text comes back from it as short unsure "words"
 * (EE, fA, I=N=1A, Pexuccép at confidence 0-58); a blank frame reads no words at all and
 * Latin text reads confidently.
 */
export function unreadableByEnglish(words: readonly OcrWord[]): boolean {
  const read = words.filter((w) => /[\p{L}\p{N}]/u.test(w.text));
  const unsure = read.filter((w) => w.confidence < MIN_WORD_CONFIDENCE).length;
  return unsure >= MIN_UNREADABLE_WORDS && unsure >= MIN_UNREADABLE_SHARE * read.length;
}

/**
 * Most letters (and digits) the unsure English words of a CJK frame have on average: the
 * English model cuts CJK lines into short pieces (EE, fA, Tex, ERE). Cyrillic text, and
 * Latin in a font it reads poorly (pixel fonts), comes back as long words (Pexuccép,
 * CMupHoBa; DBESiGHEr, ProGramiliiG), where the CJK models are not tried.
 */
export const MAX_CJK_PIECE = 3.5;

/**
 * The scripts to read a frame in after English found no evidence on it, in order: none when
 * English could read it (unreadableByEnglish); CJK then Cyrillic when its unsure words are
 * short pieces (MAX_CJK_PIECE); Cyrillic alone when they are long.
 */
export function scriptsToTry(words: readonly OcrWord[]): OtherScript[] {
  if (!unreadableByEnglish(words)) return [];
  const unsure = words.filter(
    (w) => w.confidence < MIN_WORD_CONFIDENCE && /[\p{L}\p{N}]/u.test(w.text),
  );
  const letters = unsure.reduce((n, w) => n + (w.text.match(/[\p{L}\p{N}]/gu)?.length ?? 0), 0);
  return letters <= MAX_CJK_PIECE * unsure.length ? ['cjk', 'cyrillic'] : ['cyrillic'];
}

const CJK_LETTER = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}ー]/u;
const CYRILLIC_LETTER = /\p{sc=Cyrillic}/u;

/**
 * Credits roles and sign-offs in Japanese, Chinese (simplified and traditional) and
 * Korean, matched in a line's text with its spaces removed. Words of two characters or
 * more: single characters ("終", "歌") are too common in other text.
 */
const CJK_CREDITS: readonly string[] = [
  // Japanese (chi_sim leads, so some kanji come back simplified: 监督, 编集)
  '監督',
  '监督',
  '脚本',
  '脚色',
  '原作',
  '音楽',
  '製作',
  '制作',
  '企画',
  'プロデューサー',
  'ディレクター',
  '出演',
  '主演',
  '声の出演',
  'キャスト',
  'スタッフ',
  '撮影',
  '編集',
  '编集',
  '美術',
  '照明',
  '録音',
  '音響',
  '作画',
  '原画',
  '演出',
  '絵コンテ',
  '主題歌',
  '作詞',
  '作曲',
  '編曲',
  '衣装',
  '特殊効果',
  '視覚効果',
  '色彩設計',
  'キャラクターデザイン',
  'シリーズ構成',
  '監修',
  '监修',
  '配給',
  '製作委員会',
  '特別協力',
  '特別感謝',
  'スペシャルサンクス',
  'エンディングテーマ',
  'ご視聴ありがとうございました',
  // Japanese game credits (not "sound" or "graphics" alone: a settings menu's words)
  'プログラム',
  'プログラマー',
  'ゲームデザイン',
  'シナリオ',
  'ドット絵',
  // Chinese
  '导演',
  '導演',
  '编剧',
  '編劇',
  '监制',
  '監製',
  '制片人',
  '製片人',
  '制片',
  '製片',
  '出品人',
  '联合出品',
  '聯合出品',
  '演员',
  '演員',
  '摄影',
  '攝影',
  '剪辑',
  '剪輯',
  '音乐',
  '音樂',
  '美术',
  '原著',
  '作词',
  '编曲',
  '录音',
  '錄音',
  '灯光',
  '燈光',
  '服装',
  '服裝',
  '化妆',
  '化妝',
  '特效',
  '视觉效果',
  '視覺效果',
  '配音',
  '策划',
  '策劃',
  '工作人员',
  '工作人員',
  '演职员',
  '演職員',
  '特别感谢',
  '特別感謝',
  '鸣谢',
  '鳴謝',
  '致谢',
  '致謝',
  '感谢观看',
  '感謝觀看',
  '程序设计',
  '程式設計',
  '游戏设计',
  '遊戲設計',
  // Korean
  '감독',
  '연출',
  '각본',
  '극본',
  '각색',
  '원작',
  '음악',
  '제작',
  '기획',
  '프로듀서',
  '출연',
  '주연',
  '캐스트',
  '스태프',
  '제작진',
  '출연진',
  '촬영',
  '편집',
  '미술',
  '조명',
  '녹음',
  '음향',
  '의상',
  '분장',
  '작곡',
  '작사',
  '편곡',
  '주제가',
  '시각효과',
  '특수효과',
  '배급',
  '특별감사',
  '감사한분들',
  '시청해주셔서감사합니다',
  // Korean game credits
  '스페셜땡스',
  '프로그래밍',
  '프로그래머',
  '게임디자인',
  '시나리오',
];

/** Cards that are not closing credits: next-episode previews, "to be continued", "coming soon". */
/**
 * "The End" in Chinese, Japanese and Korean: an end title card (isEndTitleCard in
 * text-cues.ts), not the credits. Counted only on a short card (MAX_CJK_END_TITLE letters).
 * Single characters (終, 完, 끝) are left out: a frame needs two letters to be read at all.
 */
const CJK_END_TITLES: readonly string[] = [
  '剧终',
  '劇終',
  '全剧终',
  '終わり',
  'おわり',
  '完',
  '終',
  '끝',
];
export const MAX_CJK_END_TITLE = 4;

/** "The End" in Russian, Ukrainian and Serbian, on a short card (as END_TITLE in text-cues.ts). */
const CYRILLIC_END_TITLE = /(^|[^\p{L}])(конец|кінець|кiнець|крај|край)($|[^\p{L}])/u;

const CJK_OTHER: readonly string[] = [
  // Japanese
  '次回予告',
  '次回',
  '予告',
  'つづく',
  '続く',
  '近日公開',
  '公開中',
  'ロードショー',
  '好評発売中',
  // Chinese
  '敬请期待',
  '敬請期待',
  '未完待续',
  '未完待續',
  '下集预告',
  '下集預告',
  '即将上映',
  '即將上映',
  '预告片',
  '預告片',
  // Korean
  '다음화',
  '다음회',
  '다음이야기',
  '예고',
  '계속됩니다',
  '개봉박두',
  '절찬상영중',
  '곧개봉',
];

/** Roles and sign-offs in Russian, Ukrainian, Bulgarian and Serbian (folded: no ё, й as и). */
const CYRILLIC_CREDITS: readonly RegExp[] = [
  /(^|[^\p{L}])(режисс?е(р|ьор)|режисура|режија|редитељ)/u,
  /(^|[^\p{L}])(сценар[иі]|автор сценар)/u,
  /(^|[^\p{L}])(оператор|операторка)/u,
  /(^|[^\p{L}])(композитор|муз(ы|ьі|ь|и)к)/u,
  /(^|[^\p{L}])(продюсер|продуцент|продусер)/u,
  /(^|[^\p{L}])(монтаж|монтажер|монтажа)/u,
  /(^|[^\p{L}])(художник|художни|сценограф)/u,
  /(^|[^\p{L}])(в|у) (главн(ы|ьі|ь|и)х )?рол(ях|ях:|ите)|(^|[^\p{L}])улоге/u,
  /(^|[^\p{L}])(звукорежисс?ер|звук|грим|костюм[ыьи]?|каскадер)/u,
  /(^|[^\p{L}])(особая благодарность|особлива подяка|благодарности|благодарим|подяки|дякуємо|захвалност)/u,
  /(^|[^\p{L}])(спасибо за (просмотр|внимание)|дякуємо за (перегляд|увагу)|благодарим за вниманието)/u,
];

const CYRILLIC_OTHER: readonly RegExp[] = [
  /(^|[^\p{L}])(скоро|незабаром|очень скоро)($|[^\p{L}])/u,
  /(^|[^\p{L}])(в|у) (кино|кинотеатрах|кінотеатрах|кіно)($|[^\p{L}])/u,
  /(^|[^\p{L}])(продолжение следует|продовження буде|следва продължение|наставиће се)/u,
  /(^|[^\p{L}])(в следующей серии|у наступніи серії|у наступній серії|в следващия епизод)/u,
  /(^|[^\p{L}])(представля(ет|ют|е)|представляє|представя|представља)($|[^\p{L}])/u,
];

/** Function words of Russian and Ukrainian running text (folded), as PROSE_WORDS in text-cues.ts. */
const CYRILLIC_PROSE_WORDS: ReadonlySet<string> = new Set(
  `
я ты тьі он она оно мы вы они меня тебя его ее их мне тебе нам вам мои мои твои наш ваш это этот эта
то что как но да нет не ни был была было были есть будет если когда почему где кто уже еще
очень тоже только там тут здесь вот так же бы бьі ли
ти вона воно ми ви вони мене тебе його іі їх це цей ця що як але так ні не був була було були
є буде якщо коли чому де хто вже ще дуже теж тільки тут там ось
`
    .trim()
    .split(/\s+/),
);

/** Folds a word as text-cues.ts does (lower case, marks removed: ё -> е, й -> и). */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'&:=-]+/gu, '');
}

/** The confident words, grouped by line (in order); words without a line are one line each. */
function confidentLines(words: readonly OcrWord[]): OcrWord[][] {
  const lines = new Map<string, OcrWord[]>();
  words.forEach((w, i) => {
    if (w.confidence < MIN_WORD_CONFIDENCE || w.text.trim() === '') return;
    const key = w.line === undefined ? `word ${i}` : `line ${w.line}`;
    const line = lines.get(key) ?? [];
    line.push(w);
    lines.set(key, line);
  });
  return [...lines.values()];
}

function count(text: string, letter: RegExp): number {
  let n = 0;
  for (const ch of text) if (letter.test(ch)) n++;
  return n;
}

/**
 * Reads one frame's words as read by the `script` models. Undefined when the frame is not
 * written in that script (isWrittenIn): the next script may read it.
 */
export function readScriptText(
  words: readonly OcrWord[],
  script: OtherScript,
  layout?: TextLayout,
): TextReading | undefined {
  if (!isWrittenIn(words, script === 'cjk' ? CJK_LETTER : CYRILLIC_LETTER)) return undefined;
  return script === 'cjk' ? readCjkText(words, layout) : readCyrillicText(words, layout);
}

/**
 * Were these words read in the script `letter` matches? At least MIN_SCRIPT_LETTERS of its
 * letters read with confidence, in words that make up MIN_SCRIPT_SHARE of the words read.
 */
export function isWrittenIn(words: readonly OcrWord[], letter: RegExp): boolean {
  const read = words.filter((w) => /[\p{L}\p{N}]/u.test(w.text));
  const sure = read.filter((w) => w.confidence >= MIN_WORD_CONFIDENCE && letter.test(w.text));
  const letters = sure.reduce((n, w) => n + count(w.text, letter), 0);
  return letters >= MIN_SCRIPT_LETTERS && sure.length >= MIN_SCRIPT_SHARE * read.length;
}

/** Fewest CJK letters on a line of a caption: a sentence, longer than a name (2-4). */
export const MIN_CJK_CAPTION_LETTERS = 5;

/**
 * A CJK caption (a subtitle): one or two written lines, all of the text read in the lower
 * part of a frame whose upper part is picture, one line a sentence (MIN_CJK_CAPTION_LETTERS
 * or more). CJK has no letter case to tell a sentence from names, as the Latin isCaption
 * does: length does. Issue 17: captions are story, whatever the classifier says.
 */
export function isCjkCaption(
  written: readonly string[],
  words: readonly OcrWord[],
  layout: TextLayout,
): boolean {
  return (
    written.length >= 1 &&
    written.length <= MAX_CAPTION_LINES &&
    written.some((line) => count(line, CJK_LETTER) >= MIN_CJK_CAPTION_LETTERS) &&
    isLowerThird(words, layout)
  );
}

/** CJK: each line's words joined without spaces (OCR puts spaces between characters). */
export function readCjkText(
  words: readonly OcrWord[],
  layout?: TextLayout,
): TextReading | undefined {
  const kept = confidentLines(words);
  const lines = kept.map((line) =>
    line
      .map((w) => w.text)
      .join('')
      .replace(/\s+/g, ''),
  );
  const letters = lines.reduce((n, line) => n + count(line, CJK_LETTER), 0);
  if (letters < MIN_SCRIPT_LETTERS) return undefined;
  const credits = CJK_CREDITS.filter((w) => lines.some((line) => line.includes(w)));
  // The lines that say something: a card's terms, and what a name card may hold.
  const written = lines.filter((line) => count(line, CJK_LETTER) >= 2);
  // A card of Korean full names, one per line, is a list of people, as Latin given names are.
  const names = new Set(lines.filter(isKoreanFullName));
  if (names.size >= MIN_NAMES) credits.push(`names: ${[...names].join(', ')}`);
  // A name card: one or two Korean full names and nothing else, not in a caption band over
  // picture (the Latin name card's rule, isNameCard).
  const nameCard =
    written.length >= 1 &&
    written.length <= 2 &&
    written.every(isKoreanFullName) &&
    !(layout && isLowerThird(words, layout));
  if (credits.length === 0 && nameCard) credits.push(`name card: ${written.join(' ')}`);
  const other = CJK_OTHER.filter((w) => lines.some((line) => line.includes(w)));
  if (credits.length === 0 && layout && isCjkCaption(written, kept.flat(), layout)) {
    other.push('caption');
  }
  if (credits.length === 0 && letters <= MAX_CJK_END_TITLE) {
    const end = CJK_END_TITLES.find((w) => lines.some((line) => line.includes(w)));
    if (end) other.push('end title card');
  }
  return textReading(credits, other, letters, {
    // A card's lines tell it from the next card, as the Latin words of three letters do.
    terms: [...new Set(written)],
    // No letter case to tell a line of story from a name card (only Korean names are known).
    storyLike: false,
  });
}

/** Cyrillic: words folded and matched as text-cues.ts does Latin ones. */
export function readCyrillicText(
  words: readonly OcrWord[],
  layout?: TextLayout,
): TextReading | undefined {
  const confident = confidentLines(words)
    .flat()
    .map((w) => ({ ...w, folded: fold(w.text) }))
    .filter((w) => w.folded.length > 0);
  const letters = confident.reduce((n, w) => n + count(w.folded, CYRILLIC_LETTER), 0);
  if (letters < MIN_SCRIPT_LETTERS) return undefined;
  const text = confident.map((w) => w.folded).join(' ');
  const credits = CYRILLIC_CREDITS.flatMap((p) => p.exec(text)?.[0].trim() ?? []);
  const other = CYRILLIC_OTHER.flatMap((p) => p.exec(text)?.[0].trim() ?? []);
  const folded = confident.map((w) => w.folded);
  if (
    credits.length === 0 &&
    folded.length <= MAX_END_TITLE_WORDS &&
    CYRILLIC_END_TITLE.test(text)
  ) {
    other.push('end title card');
  }
  if (credits.length === 0 && isCyrillicProse(folded)) other.push('running text');
  if (credits.length === 0 && layout && isCaption(confident, layout)) other.push('caption');
  return textReading(credits, other, confident.length, {
    terms: wordTerms(folded),
    storyLike: isStoryLike(confident.map((w) => ({ read: w.text, folded: w.folded }))),
  });
}

/** Running text in Russian or Ukrainian (isProse in text-cues.ts, with these function words). */
export function isCyrillicProse(folded: readonly string[]): boolean {
  return isProse(folded, CYRILLIC_PROSE_WORDS);
}
