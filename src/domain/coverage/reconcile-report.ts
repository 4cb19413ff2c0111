import { createHash } from 'node:crypto';

export const DISCREPANCIES = ['missing', 'stale', 'orphaned'] as const;
export type Discrepancy = (typeof DISCREPANCIES)[number];

/**
 * What one `docsift reconcile` of a source found (and, with --fix, repaired). Written under
 * STATE_URI; the worker sums the newest report of every source into the docsift_reconcile_* gauges.
 */
export interface ReconcileReport {
  version: 1;
  source: string;
  finishedAt: string;
  objects: number;
  documents: number;
  found: Record<Discrepancy, number>;
  /** null without --fix. */
  fixed: Record<Discrepancy, number> | null;
}

export function reportName(source: string): string {
  return `reconcile/${createHash('sha256').update(source).digest('hex').slice(0, 16)}.json`;
}

const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const counts = (v: unknown) => !!v && typeof v === 'object' && DISCREPANCIES.every((k) => count((v as Record<string, unknown>)[k]));

/** A stored report, or null when the text is not one (a foreign file is skipped, not fatal). */
export function parseReport(text: string): ReconcileReport | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (v.version !== 1 || typeof v.source !== 'string' || typeof v.finishedAt !== 'string' || Number.isNaN(Date.parse(v.finishedAt))) return null;
  if (!count(v.objects) || !count(v.documents) || !counts(v.found) || !(v.fixed === null || counts(v.fixed))) return null;
  return v as unknown as ReconcileReport;
}

/** One key's verdict: its object (etag) against the documents indexed for it. */
export function classifyKey(objectEtag: string | null | undefined, documentEtags: Array<string | null>): 'ok' | Discrepancy {
  if (objectEtag === undefined) return 'orphaned';
  if (documentEtags.length === 0) return 'missing';
  return documentEtags.some((e) => e !== null && e === objectEtag) ? 'ok' : 'stale';
}
