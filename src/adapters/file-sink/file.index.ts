import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DocsiftError } from '../../domain/errors.js';
import type { IndexOperation, SearchIndex } from '../../ports/search-index.port.js';
import { BulkBuffer, type BulkLimits, type PendingItem } from '../bulk-buffer.js';

/** Renders one operation as OpenSearch bulk NDJSON (action line, then the source for index). */
export function bulkLines(indexName: string, op: IndexOperation): string {
  if (op.type === 'delete') return `${JSON.stringify({ delete: { _index: indexName, _id: op.id } })}\n`;
  return `${JSON.stringify({ index: { _index: indexName, _id: op.id } })}\n${JSON.stringify(op.document)}\n`;
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
