/**
 * Kodi's EDL reader (xbmc/cores/VideoPlayer/Edl.cpp, CEdl::ReadEdl), as a test oracle:
 * per line `sscanf("%s %s %i")` must read 2 or 3 fields; times are seconds, `hh:mm:ss.ms`
 * or `#frame`; actions 0 cut, 1 mute, 2 scene, 3 commercial break; an edit must start at
 * or after 0 and end after it starts, and must not overlap another. Throws on what Kodi
 * would reject or stumble on (a line it logs as an error, or a comment it cannot parse).
 */
export interface KodiEdit {
  start: number;
  end: number;
  action: number;
}

function seconds(field: string, line: number): number {
  if (field.startsWith('#') || field.includes(':')) {
    throw new Error(`line ${line}: only plain seconds are expected, got ${field}`);
  }
  if (!/^\d+(\.\d+)?$/.test(field)) throw new Error(`line ${line}: not a time: ${field}`);
  return Number(field);
}

export function parseKodiEdl(text: string): KodiEdit[] {
  const edits: KodiEdit[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw === '' && index === text.split('\n').length - 1) return; // final newline
    const fields = raw.trim().split(/\s+/);
    if (fields.length !== 2 && fields.length !== 3) {
      throw new Error(`line ${line}: ${fields.length} fields in ${JSON.stringify(raw)}`);
    }
    const [a = '', b = '', c] = fields;
    const action = c === undefined ? 0 : Number(c);
    if (!Number.isInteger(action) || action < 0 || action > 3) {
      throw new Error(`line ${line}: invalid action ${c}`);
    }
    const edit = { start: seconds(a, line), end: seconds(b, line), action };
    if (edit.start < 0 || edit.start >= edit.end) throw new Error(`line ${line}: bad times`);
    for (const other of edits) {
      if (edit.start < other.end && edit.end > other.start) {
        throw new Error(`line ${line}: overlaps another edit`);
      }
    }
    edits.push(edit);
  });
  return edits;
}
