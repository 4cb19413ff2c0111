import { describe, expect, it } from 'vitest';
import { ERROR_CLASS_NAMES } from '../../src/domain/errors.js';
import { createMetrics } from '../../src/observability/metrics.js';

/**
 * Metric labels are closed sets (outcome, stage, error class, …): never an object key, a bucket or a
 * message id, which would leak data into the monitoring system and explode its cardinality. The
 * values a running worker exports are checked in secrets.test.ts; this pins the label names.
 */
// `source` is same_key | content_hash (extraction reuse), `kind` is missing | stale | orphaned (reconcile).
const ALLOWED_LABELS = new Set(['outcome', 'stage', 'error_class', 'result', 'reason', 'component', 'queue', 'state', 'source', 'kind']);
const FORBIDDEN = /key|bucket|message|id$|url|path|file|name/i;

describe('metric labels', () => {
  it('every docsift metric uses only closed-set label names', () => {
    const metrics = createMetrics({ defaultMetrics: false });
    type Declared = { name: string; labelNames: string[] };
    const declared = (Object.values(metrics) as unknown[]).filter(
      (m): m is Declared => typeof m === 'object' && m !== null && typeof (m as { name?: unknown }).name === 'string' && Array.isArray((m as { labelNames?: unknown }).labelNames),
    );
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.every((m) => m.name.startsWith('docsift_'))).toBe(true);
    const bad = declared.flatMap((m) => m.labelNames.filter((l) => !ALLOWED_LABELS.has(l) || FORBIDDEN.test(l)).map((l) => `${m.name}{${l}}`));
    expect(bad).toEqual([]);
  });

  it('error_class label values are the closed set of domain error classes', () => {
    expect(ERROR_CLASS_NAMES.every((c) => /^[a-z_]+$/.test(c))).toBe(true);
    const metrics = createMetrics({ defaultMetrics: false });
    // Labelling with a value outside the declared names is rejected by prom-client, not silently exported.
    expect(() => metrics.failures.inc({ key: 'secret/doc.pdf' } as never)).toThrow();
  });
});
