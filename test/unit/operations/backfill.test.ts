import { describe, expect, it } from 'vitest';
import { createKeyFilter, KEEP_ALL } from '../../../src/domain/coverage/key-filter.js';
import { checkpointName } from '../../../src/domain/coverage/listing.js';
import { documentId } from '../../../src/domain/document.js';
import { runBackfill, type BackfillOptions } from '../../../src/operations/backfill.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { fakeLookup, FakeJobSender, FakeLister, MemoryState, obj } from './coverage-fakes.js';

const SOURCE = 's3://docs/archive/';
const keys = (n: number) => Array.from({ length: n }, (_, i) => `archive/${String(i).padStart(4, '0')}.txt`);
const opts = (over: Partial<BackfillOptions> = {}): BackfillOptions => ({
  location: { bucket: 'docs', prefix: 'archive/' }, source: SOURCE, inventory: null, queueUrl: 'q', ratePerSecond: 100, max: null, dryRun: false, skipUnchanged: false, restart: false, ...over,
});

function setup(objects = [...keys(95).map((k) => obj(k)), obj('other/outside.txt')]) {
  return { lister: new FakeLister(objects), sender: new FakeJobSender(), state: new MemoryState(), clock: virtualClock() };
}

describe('runBackfill', () => {
  it('enqueues one job per object under the prefix, in batches of ten, at the rate, and removes its checkpoint at the end', async () => {
    const s = setup();
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    expect(summary).toMatchObject({ listed: 95, enqueued: 95, unchanged: 0, filtered: 0, stoppedBy: 'end', resumedAfter: null, error: null });
    expect(s.sender.jobs.map((j) => j.key)).toEqual(keys(95));
    expect(s.sender.calls).toBe(11); // pages of 25: 10 + 10 + 5 per page (a batch never spans pages), 10 + 10 for the last 20
    // 95 jobs at 100/s with a burst of 10: the limiter held the run back for ~0.85 s of virtual time.
    expect(s.clock.slept).toBeGreaterThanOrEqual(840);
    expect(summary.seconds).toBeCloseTo(s.clock.slept / 1000, 3);
    expect(s.state.docs.size).toBe(0);
    expect(s.state.writes).toBeGreaterThanOrEqual(10);
  });

  it('passes over keys the filter does not keep and keys no S3 object can have', async () => {
    const s = setup([obj('archive/a.txt'), obj('archive/~$a.docx'), obj('archive/.DS_Store'), obj(`archive/${'x'.repeat(1100)}`)]);
    const filter = createKeyFilter({ include: [], exclude: [(k) => k.includes('~$'), (k) => k.endsWith('.DS_Store')], internal: [] });
    const summary = await runBackfill({ ...s, keyFilter: filter }, opts());
    expect(summary).toMatchObject({ listed: 4, enqueued: 1, filtered: 2, invalid: 1 });
    expect(s.sender.jobs).toEqual([{ bucket: 'docs', key: 'archive/a.txt' }]);
  });

  it('--skip-unchanged asks the index by id and leaves out what has the same ETag', async () => {
    const s = setup(keys(30).map((k) => obj(k)));
    const indexed = keys(30).map((k, i) => ({ id: documentId('docs', k), bucket: 'docs', key: k, etag: i < 20 ? `${k}-etag` : 'changed', checksum: 'c' }));
    const lookup = fakeLookup(indexed);
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL, lookup }, opts({ skipUnchanged: true }));
    expect(summary).toMatchObject({ listed: 30, enqueued: 10, unchanged: 20 });
    expect(s.sender.jobs.map((j) => j.key)).toEqual(keys(30).slice(20));
    expect(lookup.factCalls).toBe(2); // one mget per page of 25
  });

  it('--max stops after N and keeps the checkpoint; the next run continues after it and finishes', async () => {
    const s = setup();
    const first = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts({ max: 40 }));
    expect(first).toMatchObject({ enqueued: 40, stoppedBy: 'max' });
    const stored = JSON.parse(s.state.docs.get(checkpointName(SOURCE, null))!);
    expect(stored).toMatchObject({ version: 1, source: SOURCE, position: { kind: 'list', key: keys(95)[39] }, enqueued: 40 });
    const second = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    expect(second).toMatchObject({ enqueued: 55, stoppedBy: 'end', resumedAfter: keys(95)[39] });
    expect(s.lister.calls[1]).toEqual({ kind: 'list', key: keys(95)[39] });
    expect(s.sender.jobs.map((j) => j.key)).toEqual(keys(95)); // each exactly once
  });

  /** A run of 40 objects (pages of 25: batches of 10, 10, 5, 10, 5) with every checkpoint it stored, in order. */
  async function recordedRun() {
    const s = setup(keys(40).map((k) => obj(k)));
    const stored: Array<{ docs: Map<string, string>; jobsSent: number }> = [];
    const write = s.state.write.bind(s.state);
    s.state.write = async (name, text) => {
      await write(name, text);
      stored.push({ docs: new Map(s.state.docs), jobsSent: s.sender.jobs.length });
    };
    await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    const checkpoint = (i: number) => JSON.parse(stored[i]!.docs.get(checkpointName(SOURCE, null))!);
    /** Runs again from the state stored by write i, as after a kill -9 then; returns its summary and every key sent in total. */
    const rerunFrom = async (i: number, sentBeforeKill: number) => {
      const again = { ...setup(keys(40).map((k) => obj(k))), state: Object.assign(new MemoryState(), { docs: new Map(stored[i]!.docs) }) };
      const summary = await runBackfill({ ...again, keyFilter: KEEP_ALL }, opts());
      return { summary, all: [...s.sender.jobs.slice(0, sentBeforeKill), ...again.sender.jobs].map((j) => j.key) };
    };
    return { stored, checkpoint, rerunFrom };
  }
  const twice = (all: string[]) => [...new Set(all.filter((k, i) => all.indexOf(k) !== i))];

  it('checkpoints alternate: the batch in flight before each send, the position past it after', async () => {
    const { stored, checkpoint } = await recordedRun();
    expect(checkpoint(0)).toMatchObject({ position: null, inFlight: { upTo: { key: keys(40)[9] }, jobs: 10 }, enqueued: 0 });
    expect(checkpoint(1)).toEqual(expect.objectContaining({ position: { kind: 'list', key: keys(40)[9] }, enqueued: 10 }));
    expect(checkpoint(1).inFlight).toBeUndefined();
    expect(checkpoint(4)).toMatchObject({ position: { key: keys(40)[19] }, inFlight: { upTo: { key: keys(40)[24] }, jobs: 5 } });
    expect(stored.filter((w) => w.docs.size === 1)).toHaveLength(stored.length);
  });

  it('a kill -9 while waiting for the rate: the rerun continues after the last batch, each object enqueued once in total', async () => {
    const { checkpoint, stored, rerunFrom } = await recordedRun();
    const i = 3; // the position after batch two: the run then waits for tokens for batch three
    expect(checkpoint(i).inFlight).toBeUndefined();
    const { summary, all } = await rerunFrom(i, stored[i]!.jobsSent);
    expect(summary).toMatchObject({ resumedAfter: keys(40)[19], resentInFlight: null, enqueued: 20, stoppedBy: 'end' });
    expect(all).toEqual(keys(40));
  });

  it('a kill -9 during a send SQS never took: the rerun sends that batch, once in total, and says it may be twice', async () => {
    const { checkpoint, stored, rerunFrom } = await recordedRun();
    const i = 4; // batch three in flight; the kill came before SQS accepted it
    const { summary, all } = await rerunFrom(i, stored[i]!.jobsSent);
    expect(summary.resentInFlight).toEqual({ jobs: 5, upTo: keys(40)[24] });
    expect(checkpoint(i).enqueued).toBe(20);
    expect(all).toEqual(keys(40));
  });

  it('a kill -9 after SQS took a batch, before the checkpoint moved past it: only that batch is enqueued twice, and the rerun says so', async () => {
    const { stored, rerunFrom } = await recordedRun();
    const i = 2; // batch two in flight; SQS accepted it, the kill came before the next write
    const { summary, all } = await rerunFrom(i, stored[i + 1]!.jobsSent);
    expect(summary.resentInFlight).toEqual({ jobs: 10, upTo: keys(40)[19] });
    expect(twice(all)).toEqual(keys(40).slice(10, 20));
    expect(new Set(all)).toEqual(new Set(keys(40)));
  });

  it('a batch SQS keeps refusing stops the run with the checkpoint before the first unsent job', async () => {
    const s = setup(keys(30).map((k) => obj(k)));
    s.sender.refuse.set(keys(30)[13]!, 99);
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    expect(summary.stoppedBy).toBe('error');
    expect(summary.error).toMatch(/could not send 1 job\(s\) after 5 attempts: InternalError/);
    expect(JSON.parse(s.state.docs.get(checkpointName(SOURCE, null))!).position.key).toBe(keys(30)[12]);
  });

  it('an entry refused a few times is retried with backoff and lands once', async () => {
    const s = setup(keys(12).map((k) => obj(k)));
    s.sender.refuse.set(keys(12)[3]!, 2);
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    expect(summary).toMatchObject({ enqueued: 12, stoppedBy: 'end' });
    expect(s.sender.jobs.filter((j) => j.key === keys(12)[3])).toHaveLength(1);
  });

  it('a listing that fails mid-way keeps the checkpoint of what was sent', async () => {
    const s = setup(keys(60).map((k) => obj(k)));
    s.lister.failAfterPages = 1;
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts());
    expect(summary).toMatchObject({ enqueued: 25, stoppedBy: 'error', error: 'ListObjectsV2 failed' });
    expect(JSON.parse(s.state.docs.get(checkpointName(SOURCE, null))!).position.key).toBe(keys(60)[24]);
  });

  it('a signal finishes the batch in hand, saves the checkpoint and returns', async () => {
    const s = setup();
    const controller = new AbortController();
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts({ signal: controller.signal, onProgress: (p) => p.enqueued >= 20 && controller.abort() }));
    expect(summary.stoppedBy).toBe('signal');
    const at = JSON.parse(s.state.docs.get(checkpointName(SOURCE, null))!).position.key as string;
    expect(at).toBe(keys(95)[summary.enqueued - 1]);
  });

  it('--dry-run sends nothing and writes no checkpoint', async () => {
    const s = setup();
    const summary = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts({ dryRun: true, max: 30 }));
    expect(summary).toMatchObject({ enqueued: 30, dryRun: true, stoppedBy: 'max' });
    expect(s.sender.calls).toBe(0);
    expect(s.state.writes).toBe(0);
  });

  it('--restart ignores the checkpoint; a checkpoint of another source is an error, not a fresh start', async () => {
    const s = setup();
    await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts({ max: 10 }));
    const again = await runBackfill({ ...s, keyFilter: KEEP_ALL }, opts({ restart: true, max: 10 }));
    expect(again.resumedAfter).toBeNull();
    s.state.docs.set(checkpointName(SOURCE, null), JSON.stringify({ version: 1, source: 's3://docs/other/', inventory: null, position: { kind: 'list', key: 'x' }, enqueued: 1, updatedAt: 'x' }));
    await expect(runBackfill({ ...s, keyFilter: KEEP_ALL }, opts())).rejects.toThrow(/belongs to s3:\/\/docs\/other\//);
  });
});
