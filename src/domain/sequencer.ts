/**
 * S3 event `sequencer` → an OpenSearch external version.
 *
 * S3 gives every event on one key a `sequencer`: a hexadecimal string whose value grows with each
 * change of that key. Two sequencers of the same key compare as integers once the shorter is
 * left-padded with zeros (AWS: "compare the strings after left-padding"); sequencers of different
 * keys are not comparable, which is fine because the version is only ever compared per `_id`.
 *
 * The index keeps the state of the latest event by writing with `version_type: external` and this
 * number as the version: an older event delivered late loses with a 409 conflict ("a newer event
 * already won"), and a delete carries its version too, so an older ObjectRemoved cannot remove a
 * newer document.
 *
 * OpenSearch versions are signed 64-bit longs: at most 2^63 - 1. Today's sequencers are 16-18 hex
 * digits with leading zeros (e.g. `0062E99A88DC407460`, about 2^62.6), so their value fits exactly.
 * A sequencer whose value does not fit has no order-preserving image in a long (every mapping of a
 * wider range into 63 bits either collides, which would drop a newer write as a "conflict", or
 * breaks the order); such events get no version and fall back to last-write-wins, which is what
 * docsift did before versioning. JavaScript numbers are exact only to 2^53, so versions are
 * bigints and are written into the bulk action line as raw JSON integers.
 */
export const MAX_EXTERNAL_VERSION = (1n << 63n) - 1n;

/** Hex digits accepted at all; longer strings are not sequencers (and would be costly to parse). */
const MAX_SEQUENCER_CHARS = 64;

/** The external version for an event's sequencer, or null when it has none that is safe to use. */
export function sequencerVersion(sequencer: string | null | undefined): bigint | null {
  if (typeof sequencer !== 'string') return null;
  const hex = sequencer.trim();
  if (hex.length === 0 || hex.length > MAX_SEQUENCER_CHARS || !/^[0-9a-fA-F]+$/.test(hex)) return null;
  const value = BigInt(`0x${hex}`);
  return value <= MAX_EXTERNAL_VERSION ? value : null;
}

/**
 * Orders two sequencers of the same key the way S3 documents it: -1, 0 or 1. Throws on strings that
 * are not hexadecimal, because comparing them would be meaningless.
 */
export function compareSequencers(a: string, b: string): -1 | 0 | 1 {
  if (!/^[0-9a-fA-F]+$/.test(a) || !/^[0-9a-fA-F]+$/.test(b)) throw new Error('sequencers must be hexadecimal strings');
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padStart(width, '0');
  const pb = b.toUpperCase().padStart(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/** The bulk action-line fields that make a write conditional on `version`. */
export function externalVersionJson(version: bigint): string {
  // A raw JSON integer: JSON.stringify cannot write bigints, and a number would lose digits past 2^53.
  return `"version":${version.toString(10)},"version_type":"external"`;
}
