/**
 * The demo series' opening theme (issue 22): a seeded chord progression with a melody over
 * it, synthesized here as PCM (pure: the same seed gives the same samples), and laid over
 * each generated episode's audio after its cold open, so the server's season analysis finds
 * the shared intro in the audio the way it would in a real series.
 *
 * The fixture story is plain held tones, which fingerprints treat like silence; the theme
 * changes chord every half second and never repeats itself, so its fingerprint lines up at
 * one shift only.
 */
import { createRng } from '../tests/fixtures/random.js';

export const THEME_SEED = 2201;
/** Long enough for the season analysis, which takes shared runs of 15 s or more. */
export const THEME_SECONDS = 20;
export const THEME_RATE = 48_000;

/** Seconds per chord and per melody note. */
const CHORD_SECONDS = 0.5;
const NOTE_SECONDS = 0.25;
/** Semitones of a major and a minor triad above the root. */
const TRIADS = [
  [0, 4, 7],
  [0, 3, 7],
] as const;

const hz = (semitonesFromA3: number) => 220 * 2 ** (semitonesFromA3 / 12);

/**
 * Mono samples in [-1, 1]: a triad per half second (roots drawn from a minor scale), a
 * melody note per quarter second an octave up, each with a short attack and decay.
 */
export function themeSamples(
  seed = THEME_SEED,
  seconds = THEME_SECONDS,
  rate = THEME_RATE,
): Float32Array {
  const rng = createRng(seed);
  const scale = [0, 2, 3, 5, 7, 8, 10];
  const chords = Array.from({ length: Math.ceil(seconds / CHORD_SECONDS) }, () => {
    const root = rng.pick(scale) - 12;
    const triad = rng.pick(TRIADS);
    return triad.map((step) => hz(root + step));
  });
  const notes = Array.from({ length: Math.ceil(seconds / NOTE_SECONDS) }, () =>
    hz(rng.pick(scale) + 12 * rng.int(0, 1)),
  );
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const chord = chords[Math.floor(t / CHORD_SECONDS)] ?? [];
    const note = notes[Math.floor(t / NOTE_SECONDS)] ?? 0;
    const inChord = t % CHORD_SECONDS;
    const inNote = t % NOTE_SECONDS;
    // 10 ms attack, then an exponential decay: every change is an onset the ear (and
    // Chromaprint) can place.
    const chordEnv = Math.min(1, inChord / 0.01) * Math.exp(-inChord * 3);
    const noteEnv = Math.min(1, inNote / 0.01) * Math.exp(-inNote * 8);
    let v = 0;
    for (const f of chord) v += 0.16 * chordEnv * Math.sin(2 * Math.PI * f * t);
    v += 0.22 * noteEnv * Math.sin(2 * Math.PI * note * t);
    out[i] = v;
  }
  return out;
}

/** A 16-bit PCM mono WAV file of `samples`. */
export function wavFile(samples: Float32Array, rate = THEME_RATE): Buffer {
  const data = samples.length * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28); // bytes per second
  wav.writeUInt16LE(2, 32); // bytes per frame
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i] ?? 0));
    wav.writeInt16LE(Math.round(v * 32767), 44 + i * 2);
  }
  return wav;
}

/**
 * ffmpeg's filter graph that puts the theme (input 1) in place of the episode's audio
 * (input 0) from `at` seconds, as under a real title sequence: the story's audio is cut there
 * and resumes after the theme (atrim/concat, exact to the sample; a timeline `enable` on a
 * volume filter would act on whole 1024-sample frames).
 */
export function themeFilter(at: number, seconds = THEME_SECONDS): string {
  const format = `aformat=sample_fmts=fltp:sample_rates=${THEME_RATE}:channel_layouts=stereo`;
  const parts = [
    ...(at > 0 ? [`[0:a]${format},atrim=end=${at},asetpts=PTS-STARTPTS[before]`] : []),
    `[1:a]${format},atrim=end=${seconds},asetpts=PTS-STARTPTS[theme]`,
    `[0:a]${format},atrim=start=${at + seconds},asetpts=PTS-STARTPTS[after]`,
  ];
  const labels = parts.map((p) => p.slice(p.lastIndexOf('[')));
  return [...parts, `${labels.join('')}concat=n=${labels.length}:v=0:a=1[a]`].join(';');
}
