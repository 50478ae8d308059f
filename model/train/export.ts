/**
 * Saves a LayersModel as model.json + one weights .bin on disk, weights stored as float16
 * (halves the size; tfjs dequantises on load) — plus metadata.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** IEEE 754 float32 -> float16 bits (round to nearest even, with subnormals). */
export function float32ToFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return half;
}

export async function saveModelFloat16(
  model: tf.LayersModel,
  dir: string,
  metadata: Record<string, unknown>,
): Promise<{ bytes: number }> {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const specs = artifacts.weightSpecs ?? [];
      const src = new Float32Array(artifacts.weightData as ArrayBuffer);
      const out = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = float32ToFloat16Bits(src[i] as number);
      const weights = specs.map((s) => {
        if (s.dtype !== 'float32')
          throw new Error(`unexpected weight dtype ${s.dtype} for ${s.name}`);
        return { ...s, quantization: { dtype: 'float16' as const } };
      });
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: 'endcue model/train',
        weightsManifest: [{ paths: ['weights.bin'], weights }],
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(out.buffer));
      writeFileSync(path.join(dir, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
      written = out.byteLength;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { bytes: written };
}
