/**
 * The `<name>.chapters.vtt` sidecar in Chromium (issue 21's acceptance): a `<track
 * kind="chapters">` loads it and has one cue per chapter, with EndCue's names and times
 * (the NOTE line that marks the file as EndCue's does not get in the way).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sidecarContents } from '../../server/export/sidecars.js';
import { type Browser, launchBrowser } from './plugin-harness.js';

const vtt = sidecarContents({
  creditsStart: 744,
  creditsEnd: 780,
  duration: 800,
  segments: [
    { kind: 'credits', start: 744, end: 780 },
    { kind: 'post-credits', start: 780, end: 800 },
  ],
}).vtt;

const PAGE = `<!doctype html><meta charset="utf-8">
<video id="v" controls><track id="t" kind="chapters" srclang="en" src="/ep.chapters.vtt" default></video>`;

let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ep.chapters.vtt') {
      res.writeHead(200, { 'content-type': 'text/vtt; charset=utf-8' });
      res.end(vtt);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('the chapters sidecar in Chromium', () => {
  it('loads as a chapters track with Programme, Credits and Epilogue', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const cues = await page.evaluate(async () => {
      const track = document.getElementById('t') as HTMLTrackElement;
      track.track.mode = 'hidden';
      if (track.readyState !== 2) {
        await new Promise<void>((resolve, reject) => {
          track.addEventListener('load', () => resolve(), { once: true });
          track.addEventListener('error', () => reject(new Error('track failed to load')), {
            once: true,
          });
        });
      }
      return Array.from(track.track.cues ?? [], (cue) => ({
        start: cue.startTime,
        end: cue.endTime,
        text: (cue as VTTCue).text,
      }));
    });
    expect(cues).toEqual([
      { start: 0, end: 744, text: 'Programme' },
      { start: 744, end: 780, text: 'Credits' },
      { start: 780, end: 800, text: 'Epilogue' },
    ]);
    await page.close();
  });
});
