import { open } from 'node:fs/promises';

/** Bytes read for `maxChars` characters: UTF-8 needs at most 4 per character (4 per pair in UTF-16). */
export function bytesFor(maxChars: number): number {
  return Math.max(0, maxChars) * 4;
}

/** Reads at most `limit` bytes from the start of a file. */
export async function readUpTo(path: string, limit: number): Promise<{ bytes: Buffer; cut: boolean }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, limit);
    const bytes = Buffer.alloc(length);
    let offset = 0;
    while (offset < length) {
      const { bytesRead } = await handle.read(bytes, offset, length - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return { bytes: bytes.subarray(0, offset), cut: size > offset };
  } finally {
    await handle.close();
  }
}

/** Tried after UTF-8 when there is no BOM; much of the corpus is Japanese. */
const JAPANESE = ['shift_jis', 'euc-jp'] as const;
const HALF_WIDTH_KANA = /[\uff61-\uff9f]/g;

/**
 * Decodes text of unknown encoding: a BOM decides; otherwise the first of UTF-8, Shift_JIS and
 * EUC-JP that decodes without error (the likelier of the two when both do), else windows-1252. `cut` means the bytes
 * end mid-file, so a trailing partial character is dropped rather than treated as an error.
 */
export function decodeText(bytes: Uint8Array, cut = false): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3), { stream: cut }), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2), { stream: cut }), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2), { stream: cut }), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: cut }), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: one of the Japanese legacy encodings, or a Western one.
  }
  // EUC-JP kana and kanji bytes are also valid Shift_JIS half-width katakana: when both decode,
  // the one with fewer half-width katakana (rare in real text) is the right one.
  const candidates = JAPANESE.flatMap((encoding) => {
    try {
      const text = new TextDecoder(encoding, { fatal: true }).decode(bytes, { stream: cut });
      return [{ text, encoding, halfWidth: text.match(HALF_WIDTH_KANA)?.length ?? 0 }];
    } catch {
      return [];
    }
  });
  candidates.sort((a, b) => a.halfWidth - b.halfWidth);
  if (candidates[0]) return { text: candidates[0].text, encoding: candidates[0].encoding };
  return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
}

/** Reads and decodes a text file, keeping no more than about `maxChars` characters' worth of bytes. */
export async function readText(path: string, maxChars: number): Promise<{ text: string; truncated: boolean; encoding: string }> {
  const { bytes, cut } = await readUpTo(path, bytesFor(maxChars));
  const { text, encoding } = decodeText(bytes, cut);
  return { text, truncated: cut, encoding };
}
