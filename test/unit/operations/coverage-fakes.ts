import type { ListedObject, ListingPosition } from '../../../src/domain/coverage/listing.js';
import type { S3Location } from '../../../src/domain/coverage/s3-uri.js';
import type { IndexedFacts, IndexLookup } from '../../../src/ports/index-lookup.port.js';
import type { MessageSender, OutgoingMessage } from '../../../src/ports/message-sender.port.js';
import type { ObjectLister } from '../../../src/ports/object-lister.port.js';
import type { BatchFailure } from '../../../src/ports/queue.port.js';
import type { StateStore } from '../../../src/ports/state-store.port.js';

export const obj = (key: string, etag = `"${key}-etag"`, bucket = 'docs'): ListedObject => ({ bucket, key, etag, size: 1, position: { kind: 'list', key } });

/** A listing of fixed objects, in pages, resuming after a key the way StartAfter does. */
export class FakeLister implements ObjectLister {
  readonly sorted = true;
  calls: Array<ListingPosition | null> = [];
  failAfterPages: number | null = null;

  constructor(
    readonly objects: ListedObject[],
    private readonly pageSize = 25,
  ) {}

  async *list(location: S3Location, after: ListingPosition | null): AsyncIterable<ListedObject[]> {
    this.calls.push(after);
    const start = after && after.kind === 'list' ? this.objects.findIndex((o) => o.key === after.key) + 1 : 0;
    const rest = this.objects.slice(start).filter((o) => o.bucket === location.bucket && o.key.startsWith(location.prefix));
    for (let i = 0, pages = 0; i < rest.length; i += this.pageSize, pages++) {
      if (this.failAfterPages !== null && pages >= this.failAfterPages) throw new Error('ListObjectsV2 failed');
      yield rest.slice(i, i + this.pageSize);
    }
  }
}

/** Records every job; can refuse entries (by key) a number of times, or throw. */
export class FakeJobSender implements MessageSender {
  readonly jobs: Array<{ bucket: string; key: string }> = [];
  readonly refuse = new Map<string, number>();
  calls = 0;
  /** Called at the start of every request, before anything is accepted (call number from 1). */
  onCall: ((call: number) => void) | null = null;

  async sendBatch(_url: string, messages: OutgoingMessage[]): Promise<BatchFailure[]> {
    this.calls += 1;
    this.onCall?.(this.calls);
    const failures: BatchFailure[] = [];
    for (const m of messages) {
      const job = JSON.parse(m.body) as { bucket: string; key: string };
      const left = this.refuse.get(job.key) ?? 0;
      if (left > 0) {
        this.refuse.set(job.key, left - 1);
        failures.push({ id: m.id, code: 'InternalError', message: 'try again', senderFault: false });
      } else this.jobs.push(job);
    }
    return failures;
  }
}

export class MemoryState implements StateStore {
  readonly location = 'mem://state/';
  readonly docs = new Map<string, string>();
  writes = 0;
  async read(name: string) {
    return this.docs.get(name) ?? null;
  }
  async write(name: string, text: string) {
    this.writes += 1;
    this.docs.set(name, text);
  }
  async remove(name: string) {
    this.docs.delete(name);
  }
  async list(folder: string, max: number) {
    return [...this.docs.keys()].filter((k) => k.startsWith(folder)).slice(0, max);
  }
}

export function fakeLookup(docs: IndexedFacts[], pageSize = 7): IndexLookup & { factCalls: number } {
  const l = {
    factCalls: 0,
    async facts(ids: string[]) {
      l.factCalls += 1;
      return new Map(docs.filter((d) => ids.includes(d.id)).map((d) => [d.id, d]));
    },
    get: async () => null,
    findByChecksum: async () => null,
    async *scan(bucket: string, prefix: string) {
      const all = docs.filter((d) => d.bucket === bucket && d.key.startsWith(prefix)).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
      for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
    },
  };
  return l;
}
