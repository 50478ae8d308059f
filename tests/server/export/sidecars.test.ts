/**
 * Sidecars beside a video: written once, rewritten only when the result changes, never
 * over a file EndCue did not write (or that was edited since), and a folder that cannot be
 * written is reported with nothing changed in it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChapterSource } from '../../../server/export/chapters.js';
import {
  MANIFEST_NAME,
  nodeSidecarFs,
  type SidecarFs,
  sidecarPath,
  writeSidecars,
} from '../../../server/export/sidecars.js';
import { parseKodiEdl } from './kodi-edl.js';

const result = (start: number | null): ChapterSource => ({
  creditsStart: start,
  creditsEnd: null,
  duration: 60,
  segments: start === null ? [] : [{ kind: 'credits', start, end: 60 }],
});

let dir = '';
let video = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'endcue-sidecars-'));
  video = path.join(dir, 'Show S01E01.mkv');
  writeFileSync(video, 'video bytes');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const outcomes = (results: Array<{ kind: string; outcome: string }>) =>
  Object.fromEntries(results.map((r) => [r.kind, r.outcome]));

describe('writeSidecars', () => {
  it('writes the three files beside the video, named after it', async () => {
    const results = await writeSidecars(video, result(50));
    expect(outcomes(results)).toEqual({ edl: 'created', vtt: 'created', ffmeta: 'created' });
    expect(sidecarPath(video, 'vtt')).toBe(path.join(dir, 'Show S01E01.chapters.vtt'));
    expect(readdirSync(dir).sort()).toEqual([
      MANIFEST_NAME,
      'Show S01E01.chapters.vtt',
      'Show S01E01.edl',
      'Show S01E01.ffmeta',
      'Show S01E01.mkv',
    ]);
    expect(parseKodiEdl(readFileSync(path.join(dir, 'Show S01E01.edl'), 'utf8'))).toEqual([
      { start: 50, end: 60, action: 3 },
    ]);
  });

  it('rewrites nothing when the result is the same, and updates when it changed', async () => {
    await writeSidecars(video, result(50));
    const vtt = sidecarPath(video, 'vtt');
    const before = statSync(vtt).mtimeMs;
    const writes: string[] = [];
    const counting: SidecarFs = {
      ...nodeSidecarFs,
      writeFile: (file, content) => {
        writes.push(file);
        return nodeSidecarFs.writeFile(file, content);
      },
    };
    expect(outcomes(await writeSidecars(video, result(50), counting))).toEqual({
      edl: 'unchanged',
      vtt: 'unchanged',
      ffmeta: 'unchanged',
    });
    expect(writes).toEqual([]);
    expect(statSync(vtt).mtimeMs).toBe(before);
    expect(outcomes(await writeSidecars(video, result(48), counting))).toEqual({
      edl: 'updated',
      vtt: 'updated',
      ffmeta: 'updated',
    });
    expect(readFileSync(vtt, 'utf8')).toContain('00:00:48.000 --> 00:01:00.000\nCredits');
  });

  it('removes its EDL when the title turns out to have no credits', async () => {
    await writeSidecars(video, result(50));
    const results = await writeSidecars(video, result(null));
    expect(outcomes(results)).toMatchObject({ edl: 'removed', vtt: 'updated' });
    expect(readdirSync(dir)).not.toContain('Show S01E01.edl');
  });

  it('never overwrites a file it did not write, nor one edited since', async () => {
    writeFileSync(sidecarPath(video, 'edl'), '10 20 0\n'); // the user's own cut list
    const first = await writeSidecars(video, result(50));
    expect(outcomes(first)).toEqual({ edl: 'kept', vtt: 'created', ffmeta: 'created' });
    expect(readFileSync(sidecarPath(video, 'edl'), 'utf8')).toBe('10 20 0\n');

    const vtt = sidecarPath(video, 'vtt');
    const edited = readFileSync(vtt, 'utf8').replace('Programme', 'Part one');
    writeFileSync(vtt, edited);
    expect(outcomes(await writeSidecars(video, result(48)))).toEqual({
      edl: 'kept',
      vtt: 'kept',
      ffmeta: 'updated',
    });
    expect(readFileSync(vtt, 'utf8')).toBe(edited);
  });

  it('says which folder is read-only, and changes nothing there', async () => {
    writeFileSync(sidecarPath(video, 'edl'), '10 20 0\n');
    const before = readdirSync(dir).sort();
    const readOnly: SidecarFs = {
      ...nodeSidecarFs,
      writeFile: async () => {
        throw Object.assign(new Error('read-only file system'), { code: 'EROFS' });
      },
    };
    const failure = await writeSidecars(video, result(50), readOnly).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      message: expect.stringMatching(
        /cannot write Show S01E01\.chapters\.vtt: the folder .* is read-only \(EROFS\); nothing was changed there/,
      ),
      hint: expect.stringMatching(/write access/),
    });
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
