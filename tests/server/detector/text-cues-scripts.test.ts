import { describe, expect, it } from 'vitest';
import type { OcrWord } from '../../../server/detector/text-cues.js';
import {
  isCyrillicProse,
  readScriptText,
  scriptsToTry,
  unreadableByEnglish,
} from '../../../server/detector/text-cues-scripts.js';

/** OCR words, one line per string; CJK lines are split into single characters as tesseract does. */
function lines(texts: string[], confidence = 92, perCharacter = false): OcrWord[] {
  return texts.flatMap((text, line) =>
    (perCharacter ? [...text.replace(/\s+/g, '')] : text.split(/\s+/)).map((t) => ({
      text: t,
      confidence,
      line,
    })),
  );
}

describe('unreadableByEnglish', () => {
  it('is true for the unsure short words English reads in Japanese or Cyrillic text', () => {
    // What the English model read on a card of Japanese roles and names.
    const japanese = ['EE:58', 'fA:54', 'Tex:0', 'I=N=1A:0', 'Rw:11', 'RE:53', 'ERE:27'];
    const words = japanese.map((w) => {
      const [text = '', confidence] = w.split(':');
      return { text, confidence: Number(confidence) };
    });
    expect(unreadableByEnglish(words)).toBe(true);
  });

  it('is false for confident Latin text, a blank frame and a single stray word', () => {
    expect(unreadableByEnglish(lines(['Directed by', 'Jane Smith']))).toBe(false);
    expect(unreadableByEnglish([])).toBe(false);
    expect(unreadableByEnglish([{ text: 'Ww', confidence: 20 }])).toBe(false);
    expect(
      unreadableByEnglish([
        { text: '|', confidence: 0 },
        { text: '—', confidence: 0 },
      ]),
    ).toBe(false);
  });

  it('is false when most words are read with confidence', () => {
    const words = [...lines(['Music by Tom Baker']), { text: 'Ee', confidence: 10 }];
    words.push({ text: 'fA', confidence: 30 });
    expect(unreadableByEnglish(words)).toBe(false);
  });
});

/** OCR words from "text:confidence" pairs. */
function read(pairs: string[]): OcrWord[] {
  return pairs.map((p) => {
    const at = p.lastIndexOf(':');
    return { text: p.slice(0, at), confidence: Number(p.slice(at + 1)) };
  });
}

describe('scriptsToTry', () => {
  it('tries CJK first when English cut the text into short unsure pieces', () => {
    // What the English model read on a card of Japanese roles and names.
    const japanese = read(['EE:58', 'fA:54', 'Tex:0', 'E]:0', 'I=N=1A:0', 'Rw:11', 'ERE:27']);
    expect(scriptsToTry(japanese)).toEqual(['cjk', 'cyrillic']);
  });

  it('tries Cyrillic alone when the unsure words are long', () => {
    // Russian roles and names as English read them; Latin in a pixel font reads alike.
    const russian = read(['Pexuccép:56', 'MBaH:30', 'MNeTtpos:55', 'Mys3blka:0', 'Onbra:77']);
    expect(scriptsToTry(russian)).toEqual(['cyrillic']);
    const pixel = read(['Gane:47', 'DEVEIOPErS:20', 'Hli:30', 'AShraF:48', 'ProGramier:0']);
    expect(scriptsToTry(pixel)).toEqual(['cyrillic']);
  });

  it('tries nothing on text English reads', () => {
    expect(scriptsToTry(lines(['Directed by', 'Jane Smith']))).toEqual([]);
    expect(scriptsToTry([])).toEqual([]);
  });
});

describe('readScriptText: CJK', () => {
  it('reads Japanese, Chinese and Korean roles as credits (spaces between characters removed)', () => {
    for (const card of [
      ['監督 山田太郎', '脚本 佐藤花子', '音楽 鈴木一郎'],
      ['导演 张伟', '编剧 王芳', '摄影 刘洋'],
      ['감독 김민수', '각본 이지은', '촬영 박서준'],
      ['プロデューサー 田中健'],
      ['特别感谢'],
      ['특별 감사'],
    ]) {
      const reading = readScriptText(lines(card, 92, true), 'cjk');
      expect(reading?.cue, card.join(' / ')).toBe(1);
    }
  });

  it("reads a game's roles as credits, but not a settings menu's sound and graphics", () => {
    for (const card of [
      ['プログラム 中村蓮'],
      ['ゲームデザイン 小林結衣'],
      ['게임 디자인 김민수'],
      ['스페셜 땡스'],
      ['游戏设计 王芳'],
    ]) {
      expect(readScriptText(lines(card, 92, true), 'cjk')?.cue, card[0]).toBe(1);
    }
    const menu = readScriptText(lines(['サウンド', 'グラフィック', 'そうさ'], 92, true), 'cjk');
    expect(menu?.cue).toBe(0);
  });

  it('names the roles it found and keeps the lines as terms', () => {
    const reading = readScriptText(lines(['監督 山田太郎', '撮影 田中健'], 92, true), 'cjk');
    expect(reading?.credits).toEqual(['監督', '撮影']);
    expect(reading?.other).toEqual([]);
    expect(reading?.terms).toEqual(['監督山田太郎', '撮影田中健']);
  });

  it('reads the simplified forms tesseract gives Japanese kanji (chi_sim leads)', () => {
    expect(readScriptText(lines(['监督 山田太郎'], 92, true), 'cjk')?.cue).toBe(1);
  });

  it('reads next-episode and to-be-continued cards as another screen', () => {
    for (const card of [['次回予告'], ['つづく'], ['未完待续'], ['敬请期待'], ['다음 화 예고']]) {
      const reading = readScriptText(lines(card, 92, true), 'cjk');
      expect(reading?.cue, card[0]).toBe(-1);
    }
  });

  it('reads a short "The End" card as an end title, not credits; a role beside it wins', () => {
    for (const card of [['劇終'], ['剧终'], ['終わり']]) {
      const reading = readScriptText(lines(card, 92, true), 'cjk');
      expect(reading?.cue, card[0]).toBe(-1);
      expect(reading?.other, card[0]).toEqual(['end title card']);
    }
    expect(readScriptText(lines(['劇終', '監督 山田太郎'], 92, true), 'cjk')?.cue).toBe(1);
    // A longer line that only contains an end character is no evidence.
    expect(readScriptText(lines(['完全に 自由な 世界'], 92, true), 'cjk')?.cue).toBe(0);
  });

  it('is no evidence for other CJK text, and ignores unsure characters', () => {
    expect(readScriptText(lines(['今日は いい 天気 ですね'], 92, true), 'cjk')?.cue).toBe(0);
    const unsure = [...lines(['東京タワー'], 92, true), ...lines(['監督'], 40, true)];
    expect(readScriptText(unsure, 'cjk')?.cue).toBe(0);
  });

  it('reads a card of three Korean full names, or a name card of one or two, as credits', () => {
    const list = readScriptText(lines(['강지민', '김서연', '장서연'], 92, true), 'cjk');
    expect(list?.cue).toBe(1);
    expect(list?.credits).toEqual(['names: 강지민, 김서연, 장서연']);
    expect(readScriptText(lines(['박서연'], 92, true), 'cjk')?.credits).toEqual([
      'name card: 박서연',
    ]);
    expect(readScriptText(lines(['윤하은', '최민준'], 92, true), 'cjk')?.cue).toBe(1);
  });

  it('does not take other Korean words, or a name in a caption over picture, for a name card', () => {
    // Three syllables, but no surname first; a word of two syllables; a name inside a line.
    for (const card of [['스페셜'], ['커피'], ['박서연 씨가 왔어요']]) {
      expect(readScriptText(lines(card, 92, true), 'cjk')?.cue, card[0]).toBe(0);
    }
    const caption = [...'박서연'].map((text) => ({
      text,
      confidence: 92,
      line: 0,
      box: { x0: 100, y0: 400, x1: 120, y1: 430 },
    }));
    expect(readScriptText(caption, 'cjk', { height: 480, pictureAbove: true })?.cue).toBe(0);
    expect(readScriptText(caption, 'cjk', { height: 480, pictureAbove: false })?.cue).toBe(1);
  });

  it('reads one or two low lines of a sentence over picture as a caption (issue 17)', () => {
    /** CJK lines, one character a word, placed from `top` (px) down on a 360 px frame. */
    const placed = (texts: string[], top: number) =>
      lines(texts, 92, true).map((w, i) => ({
        ...w,
        box: { x0: 100 + i * 20, y0: top + (w.line ?? 0) * 40, x1: 118 + i * 20, y1: top + 30 },
      }));
    const over = { height: 360, pictureAbove: true };
    const subtitle = placed(['我們必須在漲潮前出發。'], 300);
    expect(readScriptText(subtitle, 'cjk', over)?.other).toEqual(['caption']);
    expect(readScriptText(placed(['上次也是這麼講的', '走吧'], 260), 'cjk', over)?.cue).toBe(-1);
    // Not a caption: on a plain ground, high on the frame, a name's length, three lines.
    expect(readScriptText(subtitle, 'cjk', { height: 360, pictureAbove: false })?.cue).toBe(0);
    expect(readScriptText(placed(['我們必須在漲潮前出發。'], 100), 'cjk', over)?.cue).toBe(0);
    expect(readScriptText(placed(['山田太郎'], 300), 'cjk', over)?.cue).toBe(0);
    const three = placed(['我們必須在漲潮前', '出發了嗎', '還沒有'], 230);
    expect(readScriptText(three, 'cjk', over)?.cue).toBe(0);
    // A role in the band is credits over picture, not a caption.
    expect(readScriptText(placed(['監督 山田太郎 佐藤花子'], 300), 'cjk', over)?.cue).toBe(1);
  });

  it('does not match a role split across two lines', () => {
    const words = lines(['山田 監', '督 太郎'], 92, true);
    expect(readScriptText(words, 'cjk')?.credits).toEqual([]);
  });

  it('is undefined when the frame is not written in CJK', () => {
    expect(readScriptText(lines(['Directed by Jane Smith']), 'cjk')).toBeUndefined();
    expect(readScriptText([], 'cjk')).toBeUndefined();
    // A few confident characters among many unsure ones: another script misread.
    const misread = [...lines(['所 和'], 92, true), ...lines(['尿 权 时 旦 送'], 30, true)];
    expect(readScriptText(misread, 'cjk')).toBeUndefined();
  });
});

describe('readScriptText: Cyrillic', () => {
  it('reads Russian and Ukrainian roles as credits, ё and ы misread or not', () => {
    for (const card of [
      ['Режиссёр', 'Иван Петров'],
      ['Режиссер', 'Иван Петров', 'Музька', 'Ольга Смирнова'],
      ['Музыка', 'Ольга Смирнова'],
      ['Музьіка', 'Ольга Смирнова'],
      ['В ролях', 'Иван Петров'],
      ['Сценарій', 'Оксана Коваль'],
      ['Особлива подяка'],
      ['Спасибо за просмотр'],
      ['Композитор', 'Олег Ким'],
    ]) {
      expect(readScriptText(lines(card), 'cyrillic')?.cue, card.join(' / ')).toBe(1);
    }
  });

  it('reads a short "The End" card as an end title, not credits', () => {
    for (const card of [['Конец'], ['КІНЕЦЬ'], ['Крај']]) {
      const reading = readScriptText(lines(card), 'cyrillic');
      expect(reading?.cue, card[0]).toBe(-1);
      expect(reading?.other, card[0]).toEqual(['end title card']);
    }
    expect(readScriptText(lines(['Конец', 'Режиссёр', 'Иван Петров']), 'cyrillic')?.cue).toBe(1);
  });

  it('reads to-be-continued and coming-soon cards as another screen', () => {
    expect(readScriptText(lines(['Продолжение следует']), 'cyrillic')?.cue).toBe(-1);
    expect(readScriptText(lines(['Скоро в кино']), 'cyrillic')?.cue).toBe(-1);
    expect(readScriptText(lines(['Продовження буде']), 'cyrillic')?.cue).toBe(-1);
  });

  it('reads running text as another screen, and a plain title as no evidence', () => {
    const prose = ['Я не знаю что это было', 'но мы уже здесь'];
    const reading = readScriptText(lines(prose), 'cyrillic');
    expect(reading?.cue).toBe(-1);
    expect(reading?.other).toEqual(['running text']);
    expect(readScriptText(lines(['Москва', 'Зима']), 'cyrillic')?.cue).toBe(0);
  });

  it('reads one low line of a sentence over picture as a caption', () => {
    const words = lines(['Пойдём домой сейчас']).map((w, i) => ({
      ...w,
      box: { x0: 100 + i * 150, y0: 460, x1: 240 + i * 150, y1: 500 },
    }));
    const reading = readScriptText(words, 'cyrillic', { height: 540, pictureAbove: true });
    expect(reading?.other).toEqual(['caption']);
    expect(readScriptText(words, 'cyrillic', { height: 540, pictureAbove: false })?.cue).toBe(0);
  });

  it('is undefined for Latin or CJK text, and for a few confident letters among unsure ones', () => {
    expect(readScriptText(lines(['Directed by Jane Smith']), 'cyrillic')).toBeUndefined();
    expect(readScriptText(lines(['監督 山田太郎'], 92, true), 'cyrillic')).toBeUndefined();
    // The ukr model on a Japanese card: two confident "words" (т, ЕВ) among many unsure.
    const misread = [...lines(['т ЕВ']), ...lines(["Бв'ї щЩЖж пт же ЗУ ли Ява ШЕ Ж Яхве"], 20)];
    expect(readScriptText(misread, 'cyrillic')).toBeUndefined();
  });
});

describe('isCyrillicProse', () => {
  it('needs several distinct function words making up a share of the words', () => {
    expect(isCyrillicProse(['я', 'не', 'знаю', 'что', 'это'])).toBe(true);
    expect(isCyrillicProse(['режиссер', 'иван', 'петров'])).toBe(false);
    expect(isCyrillicProse([])).toBe(false);
  });
});
