import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyFilterFor } from '../../../src/config/key-filter.js';
import { loadConfig } from '../../../src/config/load.js';
import { processMessage } from '../../../src/pipeline/process-message.js';
import type { QueueMessage } from '../../../src/ports/queue.port.js';
import { eventBridge, s3NotificationIn, snsWrapped } from '../../fixtures/s3-events.js';
import { world } from './fakes.js';

/** A put as S3 writes it, the key URL-encoded by the caller (as S3 encodes it: `~` as %7E, `$` as %24, a space as +). */
const s3Notification = (bucket: string, encodedKey: string) =>
  s3NotificationIn(bucket, { eventName: 'ObjectCreated:Put', key: encodedKey, object: { size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0A1B2C3D4E5F678901' } });
const eventBridgeCreated = (key: string) => eventBridge('Object Created', { key, size: 184662, etag: '4e68adba0abe2dc8653dc3354e14c01d', sequencer: '006408CAD69598B05E' }, { reason: 'PutObject' });

const tempDir = mkdtempSync(join(tmpdir(), 'docsift-keys-'));
const message = (body: string): QueueMessage => ({ id: 'm', receiptHandle: 'rh', body, receiveCount: 1, sentAt: null, attributes: {} });

function filtered(env: Record<string, string>) {
  const result = loadConfig(env, {});
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const reasons: string[] = [];
  return { keyFilter: keyFilterFor(result.config), onFiltered: (r: string) => reasons.push(r), reasons };
}

describe('EXCLUDE_KEYS on events: acknowledged as ignored, with no HEAD or GET', () => {
  const env = { EXCLUDE_KEYS: '**/~$*,**/.DS_Store' };
  it.each([
    ['an Office lock file, key encoded as S3 encodes it', s3Notification('docs', 'tmp/%7E%24lock.docx')],
    ['the same with ~ left plain', s3Notification('docs', 'tmp/~%24lock.docx')],
    ['a .DS_Store', s3Notification('docs', 'tmp/.DS_Store')],
    ['a lock file in a folder with spaces (+) and Japanese', s3Notification('docs', '%E5%85%B1%E6%9C%89+%E3%83%95%E3%82%A9%E3%83%AB%E3%83%80/%7E%24%E8%A6%8B%E7%A9%8D.xlsx')],
    ['through SNS', snsWrapped(s3Notification('docs', 'tmp/.DS_Store'))],
    ['through EventBridge (keys not encoded)', eventBridgeCreated('tmp/~$lock.docx')],
  ])('%s', async (_name, body) => {
    const f = filtered(env);
    const w = world({}, tempDir);
    const outcome = await processMessage(message(body), { ...w.ctx, keyFilter: f.keyFilter, onFiltered: f.onFiltered });
    expect(outcome).toEqual({ kind: 'done', outcome: 'ignored', objects: 0 });
    expect(w.calls).toEqual([]);
    expect(f.reasons).toEqual(['excluded']);
  });

  it('a key that only looks alike is indexed: `-` encoded as %2D, as in the lambda samples', async () => {
    const f = filtered(env);
    const w = world({}, tempDir);
    const outcome = await processMessage(message(s3Notification('docs', 'glacier%2Dtest.txt')), { ...w.ctx, keyFilter: f.keyFilter });
    expect(outcome).toMatchObject({ kind: 'done', outcome: 'indexed' });
    expect(w.calls[0]).toBe('head glacier-test.txt');
  });

  it('INCLUDE_KEYS: keys outside it are ignored, the rest indexed; one message may hold both', async () => {
    const f = filtered({ INCLUDE_KEYS: 'docs/**' });
    const w = world({}, tempDir);
    const body = JSON.stringify({ Records: [JSON.parse(s3Notification('b', 'other/a.txt')).Records[0], JSON.parse(s3Notification('b', 'docs/a.txt')).Records[0]] });
    const outcome = await processMessage(message(body), { ...w.ctx, keyFilter: f.keyFilter, onFiltered: f.onFiltered });
    expect(outcome).toMatchObject({ kind: 'done', outcome: 'indexed', objects: 1 });
    expect(w.calls.filter((c) => c.startsWith('head'))).toEqual(['head docs/a.txt']);
    expect(f.reasons).toEqual(['not_included']);
  });

  it('the state under an s3:// STATE_URI is never indexed, in that bucket only', async () => {
    const f = filtered({ STATE_URI: 's3://docs/.docsift-state/' });
    const w = world({}, tempDir);
    expect(await processMessage(message(s3Notification('docs', '.docsift-state/backfill/abc.json')), { ...w.ctx, keyFilter: f.keyFilter })).toMatchObject({ outcome: 'ignored' });
    expect(await processMessage(message(s3Notification('other', '.docsift-state/backfill/abc.json')), { ...w.ctx, keyFilter: f.keyFilter })).toMatchObject({ outcome: 'indexed' });
  });

  it('bad globs stop start-up with the variable named', () => {
    const result = loadConfig({ EXCLUDE_KEYS: '**/~$*,*a*a*a*b' }, {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toMatch(/^EXCLUDE_KEYS=.*glob "\*a\*a\*a\*b": more than 2/m);
  });
});

/** The public samples themselves, when the shared corpus is on this machine (see the fixture's header). */
const CORPUS = '/work/corpora/aws-events';
describe.runIf(existsSync(CORPUS))('the aws-lambda-go and powertools S3 event samples', () => {
  const files = existsSync(CORPUS)
    ? ['aws-lambda-go', 'powertools-lambda-python'].flatMap((d) => readdirSync(join(CORPUS, d)).filter((f) => /^s3[-]?(event|Event)/.test(f) && f.endsWith('.json')).map((f) => join(CORPUS, d, f)))
    : [];
  it.each(files)('%s: its keys pass an exclusion of other names; with its own key excluded it is ignored unread', async (file) => {
    const body = readFileSync(file, 'utf8');
    const doc = JSON.parse(body) as { Records?: Array<{ eventName?: string; s3?: { object?: { key?: string } } }> };
    const created = (doc.Records ?? []).filter((r) => r.eventName?.startsWith('ObjectCreated:'));
    if (created.length === 0) return; // removals and restores carry no new content
    const keys = created.map((r) => decodeURIComponent((r.s3?.object?.key ?? '').replace(/\+/g, ' ')));
    const passes = filtered({ EXCLUDE_KEYS: '**/~$*,**/.DS_Store' });
    const w1 = world({}, tempDir);
    expect(await processMessage(message(body), { ...w1.ctx, keyFilter: passes.keyFilter })).toMatchObject({ kind: 'done' });
    expect(w1.calls.filter((c) => c.startsWith('head'))).toEqual(keys.map((k) => `head ${k}`));
    const own = filtered({ EXCLUDE_KEYS: keys.map((k) => `**/${k.split('/').pop()}`).join(',') });
    const w2 = world({}, tempDir);
    expect(await processMessage(message(body), { ...w2.ctx, keyFilter: own.keyFilter })).toEqual({ kind: 'done', outcome: 'ignored', objects: 0 });
    expect(w2.calls).toEqual([]);
  });
});
