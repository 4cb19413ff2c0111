import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SqsDeadLetterReader, SqsMessageMover, SqsMessageSender } from '../../src/adapters/sqs/sqs.dlq-admin.js';
import { MATCH_ALL, parseErrorClassList } from '../../src/domain/dlq/redrive-filter.js';
import { moveAll } from '../../src/operations/dlq-move.js';
import { redriveFiltered, type RedriveOptions } from '../../src/operations/dlq-redrive.js';
import { sampleDeadLetters } from '../../src/operations/dlq-stats.js';
import type { Clock } from '../../src/ports/clock.port.js';
import { systemClock } from '../../src/platform/clock.js';
import { virtualClock as makeVirtualClock } from '../helpers/virtual-clock.js';
import type { MessageSender, OutgoingMessage } from '../../src/ports/message-sender.port.js';
import { startLocalSqs, type LocalSqs } from '../helpers/local-sqs.js';

const realClock = systemClock;
const virtualClock = () => makeVirtualClock(Date.parse('2026-11-23T12:00:00Z'));

let local: LocalSqs;
beforeAll(async () => {
  local = await startLocalSqs();
});
afterAll(async () => local?.close());

interface Seeded {
  dlqUrl: string;
  srcUrl: string;
  srcArn: string;
  bodies: Map<string, string>; // body → error class
}

/** A DLQ as the worker leaves it: original body, error attributes, the source queue, one original attribute. */
async function seed(classes: Record<string, number>, options: { sourceQueue?: boolean } = {}): Promise<Seeded> {
  const dlq = await local.queue('dlq');
  const src = await local.queue('src', { dlqArn: dlq.arn });
  const bodies = new Map<string, string>();
  const messages: Array<{ body: string; attributes: Record<string, string> }> = [];
  for (const [cls, n] of Object.entries(classes)) {
    for (let i = 0; i < n; i++) {
      const body = JSON.stringify({ bucket: 'docs', key: `${cls}/${i}.pdf` });
      bodies.set(body, cls);
      messages.push({
        body,
        attributes: {
          error_class: cls,
          error_message: `${cls} happened`,
          stage: cls === 'too_large' ? 'fetch' : 'extract',
          failed_at: new Date(Date.now() - i * 60_000).toISOString(),
          content_type: 'application/pdf',
          trace_id: `t-${cls}-${i}`,
          ...(options.sourceQueue === false ? {} : { source_queue: src.url }),
        },
      });
    }
  }
  await local.sendMany(dlq.url, messages);
  return { dlqUrl: dlq.url, srcUrl: src.url, srcArn: src.arn, bodies };
}

function options(over: Partial<RedriveOptions> = {}): RedriveOptions {
  return { filter: MATCH_ALL, max: Number.POSITIVE_INFINITY, ratePerSecond: 1000, dryRun: false, visibilitySeconds: 60, waitSeconds: 0, ...over };
}

function deps(dlqUrl: string, clock: Clock = realClock, sender: MessageSender = new SqsMessageSender(local.sqs)) {
  return { dlq: new SqsDeadLetterReader(local.sqs, dlqUrl), sender, clock };
}

describe('dlq stats', () => {
  it('counts by class, stage and content type, and leaves every message visible again', async () => {
    const s = await seed({ corrupt_file: 12, too_large: 5, ocr_timeout: 3 });
    const result = await sampleDeadLetters(deps(s.dlqUrl), { sample: 1000, visibilitySeconds: 60, waitSeconds: 0 });
    expect(result.stats.sampled).toBe(20);
    expect(result.stats.byErrorClass.map((r) => [r.value, r.count, r.kind])).toEqual([
      ['corrupt_file', 12, 'permanent'],
      ['too_large', 5, 'permanent'],
      ['ocr_timeout', 3, 'transient'],
    ]);
    expect(result.stats.byStage.map((r) => [r.value, r.count])).toEqual([
      ['extract', 15],
      ['fetch', 5],
    ]);
    expect(result.stats.byContentType).toEqual([{ value: 'application/pdf', count: 20, share: 1 }]);
    expect(result.stats.oldestAgeSeconds).toBeGreaterThanOrEqual(11 * 60 - 5);
    expect(result.released).toBe(20);
    expect(result.releaseFailed).toBe(0);
    // Visible again at once, not after the 60 s visibility.
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 20, inFlight: 0 });
    // And the read raised their receive counts.
    const again = await new SqsDeadLetterReader(local.sqs, s.dlqUrl).receive(10, 1, 0);
    for (const m of again) expect(m.receiveCount).toBeGreaterThan(1);
  });

  it('--error-class none counts only the messages without an error_class (moved by the redrive policy), out of all it read', async () => {
    const s = await seed({ corrupt_file: 3, index_unavailable: 2 });
    await local.sendMany(s.dlqUrl, [{ body: '{"bucket":"docs","key":"unlabelled/1.pdf"}', attributes: { trace_id: 't1' } }, { body: '{"bucket":"docs","key":"unlabelled/2.pdf"}', attributes: {} }]);
    const none = await sampleDeadLetters(deps(s.dlqUrl), { sample: 1000, filter: parseErrorClassList('none'), visibilitySeconds: 60, waitSeconds: 0 });
    expect(none.read).toBe(7);
    expect(none.stats.sampled).toBe(2);
    expect(none.stats.byErrorClass).toEqual([{ value: 'none', count: 2, share: 1, kind: 'unlabelled' }]);
    const some = await sampleDeadLetters(deps(s.dlqUrl), { sample: 1000, filter: parseErrorClassList('index_unavailable,none'), visibilitySeconds: 60, waitSeconds: 0 });
    expect(some.stats.byErrorClass.map((r) => [r.value, r.count])).toEqual([['index_unavailable', 2], ['none', 2]]);
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 7, inFlight: 0 });
  });

  it('reads no more than --sample and releases what it read', async () => {
    const s = await seed({ corrupt_file: 25 });
    const result = await sampleDeadLetters(deps(s.dlqUrl), { sample: 7, visibilitySeconds: 60, waitSeconds: 0 });
    expect(result.stats.sampled).toBe(7);
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 25, inFlight: 0 });
  });
});

describe('dlq redrive with a class filter', () => {
  it('moves only the matching classes, strips the error attributes, keeps the others visible in the DLQ', async () => {
    const s = await seed({ corrupt_file: 6, ocr_timeout: 4, index_unavailable: 3 });
    const summary = await redriveFiltered(deps(s.dlqUrl), options({ filter: parseErrorClassList('ocr_timeout,index_unavailable') }));
    expect(summary).toMatchObject({ moved: 7, skipped: 6, failed: 0, dryRun: false, movedByClass: { ocr_timeout: 4, index_unavailable: 3 }, movedByDestination: { [s.srcUrl]: 7 } });
    const moved = await local.readAll(s.srcUrl);
    expect(moved.map((m) => s.bodies.get(m.Body!)).sort()).toEqual([...Array(3).fill('index_unavailable'), ...Array(4).fill('ocr_timeout')]);
    for (const m of moved) {
      expect(Object.keys(m.MessageAttributes ?? {})).toEqual(['trace_id']);
    }
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 6, inFlight: 0 });
    const left = await local.readAll(s.dlqUrl);
    expect(left.every((m) => m.MessageAttributes?.error_class?.StringValue === 'corrupt_file')).toBe(true);
  });

  it('stops at --max and leaves the rest, matching or not, visible in the DLQ', async () => {
    const s = await seed({ corrupt_file: 15, too_large: 5 });
    const summary = await redriveFiltered(deps(s.dlqUrl), options({ filter: parseErrorClassList('corrupt_file'), max: 4 }));
    expect(summary.moved).toBe(4);
    expect(summary.failed).toBe(0);
    expect((await local.readAll(s.srcUrl)).length).toBe(4);
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 16, inFlight: 0 });
  });

  it('--dry-run reports what would move and moves nothing', async () => {
    const s = await seed({ corrupt_file: 8, too_large: 2 });
    const summary = await redriveFiltered(deps(s.dlqUrl), options({ filter: parseErrorClassList('too_large'), dryRun: true }));
    expect(summary).toMatchObject({ moved: 2, skipped: 8, failed: 0, dryRun: true, movedByClass: { too_large: 2 } });
    expect(await local.counts(s.srcUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 10, inFlight: 0 });
  });

  it('sends to --to when given, and to QUEUE_URL when a message has no source_queue', async () => {
    const s = await seed({ corrupt_file: 3 }, { sourceQueue: false });
    const other = await local.queue('other');
    const unroutable = await redriveFiltered(deps(s.dlqUrl), options());
    expect(unroutable).toMatchObject({ moved: 0, failed: 3 });
    expect(unroutable.errors[0]).toContain('no source_queue attribute');
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 3, inFlight: 0 });

    const fallback = await redriveFiltered(deps(s.dlqUrl), options({ fallbackDestination: other.url }));
    expect(fallback).toMatchObject({ moved: 3, failed: 0, movedByDestination: { [other.url]: 3 } });
    expect((await local.readAll(other.url)).length).toBe(3);

    const routed = await seed({ too_large: 2 });
    const elsewhere = await local.queue('elsewhere');
    const flagged = await redriveFiltered(deps(routed.dlqUrl), options({ destination: elsewhere.url, fallbackDestination: other.url }));
    expect(flagged).toMatchObject({ moved: 2, movedByDestination: { [elsewhere.url]: 2 } });
    expect(await local.counts(routed.srcUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps to the rate: 40 messages at 10/s take about 3 s of sleeping beyond a burst of 10', async () => {
    const s = await seed({ corrupt_file: 40 });
    const clock = virtualClock();
    const sendTimes: number[] = [];
    const real = new SqsMessageSender(local.sqs);
    const recording: MessageSender = {
      sendBatch: async (url: string, messages: OutgoingMessage[]) => {
        for (const _ of messages) sendTimes.push(clock.now());
        return real.sendBatch(url, messages);
      },
    };
    const summary = await redriveFiltered(deps(s.dlqUrl, clock, recording), options({ ratePerSecond: 10 }));
    expect(summary.moved).toBe(40);
    expect(clock.slept).toBeGreaterThanOrEqual(2900);
    expect(clock.slept).toBeLessThanOrEqual(3100);
    // No one-second window holds more than the rate plus the burst.
    for (const t of sendTimes) expect(sendTimes.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(20);
  });

  it('keeps the skipped messages hidden for a run longer than their visibility', async () => {
    // too_large first: the first batch is all skipped and held for 1 s, while sending 20 at 5/s takes 3 s.
    const s = await seed({ too_large: 10, corrupt_file: 20 });
    const summary = await redriveFiltered(deps(s.dlqUrl), options({ filter: parseErrorClassList('corrupt_file'), ratePerSecond: 5, visibilitySeconds: 1 }));
    expect(summary).toMatchObject({ moved: 20, skipped: 10, failed: 0, releaseFailed: 0 });
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 10, inFlight: 0 });
  });

  it('a stop signal ends the run after the batch in hand and gives the held messages back at once', async () => {
    const s = await seed({ corrupt_file: 15, too_large: 15 });
    const stop = new AbortController();
    const summary = await redriveFiltered(deps(s.dlqUrl), options({ filter: parseErrorClassList('too_large'), signal: stop.signal, onProgress: () => stop.abort() }));
    expect(summary.moved + summary.skipped).toBe(10); // one batch, then stop
    expect(summary.failed).toBe(0);
    expect((await local.readAll(s.srcUrl)).length).toBe(summary.moved);
    // The skipped ones of that batch were held invisible; they are visible again now, not in 60 s.
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 30 - summary.moved, inFlight: 0 });
  });

  it('a crash between send and delete duplicates messages but loses none', async () => {
    const s = await seed({ corrupt_file: 25 });
    const reader = new SqsDeadLetterReader(local.sqs, s.dlqUrl);
    const crashing = Object.assign(Object.create(reader) as SqsDeadLetterReader, {
      remove: async () => {
        throw new Error('simulated crash between send and delete');
      },
    });
    await expect(
      redriveFiltered({ dlq: crashing, sender: new SqsMessageSender(local.sqs), clock: realClock }, options({ visibilitySeconds: 1 })),
    ).rejects.toThrow(/simulated crash/);
    // The first batch reached the source queue; nothing was deleted from the DLQ.
    const inSource = await local.readAll(s.srcUrl);
    expect(inSource.length).toBe(10);
    await new Promise((r) => setTimeout(r, 1300)); // the sent-but-not-deleted batch becomes visible again
    const inDlq = await local.readAll(s.dlqUrl, 1);
    expect(inDlq.length).toBe(25);
    const all = new Set([...inSource, ...inDlq].map((m) => m.Body!));
    expect(all).toEqual(new Set(s.bodies.keys()));
    await new Promise((r) => setTimeout(r, 1300));

    // Running again finishes the job: every body reaches the source queue, the first 10 twice.
    const summary = await redriveFiltered(deps(s.dlqUrl), options());
    expect(summary).toMatchObject({ moved: 25, failed: 0 });
    const after = await local.readAll(s.srcUrl);
    expect(new Set(after.map((m) => m.Body!))).toEqual(new Set(s.bodies.keys()));
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('dlq redrive without a filter: StartMessageMoveTask', () => {
  it('moves everything to the given destination and --wait follows the task to COMPLETED', async () => {
    const s = await seed({ corrupt_file: 12, too_large: 3 });
    const seen: string[] = [];
    const result = await moveAll(
      { mover: new SqsMessageMover(local.sqs), clock: realClock },
      { dlqUrl: s.dlqUrl, destinationUrl: s.srcUrl, maxPerSecond: 100, wait: true, timeoutSeconds: 20, pollSeconds: 0.2, onProgress: (t) => seen.push(t.state) },
    );
    expect(result.timedOut).toBe(false);
    expect(result.task).toMatchObject({ state: 'COMPLETED', moved: 15 });
    expect(seen[seen.length - 1]).toBe('COMPLETED');
    expect((await local.readAll(s.srcUrl)).length).toBe(15);
    expect(await local.counts(s.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('without a destination, messages the worker sent to the DLQ cannot be routed (why QUEUE_URL is the default)', async () => {
    const s = await seed({ corrupt_file: 2 });
    const result = await moveAll(
      { mover: new SqsMessageMover(local.sqs), clock: realClock },
      { dlqUrl: s.dlqUrl, wait: true, timeoutSeconds: 20, pollSeconds: 0.2 },
    );
    expect(result.task).toMatchObject({ state: 'FAILED', failureReason: 'CouldNotDetermineMessageSource' });
  });

  it('without a destination, messages moved by the redrive policy go back to their own queue', async () => {
    const dlq = await local.queue('dlq');
    const src = await local.queue('src', { dlqArn: dlq.arn, maxReceiveCount: 1 });
    await local.sendMany(src.url, [{ body: 'poison-1' }, { body: 'poison-2' }]);
    for (let i = 0; i < 3; i++) {
      await local.sqs.send(new ReceiveMessageCommand({ QueueUrl: src.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    }
    expect((await local.counts(dlq.url)).visible).toBe(2);
    const result = await moveAll({ mover: new SqsMessageMover(local.sqs), clock: realClock }, { dlqUrl: dlq.url, wait: true, timeoutSeconds: 20, pollSeconds: 0.2 });
    expect(result.task).toMatchObject({ state: 'COMPLETED', moved: 2 });
    expect((await local.readAll(src.url)).map((m) => m.Body).sort()).toEqual(['poison-1', 'poison-2']);
  });

  it('--wait gives up at the timeout while the task still runs', async () => {
    const s = await seed({ corrupt_file: 30 });
    const result = await moveAll(
      { mover: new SqsMessageMover(local.sqs), clock: realClock },
      { dlqUrl: s.dlqUrl, destinationUrl: s.srcUrl, maxPerSecond: 1, wait: true, timeoutSeconds: 1, pollSeconds: 0.2 },
    );
    expect(result.timedOut).toBe(true);
    expect(result.task?.state).toBe('RUNNING');
  });
});
