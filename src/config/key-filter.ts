import { createKeyFilter, type InternalPrefix, type KeyFilter } from '../domain/coverage/key-filter.js';
import { parseS3Uri } from '../domain/coverage/s3-uri.js';
import { compileGlob } from '../platform/glob.js';
import type { Config } from './schema.js';

/** docsift's own objects: thumbnails (in any bucket, as before) and the state under an s3:// STATE_URI. */
export function internalPrefixes(config: Pick<Config, 'THUMBNAIL_PREFIX' | 'STATE_URI'>): InternalPrefix[] {
  const prefixes: InternalPrefix[] = [{ bucket: null, prefix: config.THUMBNAIL_PREFIX }];
  if (config.STATE_URI.startsWith('s3://')) {
    const state = parseS3Uri(config.STATE_URI);
    prefixes.push({ bucket: state.bucket, prefix: state.prefix });
  }
  return prefixes;
}

/** The one key filter of a configuration: the worker, backfill and reconcile all use this. */
export function keyFilterFor(config: Pick<Config, 'THUMBNAIL_PREFIX' | 'STATE_URI' | 'INCLUDE_KEYS' | 'EXCLUDE_KEYS'>): KeyFilter {
  return createKeyFilter({
    include: config.INCLUDE_KEYS.map(compileGlob),
    exclude: config.EXCLUDE_KEYS.map(compileGlob),
    internal: internalPrefixes(config),
  });
}
