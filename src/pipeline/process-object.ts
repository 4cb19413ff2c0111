import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { keywordMap } from '../domain/coverage/s3-metadata.js';
import { buildDocument, documentId, extensionOf, filenameOf } from '../domain/document.js';
import { DocsiftError, type Stage } from '../domain/errors.js';
import type { ObjectEvent } from '../domain/message.js';
import { planDelete } from '../domain/versions.js';
import { sequencerVersion } from '../domain/sequencer.js';
import type { Extraction, ExtractInput, Thumbnail } from '../ports/extractor.port.js';
import type { HandledOutcome } from '../ports/message-handler.port.js';
import type { DownloadResult, ObjectHead } from '../ports/object-store.port.js';
import type { PipelineContext } from './context.js';
import { reuseIndexedText } from './reuse.js';

async function timed<T>(ctx: PipelineContext, stage: Stage, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    ctx.observe(stage, (performance.now() - started) / 1000);
  }
}

/**
 * A temp path that nothing in the object key can influence: the directory is fixed and the name
 * is a random UUID, so `../../etc/passwd`, absolute paths, control characters and 1 KiB keys are
 * all just data.
 */
export function tempPathFor(tempDir: string): string {
  return join(tempDir, `obj-${randomUUID()}`);
}

/** The event's place in its key's history, so a late, older event cannot overwrite a newer one. */
function versionOf(event: ObjectEvent): { version?: bigint } {
  const version = sequencerVersion(event.sequencer);
  return version === null ? {} : { version };
}

/**
 * A delete event → the key's document follows the key's current version (domain/versions.ts): it
 * is removed, or, when a removed version leaves another one current, that version is indexed
 * (with the delete's sequencer, so it still outranks every earlier event of the key).
 */
export async function deleteObject(event: ObjectEvent, ctx: PipelineContext, signal?: AbortSignal): Promise<HandledOutcome> {
  if (planDelete(event) === 'follow_current') {
    const current = await currentVersionOf(event, ctx, signal);
    if (current !== undefined) return upsertObject({ ...event, action: 'upsert', deleteMarker: false, versionId: current }, ctx, signal);
  }
  await timed(ctx, 'index', () => ctx.index.write({ type: 'delete', id: documentId(event.bucket, event.key), ...versionOf(event) }));
  return 'deleted';
}

/** The key's current version id (null on a store without versions); undefined when the key has none, or a delete marker is current. */
async function currentVersionOf(event: ObjectEvent, ctx: PipelineContext, signal?: AbortSignal): Promise<string | null | undefined> {
  try {
    const head = await timed(ctx, 'fetch', () => ctx.objects.head({ bucket: event.bucket, key: event.key, versionId: null }, signal));
    return head.versionId;
  } catch (err) {
    if (err instanceof DocsiftError && err.code === 'not_found') return undefined;
    if (err instanceof DocsiftError && err.code === 'access_denied') {
      const hint = 'HeadObject on the key after a version delete: without s3:ListBucket S3 answers 403 instead of 404 for a key with no current version';
      throw new DocsiftError('access_denied', 'fetch', `${err.message} (${hint})`, { cause: err });
    }
    throw err;
  }
}

/** Extraction failures leave as classified errors: an abort is a timeout, anything unclassified is internal. */
async function extract(input: ExtractInput, ctx: PipelineContext, signal?: AbortSignal): Promise<{ extraction: Extraction; ms: number }> {
  const started = performance.now();
  let extraction: Extraction;
  try {
    extraction = await ctx.extractor.extract(input, signal);
  } catch (err) {
    if (err instanceof DocsiftError) throw err;
    if (signal?.aborted) throw new DocsiftError('processing_timeout', 'extract', 'extraction aborted', { cause: err });
    throw new DocsiftError('internal', 'extract', `extractor failed: ${(err as Error).message}`, { cause: err });
  }
  const ms = Math.round(performance.now() - started);
  // The OCR stage is timed per page inside the extraction engine; not again here.
  ctx.observe('extract', ms / 1000);
  return { extraction, ms };
}

/** Uploads the thumbnail and returns its key; a missing thumbnail never costs the document its place in the index. */
async function storeThumbnail(thumb: Thumbnail | undefined, id: string, event: ObjectEvent, ctx: PipelineContext, signal?: AbortSignal): Promise<string | undefined> {
  if (!thumb || !ctx.thumbnails) return undefined;
  const bucket = ctx.thumbnails.bucket ?? event.bucket;
  const key = `${ctx.thumbnails.prefix}${id}.${thumb.extension}`;
  try {
    await timed(ctx, 'thumbnail', () => ctx.objects.put(bucket, key, thumb.data, thumb.contentType, signal));
    return key;
  } catch (err) {
    ctx.warn('thumbnail_failed', { error: (err as Error).message });
    return undefined;
  }
}

interface Fetched {
  event: ObjectEvent;
  head: ObjectHead;
  download: DownloadResult;
  versionId: string | null;
  tags?: Record<string, string>;
  /** The thumbnail of the document whose text was reused. */
  reusedThumbnail?: string;
}

/** Builds the document, stores the thumbnail, writes the document; resolves once it is durable. */
async function index(f: Fetched, extraction: Extraction, extractMs: number, ctx: PipelineContext, signal?: AbortSignal): Promise<void> {
  const { event, head, download, versionId } = f;
  const id = documentId(event.bucket, event.key);
  const object = {
    bucket: event.bucket, key: event.key, versionId, etag: head.etag ?? event.etag, lastModified: head.lastModified, size: download.bytes, sha256: download.sha256, sequencer: event.sequencer,
    metadata: keywordMap(head.metadata, { decode: true, lowercase: true }),
    ...(f.tags ? { tags: keywordMap(f.tags) } : {}),
  };
  const document = buildDocument(object, extraction, { extractMs, indexedChars: ctx.indexedChars, indexedAt: ctx.now?.() ?? new Date(), ...(ctx.extractionProfile ? { profile: ctx.extractionProfile } : {}) });
  const thumbnailKey = (await storeThumbnail(extraction.thumbnail, id, event, ctx, signal)) ?? f.reusedThumbnail;
  if (thumbnailKey) document.thumbnail_key = thumbnailKey;
  try {
    await timed(ctx, 'index', () => ctx.index.write({ type: 'index', id, document, ...versionOf(event) }));
  } catch (err) {
    throw err instanceof DocsiftError ? err.withContentType(extraction.contentType) : err;
  }
}

/** Fetch → extract → index one object. Resolves once its document is durably indexed. */
export async function upsertObject(event: ObjectEvent, ctx: PipelineContext, signal?: AbortSignal): Promise<HandledOutcome> {
  const ref = { bucket: event.bucket, key: event.key, versionId: event.versionId };
  // Wall clock (Date.now), not performance.now: the deadline crosses into the sandbox process.
  const deadline = ctx.documentBudgetMs === undefined ? {} : { deadline: Date.now() + ctx.documentBudgetMs };
  const head = await timed(ctx, 'fetch', () => ctx.objects.head(ref, signal));
  if (head.size > ctx.maxFileBytes) {
    throw new DocsiftError('too_large', 'fetch', `object is ${head.size} bytes; MAX_FILE_SIZE_MB allows ${ctx.maxFileBytes}`);
  }
  const versionId = event.versionId ?? head.versionId;
  const tags = ctx.s3Tags ? await timed(ctx, 'fetch', () => ctx.objects.tags({ ...ref, versionId }, signal)) : undefined;
  const path = tempPathFor(ctx.tempDir);
  try {
    const download = await timed(ctx, 'fetch', () => ctx.objects.download({ ...ref, versionId }, path, ctx.maxFileBytes, signal));
    const reused = await reuseIndexedText(documentId(event.bucket, event.key), download.sha256, ctx);
    const input = { path, size: download.bytes, filename: filenameOf(event.key), extension: extensionOf(event.key), declaredContentType: head.contentType, maxChars: ctx.indexedChars, ...deadline };
    const { extraction, ms } = reused ? { extraction: reused.extraction, ms: 0 } : await extract(input, ctx, signal);
    const fetched: Fetched = { event, head, download, versionId, ...(tags ? { tags } : {}), ...(reused?.thumbnailKey ? { reusedThumbnail: reused.thumbnailKey } : {}) };
    await index(fetched, extraction, ms, ctx, signal);
    return 'indexed';
  } finally {
    await rm(path, { force: true }).catch((err: unknown) => ctx.warn('cleanup_result', { ok: false, error: (err as Error).message }));
  }
}
