import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../devstack/samples.js';
import { sequencerVersion } from '../../src/domain/sequencer.js';
import { FULL, SCENARIO_TIMEOUT_MS, World, nextSequencer, report, s3EventBody, type EventKind } from './harness/world.js';

/**
 * Scenario 5: duplicate and reordered deliveries. Each key gets a history of ObjectCreated and
 * ObjectRemoved events (increasing `sequencer`) applied to S3 in order; the events are then
 * delivered out of order, some twice. The index must end in the state of each key's latest event.
 *
 * How: writes carry the sequencer as an external version (domain/sequencer.ts), so an older event
 * loses with a 409 that counts as success, and deletes leave a versioned tombstone. An
 * ObjectCreated processed after its object was deleted finds nothing in S3: that is the permanent
 * `not_found` of scenario 3, dead-lettered, and the index correctly holds no document.
 */
interface Step {
  kind: EventKind;
  sequencer: string;
}
interface History {
  key: string;
  steps: Step[];
}

const RANDOM_KEYS = FULL ? 60 : 16;

describe('fault 5: duplicate and reordered deliveries', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  async function apply(histories: History[]): Promise<void> {
    for (const h of histories) {
      for (const [i, step] of h.steps.entries()) {
        if (step.kind === 'created') {
          await world.stack.s3.send(new PutObjectCommand({ Bucket: world.stack.bucket, Key: h.key, Body: `content of ${h.key} at step ${i}\n`, ContentType: 'text/plain' }));
        } else {
          await world.stack.s3.send(new DeleteObjectCommand({ Bucket: world.stack.bucket, Key: h.key }));
        }
      }
    }
  }

  const body = (h: History, s: Step) => s3EventBody(s.kind, world.stack.bucket, h.key, s.sequencer, 32);
  const last = (h: History) => h.steps[h.steps.length - 1]!;

  function check(histories: History[]) {
    const wrong: string[] = [];
    for (const h of histories) {
      const doc = world.double.docs.get(world.idOf(h.key));
      const final = last(h);
      if (final.kind === 'removed' && doc) wrong.push(`${h.key}: should be absent`);
      if (final.kind === 'created') {
        if (!doc) wrong.push(`${h.key}: missing`);
        else if (doc.exactVersion !== sequencerVersion(final.sequencer)) wrong.push(`${h.key}: version ${doc.exactVersion} is not the latest event's`);
        else if (doc.source.content !== `content of ${h.key} at step ${h.steps.length - 1}\n`) wrong.push(`${h.key}: stale content`);
      }
    }
    return wrong;
  }

  it('in-order worker, hand-picked orders: a late older event never undoes a newer one', async () => {
    const s = () => nextSequencer();
    // [history, delivery order as step indexes]
    const cases: Array<[string, EventKind[], number[]]> = [
      ['removed-before-created', ['created', 'removed'], [1, 0]],
      ['old-delete-after-recreate', ['created', 'removed', 'created'], [2, 0, 1]],
      ['old-create-after-newer-create', ['created', 'created'], [1, 0]],
      ['duplicate-delete-then-stale-create', ['created', 'removed'], [1, 1, 0]],
      ['redelivered-latest', ['created', 'removed', 'created'], [0, 1, 2, 2, 1]],
    ];
    const histories: History[] = cases.map(([name, kinds]) => ({ key: `ordered/${name}.txt`, steps: kinds.map((kind) => ({ kind, sequencer: s() })) }));
    await apply(histories);
    const deliveries = cases.flatMap(([, , order], i) => order.map((j) => body(histories[i]!, histories[i]!.steps[j]!)));
    await world.send(deliveries);
    // One message at a time, in delivery order: the orders above are exactly what the index sees.
    const worker = world.startWorker({ MAX_INFLIGHT: '1', RECEIVE_BATCH_SIZE: '1' });
    await world.drained(60_000);
    expect((await worker.stop()).code).toBe(0);
    const dead = await world.drainDlq();
    // Creates delivered for keys that no longer exist in S3: those and only those are not_found.
    const staleCreates = cases.reduce((n, [, kinds, order]) => n + (kinds[kinds.length - 1] === 'removed' ? order.filter((j) => kinds[j] === 'created').length : 0), 0);
    const wrong = check(histories);
    report({
      scenario: '5a reordered (in order of delivery)',
      messages: deliveries.length,
      lost: wrong.filter((w) => w.endsWith('missing')).length,
      duplicated: 0,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      wrongFinalState: wrong.length,
      staleCreatesDeadLetteredNotFound: dead.filter((d) => d.errorClass === 'not_found').length,
      versionConflictsAbsorbed: countConflicts(world),
    });
    expect(wrong).toEqual([]);
    expect(dead.map((d) => d.errorClass)).toEqual(Array.from({ length: staleCreates }, () => 'not_found'));
  });

  it(`concurrent worker, ${RANDOM_KEYS} random histories shuffled with duplicates: the index holds each key's latest state`, async () => {
    const rand = rng(555);
    const histories: History[] = Array.from({ length: RANDOM_KEYS }, (_, i) => {
      const n = 1 + Math.floor(rand() * 4);
      const steps: Step[] = [];
      for (let j = 0; j < n; j++) {
        // Start with a create; afterwards alternate at random (S3 allows repeated creates/deletes).
        const kind: EventKind = j === 0 || rand() < 0.6 ? 'created' : 'removed';
        steps.push({ kind, sequencer: nextSequencer() });
      }
      return { key: `random/key-${i}.txt`, steps };
    });
    await apply(histories);
    const deliveries: string[] = [];
    let duplicates = 0;
    let staleCreates = 0;
    for (const h of histories) {
      for (const step of h.steps) {
        const copies = rand() < 0.3 ? 2 : 1;
        duplicates += copies - 1;
        if (step.kind === 'created' && last(h).kind === 'removed') staleCreates += copies;
        for (let c = 0; c < copies; c++) deliveries.push(body(h, step));
      }
    }
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    const conflictsBefore = world.double.conflicts.length;
    await world.send(deliveries);
    const worker = world.startWorker({ MAX_INFLIGHT: '8' });
    await world.drained(90_000);
    expect((await worker.stop()).code).toBe(0);
    const dead = await world.drainDlq();
    const wrong = check(histories);
    report({
      scenario: '5b reordered + duplicated (concurrent)',
      messages: deliveries.length,
      lost: wrong.filter((w) => w.endsWith('missing')).length,
      duplicated: randomDocsDuplicated(world),
      deadLettered: dead.length,
      duplicateDeliveries: duplicates,
      maxRssMb: world.maxRssMb,
      keys: histories.length,
      wrongFinalState: wrong.length,
      staleCreatesDeadLetteredNotFound: dead.filter((d) => d.errorClass === 'not_found').length,
      versionConflictsAbsorbed: countConflicts(world, conflictsBefore),
    });
    expect(wrong).toEqual([]);
    expect(dead.every((d) => d.errorClass === 'not_found')).toBe(true);
    expect(dead.length).toBe(staleCreates);
    // Exactly one document per existing key, nothing else.
    const randomDocs = [...world.double.docs.values()].filter((d) => String(d.source.key).startsWith('random/'));
    expect(randomDocs.length).toBe(histories.filter((h) => last(h).kind === 'created').length);
  });
});

/** Keys stored under more than one document (the double keys by `_id`, so: extra docs per key). */
function randomDocsDuplicated(world: World): number {
  const keys = [...world.double.docs.values()].map((d) => String(d.source.key));
  return keys.length - new Set(keys).size;
}

/** Bulk items the double answered 409 (older event lost to a newer one), counted from its log. */
function countConflicts(world: World, from = 0): number {
  return world.double.conflicts.slice(from).length;
}
