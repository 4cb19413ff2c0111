import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { REUSABLE_STATUSES } from '../../domain/coverage/reuse.js';
import { compareKeys } from '../../domain/coverage/s3-uri.js';
import type { SearchDocument } from '../../domain/document.js';
import { DocsiftError } from '../../domain/errors.js';
import type { IndexedFacts, IndexLookup } from '../../ports/index-lookup.port.js';

interface Entry {
  facts: IndexedFacts;
  /** Byte range of the document's source line in the file. */
  at: number;
  length: number;
  status: string | null;
  version: bigint | null;
}

const FINAL = new Set<string>(REUSABLE_STATUSES);

/**
 * Lookups on the file sink: the NDJSON file is replayed the way OpenSearch would apply it (last
 * write wins, external versions honoured), keeping per document only its facts and where its line
 * is; a document is read back from the file when asked for. Each call first reads what was
 * appended since the last one (up to the last complete line). Memory grows with the number of
 * documents (~200 bytes each): this is the development sink.
 */
export class FileIndexLookup implements IndexLookup {
  private readonly entries = new Map<string, Entry>();
  private offset = 0;

  constructor(private readonly path: string) {}

  async facts(ids: string[]): Promise<Map<string, IndexedFacts>> {
    await this.catchUp();
    const out = new Map<string, IndexedFacts>();
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry) out.set(id, entry.facts);
    }
    return out;
  }

  async get(id: string): Promise<SearchDocument | null> {
    await this.catchUp();
    const entry = this.entries.get(id);
    return entry ? this.read(entry) : null;
  }

  async findByChecksum(checksum: string, profile?: string): Promise<SearchDocument | null> {
    await this.catchUp();
    let best: { entry: Entry; doc: SearchDocument } | null = null;
    for (const entry of this.entries.values()) {
      if (entry.facts.checksum !== checksum || !FINAL.has(entry.status ?? '')) continue;
      const doc = await this.read(entry);
      if (profile !== undefined && doc.extraction?.profile !== profile) continue;
      if (!best || doc.indexed_at > best.doc.indexed_at) best = { entry, doc };
    }
    return best?.doc ?? null;
  }

  async *scan(bucket: string, prefix: string, pageSize = 1000): AsyncIterable<IndexedFacts[]> {
    await this.catchUp();
    const all = [...this.entries.values()].map((e) => e.facts).filter((f) => f.bucket === bucket && f.key.startsWith(prefix));
    all.sort((a, b) => compareKeys(a.key, b.key));
    for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
  }

  private async read(entry: Entry): Promise<SearchDocument> {
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(entry.length);
      await handle.read(buffer, 0, entry.length, entry.at);
      return JSON.parse(buffer.toString('utf8')) as SearchDocument;
    } finally {
      await handle.close();
    }
  }

  /** Replays the lines appended since the last call. */
  private async catchUp(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new DocsiftError('index_unavailable', 'index', `cannot read ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    if (size <= this.offset) return;
    const lines = createInterface({ input: createReadStream(this.path, { start: this.offset, end: size - 1 }), crlfDelay: Infinity });
    let at = this.offset;
    let action: { line: string; at: number } | null = null;
    let consumed = this.offset;
    for await (const line of lines) {
      const length = Buffer.byteLength(line);
      const lineAt = at;
      at += length + 1;
      if (at > size) break; // a line still being appended: read it next time
      if (action) {
        this.apply(action.line, { line, at: lineAt, length });
        action = null;
        consumed = at;
      } else if (line.startsWith('{"delete"')) {
        this.apply(line, null);
        consumed = at;
      } else if (line.trim() !== '') action = { line, at: lineAt };
      else consumed = at;
    }
    this.offset = consumed;
  }

  private apply(actionLine: string, source: { line: string; at: number; length: number } | null): void {
    const id = /"_id":"([^"]+)"/.exec(actionLine)?.[1];
    if (!id) return;
    const versionMatch = /"version":"?(\d+)"?/.exec(actionLine);
    const version = versionMatch ? BigInt(versionMatch[1]!) : null;
    const current = this.entries.get(id);
    if (version !== null && current?.version != null && version <= current.version) return;
    if (!source) {
      this.entries.delete(id);
      return;
    }
    const doc = JSON.parse(source.line) as Partial<SearchDocument>;
    const facts: IndexedFacts = { id, bucket: doc.bucket ?? '', key: doc.key ?? '', etag: doc.etag ?? null, checksum: doc.checksum ?? null };
    this.entries.set(id, { facts, at: source.at, length: source.length, status: doc.extraction?.status ?? null, version });
  }
}
