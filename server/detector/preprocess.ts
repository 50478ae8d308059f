/**
 * The ONE preprocessing shared by training (model/train) and inference (classify.ts).
 *
 * Frames are squashed (not letterboxed) to inputSize x inputSize: padding would put black
 * bars on every frame, and black is exactly the cue the model must not lean on. Area
 * scaling averages pixels, so thin text strokes survive the downscale as grey rather than
 * aliasing away. Colour order is RGB, values are scaled to 0..1 (what the MobileNetV2
 * backbone was trained on).
 */

/** The ffmpeg -vf chain that turns any frame into inputSize x inputSize rgb24. */
export function ffmpegScaleFilter(inputSize: number): string {
  assertSize(inputSize);
  return `scale=${inputSize}:${inputSize}:flags=area,setsar=1,format=rgb24`;
}

/** Bytes in one rgb24 frame of the given size. */
export function frameBytes(inputSize: number): number {
  assertSize(inputSize);
  return inputSize * inputSize * 3;
}

/** rgb24 bytes (HWC, as ffmpeg writes them) -> float32 in 0..1, same layout. */
export function toModelInput(rgb: Uint8Array, inputSize: number): Float32Array {
  const expected = frameBytes(inputSize);
  if (rgb.length !== expected) {
    throw new RangeError(
      `frame has ${rgb.length} bytes, expected ${expected} (${inputSize}x${inputSize} rgb24)`,
    );
  }
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) out[i] = (rgb[i] as number) / 255;
  return out;
}

function assertSize(inputSize: number): void {
  if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 1024) {
    throw new RangeError(`inputSize must be an integer in 8..1024, got ${inputSize}`);
  }
}
