export { virtualClock } from '../../helpers/virtual-clock.js';
import type { DeadLetter, DeadLetterReader, Held, MessageAttribute } from '../../../src/ports/dead-letter-reader.port.js';
import type { MessageSender, OutgoingMessage } from '../../../src/ports/message-sender.port.js';
import type { BatchFailure } from '../../../src/ports/queue.port.js';

/** An in-memory DLQ: receive hands out the visible messages in order; calls are recorded. */
export class FakeDlq implements DeadLetterReader {
  readonly url = 'fake://dlq';
  readonly calls: Array<{ op: 'receive' | 'release' | 'extend' | 'remove'; ids: string[]; seconds?: number }> = [];
  private readonly invisible = new Set<string>();
  readonly removed = new Set<string>();
  failRelease = new Set<number>(); // call numbers (0-based) of release that throw
  failRemoveIds = new Set<string>();
  private releaseCalls = 0;

  constructor(readonly messages: DeadLetter[]) {}

  async receive(max: number): Promise<DeadLetter[]> {
    const got = this.messages.filter((m) => !this.invisible.has(m.id) && !this.removed.has(m.id)).slice(0, max);
    for (const m of got) this.invisible.add(m.id);
    this.calls.push({ op: 'receive', ids: got.map((m) => m.id) });
    return got;
  }
  async release(messages: Held[]): Promise<BatchFailure[]> {
    const n = this.releaseCalls++;
    this.calls.push({ op: 'release', ids: messages.map((m) => m.id) });
    if (this.failRelease.has(n)) throw new Error('release failed');
    for (const m of messages) this.invisible.delete(m.id);
    return [];
  }
  async extend(messages: Held[], seconds: number): Promise<BatchFailure[]> {
    this.calls.push({ op: 'extend', ids: messages.map((m) => m.id), seconds });
    return [];
  }
  async remove(messages: Held[]): Promise<BatchFailure[]> {
    this.calls.push({ op: 'remove', ids: messages.map((m) => m.id) });
    const failures: BatchFailure[] = [];
    for (const m of messages) {
      if (this.failRemoveIds.has(m.id)) failures.push({ id: m.id, code: 'ReceiptHandleIsInvalid', message: 'gone', senderFault: true });
      else this.removed.add(m.id);
    }
    return failures;
  }
  async approximateVisible(): Promise<number> {
    return this.messages.length - this.removed.size;
  }
}

export function letter(id: string, attributes: Record<string, string>): DeadLetter {
  const attrs: Record<string, MessageAttribute> = {};
  for (const [k, v] of Object.entries(attributes)) attrs[k] = { dataType: 'String', stringValue: v };
  return { id, receiptHandle: `rh-${id}`, body: `body-${id}`, receiveCount: 1, sentAt: 0, attributes: attrs };
}

/** Records what was sent; entries whose body is in `failBodies` fail. */
export class FakeSender implements MessageSender {
  readonly sent: Array<{ url: string; message: OutgoingMessage }> = [];
  failBodies = new Set<string>();
  throwAll = false;
  async sendBatch(url: string, messages: OutgoingMessage[]): Promise<BatchFailure[]> {
    if (this.throwAll) throw new Error('connection refused');
    const failures: BatchFailure[] = [];
    for (const m of messages) {
      if (this.failBodies.has(m.body)) failures.push({ id: m.id, code: 'InvalidMessageContents', message: 'bad', senderFault: true });
      else this.sent.push({ url, message: m });
    }
    return failures;
  }
}
