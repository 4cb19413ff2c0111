import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { capContent, documentId, extensionOf, filenameOf, type SearchDocument } from '../domain/document.js';
import { DocsiftError, type Stage } from '../domain/errors.js';
import type { ObjectEvent } from '../domain/message.js';
import { sequencerVersion } from '../domain/sequencer.js';
import type { Extraction } from '../ports/extractor.port.js';
import type { HandledOutcome } from '../ports/message-handler.port.js';
import type { PipelineContext } from './context.js';


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

export async function deleteObject(event: ObjectEvent, ctx: PipelineContext): Promise<HandledOutcome> {
  await timed(ctx, 'index', () => ctx.index.write({ type: 'delete', id: documentId(event.bucket, event.key, event.versionId), ...versionOf(event) }));
  return 'deleted';
}

/** Fetch → extract → index one object. Resolves once its document is durably indexed. */
export async function upsertObject(event: ObjectEvent, ctx: PipelineContext, signal?: AbortSignal): Promise<{ outcome: HandledOutcome; contentType?: string }> {
  const ref = { bucket: event.bucket, key: event.key, versionId: event.versionId };
  const head = await timed(ctx, 'fetch', () => ctx.objects.head(ref, signal));
  if (head.size > ctx.maxFileBytes) {
    throw new DocsiftError('too_large', 'fetch', `object is ${head.size} bytes; MAX_FILE_SIZE_MB allows ${ctx.maxFileBytes}`);
  }
  const versionId = event.versionId ?? head.versionId;
  const path = tempPathFor(ctx.tempDir);
  let contentType: string | undefined;
  try {
    const download = await timed(ctx, 'fetch', () => ctx.objects.download({ ...ref, versionId }, path, ctx.maxFileBytes, signal));
    const filename = filenameOf(event.key);
    const extension = extensionOf(event.key);
    const started = performance.now();
    let extraction: Extraction;
    try {
      extraction = await ctx.extractor.extract(
        { path, size: download.bytes, filename, extension, declaredContentType: head.contentType, maxChars: ctx.indexedChars },
        signal,
      );
    } catch (err) {
      if (err instanceof DocsiftError) throw err;
      if (signal?.aborted) throw new DocsiftError('processing_timeout', 'extract', 'extraction aborted', { cause: err });
      throw new DocsiftError('internal', 'extract', `extractor failed: ${(err as Error).message}`, { cause: err });
    }
    const extractMs = Math.round(performance.now() - started);
    ctx.observe('extract', extractMs / 1000);
    // The OCR stage is timed per page inside the extraction engine; not again here.
    contentType = extraction.contentType;
    const id = documentId(event.bucket, event.key, versionId);
    const { content, truncated } = capContent(extraction.text, ctx.indexedChars);
    const document: SearchDocument = {
      bucket: event.bucket,
      key: event.key,
      version_id: versionId,
      etag: head.etag ?? event.etag,
      size: download.bytes,
      last_modified: head.lastModified,
      filename,
      extension,
      content_type: extraction.contentType,
      content,
      content_length: extraction.text.length,
      checksum: download.sha256,
      extraction: { method: extraction.method, status: extraction.status, ms: extractMs, ...(extraction.detail ? { detail: extraction.detail } : {}) },
      indexed_at: (ctx.now?.() ?? new Date()).toISOString(),
      sequencer: event.sequencer,
    };
    if (extraction.pages !== undefined) document.pages = extraction.pages;
    if (extraction.ocr) document.ocr = extraction.ocr;
    if (extraction.language) document.language = extraction.language;
    if (truncated || extraction.truncated) document.truncated = true;
    if (extraction.thumbnail && ctx.thumbnails) {
      const thumb = extraction.thumbnail;
      const bucket = ctx.thumbnails.bucket ?? event.bucket;
      const key = `${ctx.thumbnails.prefix}${id}.${thumb.extension}`;
      try {
        await timed(ctx, 'thumbnail', () => ctx.objects.put(bucket, key, thumb.data, thumb.contentType, signal));
        document.thumbnail_key = key;
      } catch (err) {
        // A missing thumbnail never costs the document its place in the index.
        ctx.warn('thumbnail_failed', { error: (err as Error).message });
      }
    }
    await timed(ctx, 'index', () => ctx.index.write({ type: 'index', id, document, ...versionOf(event) }));
    return { outcome: 'indexed', contentType };
  } catch (err) {
    if (err instanceof DocsiftError && contentType && !(err as { contentType?: string }).contentType) {
      (err as { contentType?: string }).contentType = contentType;
    }
    throw err;
  } finally {
    await rm(path, { force: true }).catch((err: unknown) => ctx.warn('cleanup_result', { ok: false, error: (err as Error).message }));
  }
}
