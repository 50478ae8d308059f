/** WebVTT chapters for a credits answer, so any HTML5 player can jump to or show them. Pure. */
import { creditsChapters } from '../export/chapters.js';
import { chaptersToVtt, vttTime } from '../export/webvtt.js';
import type { CreditsAnswer } from './service.js';

export { creditsChapters, vttTime };

export function creditsToVtt(answer: CreditsAnswer): string {
  return chaptersToVtt(creditsChapters(answer), { title: answer.titleId });
}
