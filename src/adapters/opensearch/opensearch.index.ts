import { exponentialBackoff, withJitter } from '../../domain/backoff.js';
import { DocsiftError } from '../../domain/errors.js';
import { externalVersionJson } from '../../domain/sequencer.js';
import { systemClock } from '../../platform/clock.js';
import type { Clock } from '../../ports/clock.port.js';
import type { IndexOperation, SearchIndex } from '../../ports/search-index.port.js';
import { BulkBuffer, type BulkLimits, type PendingItem } from '../bulk-buffer.js';
import { indexTemplate, templateName, TEMPLATE_VERSION } from './index-template.js';

/** The part of the official client this adapter uses, so tests and the composition root agree. */
export interface OpenSearchTransportLike {
  bulk(params: { body: unknown[] | string; refresh?: boolean }, options?: { requestTimeout?: number; maxRetries?: number }): Promise<{ body: unknown; statusCode: number | null }>;
  indices: {
    getIndexTemplate(params: { name: string }, options?: { ignore?: number[] }): Promise<{ body: unknown; statusCode: number | null }>;
    putIndexTemplate(params: { name: string; body: unknown; create?: boolean }): Promise<{ body: unknown; statusCode: number | null }>;
  };
}

export interface OpenSearchIndexOptions extends BulkLimits {
  indexName: string;
  maxRetries: number;
  /** Base of the exponential backoff between retries, ms. */
  retryBaseMs?: number;
  onRequest?: (result: 'ok' | 'partial' | 'retry' | 'error') => void;
  onRetry?: (info: { attempt: number; items: number; reason: string; delayMs: number }) => void;
  /** @defaultValue systemClock */
  clock?: Clock;
}

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableRequestError(err: unknown): boolean {
  const e = err as { name?: string; statusCode?: number; meta?: { statusCode?: number } };
  const status = e.statusCode ?? e.meta?.statusCode;
  if (status !== undefined) return RETRYABLE_STATUS.has(status);
  return e.name === 'ConnectionError' || e.name === 'TimeoutError' || e.name === 'NoLivingConnectionsError' || e.name === 'RequestAbortedError';
}

/** Bulk indexing into OpenSearch with per-item outcomes, bounded retries and backoff. */
export class OpenSearchIndex implements SearchIndex {
  private readonly buffer: BulkBuffer<IndexOperation>;
  private readonly clock: Clock;

  constructor(
    private readonly client: OpenSearchTransportLike,
    private readonly options: OpenSearchIndexOptions,
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.buffer = new BulkBuffer<IndexOperation>(options, (batch) => this.send(batch));
    this.clock = options.clock ?? systemClock;
  }

  async ensureReady(): Promise<void> {
    const name = templateName(this.options.indexName);
    try {
      const existing = await this.client.indices.getIndexTemplate({ name }, { ignore: [404] });
      const found = existing.statusCode !== 404 ? readTemplateVersion(existing.body, name) : null;
      if (found === null) {
        await this.client.indices.putIndexTemplate({ name, create: true, body: indexTemplate(this.options.indexName) });
      } else if (found < TEMPLATE_VERSION) {
        this.warn(`index template ${name} is version ${found}, docsift ships ${TEMPLATE_VERSION}: not overwriting; delete or update it deliberately`);
      }
    } catch (err) {
      if (isRetryableRequestError(err)) throw new DocsiftError('index_unavailable', 'index', `index template check failed: ${(err as Error).message}`, { cause: err });
      throw new DocsiftError('index_rejected', 'index', `index template rejected: ${(err as Error).message}`, { cause: err });
    }
  }

  write(op: IndexOperation): Promise<void> {
    const bytes = op.type === 'index' ? Buffer.byteLength(JSON.stringify(op.document)) + 100 : 100;
    return this.buffer.add(op, bytes);
  }

  flush(): Promise<void> {
    return this.buffer.flush();
  }

  close(): Promise<void> {
    return this.buffer.close();
  }

  private delay(attempt: number): number {
    return withJitter(exponentialBackoff(attempt, { base: this.options.retryBaseMs ?? 200, max: 30_000 }));
  }

  private async send(batch: PendingItem<IndexOperation>[]): Promise<void> {
    // NDJSON written here rather than by the client: versions are bigints (JSON.stringify cannot).
    const body = batch.map(({ op }) => bulkLines(this.options.indexName, op)).join('');
    let response: { body: unknown; statusCode: number | null };
    try {
      response = await this.client.bulk({ body }, { maxRetries: 0 });
    } catch (err) {
      if (isRetryableRequestError(err)) {
        this.options.onRequest?.('retry');
        await this.retry(batch, `request failed: ${(err as Error).message}`);
      } else {
        this.options.onRequest?.('error');
        const error = new DocsiftError('index_rejected', 'index', `bulk request rejected: ${(err as Error).message}`, { cause: err });
        for (const item of batch) item.reject(error);
      }
      return;
    }
    const items = ((response.body as { items?: Array<Record<string, BulkItemResult>> }).items ?? []);
    const toRetry: PendingItem<IndexOperation>[] = [];
    let failed = false;
    batch.forEach((item, i) => {
      const result = items[i] ? Object.values(items[i]!)[0] : undefined;
      if (!result) {
        toRetry.push(item);
        return;
      }
      if (result.status < 300 || (item.op.type === 'delete' && result.status === 404)) {
        item.resolve();
      } else if (result.status === 409 && item.op.version !== undefined) {
        // External version conflict: the index already holds the state of a newer event.
        item.resolve();
      } else if (RETRYABLE_STATUS.has(result.status)) {
        toRetry.push(item);
      } else {
        failed = true;
        const reason = `${result.error?.type ?? 'error'}: ${result.error?.reason ?? `status ${result.status}`}`;
        item.reject(new DocsiftError('index_rejected', 'index', reason.slice(0, 300)));
      }
    });
    this.options.onRequest?.(toRetry.length > 0 ? 'partial' : failed ? 'partial' : 'ok');
    if (toRetry.length > 0) await this.retry(toRetry, 'items rejected with 429/5xx');
  }

  /** Backs off, then puts items back into the buffer; past maxRetries they fail as transient. */
  private async retry(items: PendingItem<IndexOperation>[], reason: string): Promise<void> {
    const give: PendingItem<IndexOperation>[] = [];
    const again: PendingItem<IndexOperation>[] = [];
    for (const item of items) {
      item.attempts += 1;
      (item.attempts > this.options.maxRetries ? give : again).push(item);
    }
    for (const item of give) {
      item.reject(new DocsiftError('index_unavailable', 'index', `index unavailable after ${this.options.maxRetries} retries: ${reason}`));
    }
    if (again.length === 0) return;
    const attempt = Math.max(...again.map((i) => i.attempts));
    const delayMs = this.delay(attempt);
    this.options.onRetry?.({ attempt, items: again.length, reason, delayMs });
    // Waiting inside the send chain holds back later batches too: while the cluster is pushing
    // back, sending more would only add load.
    await this.clock.sleep(delayMs);
    for (const item of again) this.buffer.requeue(item);
  }
}

/**
 * One operation as bulk NDJSON: the action line (with `version_type: external` when the operation
 * carries a version), then the source for index operations.
 */
export function bulkLines(indexName: string, op: IndexOperation): string {
  const meta = JSON.stringify({ _index: indexName, _id: op.id });
  const fields = op.version === undefined ? meta : `${meta.slice(0, -1)},${externalVersionJson(op.version)}}`;
  const action = `{"${op.type}":${fields}}\n`;
  return op.type === 'delete' ? action : `${action}${JSON.stringify(op.document)}\n`;
}

function readTemplateVersion(body: unknown, name: string): number | null {
  const list = (body as { index_templates?: Array<{ name: string; index_template?: { version?: number } }> })?.index_templates;
  const entry = list?.find((t) => t.name === name);
  if (!entry) return null;
  return entry.index_template?.version ?? 0;
}
