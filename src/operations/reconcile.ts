import { classifyKey, reportName, type Discrepancy, type ReconcileReport } from '../domain/coverage/reconcile-report.js';
import type { KeyFilter } from '../domain/coverage/key-filter.js';
import type { ListedObject } from '../domain/coverage/listing.js';
import { compareKeys, normaliseEtag, type S3Location } from '../domain/coverage/s3-uri.js';
import type { Clock } from '../ports/clock.port.js';
import type { IndexedFacts, IndexLookup } from '../ports/index-lookup.port.js';
import type { ObjectLister } from '../ports/object-lister.port.js';
import type { StateStore } from '../ports/state-store.port.js';
import { ReconcileFixer, type FixDeps } from './reconcile-fixer.js';
import { SortedStream } from './sorted-stream.js';

export interface ReconcileDeps {
  lister: ObjectLister;
  lookup: IndexLookup;
  state: StateStore;
  clock: Clock;
  keyFilter: KeyFilter;
  /** Needed for fix. */
  fix?: FixDeps;
}

export interface ReconcileOptions {
  location: S3Location;
  source: string;
  fix: boolean;
  /** Keys of each kind kept for the report. */
  samples?: number;
  signal?: AbortSignal;
  onProgress?: (summary: ReconcileSummary) => void;
}

export interface ReconcileSummary {
  objects: number;
  documents: number;
  ok: number;
  found: Record<Discrepancy, number>;
  fixed: Record<Discrepancy, number> | null;
  /** Orphans whose object was there after all when checked before deleting (written meanwhile). */
  notOrphaned: number;
  samples: Record<Discrepancy, string[]>;
  complete: boolean;
  error: string | null;
  seconds: number;
}

/**
 * Compares the bucket with the index in one pass: both sides come sorted by key (ListObjectsV2 and
 * a search sorted on `key`), so they are merged with a page of each in memory, whatever their
 * size. A key with an object and no document is missing, with documents none of which has the
 * object's ETag stale, and a document without an object orphaned. With fix, missing and stale keys
 * are enqueued and orphans deleted from the index. A complete run writes its report to STATE_URI.
 */
export async function runReconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileSummary> {
  if (!deps.lister.sorted) throw new Error('reconcile needs a sorted listing (ListObjectsV2), not an inventory');
  if (opts.fix && !deps.fix) throw new Error('fix needs the queue and the index');
  const started = deps.clock.now();
  const summary: ReconcileSummary = {
    objects: 0, documents: 0, ok: 0, found: { missing: 0, stale: 0, orphaned: 0 }, fixed: opts.fix ? { missing: 0, stale: 0, orphaned: 0 } : null,
    notOrphaned: 0, samples: { missing: [], stale: [], orphaned: [] }, complete: false, error: null, seconds: 0,
  };
  const fixer = opts.fix && deps.fix ? new ReconcileFixer(deps.fix, summary) : null;
  try {
    await merge(deps, opts, summary, fixer);
    await fixer?.finish();
    summary.complete = !opts.signal?.aborted;
  } catch (err) {
    summary.error = (err as Error).message.slice(0, 500);
    await fixer?.finish().catch(() => undefined);
  }
  summary.seconds = (deps.clock.now() - started) / 1000;
  if (summary.complete) await deps.state.write(reportName(opts.source), JSON.stringify(toReport(opts.source, summary, deps.clock)));
  return summary;
}

function toReport(source: string, s: ReconcileSummary, clock: Clock): ReconcileReport {
  return { version: 1, source, finishedAt: new Date(clock.now()).toISOString(), objects: s.objects, documents: s.documents, found: s.found, fixed: s.fixed };
}

type Note = (kind: Discrepancy, key: string) => void;

/** One key: its object (if listed) against its documents (if any). */
async function judge(key: string, obj: ListedObject | undefined, docs: IndexedFacts[], ctx: { deps: ReconcileDeps; opts: ReconcileOptions; summary: ReconcileSummary; fixer: ReconcileFixer | null; note: Note }): Promise<void> {
  const { deps, opts, summary, fixer, note } = ctx;
  const kept = deps.keyFilter.verdict(opts.location.bucket, key) === 'keep';
  const verdict = classifyKey(obj ? normaliseEtag(obj.etag) : undefined, docs.map((d) => normaliseEtag(d.etag)));
  if (obj && kept) summary.objects += 1;
  if (verdict === 'orphaned') {
    for (const d of docs) {
      note('orphaned', key);
      await fixer?.orphan(d);
    }
    return;
  }
  // A key left out by INCLUDE_KEYS/EXCLUDE_KEYS is neither missing nor stale.
  if (!kept) return;
  if (verdict === 'ok') {
    summary.ok += 1;
    return;
  }
  note(verdict, key);
  await fixer?.enqueue(verdict, { bucket: opts.location.bucket, key });
}

async function merge(deps: ReconcileDeps, opts: ReconcileOptions, summary: ReconcileSummary, fixer: ReconcileFixer | null): Promise<void> {
  const { bucket, prefix } = opts.location;
  const objects = new SortedStream<ListedObject>(deps.lister.list(opts.location, null, opts.signal), (o) => o.key, 'the S3 listing');
  const documents = new SortedStream<IndexedFacts>(deps.lookup.scan(bucket, prefix), (d) => d.key, 'the index scan');
  const note: Note = (kind, key) => {
    summary.found[kind] += 1;
    if (summary.samples[kind].length < (opts.samples ?? 20)) summary.samples[kind].push(key);
  };
  for (let steps = 1; !opts.signal?.aborted; steps++) {
    const object = await objects.peek();
    const document = await documents.peek();
    if (!object && !document) return;
    const order = object && document ? compareKeys(object.key, document.key) : object ? -1 : 1;
    const key = order <= 0 ? object!.key : document!.key;
    const obj = order <= 0 ? await objects.next() : undefined;
    const docs = order >= 0 ? await documents.takeKey(key) : [];
    summary.documents += docs.length;
    await judge(key, obj, docs, { deps, opts, summary, fixer, note });
    if (steps % 1000 === 0) opts.onProgress?.({ ...summary });
  }
}
