/**
 * Which object keys docsift indexes: one rule for S3 events, backfill and reconcile alike.
 *
 * `internal` keys are docsift's own objects (thumbnails, the state of the one-shot commands): never
 * indexed, whatever the globs say. Then EXCLUDE_KEYS wins over INCLUDE_KEYS; an empty include list
 * includes everything. Matchers are passed in already compiled (platform/glob.ts), so this stays pure.
 */
export type KeyVerdict = 'keep' | 'internal' | 'excluded' | 'not_included';

export type KeyMatcher = (key: string) => boolean;

export interface InternalPrefix {
  /** null: in every bucket (thumbnails under THUMBNAIL_PREFIX); else only in this bucket. */
  bucket: string | null;
  prefix: string;
}

export interface KeyFilterSpec {
  include: KeyMatcher[];
  exclude: KeyMatcher[];
  internal: InternalPrefix[];
}

export interface KeyFilter {
  verdict(bucket: string, key: string): KeyVerdict;
}

export function createKeyFilter(spec: KeyFilterSpec): KeyFilter {
  const internal = spec.internal.filter((p) => p.prefix !== '');
  return {
    verdict(bucket, key) {
      if (internal.some((p) => (p.bucket === null || p.bucket === bucket) && key.startsWith(p.prefix))) return 'internal';
      if (spec.exclude.some((match) => match(key))) return 'excluded';
      if (spec.include.length > 0 && !spec.include.some((match) => match(key))) return 'not_included';
      return 'keep';
    },
  };
}

/** Everything is kept: for callers (and tests) without a configuration. */
export const KEEP_ALL: KeyFilter = { verdict: () => 'keep' };

/**
 * Splits a comma-separated glob list, keeping commas inside braces (`**\/*.{pdf,docx}` is one
 * glob). Empty items are dropped; whitespace around items is trimmed.
 */
export function splitGlobList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of value) {
    if (ch === '{') depth += 1;
    if (ch === '}' && depth > 0) depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}
