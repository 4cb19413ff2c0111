import type { TextBudget } from '../text-budget.js';

const TEXT_CHARS_ATOM = 0x0fa0; // UTF-16LE
const TEXT_BYTES_ATOM = 0x0fa8; // one byte per character, the high byte of UTF-16 dropped
/** Master slides, handouts and their placeholder prompts ("Click to edit Master title style"). */
const SKIPPED_CONTAINERS = new Set([0x03f8, 0x0fc9, 0x0ff0]);
/** Records walked at most: the walk is linear in the stream, this bounds it on a hostile one too. */
const MAX_RECORDS = 2_000_000;

/**
 * The text of a PowerPoint 97-2003 "PowerPoint Document" stream: its records are walked in file
 * order (containers entered, atoms stepped over by their length, so the walk is one linear pass
 * that never revisits a byte) and every text atom is kept, slides and notes alike, as catppt does.
 * A record that claims more bytes than the stream has ends the walk with what was read.
 */
export function pptText(stream: Uint8Array, budget: TextBudget): { records: number; cutShort: boolean } {
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let offset = 0;
  let records = 0;
  while (offset + 8 <= stream.length && records < MAX_RECORDS && !budget.exhausted) {
    records += 1;
    const verInstance = view.getUint16(offset, true);
    const type = view.getUint16(offset + 2, true);
    const length = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if ((verInstance & 0x0f) === 0x0f && !SKIPPED_CONTAINERS.has(type)) {
      offset = body;
      continue;
    }
    if (length > stream.length - body) return { records, cutShort: true };
    if (type === TEXT_CHARS_ATOM || type === TEXT_BYTES_ATOM) {
      const bytes = stream.subarray(body, body + length);
      const text = type === TEXT_CHARS_ATOM ? Buffer.from(bytes).toString('utf16le') : Buffer.from(bytes).toString('latin1');
      budget.add(`${text.replace(/[\r\v]/g, '\n')}\n`);
    }
    offset = body + length;
  }
  return { records, cutShort: records >= MAX_RECORDS };
}
