/**
 * An episode's fingerprints as compact bytes, for storage (issue 22). Pure.
 *
 * Layout (little-endian): "ECFP", u8 version, u8 kind (1 fingerprinted, 2 no-audio),
 * 2 bytes padding, f64 duration; fingerprinted adds f64 opening start, f64 closing start,
 * f64 item centre, u32 opening count, u32 closing count, f64 speed, then the items as u32s
 * (4 bytes an item: ~19 KB for a 600 s window). A no-audio answer adds its reason as UTF-8.
 */
import type { EpisodeFingerprints } from './types.js';

const MAGIC = 0x50464345; // "ECFP" read as a little-endian u32
const VERSION = 1;
const HEADER = 16;
const WINDOWS_HEADER = 40;

export function encodeFingerprints(value: EpisodeFingerprints): Uint8Array {
  if (value.kind === 'no-audio') {
    const reason = new TextEncoder().encode(value.reason);
    const bytes = new Uint8Array(HEADER + reason.byteLength);
    writeHeader(new DataView(bytes.buffer), 2, value.duration);
    bytes.set(reason, HEADER);
    return bytes;
  }
  const { opening, closing } = value;
  const itemsAt = HEADER + WINDOWS_HEADER;
  const bytes = new Uint8Array(itemsAt + 4 * (opening.items.length + closing.items.length));
  const view = new DataView(bytes.buffer);
  writeHeader(view, 1, value.duration);
  view.setFloat64(HEADER, opening.start, true);
  view.setFloat64(HEADER + 8, closing.start, true);
  view.setFloat64(HEADER + 16, opening.itemCenter ?? Number.NaN, true);
  view.setUint32(HEADER + 24, opening.items.length, true);
  view.setUint32(HEADER + 28, closing.items.length, true);
  view.setFloat64(HEADER + 32, opening.speed ?? 1, true);
  let at = itemsAt;
  for (const items of [opening.items, closing.items]) {
    for (const item of items) {
      view.setUint32(at, item, true);
      at += 4;
    }
  }
  return bytes;
}

/** The fingerprints `encodeFingerprints` wrote; throws on bytes it did not write. */
export function decodeFingerprints(bytes: Uint8Array): EpisodeFingerprints {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < HEADER || view.getUint32(0, true) !== MAGIC) {
    throw new Error('not an EndCue fingerprint record');
  }
  if (view.getUint8(4) !== VERSION)
    throw new Error(`fingerprint record version ${view.getUint8(4)}`);
  const kind = view.getUint8(5);
  const duration = view.getFloat64(8, true);
  if (kind === 2) {
    return { kind: 'no-audio', duration, reason: new TextDecoder().decode(bytes.subarray(HEADER)) };
  }
  const openingCount = view.getUint32(HEADER + 24, true);
  const closingCount = view.getUint32(HEADER + 28, true);
  const expected = HEADER + WINDOWS_HEADER + 4 * (openingCount + closingCount);
  if (kind !== 1 || bytes.byteLength !== expected) throw new Error('fingerprint record is damaged');
  const center = view.getFloat64(HEADER + 16, true);
  const speed = view.getFloat64(HEADER + 32, true);
  const itemCenter = {
    ...(Number.isNaN(center) ? {} : { itemCenter: center }),
    ...(speed === 1 ? {} : { speed }),
  };
  const read = (from: number, count: number) => {
    const items = new Uint32Array(count);
    for (let i = 0; i < count; i++) items[i] = view.getUint32(from + 4 * i, true);
    return items;
  };
  const openingAt = HEADER + WINDOWS_HEADER;
  return {
    kind: 'fingerprinted',
    duration,
    opening: {
      start: view.getFloat64(HEADER, true),
      items: read(openingAt, openingCount),
      ...itemCenter,
    },
    closing: {
      start: view.getFloat64(HEADER + 8, true),
      items: read(openingAt + 4 * openingCount, closingCount),
      ...itemCenter,
    },
  };
}

function writeHeader(view: DataView, kind: number, duration: number): void {
  view.setUint32(0, MAGIC, true);
  view.setUint8(4, VERSION);
  view.setUint8(5, kind);
  view.setFloat64(8, duration, true);
}
