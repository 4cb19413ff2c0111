import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { ObjectEvent } from '../../../src/domain/message.js';
import type { PipelineContext } from '../../../src/pipeline/context.js';
import type { Extraction, ExtractInput, Extractor } from '../../../src/ports/extractor.port.js';
import type { LogEvent } from '../../../src/ports/logger.port.js';
import type { DownloadResult, ObjectHead, ObjectRef, ObjectStore } from '../../../src/ports/object-store.port.js';
import type { IndexOperation, SearchIndex } from '../../../src/ports/search-index.port.js';

export const event = (over: Partial<ObjectEvent> = {}): ObjectEvent => ({
  action: 'upsert',
  bucket: 'docs',
  key: 'in/report.txt',
  versionId: null,
  size: 5,
  etag: 'event-etag',
  sequencer: '0062E99A88DC407460',
  eventTime: null,
  source: 's3',
  ...over,
});

export interface World {
  calls: string[];
  /** Every HEAD, with the version it asked for (null: the key's current version). */
  heads: ObjectRef[];
  writes: IndexOperation[];
  puts: Array<{ bucket: string; key: string; contentType: string }>;
  warnings: Array<{ event: LogEvent; fields: Record<string, unknown> }>;
  stages: string[];
  extracted: ExtractInput[];
  /** Temp paths the download wrote, to check they are gone afterwards. */
  tempFiles: string[];
  ctx: PipelineContext;
}

export interface Script {
  head?: Partial<ObjectHead> | Error;
  body?: string;
  extraction?: Partial<Extraction> | Error;
  putFails?: boolean;
  tags?: Record<string, string> | Error;
  writeFails?: Error;
  abortDuringExtract?: AbortController;
  ctx?: Partial<PipelineContext>;
}

/** Ports that play a script and record every call, in order. */
export function world(s: Script, tempDir: string): World {
  const w: Omit<World, 'ctx'> = { calls: [], heads: [], writes: [], puts: [], warnings: [], stages: [], extracted: [], tempFiles: [] };
  const objects: ObjectStore = {
    async head(ref: ObjectRef) {
      w.calls.push(`head ${ref.key}`);
      w.heads.push(ref);
      if (s.head instanceof Error) throw s.head;
      return { size: (s.body ?? 'hello').length, etag: '"head-etag"', lastModified: '2026-11-20T10:00:00.000Z', contentType: 'text/plain', versionId: 'v-head', ...s.head };
    },
    async download(ref: ObjectRef, destPath: string): Promise<DownloadResult> {
      w.calls.push(`download ${ref.key}@${ref.versionId}`);
      await writeFile(destPath, s.body ?? 'hello');
      w.tempFiles.push(destPath);
      return { bytes: (s.body ?? 'hello').length, sha256: 'sha-of-body' };
    },
    async put(bucket, key, _body, contentType) {
      w.calls.push(`put ${bucket}/${key}`);
      if (s.putFails) throw new Error('thumbnail bucket refused');
      w.puts.push({ bucket, key, contentType });
    },
    async tags(ref: ObjectRef) {
      w.calls.push(`tags ${ref.key}@${ref.versionId}`);
      if (s.tags instanceof Error) throw s.tags;
      return s.tags ?? {};
    },
  };
  const extractor: Extractor = {
    async extract(input) {
      w.calls.push('extract');
      w.extracted.push(input);
      s.abortDuringExtract?.abort();
      if (s.extraction instanceof Error) throw s.extraction;
      return { contentType: 'text/plain', text: 'hello world', method: 'text', status: 'ok', ...s.extraction };
    },
    close: async () => {},
  };
  const index: SearchIndex = {
    ensureReady: async () => {},
    async write(op) {
      w.calls.push(`index ${op.type}`);
      if (s.writeFails) throw s.writeFails;
      w.writes.push(op);
    },
    flush: async () => {},
    close: async () => {},
  };
  const ctx: PipelineContext = {
    objects,
    extractor,
    index,
    tempDir,
    maxFileBytes: 1000,
    indexedChars: 100,
    thumbnails: { bucket: null, prefix: 'thumbnails/' },
    ignoreKeyPrefixes: ['thumbnails/'],
    observe: (stage) => w.stages.push(stage),
    warn: (e, fields) => w.warnings.push({ event: e, fields }),
    now: () => new Date('2026-11-23T12:00:00Z'),
    ...s.ctx,
  };
  return { ...w, ctx };
}

export const leftovers = (w: World) => w.tempFiles.filter((p) => existsSync(p));
