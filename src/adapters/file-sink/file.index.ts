import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DocsiftError } from '../../domain/errors.js';
import { externalVersionJson } from '../../domain/sequencer.js';
import type { IndexOperation, SearchIndex } from '../../ports/search-index.port.js';
import { BulkBuffer, type BulkLimits, type PendingItem } from '../bulk-buffer.js';

/**
 * Renders one operation as OpenSearch bulk NDJSON (action line, then the source for index).
 *
 * Ordering: the file is append-only, so it holds every write in the order the worker applied
 * them, and a reader that replays it line by line gets last-write-wins by replay order, which can
 * differ from S3 event order when deliveries were reordered. Action lines keep the sequencer-derived
 * `version` with `version_type: external`, so replaying the file into OpenSearch (`_bulk`) still
 * ends in the state of the latest event whatever the order of the lines.
 */
export function bulkLines(indexName: string, op: IndexOperation): string {
  const meta = JSON.stringify({ _index: indexName, _id: op.id });
  const fields = op.version === undefined ? meta : `${meta.slice(0, -1)},${externalVersionJson(op.version)}}`;
  const action = `{"${op.type}":${fields}}\n`;
  return op.type === 'delete' ? action : `${action}${JSON.stringify(op.document)}\n`;
}

/**
 * The embedded default sink: appends bulk-format NDJSON to a file. Each batch is written in one
 * append and fdatasync'd before any of its callers is told the document is safe.
 */
export class FileSearchIndex implements SearchIndex {
  private handle: FileHandle | null = null;
  private readonly buffer: BulkBuffer<string>;

  constructor(
    private readonly path: string,
    private readonly indexName: string,
    limits: BulkLimits,
  ) {
    this.buffer = new BulkBuffer<string>(limits, (batch) => this.writeBatch(batch));
  }

  async ensureReady(): Promise<void> {
    if (this.handle) return;
    await mkdir(dirname(this.path), { recursive: true });
    this.handle = await open(this.path, 'a', 0o644);
  }

  write(op: IndexOperation): Promise<void> {
    const text = bulkLines(this.indexName, op);
    return this.buffer.add(text, Buffer.byteLength(text));
  }

  flush(): Promise<void> {
    return this.buffer.flush();
  }

  async close(): Promise<void> {
    await this.buffer.close();
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  private async writeBatch(batch: PendingItem<string>[]): Promise<void> {
    try {
      if (!this.handle) await this.ensureReady();
      await this.handle!.appendFile(batch.map((b) => b.op).join(''));
      await this.handle!.datasync();
      for (const item of batch) item.resolve();
    } catch (err) {
      const error = new DocsiftError('index_unavailable', 'index', `cannot write ${this.path}: ${(err as Error).message}`, { cause: err });
      for (const item of batch) item.reject(error);
    }
  }
}
