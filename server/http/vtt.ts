/** WebVTT chapters for a credits answer, so any HTML5 player can jump to or show them. Pure. */
import type { CreditsAnswer } from './service.js';

export function vttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

interface Chapter {
  start: number;
  end: number;
  label: string;
}

export function creditsChapters(answer: CreditsAnswer): Chapter[] {
  const { creditsStart, duration } = answer;
  if (creditsStart === null) {
    return duration ? [{ start: 0, end: duration, label: 'Programme' }] : [];
  }
  const chapters: Chapter[] = [];
  if (creditsStart > 0) chapters.push({ start: 0, end: creditsStart, label: 'Programme' });
  const postCredits = answer.segments
    .filter((segment) => segment.kind === 'post-credits' && segment.start >= creditsStart)
    .sort((a, b) => a.start - b.start);
  const creditsEnd = answer.creditsEnd ?? postCredits[0]?.start ?? duration ?? creditsStart + 1;
  chapters.push({ start: creditsStart, end: Math.max(creditsEnd, creditsStart), label: 'Credits' });
  for (const segment of postCredits) {
    chapters.push({ start: segment.start, end: segment.end, label: 'After the credits' });
  }
  return chapters;
}

export function creditsToVtt(answer: CreditsAnswer): string {
  const cues = creditsChapters(answer).map(
    (chapter, index) =>
      `${index + 1}\n${vttTime(chapter.start)} --> ${vttTime(chapter.end)}\n${chapter.label}`,
  );
  return `WEBVTT - ${answer.titleId}\n\n${cues.join('\n\n')}${cues.length ? '\n' : ''}`;
}
