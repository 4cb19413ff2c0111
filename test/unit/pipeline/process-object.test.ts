import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentId } from '../../../src/domain/document.js';
import { DocsiftError, type ErrorClass } from '../../../src/domain/errors.js';
import { deleteObject, upsertObject } from '../../../src/pipeline/process-object.js';
import type { ObjectEvent } from '../../../src/domain/message.js';
import { event, leftovers, world, type Script } from './fakes.js';

const tempDir = mkdtempSync(join(tmpdir(), 'docsift-pipeline-'));
const thumb = { data: Buffer.from('jpeg'), contentType: 'image/jpeg', extension: 'jpg' };
const ID = documentId('docs', 'in/report.txt');

describe('upsertObject: one object → fetched → extracted → indexed', () => {
  const cases: Array<{ name: string; script: Script; calls: string[]; error?: { code: ErrorClass; stage?: string; contentType?: string }; document?: Record<string, unknown>; warnings?: string[] }> = [
    {
      name: 'a text object: HEAD, download, extract, index; the HEAD fills version and etag',
      script: {},
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', 'index index'],
      document: { bucket: 'docs', key: 'in/report.txt', version_id: 'v-head', etag: '"head-etag"', size: 5, filename: 'report.txt', extension: 'txt', content_type: 'text/plain', content: 'hello world', checksum: 'sha-of-body', indexed_at: '2026-11-23T12:00:00.000Z' },
    },
    {
      name: 'the event names the version: that version is fetched and indexed',
      script: {},
      calls: ['head in/report.txt', 'download in/report.txt@v-event', 'extract', 'index index'],
      document: { version_id: 'v-event' },
    },
    {
      name: 'larger than MAX_FILE_SIZE_MB: permanent too_large, nothing downloaded',
      script: { head: { size: 5000 } },
      calls: ['head in/report.txt'],
      error: { code: 'too_large', stage: 'fetch' },
    },
    {
      name: 'missing object: not_found as the store classified it',
      script: { head: new DocsiftError('not_found', 'fetch', 'NoSuchKey') },
      calls: ['head in/report.txt'],
      error: { code: 'not_found' },
    },
    {
      name: 'a classified extraction failure passes through unchanged',
      script: { extraction: new DocsiftError('corrupt_file', 'extract', 'bad xref') },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract'],
      error: { code: 'corrupt_file', stage: 'extract' },
    },
    {
      name: 'an unclassified extraction failure becomes transient internal',
      script: { extraction: new Error('worker crashed') },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract'],
      error: { code: 'internal', stage: 'extract' },
    },
    {
      name: 'an extraction failure after the abort is a processing timeout',
      script: { extraction: new Error('aborted'), abortDuringExtract: new AbortController() },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract'],
      error: { code: 'processing_timeout', stage: 'extract' },
    },
    {
      name: 'long text is capped at INDEXED_CHARS and marked truncated; extractor facts are kept',
      script: { extraction: { text: 'x'.repeat(150), pages: 3, language: 'en', detail: 'ocr on 1 page' } },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', 'index index'],
      document: { content: 'x'.repeat(100), content_length: 150, truncated: true, pages: 3, language: 'en', extraction: expect.objectContaining({ detail: 'ocr on 1 page' }) },
    },
    {
      name: 'a thumbnail goes to the source bucket under THUMBNAIL_PREFIX and the document names it',
      script: { extraction: { thumbnail: thumb } },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', `put docs/thumbnails/${ID}.jpg`, 'index index'],
      document: { thumbnail_key: `thumbnails/${ID}.jpg` },
    },
    {
      name: 'a thumbnail that cannot be stored costs nothing but a warning',
      script: { extraction: { thumbnail: thumb }, putFails: true },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', `put docs/thumbnails/${ID}.jpg`, 'index index'],
      document: { thumbnail_key: undefined },
      warnings: ['thumbnail_failed'],
    },
    {
      name: 'thumbnails off: none is uploaded',
      script: { extraction: { thumbnail: thumb }, ctx: { thumbnails: undefined } },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', 'index index'],
      document: { thumbnail_key: undefined },
    },
    {
      name: 'the index refuses the document: the error carries the detected content type',
      script: { extraction: { contentType: 'application/pdf' }, writeFails: new DocsiftError('index_rejected', 'index', 'mapper_parsing_exception') },
      calls: ['head in/report.txt', 'download in/report.txt@v-head', 'extract', 'index index'],
      error: { code: 'index_rejected', contentType: 'application/pdf' },
    },
  ];

  it.each(cases)('$name', async ({ name, script, calls, error, document, warnings = [] }) => {
    const w = world(script, tempDir);
    const ev = event(name.startsWith('the event names') ? { versionId: 'v-event' } : {});
    const run = upsertObject(ev, w.ctx, script.abortDuringExtract?.signal);
    if (error) {
      const err = await run.then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DocsiftError);
      expect(err).toMatchObject(error);
    } else {
      expect(await run).toBe('indexed');
    }
    expect(w.calls).toEqual(calls);
    if (document) {
      const op = w.writes[0]!;
      expect(op).toMatchObject({ type: 'index', id: ID, version: 0x0062e99a88dc407460n });
      const absent = Object.keys(document).filter((k) => document[k] === undefined);
      const present = Object.fromEntries(Object.entries(document).filter(([, v]) => v !== undefined));
      expect(op.type === 'index' && op.document).toMatchObject(present);
      for (const key of absent) expect(op.type === 'index' && op.document).not.toHaveProperty(key);
    }
    expect(w.warnings.map((x) => x.event)).toEqual(warnings);
    expect(leftovers(w)).toEqual([]); // the temp file is gone in every outcome
  });

  it('names the temp file by a random UUID in TEMP_DIR, whatever the key', async () => {
    const w = world({}, tempDir);
    await upsertObject(event({ key: '../../etc/passwd' }), w.ctx);
    expect(w.tempFiles[0]).toMatch(new RegExp(`^${tempDir}/obj-[0-9a-f-]{36}$`));
    expect(w.extracted[0]).toMatchObject({ filename: 'passwd', extension: '', declaredContentType: 'text/plain', maxChars: 100 });
  });
});

describe("deleteObject: the key's document follows the key's current version", () => {
  const SEQ = 0x0062e99a88dc407460n;
  const cases: Array<{ name: string; event: Partial<ObjectEvent>; script?: Script; calls: string[]; heads?: Array<string | null>; outcome?: string; write?: Record<string, unknown>; error?: { code: ErrorClass; message?: RegExp } }> = [
    { name: 'unversioned delete: the key document goes, no HEAD', event: {}, calls: ['index delete'], outcome: 'deleted', write: { type: 'delete', id: ID, version: SEQ } },
    { name: 'delete marker: the key document goes, no HEAD (the marker is the current version)', event: { versionId: 'marker-1', deleteMarker: true }, calls: ['index delete'], outcome: 'deleted', write: { type: 'delete', id: ID, version: SEQ } },
    {
      name: 'version delete, the key has no current version any more (404): the document goes',
      event: { versionId: 'v2' },
      script: { head: new DocsiftError('not_found', 'fetch', 'NotFound: ') },
      calls: ['head in/report.txt', 'index delete'],
      heads: [null],
      outcome: 'deleted',
      write: { type: 'delete', id: ID, version: SEQ },
    },
    {
      name: 'version delete, an older version is current now: that version is indexed with the delete\'s sequencer',
      event: { versionId: 'v2' },
      script: { head: { versionId: 'v1' } },
      calls: ['head in/report.txt', 'head in/report.txt', 'download in/report.txt@v1', 'extract', 'index index'],
      heads: [null, 'v1'],
      outcome: 'indexed',
      write: { type: 'index', id: ID, version: SEQ, document: expect.objectContaining({ version_id: 'v1', key: 'in/report.txt' }) },
    },
    {
      name: 'version delete refused (403): access_denied that names the missing s3:ListBucket',
      event: { versionId: 'v2' },
      script: { head: new DocsiftError('access_denied', 'fetch', 'AccessDenied: ') },
      calls: ['head in/report.txt'],
      error: { code: 'access_denied', message: /without s3:ListBucket S3 answers 403/ },
    },
    {
      name: 'version delete while S3 is failing: the transient error is kept, nothing written',
      event: { versionId: 'v2' },
      script: { head: new DocsiftError('fetch_failed', 'fetch', 'InternalError') },
      calls: ['head in/report.txt'],
      error: { code: 'fetch_failed' },
    },
  ];
  it.each(cases)('$name', async ({ event: over, script = {}, calls, heads, outcome, write, error }) => {
    const w = world(script, tempDir);
    const run = deleteObject(event({ action: 'delete', size: null, etag: null, ...over }), w.ctx);
    if (error) {
      const err = await run.then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: error.code });
      if (error.message) expect((err as Error).message).toMatch(error.message);
      expect(w.writes).toEqual([]);
    } else {
      expect(await run).toBe(outcome);
      expect(w.writes).toEqual([write]);
    }
    expect(w.calls).toEqual(calls);
    if (heads) expect(w.heads.map((h) => h.versionId)).toEqual(heads);
  });

  it('an event without a usable sequencer writes without a version (last write wins)', async () => {
    const w = world({}, tempDir);
    await deleteObject(event({ action: 'delete', sequencer: null }), w.ctx);
    expect(w.writes[0]).not.toHaveProperty('version');
  });
});
