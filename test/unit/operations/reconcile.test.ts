import { describe, expect, it } from 'vitest';
import { createKeyFilter, KEEP_ALL } from '../../../src/domain/coverage/key-filter.js';
import { parseReport, reportName } from '../../../src/domain/coverage/reconcile-report.js';
import { DocsiftError } from '../../../src/domain/errors.js';
import { JobEnqueuer } from '../../../src/operations/job-enqueuer.js';
import { RateLimiter } from '../../../src/operations/rate-limiter.js';
import { runReconcile, type ReconcileOptions } from '../../../src/operations/reconcile.js';
import type { IndexedFacts } from '../../../src/ports/index-lookup.port.js';
import type { IndexOperation } from '../../../src/ports/search-index.port.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { fakeLookup, FakeJobSender, FakeLister, MemoryState, obj } from './coverage-fakes.js';

const doc = (key: string, etag = `${key}-etag`, id = `id-${key}`): IndexedFacts => ({ id, bucket: 'docs', key, etag, checksum: 'c' });
const opts = (over: Partial<ReconcileOptions> = {}): ReconcileOptions => ({ location: { bucket: 'docs', prefix: 'a/' }, source: 's3://docs/a/', fix: false, ...over });

/** 40 objects; 5 missing from the index, 5 with another ETag there, 5 documents without objects. */
function prepared() {
  const keys = Array.from({ length: 40 }, (_, i) => `a/${String(i).padStart(2, '0')}-${i % 3 === 0 ? '日本' : 'x y+z'}.txt`);
  const objects = keys.map((k) => obj(k));
  const missing = keys.slice(0, 5);
  const stale = keys.slice(10, 15);
  const orphaned = Array.from({ length: 5 }, (_, i) => `a/gone-${i}.txt`);
  const docs = [
    ...keys.filter((k) => !missing.includes(k)).map((k) => doc(k, stale.includes(k) ? 'old' : `${k}-etag`)),
    ...orphaned.map((k) => doc(k)),
    doc('b/outside-the-prefix.txt'),
  ];
  return { objects, docs, missing, stale, orphaned: [...orphaned].sort() };
}

function fixDeps(headFinds: Set<string> = new Set()) {
  const sender = new FakeJobSender();
  const clock = virtualClock();
  const writes: IndexOperation[] = [];
  const heads: string[] = [];
  return {
    sender,
    writes,
    heads,
    fix: {
      enqueuer: new JobEnqueuer(sender, 'q', new RateLimiter(1000, clock), clock),
      objects: {
        head: async (ref: { key: string }) => {
          heads.push(ref.key);
          if (headFinds.has(ref.key)) return { size: 1, etag: null, lastModified: null, contentType: null, versionId: null };
          throw new DocsiftError('not_found', 'fetch', 'NotFound');
        },
      },
      index: { write: async (op: IndexOperation) => void writes.push(op), flush: async () => undefined },
    },
  };
}

describe('runReconcile', () => {
  it('reports exactly the missing, stale and orphaned documents, and writes the report', async () => {
    const p = prepared();
    const state = new MemoryState();
    const s = await runReconcile({ lister: new FakeLister(p.objects, 9), lookup: fakeLookup(p.docs, 4), state, clock: virtualClock(), keyFilter: KEEP_ALL }, opts());
    expect(s).toMatchObject({ objects: 40, documents: 40, ok: 30, found: { missing: 5, stale: 5, orphaned: 5 }, fixed: null, complete: true, error: null });
    expect(s.samples.missing.sort()).toEqual([...p.missing].sort());
    expect(s.samples.stale.sort()).toEqual([...p.stale].sort());
    expect(s.samples.orphaned).toEqual(p.orphaned);
    expect(parseReport(state.docs.get(reportName('s3://docs/a/'))!)).toMatchObject({ objects: 40, documents: 40, found: { missing: 5, stale: 5, orphaned: 5 }, fixed: null });
  });

  it('--fix enqueues missing and stale keys and deletes orphans whose object a HEAD confirms gone', async () => {
    const p = prepared();
    const f = fixDeps(new Set([p.orphaned[0]!]));
    const s = await runReconcile({ lister: new FakeLister(p.objects), lookup: fakeLookup(p.docs), state: new MemoryState(), clock: virtualClock(), keyFilter: KEEP_ALL, fix: f.fix }, opts({ fix: true }));
    expect(s.fixed).toEqual({ missing: 5, stale: 5, orphaned: 4 });
    expect(s.notOrphaned).toBe(1); // written after the listing: its document stays
    expect(f.sender.jobs.map((j) => j.key).sort()).toEqual([...p.missing, ...p.stale].sort());
    expect(f.heads).toEqual(p.orphaned);
    expect(f.writes).toEqual(p.orphaned.slice(1).map((k) => ({ type: 'delete', id: `id-${k}` })));
  });

  it('several documents for one key (versions): fine if one has the ETag; their pages may split the key', async () => {
    const docs = [doc('a/k', 'v1', 'id1'), doc('a/k', 'e', 'id2'), doc('a/l', 'old', 'id3'), doc('a/l', 'older', 'id4')];
    const s = await runReconcile({ lister: new FakeLister([obj('a/k', '"e"'), obj('a/l', '"new"')]), lookup: fakeLookup(docs, 1), state: new MemoryState(), clock: virtualClock(), keyFilter: KEEP_ALL }, opts());
    expect(s).toMatchObject({ ok: 1, documents: 4, found: { missing: 0, stale: 1, orphaned: 0 } });
  });

  it('keys the filter leaves out are neither missing nor stale; their documents without objects are still orphans', async () => {
    const filter = createKeyFilter({ include: [], exclude: [(k) => k.endsWith('.tmp')], internal: [] });
    const s = await runReconcile(
      { lister: new FakeLister([obj('a/x.tmp'), obj('a/y.tmp')]), lookup: fakeLookup([doc('a/y.tmp', 'old'), doc('a/z.tmp')]), state: new MemoryState(), clock: virtualClock(), keyFilter: filter },
      opts(),
    );
    expect(s.found).toEqual({ missing: 0, stale: 0, orphaned: 1 });
  });

  it('a side that is not in key order is an error, and no report is written', async () => {
    const state = new MemoryState();
    const s = await runReconcile({ lister: new FakeLister([obj('a/b'), obj('a/a')]), lookup: fakeLookup([]), state, clock: virtualClock(), keyFilter: KEEP_ALL }, opts());
    expect(s.complete).toBe(false);
    expect(s.error).toMatch(/the S3 listing is not in UTF-8 key order/);
    expect(state.docs.size).toBe(0);
  });

  it('refuses an unsorted lister (an inventory)', async () => {
    const lister = Object.assign(new FakeLister([]), { sorted: false as const });
    await expect(runReconcile({ lister: lister as unknown as FakeLister, lookup: fakeLookup([]), state: new MemoryState(), clock: virtualClock(), keyFilter: KEEP_ALL }, opts())).rejects.toThrow(/sorted listing/);
  });
});
