import { describe, expect, it } from 'vitest';
import { DocsiftError, type ErrorClass } from '../../../src/domain/errors.js';
import type { MessageOutcome } from '../../../src/ports/message-handler.port.js';
import type { BatchFailure, DeadLetterAttributes } from '../../../src/ports/queue.port.js';
import { IndexCircuit } from '../../../src/worker/index-circuit.js';
import { planSettlement, Settler, type SettlementPlan } from '../../../src/worker/settlement.js';
import type { Outcome, WorkerEvent } from '../../../src/worker/worker-events.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { msg } from './fake-queue.js';

const retry = { baseSeconds: 10, maxSeconds: 900 };
const done = (outcome: 'indexed' | 'deleted' | 'ignored'): MessageOutcome => ({ kind: 'done', outcome, objects: 1 });
const failed = (code: ErrorClass, contentType?: string): MessageOutcome => ({ kind: 'failed', error: new DocsiftError(code, 'fetch', `${code} happened`, { contentType }) });

describe('planSettlement: a message outcome → what happens to the message', () => {
  // max: the source queue's maxReceiveCount (5 unless a case says otherwise; null: unknown).
  const cases: Array<{ name: string; outcome: MessageOutcome; receiveCount: number; dlq: boolean; releasing: boolean; plan: SettlementPlan['action']; visibilitySeconds?: number; max?: number | null; reason?: string }> = [
    { name: 'indexed → ack', outcome: done('indexed'), receiveCount: 1, dlq: true, releasing: false, plan: 'ack' },
    { name: 'ignored (test event, own thumbnail) → ack', outcome: done('ignored'), receiveCount: 1, dlq: false, releasing: false, plan: 'ack' },
    { name: 'done while releasing → still ack', outcome: done('deleted'), receiveCount: 1, dlq: true, releasing: true, plan: 'ack' },
    { name: 'transient on the third receive → retry after 40 s', outcome: failed('index_unavailable'), receiveCount: 3, dlq: true, releasing: false, plan: 'retry', visibilitySeconds: 40 },
    { name: 'throttled → one step longer', outcome: failed('throttled'), receiveCount: 1, dlq: true, releasing: false, plan: 'retry', visibilitySeconds: 20 },
    { name: 'permanent with a DLQ → dead letter', outcome: failed('not_found'), receiveCount: 1, dlq: true, releasing: false, plan: 'dead_letter' },
    { name: 'permanent without a DLQ → visible at once for the redrive policy', outcome: failed('corrupt_file'), receiveCount: 1, dlq: false, releasing: false, plan: 'leave_for_redrive', visibilitySeconds: 0 },
    { name: 'any failure while releasing → straight back', outcome: failed('not_found'), receiveCount: 1, dlq: true, releasing: true, plan: 'release' },
    { name: 'transient on the last receive with a DLQ → dead letter, labelled', outcome: failed('index_unavailable'), receiveCount: 5, dlq: true, releasing: false, plan: 'dead_letter', reason: 'last_receive' },
    { name: 'transient on the last receive without a DLQ → left for the redrive policy with its backoff', outcome: failed('ocr_timeout'), receiveCount: 5, dlq: false, releasing: false, plan: 'leave_for_redrive', visibilitySeconds: 160, reason: 'last_receive' },
    { name: 'transient, limit unknown → retry', outcome: failed('index_unavailable'), receiveCount: 5, dlq: true, releasing: false, plan: 'retry', visibilitySeconds: 160, max: null },
    { name: 'released on its last receive with a DLQ → dead-lettered labelled, not left to the redrive policy', outcome: failed('processing_timeout'), receiveCount: 5, dlq: true, releasing: true, plan: 'dead_letter', reason: 'last_receive' },
    { name: 'released on its last receive without a DLQ → straight back', outcome: failed('processing_timeout'), receiveCount: 5, dlq: false, releasing: true, plan: 'release' },
    { name: 'released before its last receive → straight back', outcome: failed('processing_timeout'), receiveCount: 4, dlq: true, releasing: true, plan: 'release' },
  ];
  it.each(cases)('$name', ({ outcome, receiveCount, dlq, releasing, plan, visibilitySeconds, max, reason }) => {
    const got = planSettlement(outcome, receiveCount, { releasing, hasDeadLetterQueue: dlq, maxReceiveCount: max === undefined ? 5 : max, retry });
    expect(got.action).toBe(plan);
    if (visibilitySeconds !== undefined) expect(got).toMatchObject({ visibilitySeconds });
    if (reason !== undefined) expect(got).toMatchObject({ reason });
    if (got.action === 'ack' && outcome.kind === 'done') expect(got.outcome).toBe(outcome.outcome);
    if (got.action === 'dead_letter') expect(got.failure).toBe(outcome);
  });
});

interface Faults {
  deleteFails?: boolean;
  visibilityFails?: boolean;
  dlqSendFails?: boolean;
}

/** Ports that record every call in order and fail where the case says. */
function ports(faults: Faults, withDlq: boolean) {
  const calls: string[] = [];
  const sent: DeadLetterAttributes[] = [];
  const failure = (id: string): BatchFailure => ({ id, code: 'InternalError', message: 'boom', senderFault: false });
  return {
    calls,
    sent,
    queueUrl: 'http://fake/q',
    delete: async (m: { id: string }) => (calls.push('delete'), faults.deleteFails ? failure(m.id) : null),
    changeVisibility: async (c: { id: string; visibilitySeconds: number }) => (calls.push(`visibility ${c.visibilitySeconds}`), faults.visibilityFails ? failure(c.id) : null),
    dlq: withDlq
      ? {
          url: 'http://fake/dlq',
          send: async (_body: string, attributes: DeadLetterAttributes) => {
            calls.push('dlq');
            if (faults.dlqSendFails) throw new Error('DLQ refused');
            sent.push(attributes);
          },
          depth: async () => ({ visible: 0, inFlight: 0, delayed: 0 }),
        }
      : undefined,
  };
}

describe('Settler: applies the plan through the queue ports, deleting nothing before it is safe', () => {
  const cases: Array<{ name: string; outcome: MessageOutcome; receiveCount?: number; dlq?: boolean; releasing?: boolean; faults?: Faults; calls: string[]; result: Outcome; events: string[]; max?: number }> = [
    { name: 'indexed: delete', outcome: done('indexed'), calls: ['delete'], result: 'indexed', events: ['ack_timed'] },
    { name: 'indexed, delete fails: still indexed, redelivery re-indexes idempotently', outcome: done('indexed'), faults: { deleteFails: true }, calls: ['delete'], result: 'indexed', events: ['ack_timed', 'delete_failed'] },
    { name: 'transient: retry visibility from the backoff', outcome: failed('fetch_failed'), receiveCount: 2, calls: ['visibility 20'], result: 'retried', events: ['job_failed'] },
    { name: 'transient, visibility change fails: reported, still retried', outcome: failed('fetch_failed'), faults: { visibilityFails: true }, calls: ['visibility 10'], result: 'retried', events: ['job_failed', 'visibility_failed'] },
    { name: 'permanent without DLQ: visible now, counted dead-lettered', outcome: failed('too_large'), dlq: false, calls: ['visibility 0'], result: 'dead_lettered', events: ['job_failed'] },
    { name: 'permanent with DLQ: send, then delete', outcome: failed('not_found', 'application/pdf'), calls: ['dlq', 'delete'], result: 'dead_lettered', events: ['job_failed', 'dead_lettered'] },
    { name: 'DLQ send fails: nothing deleted, retried after the base delay', outcome: failed('not_found'), faults: { dlqSendFails: true }, calls: ['dlq', 'visibility 10'], result: 'retried', events: ['job_failed', 'dead_letter_failed'] },
    { name: 'dead-lettered, delete fails: reported, the copy is safe', outcome: failed('bad_message'), faults: { deleteFails: true }, calls: ['dlq', 'delete'], result: 'dead_lettered', events: ['job_failed', 'delete_failed', 'dead_lettered'] },
    { name: 'releasing: visible at once', outcome: failed('ocr_timeout'), releasing: true, calls: ['visibility 0'], result: 'released', events: ['job_failed'] },
    { name: 'transient on the last receive (max 2): send with its class, then delete', outcome: failed('index_unavailable'), receiveCount: 2, max: 2, calls: ['dlq', 'delete'], result: 'dead_lettered', events: ['job_failed', 'dead_lettered'] },
    { name: 'transient on the last receive, no DLQ: backoff kept, the class logged', outcome: failed('index_unavailable'), receiveCount: 2, max: 2, dlq: false, calls: ['visibility 20'], result: 'dead_lettered', events: ['job_failed', 'left_for_redrive'] },
    { name: 'transient before the last receive: retry', outcome: failed('index_unavailable'), receiveCount: 1, max: 2, calls: ['visibility 10'], result: 'retried', events: ['job_failed'] },
  ];
  it.each(cases)('$name', async ({ outcome, receiveCount = 1, dlq = true, releasing = false, faults = {}, calls, result, events, max }) => {
    const p = ports(faults, dlq);
    const seen: WorkerEvent[] = [];
    const clock = virtualClock(Date.parse('2026-11-23T12:00:00Z'));
    const maxReceiveCount = max === undefined ? undefined : () => max;
    const settler = new Settler(p, { retry, circuit: new IndexCircuit(), clock, emit: (e) => seen.push(e), releasing: () => releasing, ...(maxReceiveCount ? { maxReceiveCount } : {}) });
    const settled = await settler.settle(msg('m', receiveCount), outcome, clock.now() - 1500);
    expect(p.calls).toEqual(calls);
    expect(settled).toEqual({ outcome: result, seconds: 1.5 });
    expect(seen.map((e) => e.type)).toEqual(events);
    const dead = seen.find((e) => e.type === 'dead_lettered');
    if (dead?.type === 'dead_lettered') expect(dead.reason).toBe(max !== undefined && receiveCount >= max && outcome.kind === 'failed' && !outcome.error.permanent ? 'last_receive' : 'permanent');
    if (p.sent.length > 0 && outcome.kind === 'failed') {
      expect(p.sent[0]).toEqual({
        errorClass: outcome.error.code,
        errorMessage: outcome.error.message,
        stage: 'fetch',
        sourceQueue: 'http://fake/q',
        failedAt: '2026-11-23T12:00:00.000Z',
        ...(outcome.error.contentType ? { contentType: outcome.error.contentType } : {}),
      });
    }
  });

  it('opens the index circuit on the third index_unavailable in a row and closes it on an indexed message', async () => {
    let now = 0;
    const circuit = new IndexCircuit({ threshold: 3, baseMs: 5000, maxMs: 60_000, now: () => now });
    const seen: WorkerEvent[] = [];
    const settler = new Settler(ports({}, true), { retry, circuit, clock: virtualClock(), emit: (e) => seen.push(e), releasing: () => false });
    for (let i = 0; i < 3; i += 1) await settler.settle(msg(`m${i}`), failed('index_unavailable'), 0);
    expect(seen.filter((e) => e.type === 'index_circuit_opened')).toEqual([{ type: 'index_circuit_opened', pauseMs: 5000 }]);
    expect(circuit.isOpen()).toBe(true);
    now = 5000;
    await settler.settle(msg('ok'), done('indexed'), 0);
    for (let i = 0; i < 2; i += 1) await settler.settle(msg(`n${i}`), failed('index_unavailable'), 0);
    expect(circuit.isOpen()).toBe(false);
  });
});
