import { reusableText } from '../domain/coverage/reuse.js';
import type { ExtractedText, SearchDocument } from '../domain/document.js';
import type { PipelineContext } from './context.js';

export interface Reused {
  extraction: ExtractedText;
  thumbnailKey?: string;
}

/**
 * Text already indexed for these bytes: first the document of this very id (a redelivery, a
 * backfill or a redrive of an unchanged object), then any document with the same content checksum
 * (a copy). A lookup that fails costs only the saving: the object is extracted as if nothing were
 * indexed.
 */
export async function reuseIndexedText(id: string, sha256: string, ctx: PipelineContext): Promise<Reused | null> {
  const lookup = ctx.reuse;
  if (!lookup) return null;
  try {
    const profile = ctx.extractionProfile;
    const own = await lookup.get(id);
    let extraction = reusableText(own, sha256, ctx.indexedChars, 'same_key', profile);
    let from: SearchDocument | null = own;
    if (!extraction) {
      from = await lookup.findByChecksum(sha256, profile);
      extraction = reusableText(from, sha256, ctx.indexedChars, 'content_hash', profile);
    }
    if (!extraction || !from) return null;
    ctx.onReuse?.(extraction.reused ?? 'same_key');
    return { extraction, ...(from.thumbnail_key ? { thumbnailKey: from.thumbnail_key } : {}) };
  } catch (err) {
    ctx.warn('reuse_lookup_failed', { error: (err as Error).message.slice(0, 300) });
    return null;
  }
}
