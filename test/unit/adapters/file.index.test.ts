import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSearchIndex } from '../../../src/adapters/file-sink/file.index.js';
import type { SearchDocument } from '../../../src/domain/document.js';
import { DocsiftError } from '../../../src/domain/errors.js';

const doc = (key: string) => ({ key, content: `c-${key}` }) as unknown as SearchDocument;

describe('FileSearchIndex (bulk-format NDJSON sink)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docsift-sink-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('appends index and delete actions in OpenSearch bulk format before resolving', async () => {
    const path = join(dir, 'nested', 'index.ndjson');
    const sink = new FileSearchIndex(path, 'docsift', { maxOps: 100, maxBytes: 1e6, flushMs: 10 });
    await sink.ensureReady();
    await Promise.all([sink.write({ type: 'index', id: 'a', document: doc('a') }), sink.write({ type: 'delete', id: 'b' })]);
    const lines = (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([{ index: { _index: 'docsift', _id: 'a' } }, { key: 'a', content: 'c-a' }, { delete: { _index: 'docsift', _id: 'b' } }]);
    await sink.close();
  });

  it('keeps appending across restarts', async () => {
    const path = join(dir, 'index.ndjson');
    for (const k of ['x', 'y']) {
      const sink = new FileSearchIndex(path, 'docsift', { maxOps: 1, maxBytes: 1e6, flushMs: 10 });
      await sink.ensureReady();
      await sink.write({ type: 'index', id: k, document: doc(k) });
      await sink.close();
    }
    expect((await readFile(path, 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('fails writes as transient index_unavailable when the file cannot be written', async () => {
    // A regular file where the sink's directory should be: every append fails.
    await (await import('node:fs/promises')).writeFile(join(dir, 'blocker'), '');
    const blocked = new FileSearchIndex(join(dir, 'blocker', 'index.ndjson'), 'docsift', { maxOps: 1, maxBytes: 1e6, flushMs: 10 });
    const err = await blocked.write({ type: 'index', id: 'z', document: doc('z') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocsiftError);
    expect((err as DocsiftError).code).toBe('index_unavailable');
  });
});
