import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/adapters/s3/s3.object-store.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { tempPathFor, upsertObject } from '../../src/pipeline/process-object.js';
import type { ObjectEvent } from '../../src/domain/message.js';
import type { IndexOperation } from '../../src/ports/search-index.port.js';

/**
 * Object keys never influence a local path: the pipeline downloads every object to
 * `<TEMP_DIR>/obj-<uuid>` and removes it, whatever the key holds (`../../etc/passwd`, absolute
 * paths, 1,024-byte keys, control characters, Windows separators, encoded dots, NUL).
 */
const HOSTILE_KEYS: Array<[string, string]> = [
  ['parent traversal', '../../etc/passwd'],
  ['deep traversal', `${'../'.repeat(40)}tmp/pwned`],
  ['absolute', '/etc/passwd'],
  ['absolute into temp parent', `${tmpdir()}/docsift-pwned`],
  ['1,024 bytes', 'k'.repeat(1024)],
  ['1,024 bytes of 3-byte characters', 'あ'.repeat(341) + 'k'],
  ['control characters', 'a\u0000b\nc\rd\te\u001b[31mf\u007f'],
  ['windows separators', '..\\..\\Windows\\System32\\drivers\\etc\\hosts'],
  ['encoded dots', '%2e%2e%2f%2e%2e%2fetc%2fpasswd'],
  ['only dots', '..'],
  ['trailing slash', 'dir/'],
  ['home', '~/.ssh/authorized_keys'],
];

const root = mkdtempSync(join(tmpdir(), 'docsift-temp-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function event(key: string): ObjectEvent {
  return { action: 'upsert', bucket: 'b', key, versionId: null, size: 3, etag: null, sequencer: null, eventTime: null, source: 's3' };
}

describe('temp paths', () => {
  it('tempPathFor is a fresh obj-<uuid> directly inside TEMP_DIR', () => {
    const dir = join(root, 'plain');
    const a = tempPathFor(dir);
    const b = tempPathFor(dir);
    expect(dirname(a)).toBe(dir);
    expect(basename(a)).toMatch(/^obj-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it.each(HOSTILE_KEYS)('%s: the download path ignores the key and the file is removed', async (_name, key) => {
    const tempDir = join(root, `t-${Math.random().toString(36).slice(2)}`);
    mkdirSync(tempDir);
    const paths: string[] = [];
    const ops: IndexOperation[] = [];
    const ctx: PipelineContext = {
      objects: {
        head: async () => ({ size: 3, etag: null, lastModified: null, contentType: 'text/plain', versionId: null }),
        download: async (_ref, destPath) => {
          paths.push(destPath);
          await writeFile(destPath, 'abc', { flag: 'wx' });
          return { bytes: 3, sha256: 'x' };
        },
        put: async () => undefined,
        tags: async () => ({}),
      },
      extractor: {
        extract: async (input) => {
          expect(readFileSync(input.path, 'utf8')).toBe('abc');
          return { contentType: 'text/plain', text: 'abc', method: 'text', status: 'ok' };
        },
        close: async () => undefined,
      },
      index: { ensureReady: async () => undefined, write: async (op) => void ops.push(op), flush: async () => undefined, close: async () => undefined },
      tempDir,
      maxFileBytes: 1024,
      indexedChars: 100,
      ignoreKeyPrefixes: [],
      observe: () => undefined,
      warn: () => undefined,
    };
    await upsertObject(event(key), ctx);
    expect(paths).toHaveLength(1);
    expect(dirname(paths[0]!)).toBe(tempDir);
    expect(basename(paths[0]!)).toMatch(/^obj-[0-9a-f-]{36}$/);
    // Nothing of the key reached the file system: the temp dir is empty again, its parent unchanged.
    expect(readdirSync(tempDir)).toEqual([]);
    expect(readdirSync(root).every((n) => n === 'plain' || n.startsWith('t-'))).toBe(true);
    expect(existsSync(join(tmpdir(), 'docsift-pwned'))).toBe(false);
    // The key is data: it is indexed as given.
    expect(ops[0]).toMatchObject({ type: 'index', document: { key } });
  });

  it('the S3 download never follows or overwrites an existing path (exclusive create)', async () => {
    const target = join(root, 'victim.txt');
    writeFileSync(target, 'original');
    const link = join(root, 'obj-link');
    symlinkSync(target, link);
    const store = new S3ObjectStore({ send: async () => ({ Body: Readable.from([Buffer.from('attacker')]) }) } as never);
    await expect(store.download({ bucket: 'b', key: 'k', versionId: null }, link, 1024)).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('original');
  });
});
