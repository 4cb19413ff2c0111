import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessageBody } from '../../src/domain/message.js';
import { deepXml } from '../fixtures/pathological.fixture.js';
import { nextSequencer, report, s3EventBody, SCENARIO_TIMEOUT_MS, World } from './harness/world.js';
import type { LogLine, WorkerProcess } from './harness/worker-process.js';

/**
 * Issue 13's poison test. A document that the sandbox cannot stop from killing the whole process
 * does not exist here any more, so the process is killed with SIGKILL (as the OOM killer or a
 * native crash would) while it holds the "poison" document, twice: once among its neighbours,
 * once when the next worker processes it alone. The third worker must dead-letter it as
 * `poison` without running it, and every neighbour must be indexed.
 */
const NEIGHBOURS = 12;

/** Journal entries a dead worker left marked running: what it was processing when it died. */
async function runningInJournal(world: World): Promise<Array<{ id: string; isolated: boolean }>> {
  const dir = join(world.dir, 'tmp', 'inflight-journal');
  const entries = await Promise.all((await readdir(dir)).filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as { id: string; running: boolean; isolated: boolean }));
  return entries.filter((e) => e.running).map((e) => ({ id: e.id, isolated: e.isolated }));
}

/** Message ids started and not finished in a worker's log: what it held when it died. */
function heldAtDeath(w: WorkerProcess): string[] {
  const open = new Set<string>();
  for (const l of w.logs) {
    const id = String(l.message_id ?? '');
    if (l.event === 'job_start') open.add(id);
    else if (l.event === 'job_done' || l.event === 'job_failed') open.delete(id);
  }
  return [...open];
}

describe('issue 13: kill -9 while the worker holds a poison document', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it('the next start dead-letters it as poison after one more attempt, and indexes its neighbours', async () => {
    // The poison: slow enough in its sandbox (html-to-text on 120,000 nested elements) to be caught in flight.
    const key = 'poison/deep.xml';
    const body = deepXml(120_000);
    await world.upload([{ key, body: Buffer.from(body), contentType: 'application/xml', marker: '' }]);
    const sent = await world.stack.sqs.send(new SendMessageCommand({ QueueUrl: world.stack.queueUrl, MessageBody: s3EventBody('created', world.stack.bucket, key, nextSequencer(), body.length) }));
    const poisonId = sent.MessageId!;
    const neighbours = await world.seedCorpus(NEIGHBOURS, 21);
    // One sandbox: the neighbours received with the poison wait behind it, in flight when it dies.
    const env = { MAX_INFLIGHT: '8', SANDBOX_WORKERS: '1', INDEXED_CHARS: '1000000', EXTRACT_TIMEOUT: '25', PROCESSING_TIMEOUT: '60' };
    const isPoison = (l: LogLine) => l.message_id === poisonId;

    // 1: killed while the poison is in flight among others.
    const first = world.startWorker(env);
    await first.waitForLog((l) => l.event === 'job_start' && isPoison(l), 60_000);
    await new Promise((r) => setTimeout(r, 300));
    first.kill('SIGKILL');
    await first.exited;
    const heldFirst = heldAtDeath(first);
    expect(heldFirst).toContain(poisonId);
    expect(heldFirst.length).toBeGreaterThan(1); // neighbours were in flight beside it

    // 2: every message held at the death is a suspect; killed once the poison runs alone.
    const second = world.startWorker(env);
    await second.waitForLog((l) => l.event === 'poison_suspect' && l.action === 'isolate' && isPoison(l), 90_000);
    await new Promise((r) => setTimeout(r, 300));
    second.kill('SIGKILL');
    await second.exited;
    expect(await runningInJournal(world)).toEqual([{ id: poisonId, isolated: true }]); // it was running alone

    // 3: dead-letters it without running it; everything else is indexed.
    const third = world.startWorker(env);
    await third.waitForLog((l) => l.event === 'poison_suspect' && l.action === 'dead_letter' && isPoison(l), 90_000);
    await world.until(() => neighbours.every((s) => world.double.docs.has(world.idOf(s.key))), 120_000, () => `${world.double.docs.size}/${NEIGHBOURS} neighbours indexed`);
    await world.drained(60_000);
    const exit = await third.stop();
    const dead = await world.drainDlq();
    const deliveries = world.receivesPerMessage().get(poisonId) ?? 0;
    const attempts = world.workers.flatMap((w) => w.logs).filter((l) => l.event === 'job_start' && isPoison(l)).length - 1; // the last delivery is refused, not run
    report({
      scenario: '13 poison kill -9',
      messages: NEIGHBOURS + 1,
      lost: neighbours.filter((s) => !world.double.docs.has(world.idOf(s.key))).length,
      duplicated: 0,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      heldAtFirstKill: heldFirst.length,
      poisonDeliveries: deliveries,
      poisonAttempts: attempts,
    });
    expect(exit.code).toBe(0);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.errorClass).toBe('poison');
    const parsed = parseMessageBody(dead[0]!.body);
    expect(parsed.kind === 'events' && parsed.events[0]!.key).toBe(key);
    expect(attempts).toBe(2); // the first, and at most one more
    expect(neighbours.filter((s) => !world.double.docs.has(world.idOf(s.key))).map((s) => s.key)).toEqual([]);
    expect(third.events('job_start').filter(isPoison).length).toBe(1);
    expect(third.events('extract_crashed')).toEqual([]);
  });
});
