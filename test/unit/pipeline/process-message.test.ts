import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DocsiftError } from '../../../src/domain/errors.js';
import { processMessage } from '../../../src/pipeline/process-message.js';
import type { QueueMessage } from '../../../src/ports/queue.port.js';
import { world, type Script } from './fakes.js';

const tempDir = mkdtempSync(join(tmpdir(), 'docsift-pipeline-'));
const message = (body: unknown): QueueMessage => ({ id: 'm', receiptHandle: 'rh', body: typeof body === 'string' ? body : JSON.stringify(body), receiveCount: 1, sentAt: null, attributes: {} });
const record = (key: string, eventName = 'ObjectCreated:Put') => ({ eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'docs' }, object: { key, sequencer: '0A' } } });

describe('processMessage: one message → every object change it carries', () => {
  const cases: Array<{ name: string; body: unknown; script?: Script; outcome: Record<string, unknown>; calls: string[] }> = [
    { name: 's3:TestEvent is acknowledged and ignored', body: { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'docs' }, outcome: { kind: 'done', outcome: 'ignored', objects: 0 }, calls: [] },
    { name: 'our own thumbnails are ignored', body: { Records: [record('thumbnails/abc.jpg')] }, outcome: { kind: 'done', outcome: 'ignored', objects: 0 }, calls: [] },
    { name: 'a body that is not JSON fails permanently at parse', body: '{"this is": not json', outcome: { kind: 'failed', error: expect.objectContaining({ code: 'bad_message', stage: 'parse' }) }, calls: [] },
    {
      name: 'two records: both indexed, in order, done when both are',
      body: { Records: [record('a.txt'), record('b.txt')] },
      outcome: { kind: 'done', outcome: 'indexed', objects: 2 },
      calls: ['head a.txt', 'download a.txt@v-head', 'extract', 'index index', 'head b.txt', 'download b.txt@v-head', 'extract', 'index index'],
    },
    { name: 'an ObjectRemoved event deletes the document', body: { Records: [record('gone.txt', 'ObjectRemoved:Delete')] }, outcome: { kind: 'done', outcome: 'deleted', objects: 1 }, calls: ['index delete'] },
    {
      name: 'a failing object fails the whole message with its class',
      body: { Records: [record('a.txt')] },
      script: { head: new DocsiftError('access_denied', 'fetch', 'AccessDenied') },
      outcome: { kind: 'failed', error: expect.objectContaining({ code: 'access_denied' }) },
      calls: ['head a.txt'],
    },
    {
      name: 'the index refuses it: the failure carries the content type, no cast needed',
      body: { Records: [record('a.pdf')] },
      script: { extraction: { contentType: 'application/pdf' }, writeFails: new DocsiftError('index_rejected', 'index', 'mapper_parsing_exception') },
      outcome: { kind: 'failed', error: expect.objectContaining({ code: 'index_rejected', contentType: 'application/pdf' }) },
      calls: ['head a.pdf', 'download a.pdf@v-head', 'extract', 'index index'],
    },
  ];
  it.each(cases)('$name', async ({ body, script = {}, outcome, calls }) => {
    const w = world(script, tempDir);
    expect(await processMessage(message(body), w.ctx)).toEqual(outcome);
    expect(w.calls).toEqual(calls);
  });

  it('after an abort a transient failure is a processing timeout that keeps the stage and content type', async () => {
    const controller = new AbortController();
    const w = world({ writeFails: new DocsiftError('index_unavailable', 'index', '503'), extraction: { contentType: 'image/png' } }, tempDir);
    w.ctx.index.write = async () => {
      controller.abort();
      throw new DocsiftError('index_unavailable', 'index', '503');
    };
    const outcome = await processMessage(message({ Records: [record('scan.png')] }), w.ctx, controller.signal);
    expect(outcome).toEqual({ kind: 'failed', error: expect.objectContaining({ code: 'processing_timeout', stage: 'index', contentType: 'image/png' }) });
  });

  it('after an abort a permanent failure stays permanent', async () => {
    const controller = new AbortController();
    const w = world({}, tempDir);
    w.ctx.objects.head = async () => {
      controller.abort();
      throw new DocsiftError('not_found', 'fetch', 'NoSuchKey');
    };
    const outcome = await processMessage(message({ Records: [record('a.txt')] }), w.ctx, controller.signal);
    expect(outcome).toEqual({ kind: 'failed', error: expect.objectContaining({ code: 'not_found' }) });
  });
});
