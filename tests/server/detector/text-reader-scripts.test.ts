import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_LANGUAGES } from '../../../server/detector/text-cues-scripts.js';
import {
  createTextReader,
  readFrameText,
  SCRIPT_MODEL_DIR,
  type TextReader,
} from '../../../server/detector/text-reader.js';
import { fontFile, scriptFontFile } from '../../fixtures/fonts.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'endcue-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One 960x540 rgb24 frame: `lines` drawn in white on black, centred (textfile: no escaping). */
function renderCard(lines: string[], font: string) {
  const file = path.join(dir, `card-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, lines.join('\n'));
  const draw = `drawtext=fontfile=${font}:textfile=${file}:fontcolor=white:fontsize=32:line_spacing=18:x=(w-text_w)/2:y=(h-text_h)/2`;
  const args = ['-v', 'error', '-f', 'lavfi', '-i', 'color=black:s=960x540', '-frames:v', '1'];
  const data = execFileSync(
    'ffmpeg',
    [...args, '-vf', draw, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      maxBuffer: 1 << 24,
    },
  );
  return { data: new Uint8Array(data), width: 960, height: 540 };
}

describe('the other scripts’ models', () => {
  it('are vendored in model/ocr (no download at run time)', () => {
    const langs = Object.values(SCRIPT_LANGUAGES).flatMap((l) => l.split('+'));
    for (const lang of langs) {
      expect(existsSync(path.join(SCRIPT_MODEL_DIR, `${lang}.traineddata.gz`)), lang).toBe(true);
    }
  });
});

describe('readFrameText in other scripts', { timeout: 120_000 }, () => {
  let reader: TextReader;
  /** The scripts readScript was asked for, in order. */
  const asked: string[] = [];

  beforeAll(async () => {
    const real = await createTextReader();
    reader = {
      concurrency: real.concurrency,
      read: (frame) => real.read(frame),
      readScript: (frame, script) => {
        asked.push(script);
        return real.readScript?.(frame, script) ?? Promise.resolve([]);
      },
      dispose: () => real.dispose(),
    };
  }, 60_000);
  afterAll(async () => {
    await reader?.dispose();
  });

  it('reads a Latin credits card exactly as before, without starting another script', async () => {
    const frame = renderCard(
      ['Directed by', 'Jane Smith', 'Music by', 'Tom Baker'],
      fontFile('dejavu-sans', 400),
    );
    const englishOnly: TextReader = {
      concurrency: 1,
      read: (f) => reader.read(f),
      dispose: async () => {},
    };
    const reading = await readFrameText(reader, frame);
    expect(reading.cue).toBe(1);
    expect(reading).toEqual(await readFrameText(englishOnly, frame));
    expect(asked).toEqual([]);
  });

  it('reads a blank frame without starting another script', async () => {
    const blank = { data: new Uint8Array(960 * 540 * 3), width: 960, height: 540 };
    expect((await readFrameText(reader, blank)).cue).toBe(0);
    expect(asked).toEqual([]);
  });

  it('reads a card of Japanese roles and names as credits', async () => {
    const frame = renderCard(
      ['監督　山田 太郎', '脚本　佐藤 花子', '音楽　鈴木 一郎', '撮影　田中 健', '編集　高橋 美咲'],
      scriptFontFile('japanese', 400),
    );
    const reading = await readFrameText(reader, frame);
    expect(reading.cue).toBe(1);
    expect(reading.credits).toEqual(expect.arrayContaining(['脚本', '撮影', '編集']));
    expect(asked).toEqual(['cjk']);
  });

  it('reads a card of Russian roles and names as credits', async () => {
    asked.length = 0;
    const frame = renderCard(
      ['Режиссёр', 'Иван Петров', 'Музыка', 'Ольга Смирнова', 'В ролях'],
      scriptFontFile('cyrillic', 400),
    );
    const reading = await readFrameText(reader, frame);
    expect(reading.cue).toBe(1);
    expect(reading.credits).toEqual(expect.arrayContaining(['режиссер', 'в ролях']));
    // English reads Cyrillic as long unsure words (Pexuccép, CMupHoBa): CJK is not tried.
    expect(asked).toEqual(['cyrillic']);
  });
});

describe('readFrameText with PP-OCR', () => {
  /** A reader whose tesseract looks read nothing and whose PP-OCR look reads `scene`. */
  const sceneOnly = (scene: { text: string; line: number }[]): TextReader => ({
    concurrency: 1,
    read: async () => [],
    readScene: async () => scene.map((w) => ({ ...w, confidence: 95 })),
    dispose: async () => {},
  });
  const black = { data: new Uint8Array(96 * 54 * 3), width: 96, height: 54 };

  it('reads kanji roles PP-OCR found with the CJK rules (a role card tesseract cannot read)', async () => {
    const reading = await readFrameText(
      sceneOnly([
        { text: '音楽', line: 0 },
        { text: '高橋', line: 1 },
        { text: '大輝', line: 1 },
      ]),
      black,
    );
    expect(reading.cue).toBe(1);
    expect(reading.credits).toEqual(['音楽']);
  });

  it('asks the other scripts where PP-OCR found text it could not read and English read no word', async () => {
    const asked: string[] = [];
    const withScripts = (scene: { text: string; line: number }[]): TextReader => ({
      ...sceneOnly(scene),
      readScript: async (_frame, script) => {
        asked.push(script);
        // What the CJK models read on a Korean role card (PP-OCR reads it as "号").
        return script === 'cjk'
          ? [
              { text: '감독', confidence: 96, line: 0 },
              { text: '강지우', confidence: 93, line: 1 },
            ]
          : [];
      },
    });
    const reading = await readFrameText(withScripts([{ text: '号', line: 0 }]), black);
    expect(reading.cue).toBe(1);
    expect(reading.credits).toEqual(['감독']);
    expect(asked).toEqual(['cjk']);

    // No text found by PP-OCR either: a blank or picture frame asks for no other script.
    asked.length = 0;
    expect((await readFrameText(withScripts([]), black)).cue).toBe(0);
    expect(asked).toEqual([]);
  });

  it('reads Latin text PP-OCR found with the Latin rules', async () => {
    const reading = await readFrameText(
      sceneOnly([
        { text: 'Directed', line: 0 },
        { text: 'by', line: 0 },
        { text: 'Jane', line: 1 },
        { text: 'Doe', line: 1 },
      ]),
      black,
    );
    expect(reading.cue).toBe(1);
  });
});
