import type { TextBudget } from '../text-budget.js';

const TEXT_CHARS_ATOM = 0x0fa0; // UTF-16LE
const TEXT_BYTES_ATOM = 0x0fa8; // one byte per character, the high byte of UTF-16 dropped
/** Records walked at most: the walk is linear in the stream, this bounds it on a hostile one too. */
const MAX_RECORDS = 2_000_000;

/**
 * The text of a PowerPoint 97-2003 "PowerPoint Document" stream: its records are walked in file
 * order (containers entered, atoms stepped over by their length, so the walk is one linear pass
 * that never revisits a byte) and every text atom is kept, slides, notes and masters alike, as
 * catppt does. A file saved incrementally keeps every older copy of its slides in the stream
 * (following the persist directory to the live one is what a full reader does): a text seen
 * before is kept once. A record that claims more bytes than the stream has ends the walk.
 */
export function pptText(stream: Uint8Array, budget: TextBudget): { records: number; cutShort: boolean } {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let offset = 0;
  let records = 0;
  const seen = new Set<string>();
  while (offset + 8 <= stream.length && records < MAX_RECORDS && !budget.exhausted) {
    records += 1;
    const verInstance = view.getUint16(offset, true);
    const type = view.getUint16(offset + 2, true);
    const length = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if ((verInstance & 0x0f) === 0x0f) {
      offset = body;
      continue;
    }
    if (length > stream.length - body) return { records, cutShort: true };
    if (type === TEXT_CHARS_ATOM || type === TEXT_BYTES_ATOM) {
      const bytes = stream.subarray(body, body + length);
      const text = type === TEXT_CHARS_ATOM ? Buffer.from(bytes).toString('utf16le') : Buffer.from(bytes).toString('latin1');
      if (!seen.has(text)) budget.add(`${text.replace(/[\r\v]/g, '\n')}\n`);
      seen.add(text);
    }
    offset = body + length;
  }
  return { records, cutShort: records >= MAX_RECORDS };
}
