/**
 * `endcue scan` end to end (issue 21): the real bin and the shipped model on a folder of
 * generated titles. It must exit by itself once its report is printed (it used to hang on
 * the detector's threads), with exit code 1 when a title failed, and `--json` for scripts.
 */

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, generateFixture } from '../../fixtures/generate.js';
import { MODEL_TEST_TITLES } from '../../fixtures/model-titles.js';
import { parseKodiEdl } from '../export/kodi-edl.js';
import { runEndcue } from './run-bin.js';

const endcue = runEndcue;

let dir = '';
let library = '';
const fixtures: Record<string, Fixture> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'endcue-scan-cli-'));
  library = path.join(dir, 'library');
  mkdirSync(library);
  fixtures.ep1 = await generateFixture(MODEL_TEST_TITLES.libraryCards);
  fixtures.ep2 = await generateFixture(MODEL_TEST_TITLES.libraryRoll);
  fixtures.ep3 = await generateFixture(MODEL_TEST_TITLES.libraryPostCredits);
  for (const [name, fixture] of Object.entries(fixtures)) {
    copyFileSync(fixture.path, path.join(library, `${name}.mp4`));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('endcue scan (the bin)', () => {
  it('exits by itself after analysing a folder, 0 when every title was analysed', async () => {
    const data = path.join(dir, 'data');
    const run = await endcue(
      ['scan', library, '--data-dir', data, '--json', '--sidecars'],
      280_000,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ waited: true, done: 3, skipped: 0, failed: 0 });
    expect(report.titles).toEqual([
      { id: 'ep1', outcome: 'done' },
      { id: 'ep2', outcome: 'done' },
      { id: 'ep3', outcome: 'done' },
    ]);
    // --sidecars: a Kodi EDL and WebVTT chapters beside each video.
    for (const name of Object.keys(fixtures)) {
      const truth = fixtures[name] as Fixture;
      const edl = parseKodiEdl(readFileSync(path.join(library, `${name}.edl`), 'utf8'));
      expect(edl).toHaveLength(1);
      expect(edl[0]?.action).toBe(3);
      expect(Math.abs((edl[0]?.start ?? 0) - truth.creditsStart)).toBeLessThan(2);
      const vtt = readFileSync(path.join(library, `${name}.chapters.vtt`), 'utf8');
      expect(vtt).toMatch(/^WEBVTT\n\nNOTE Written by EndCue/);
      expect(vtt).toMatch(/\nCredits\n/);
      expect(readFileSync(path.join(library, `${name}.ffmeta`), 'utf8')).toMatch(/^;FFMETADATA1\n/);
    }
  }, 300_000);

  it('exits 1 when a title failed, naming it and why; analysed titles are skipped', async () => {
    const data = path.join(dir, 'data');
    writeFileSync(path.join(library, 'broken.mp4'), 'not a video');
    const run = await endcue(['scan', library, '--data-dir', data, '--json'], 120_000);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      titles: Array<{ id: string; outcome: string; reason?: string }>;
    };
    expect(report).toMatchObject({ done: 0, skipped: 3, failed: 1 });
    const broken = report.titles.find((t) => t.id === 'broken');
    expect(broken?.outcome).toBe('failed');
    expect(broken?.reason).toMatch(/broken\.mp4|video|decode/i);
    const text = await endcue(['scan', library, '--data-dir', data], 60_000);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^done 0, skipped 3 \(already analysed\), failed 1\n {2}failed broken: /,
    );
  }, 200_000);

  it('exports sidecars from the stored results without analysing again', async () => {
    const data = path.join(dir, 'data');
    const edl = path.join(library, 'ep1.edl');
    writeFileSync(edl, '1.000\t2.000\t0\n'); // not EndCue's any more: left alone
    const run = await endcue(['export', library, '--data-dir', data, '--json'], 60_000);
    expect(run.code).toBe(1); // broken.mp4 has no result, only a failure
    const report = JSON.parse(run.stdout) as {
      titles: Array<{
        titleId: string;
        outcome: string;
        files?: Array<{ kind: string; outcome: string }>;
      }>;
    };
    const byId = Object.fromEntries(report.titles.map((t) => [t.titleId, t]));
    expect(byId.broken?.outcome).toBe('failed');
    expect(byId.ep1?.files?.map((f) => f.outcome)).toEqual(['kept', 'unchanged', 'unchanged']);
    expect(byId.ep2?.files?.map((f) => f.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(readFileSync(edl, 'utf8')).toBe('1.000\t2.000\t0\n');

    const one = await endcue(['export', path.join(library, 'ep3.mp4'), '--data-dir', data], 60_000);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('sidecars: exported 1, skipped 0, failed 0\n');

    const unknown = await endcue(['export', path.join(dir, 'nowhere'), '--data-dir', data], 60_000);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/failed .*nowhere: not-found: .*nowhere does not exist/);

    // A confidence written as a percentage is refused before anything is read or written.
    const percent = await endcue(
      ['export', library, '--data-dir', data, '--min-confidence', '80'],
      60_000,
    );
    expect(percent.code).toBe(2);
    expect(percent.stderr).toMatch(
      /^endcue: --min-confidence 80: not a number from 0 to 1 \(.*0\.8/,
    );
    expect(readFileSync(edl, 'utf8')).toBe('1.000\t2.000\t0\n');
  }, 200_000);
});
