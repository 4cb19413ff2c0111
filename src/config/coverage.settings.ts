import { z } from 'zod';
import { splitGlobList } from '../domain/coverage/key-filter.js';
import { parseS3Uri } from '../domain/coverage/s3-uri.js';
import { globProblem } from '../platform/glob.js';
import { bool, describe, int, num } from './setting.js';
import type { Rule } from './rule.js';

/** A comma-separated glob list (commas inside braces belong to the glob), each glob checked at start-up. */
function globList(doc: string) {
  const base = z
    .string()
    .superRefine((value, ctx) => {
      for (const glob of splitGlobList(value)) {
        const problem = globProblem(glob);
        if (problem) ctx.addIssue({ code: 'custom', message: `glob "${glob}": ${problem}` });
      }
    })
    .transform((value) => splitGlobList(value));
  return describe(base.prefault(''), { doc, defaultText: '(none)' });
}

function stateUri() {
  const base = z.string().superRefine((value, ctx) => {
    if (!value.startsWith('s3://')) return;
    try {
      parseS3Uri(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
  return describe(base.default('./.docsift/state/'), {
    doc: 'Where `docsift backfill` keeps its checkpoint and `docsift reconcile` its last report (which the worker exports as metrics): s3://BUCKET/PREFIX/ (survives a pod restart: the chart uses it) or a local directory. Keys under an s3:// STATE_URI are never indexed',
  });
}

/** What is indexed and keeping the index complete: key filters, S3 metadata, extraction reuse, backfill and reconcile. */
export const coverageSettings = {
  INCLUDE_KEYS: globList('Only keys matching one of these globs are indexed (events, backfill, reconcile), e.g. `docs/**,**/*.pdf`; empty: every key'),
  EXCLUDE_KEYS: globList('Keys matching one of these globs are never indexed: their events are acknowledged as ignored without a HEAD or GET, e.g. `**/~$*,**/.DS_Store,tmp/**`'),
  S3_TAGS_ENABLED: bool(false, { doc: 'Read each object\'s tags (one GetObjectTagging, needs s3:GetObjectTagging) into the document as `s3_tags`' }),
  EXTRACTION_REUSE: bool(true, {
    doc: 'Before extracting, look up the index: text already extracted from the same bytes (same checksum) under the same extraction settings, for this key or any other, is reused instead of extracted (and OCR\'d) again',
  }),
  STATE_URI: stateUri(),
  BACKFILL_RATE: num(0.1, 3000, 50, { unit: 'messages/s', doc: '`docsift backfill` and `docsift reconcile --fix`: enqueue rate when --rate is not given' }),
  RECONCILE_METRICS_INTERVAL: int(0, 86_400, 60, {
    unit: 's',
    doc: 'How often the worker reads the reconcile reports under STATE_URI into docsift_reconcile_* gauges; 0 disables',
  }),
};

export const coverageRules: Rule[] = [
  (c) =>
    typeof c.STATE_URI === 'string' && /^s3:\/\/[^/]+\/?$/.test(c.STATE_URI)
      ? [`STATE_URI=${c.STATE_URI} needs a prefix (e.g. s3://BUCKET/docsift-state/): docsift's own state objects must not be mistaken for documents`]
      : [],
];
