/**
 * Seeded audio for the generated season (issue 22). Pure: samples in, bytes out.
 *
 * The theme and the end music are melodies over chords, synthesized here rather than with
 * ffmpeg's aevalsrc (a per-sample expression of dozens of notes is slow to evaluate); the
 * speech-like bed is a buzzing voice whose pitch glides and whose syllables come and go, so
 * the story has chroma that differs per episode the way dialogue does.
 */
import { createRng, type Rng } from '../../tests/fixtures/random.js';

export const SAMPLE_RATE = 44_100;

/** A major scale from A3 (220 Hz), in semitones. */
const SCALE = [0, 2, 4, 5, 7, 9, 11, 12, 14, 16];
/** Chord roots (semitones above A3) of a I-vi-IV-V-like progression, picked per song. */
const ROOTS = [0, 9, 5, 7, 2, 4];

const hz = (semitones: number) => 220 * 2 ** (semitones / 12);

/**
 * A song: a seeded melody (one note per beat) over seeded chords (one per bar), with a soft
 * attack and decay per note and a noise hi-hat on the off-beats. Mono, -1..1.
 */
export function synthSong(seed: number | string, seconds: number, bpm = 112): Float32Array {
  const rng = createRng(`song/${seed}`);
  const beat = 60 / bpm;
  const beats = Math.ceil(seconds / beat);
  const melody = Array.from({ length: beats }, () => hz(12 + rng.pick(SCALE)));
  const chords = Array.from({ length: Math.ceil(beats / 4) }, () => rng.pick(ROOTS));
  const hat = createRng(`hat/${seed}`);
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) {
    const t = i / SAMPLE_RATE;
    const b = Math.floor(t / beat);
    const inBeat = t - b * beat;
    const envelope = Math.min(1, inBeat / 0.02) * Math.exp(-inBeat * 3);
    const root = chords[Math.floor(b / 4)] ?? 0;
    const chord =
      Math.sin(2 * Math.PI * hz(root - 12) * t) +
      0.7 * Math.sin(2 * Math.PI * hz(root - 8) * t) +
      0.6 * Math.sin(2 * Math.PI * hz(root - 5) * t);
    const note = Math.sin(2 * Math.PI * (melody[b] ?? 440) * t);
    const offBeat = inBeat > beat / 2 && inBeat < beat / 2 + 0.04 ? hat.range(-1, 1) : 0;
    out[i] = 0.18 * chord + 0.4 * envelope * note + 0.12 * offBeat;
  }
  fadeEnds(out, 0.05);
  return out;
}

/**
 * Speech-like babble: a buzzy voice (harmonics of a gliding pitch, 90-220 Hz) through two
 * moving formants, in syllables of 0.1-0.35 s with pauses between phrases. Mono, -1..1.
 */
export function synthSpeech(seed: number | string, seconds: number): Float32Array {
  const rng = createRng(`speech/${seed}`);
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  let t = 0;
  let phase = 0;
  while (t < seconds) {
    const phrase = rng.int(3, 9);
    const pitch = rng.range(90, 220);
    for (let s = 0; s < phrase && t < seconds; s++) {
      t = syllable(out, t, rng.range(0.1, 0.35), pitch * rng.range(0.85, 1.2), rng, phase);
      phase += 1;
    }
    t += rng.range(0.2, 1.2);
  }
  return out;
}

/** Samples in one period of a syllable's wavetable. */
const TABLE = 512;

function syllable(
  out: Float32Array,
  from: number,
  length: number,
  pitch: number,
  rng: Rng,
  phase: number,
): number {
  const f1 = rng.range(300, 900);
  const f2 = rng.range(900, 2400);
  const glide = rng.range(-0.3, 0.3);
  // One period of the vowel: harmonics near the formants loud, the rest quiet. Read as a
  // wavetable at the gliding pitch (summing the harmonics per sample is 20x slower).
  const table = new Float32Array(TABLE);
  for (let k = 1; k * pitch < 3000; k++) {
    const f = k * pitch;
    const gain = 1 / (1 + ((f - f1) / 150) ** 2) + 0.6 / (1 + ((f - f2) / 250) ** 2) + 0.02;
    for (let j = 0; j < TABLE; j++) {
      table[j] = (table[j] ?? 0) + gain * Math.sin((2 * Math.PI * k * j) / TABLE + phase);
    }
  }
  const first = Math.round(from * SAMPLE_RATE);
  const count = Math.min(Math.round(length * SAMPLE_RATE), out.length - first);
  let position = 0;
  for (let i = 0; i < count; i++) {
    const f0 = pitch * (1 + glide * (i / SAMPLE_RATE / length));
    position = (position + (f0 / SAMPLE_RATE) * TABLE) % TABLE;
    const envelope = Math.sin((Math.PI * i) / count);
    out[first + i] = 0.3 * envelope * (table[Math.floor(position)] ?? 0);
  }
  return from + length;
}

function fadeEnds(samples: Float32Array, seconds: number): void {
  const n = Math.min(Math.round(seconds * SAMPLE_RATE), Math.floor(samples.length / 2));
  for (let i = 0; i < n; i++) {
    samples[i] = (samples[i] ?? 0) * (i / n);
    const j = samples.length - 1 - i;
    samples[j] = (samples[j] ?? 0) * (i / n);
  }
}

/** A 16-bit PCM mono WAV file of `samples` (clipped to -1..1). */
export function wavBytes(samples: Float32Array, sampleRate = SAMPLE_RATE): Buffer {
  const data = samples.length * 2;
  const out = Buffer.alloc(44 + data);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + data, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i] ?? 0));
    out.writeInt16LE(Math.round(v * 32767), 44 + 2 * i);
  }
  return out;
}
