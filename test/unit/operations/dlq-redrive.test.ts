import { describe, expect, it } from 'vitest';
import { MATCH_ALL, parseErrorClassList } from '../../../src/domain/dlq/redrive-filter.js';
import { redriveFiltered, type RedriveOptions } from '../../../src/operations/dlq-redrive.js';
import { FakeDlq, FakeSender, letter, virtualClock } from './fakes.js';

const SRC = 'http://sqs.local/123/src';
const opts = (over: Partial<RedriveOptions> = {}): RedriveOptions => ({
  filter: MATCH_ALL,
  max: Number.POSITIVE_INFINITY,
  ratePerSecond: 1000,
  dryRun: false,
  visibilitySeconds: 30,
  waitSeconds: 0,
  ...over,
});
const dead = (id: string, cls: string | null, extra: Record<string, string> = {}) =>
  letter(id, { ...(cls ? { error_class: cls } : {}), error_message: 'x', stage: 'extract', source_queue: SRC, failed_at: '2026-11-23T00:00:00Z', content_type: 'text/plain', ...extra });

describe('redriveFiltered with fakes', () => {
  it('sends the body with the original attributes only, and deletes after the send', async () => {
    const dlq = new FakeDlq([dead('a', 'corrupt_file', { trace_id: 't1' })]);
    const sender = new FakeSender();
    const summary = await redriveFiltered({ dlq, sender, clock: virtualClock() }, opts());
    expect(summary).toMatchObject({ moved: 1, skipped: 0, failed: 0 });
    expect(sender.sent).toEqual([{ url: SRC, message: { id: 'm0', body: 'body-a', attributes: { trace_id: { dataType: 'String', stringValue: 't1' } } } }]);
    expect(dlq.calls.map((c) => c.op)).toEqual(['receive', 'remove', 'receive']);
  });

  it('a failed send is counted, not deleted, and given back; the others in the batch still move', async () => {
    const dlq = new FakeDlq([dead('a', 'corrupt_file'), dead('b', 'corrupt_file'), dead('c', 'corrupt_file')]);
    const sender = new FakeSender();
    sender.failBodies = new Set(['body-b']);
    const summary = await redriveFiltered({ dlq, sender, clock: virtualClock() }, opts());
    expect(summary).toMatchObject({ moved: 2, failed: 1, released: 1 });
    expect(summary.errors).toEqual([`b: send to ${SRC} failed: InvalidMessageContents bad`]);
    expect([...dlq.removed].sort()).toEqual(['a', 'c']);
    expect(dlq.calls.find((c) => c.op === 'release')?.ids).toEqual(['b']);
  });

  it('a send that throws deletes nothing from that batch', async () => {
    const dlq = new FakeDlq([dead('a', 'corrupt_file'), dead('b', 'corrupt_file')]);
    const sender = new FakeSender();
    sender.throwAll = true;
    const summary = await redriveFiltered({ dlq, sender, clock: virtualClock() }, opts());
    expect(summary).toMatchObject({ moved: 0, failed: 2 });
    expect(dlq.removed.size).toBe(0);
  });

  it('a failed delete after a good send is counted as failed and named as a coming duplicate', async () => {
    const dlq = new FakeDlq([dead('a', 'corrupt_file'), dead('b', 'corrupt_file')]);
    dlq.failRemoveIds = new Set(['a']);
    const sender = new FakeSender();
    const summary = await redriveFiltered({ dlq, sender, clock: virtualClock() }, opts());
    expect(summary).toMatchObject({ moved: 1, failed: 1 });
    expect(summary.errors[0]).toContain('a: sent to');
    expect(summary.errors[0]).toContain('delivered twice');
    expect(sender.sent).toHaveLength(2);
  });

  it.each([
    ['cap below one batch', 3, 3],
    ['cap of exactly one batch', 10, 10],
    ['cap above the queue', 100, 25],
  ] as const)('--max: %s', async (_name, max, moved) => {
    const dlq = new FakeDlq(Array.from({ length: 25 }, (_, i) => dead(`m${i}`, 'ocr_failed')));
    const summary = await redriveFiltered({ dlq, sender: new FakeSender(), clock: virtualClock() }, opts({ max }));
    expect(summary.moved).toBe(moved);
    expect(dlq.removed.size).toBe(moved);
  });

  it('`none` moves the messages without an error class', async () => {
    const dlq = new FakeDlq([dead('a', null), dead('b', 'corrupt_file')]);
    const sender = new FakeSender();
    const summary = await redriveFiltered({ dlq, sender, clock: virtualClock() }, opts({ filter: parseErrorClassList('none') }));
    expect(summary).toMatchObject({ moved: 1, skipped: 1, movedByClass: { none: 1 } });
    expect(sender.sent.map((s) => s.message.body)).toEqual(['body-a']);
  });

  it('sleeps on the virtual clock to hold the rate', async () => {
    const dlq = new FakeDlq(Array.from({ length: 30 }, (_, i) => dead(`m${i}`, 'ocr_failed')));
    const clock = virtualClock();
    await redriveFiltered({ dlq, sender: new FakeSender(), clock }, opts({ ratePerSecond: 2 }));
    // A burst of 2, then 28 tokens at 2/s.
    expect(clock.slept).toBe(14_000);
  });

  it('extends the held messages during a slow run', async () => {
    const dlq = new FakeDlq([...Array.from({ length: 10 }, (_, i) => dead(`s${i}`, 'too_large')), ...Array.from({ length: 10 }, (_, i) => dead(`m${i}`, 'ocr_failed'))]);
    await redriveFiltered({ dlq, sender: new FakeSender(), clock: virtualClock() }, opts({ filter: parseErrorClassList('ocr_failed'), ratePerSecond: 0.5, visibilitySeconds: 10 }));
    const extends_ = dlq.calls.filter((c) => c.op === 'extend');
    expect(extends_.length).toBeGreaterThan(0);
    expect(extends_.every((c) => c.seconds === 10 && c.ids.every((id) => id.startsWith('s')))).toBe(true);
  });
});
