/**
 * User metadata (x-amz-meta-*) and object tags as the document's keyword maps `s3_metadata` and
 * `s3_tags`.
 *
 * S3 stores metadata values that are not US-ASCII RFC 2047-encoded and returns them that way
 * (`=?UTF-8?B?5Za25qWt?=`), so encoded words in UTF-8 are decoded; other charsets stay as given.
 * A `.` in a name would make the index map `a.b` as an object under `a`, and a later `a` as a
 * keyword would then be refused: names get `_` instead. Sizes are bounded although S3 already
 * bounds them (2 KB of metadata, 10 tags), because the map comes from outside.
 */
const MAX_ENTRIES = 50;
const MAX_NAME = 128;
const MAX_VALUE = 1024;

const ENCODED_WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;

export function decodeMimeWords(value: string): string {
  // Whitespace between two encoded words is not part of the text (RFC 2047, section 6.2).
  const joined = value.replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
    if (!/^utf-?8$/i.test(charset)) return word;
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    const decoded = bytes.toString('utf8');
    return decoded.includes('\uFFFD') ? word : decoded;
  });
}

/** A bounded, index-safe keyword map; entries in name order so the document is stable. */
export function keywordMap(entries: Record<string, string> | Array<[string, string]> | undefined, how: { decode?: boolean; lowercase?: boolean } = {}): Record<string, string> {
  const list = Array.isArray(entries) ? entries : Object.entries(entries ?? {});
  const out: Record<string, string> = {};
  for (const [rawName, rawValue] of list.slice(0, MAX_ENTRIES)) {
    const trimmed = rawName.trim();
    const name = (how.lowercase ? trimmed.toLowerCase() : trimmed).replace(/\./g, '_').slice(0, MAX_NAME);
    if (name === '') continue;
    const value = (how.decode ? decodeMimeWords(rawValue) : rawValue).slice(0, MAX_VALUE);
    out[name] = value;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
