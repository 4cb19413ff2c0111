import { describe, expect, it } from 'vitest';
import type { SuspectRecord } from '../../../src/domain/poison.js';
import { ExclusiveLock } from '../../../src/pipeline/exclusive-lock.js';
import { guardAgainstPoison } from '../../../src/pipeline/poison-guard.js';
import type { MessageOutcome } from '../../../src/ports/message-handler.port.js';
import type { InflightJournal } from '../../../src/ports/inflight-journal.port.js';
import type { QueueMessage } from '../../../src/ports/queue.port.js';

/** The journal port in memory, recording every call. */
class MemoryJournal implements InflightJournal {
  readonly calls: string[] = [];
  constructor(readonly suspects = new Map<string, SuspectRecord>()) {}
  suspect(id: string) {
    return this.suspects.get(id);
  }
  async begin(id: string, isolated: boolean) {
    this.calls.push(`begin ${id}${isolated ? ' alone' : ''}`);
  }
  async end(id: string) {
    this.suspects.delete(id);
    this.calls.push(`end ${id}`);
  }
}

const message = (id: string): QueueMessage => ({ id, receiptHandle: `rh-${id}`, body: '{}', receiveCount: 2, sentAt: null, attributes: {} });
const done: MessageOutcome = { kind: 'done', outcome: 'indexed', objects: 1 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('guardAgainstPoison', () => {
  it('a message with no history runs at once, written to the journal while it runs', async () => {
    const journal = new MemoryJournal();
    const guarded = guardAgainstPoison(async () => done, { journal, warn: () => undefined });
    expect(await guarded(message('a'), new AbortController().signal)).toEqual(done);
    expect(journal.calls).toEqual(['begin a', 'end a']);
  });

  it('a culprit is dead-lettered as poison without running, and stays known', async () => {
    const journal = new MemoryJournal(new Map([['p', { crashes: 2, diedAlone: true }]]));
    const warnings: Array<Record<string, unknown>> = [];
    let ran = false;
    const guarded = guardAgainstPoison(
      async () => {
        ran = true;
        return done;
      },
      { journal, warn: (event, fields) => warnings.push({ event, ...fields }) },
    );
    const outcome = await guarded(message('p'), new AbortController().signal);
    expect(ran).toBe(false);
    expect(outcome.kind).toBe('failed');
    if (outcome.kind === 'failed') {
      expect(outcome.error.code).toBe('poison');
      expect(outcome.error.permanent).toBe(true);
    }
    expect(warnings).toEqual([{ event: 'poison_suspect', message_id: 'p', action: 'dead_letter', crashes: 2, receive_count: 2 }]);
    expect(journal.suspect('p')).toBeDefined(); // a redelivery (no DLQ_URL) is refused again
  });

  it('a suspect runs alone: it waits for the running messages, and nothing starts until it is done', async () => {
    const journal = new MemoryJournal(new Map([['s', { crashes: 1, diedAlone: false }]]));
    const gates = new Map(['a', 's', 'b'].map((id) => [id, deferred()]));
    const order: string[] = [];
    const guarded = guardAgainstPoison(
      async (m) => {
        order.push(`start ${m.id}`);
        await gates.get(m.id)!.promise;
        order.push(`end ${m.id}`);
        return done;
      },
      { journal, warn: () => undefined },
    );
    const signal = new AbortController().signal;
    const a = guarded(message('a'), signal);
    await Promise.resolve();
    const s = guarded(message('s'), signal);
    const b = guarded(message('b'), signal);
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['start a']); // s waits for a; b waits behind s
    gates.get('a')!.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['start a', 'end a', 'start s']);
    gates.get('s')!.resolve();
    gates.get('b')!.resolve();
    await Promise.all([a, s, b]);
    expect(order).toEqual(['start a', 'end a', 'start s', 'end s', 'start b', 'end b']);
    expect(journal.calls).toContain('begin s alone');
    expect(journal.suspect('s')).toBeUndefined(); // it finished: no longer a suspect
  });

  it('a message waiting behind a suspect still honours its abort (PROCESSING_TIMEOUT)', async () => {
    const journal = new MemoryJournal(new Map([['s', { crashes: 1, diedAlone: false }]]));
    const gate = deferred();
    const guarded = guardAgainstPoison(
      async (m) => {
        if (m.id === 's') await gate.promise;
        return done;
      },
      { journal, warn: () => undefined },
    );
    const s = guarded(message('s'), new AbortController().signal);
    const controller = new AbortController();
    const waiting = guarded(message('w'), controller.signal);
    controller.abort(new Error('PROCESSING_TIMEOUT'));
    const outcome = await waiting;
    expect(outcome.kind === 'failed' && outcome.error.code).toBe('processing_timeout');
    gate.resolve();
    expect(await s).toEqual(done);
  });
});

describe('ExclusiveLock', () => {
  it('shared holders run together; an exclusive waiter blocks later shared ones', async () => {
    const lock = new ExclusiveLock();
    const running = new Set<string>();
    let maxTogether = 0;
    const job = (name: string, exclusive: boolean, ms: number) =>
      lock.run(exclusive, undefined, async () => {
        running.add(name);
        maxTogether = Math.max(maxTogether, running.size);
        if (exclusive) expect(running.size).toBe(1);
        await new Promise((r) => setTimeout(r, ms));
        running.delete(name);
      });
    await Promise.all([job('a', false, 20), job('b', false, 20), job('x', true, 10), job('c', false, 5)]);
    expect(maxTogether).toBe(2);
  });
});
