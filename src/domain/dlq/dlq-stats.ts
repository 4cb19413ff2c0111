import { isErrorClass, kindOf, type ErrorKind } from '../errors.js';
import { UNCLASSIFIED_TOKEN } from './redrive-filter.js';

/** What the stats need from one dead-lettered message, already read out of its attributes. */
export interface DeadLetterFacts {
  id: string;
  errorClass: string | null;
  stage: string | null;
  contentType: string | null;
  /** The `failed_at` attribute, ISO-8601, when the worker set it. */
  failedAt: string | null;
  /** SentTimestamp of the DLQ message (ms since epoch): when it entered the DLQ, or was first sent. */
  sentAt: number | null;
  receiveCount: number;
}

export interface CountRow {
  value: string;
  count: number;
  /** Share of the sample, 0..1. */
  share: number;
}

export interface ErrorClassRow extends CountRow {
  /** Kind from the closed set; `unlabelled` for messages without the attribute (`none`), `unknown` for a value outside the set. */
  kind: ErrorKind | 'unknown' | 'unlabelled';
}

export interface DeadLetterStats {
  sampled: number;
  byErrorClass: ErrorClassRow[];
  byStage: CountRow[];
  byContentType: CountRow[];
  /** Oldest and newest failure times in the sample (ISO), from failed_at, else SentTimestamp. */
  oldest: string | null;
  newest: string | null;
  oldestAgeSeconds: number | null;
  newestAgeSeconds: number | null;
  /** Highest ApproximateReceiveCount seen: every read of the DLQ raises it. */
  maxReceiveCount: number;
}

/** Label of a missing stage or content type. */
export const MISSING = '(none)';
/**
 * Label of messages without an error_class: dead-lettered by the queue's redrive policy, not by
 * the worker. It is the token `dlq stats|redrive --error-class none` selects them by.
 */
export const UNLABELLED = UNCLASSIFIED_TOKEN;

function failureTime(f: DeadLetterFacts): number | null {
  if (f.failedAt) {
    const t = Date.parse(f.failedAt);
    if (Number.isFinite(t)) return t;
  }
  return f.sentAt;
}

function rows(values: Array<string | null>, total: number, missing = MISSING): CountRow[] {
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = v === null || v === '' ? missing : v;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count, share: total === 0 ? 0 : count / total }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

function kindOfRow(value: string): ErrorClassRow['kind'] {
  if (isErrorClass(value)) return kindOf(value);
  return value === UNLABELLED ? 'unlabelled' : 'unknown';
}

/** Counts by error class, stage and content type, and the age span, of one sample. Duplicates (same id) count once. */
export function aggregateDeadLetters(sample: DeadLetterFacts[], nowMs: number): DeadLetterStats {
  const unique = [...new Map(sample.map((f) => [f.id, f])).values()];
  const total = unique.length;
  const times = unique.map(failureTime).filter((t): t is number => t !== null);
  const oldest = times.length > 0 ? Math.min(...times) : null;
  const newest = times.length > 0 ? Math.max(...times) : null;
  return {
    sampled: total,
    byErrorClass: rows(
      unique.map((f) => f.errorClass),
      total,
      UNLABELLED,
    ).map((r) => ({ ...r, kind: kindOfRow(r.value) })),
    byStage: rows(
      unique.map((f) => f.stage),
      total,
    ),
    byContentType: rows(
      unique.map((f) => f.contentType),
      total,
    ),
    oldest: oldest === null ? null : new Date(oldest).toISOString(),
    newest: newest === null ? null : new Date(newest).toISOString(),
    oldestAgeSeconds: oldest === null ? null : Math.max(0, Math.round((nowMs - oldest) / 1000)),
    newestAgeSeconds: newest === null ? null : Math.max(0, Math.round((nowMs - newest) / 1000)),
    maxReceiveCount: unique.reduce((m, f) => Math.max(m, f.receiveCount), 0),
  };
}
