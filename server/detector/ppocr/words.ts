/**
 * PP-OCR's text lines as the words the credits rules read (PURE). The recogniser reads a
 * whole box; the rules want words with boxes, lines and a 0..100 confidence (tesseract's
 * scale). A box's width is shared among its words by their length; boxes whose middles sit
 * within each other's height are one line (a name beside its role reads as one line, as
 * tesseract reads it).
 */
import type { OcrWord } from '../text-cues.js';
import type { Recognized } from './ctc.js';
import type { Box } from './text-boxes.js';

export interface RecognizedBox extends Recognized {
  box: Box;
}

export function boxesToWords(lines: readonly RecognizedBox[]): OcrWord[] {
  const ordered = [...lines].sort((a, b) => a.box.y0 - b.box.y0 || a.box.x0 - b.box.x0);
  const lineOf: number[] = [];
  let line = -1;
  let lineMiddle = Number.NEGATIVE_INFINITY;
  for (const { box } of ordered) {
    const middle = (box.y0 + box.y1) / 2;
    const height = box.y1 - box.y0;
    if (Math.abs(middle - lineMiddle) > height / 2) {
      line++;
      lineMiddle = middle;
    }
    lineOf.push(line);
  }
  const words: OcrWord[] = [];
  ordered.forEach(({ text, confidence, box }, i) => {
    const parts = text.split(/\s+/).filter((part) => part.length > 0);
    const letters = parts.reduce((n, part) => n + part.length, 0) + Math.max(0, parts.length - 1);
    const perLetter = (box.x1 - box.x0) / Math.max(1, letters);
    let at = 0;
    for (const part of parts) {
      const x0 = Math.round(box.x0 + at * perLetter);
      at += part.length;
      words.push({
        text: part,
        confidence: Math.round(confidence * 100),
        box: { x0, y0: box.y0, x1: Math.round(box.x0 + at * perLetter), y1: box.y1 },
        line: lineOf[i] as number,
      });
      at++; // the space
    }
  });
  return words;
}
