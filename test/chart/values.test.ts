import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ERROR_CLASS_NAMES, kindOf } from '../../src/domain/errors.js';
import { UNCLASSIFIED_TOKEN } from '../../src/domain/dlq/redrive-filter.js';
import { CHART_DIR, renderChart } from './lib/helm.js';
import { undocumented, valuesDocs } from './lib/values-doc.js';

const DEFAULTS = join(CHART_DIR, 'ci', 'defaults-values.yaml');

async function renderError(set: string[]): Promise<string> {
  try {
    await renderChart({ valuesFiles: [DEFAULTS], set });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`helm template accepted --set ${set.join(' ')}`);
}

describe('values.yaml', () => {
  const docs = valuesDocs();

  it('documents every value with `# --`', () => {
    expect(docs.length).toBeGreaterThan(80);
    expect(undocumented(docs)).toEqual([]);
  });

  it('is listed, every documented key of it, in the chart README, and the README lists nothing else', () => {
    const readme = readFileSync(join(CHART_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    const documented = docs.filter((d) => d.doc).map((d) => d.key);
    expect(listed.sort()).toEqual(documented.sort());
  });

  it('is accepted by values.schema.json, which declares every top-level key', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    expect(schema.additionalProperties).toBe(false);
    const topLevel = [...new Set(docs.map((d) => d.key.split('.')[0]))];
    for (const key of topLevel) expect(schema.properties, key).toHaveProperty([key as string]);
  });
});

describe('the DLQ-redrive defaults and the worker agree', () => {
  const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { dlqRedrive: { errorClasses: string[] } };
  const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));

  it('the default classes are exactly the retryable ones of src/domain/errors.ts (what the worker labels on a last receive)', () => {
    expect([...values.dlqRedrive.errorClasses].sort()).toEqual(ERROR_CLASS_NAMES.filter((c) => kindOf(c) !== 'permanent').sort());
  });

  it('the schema accepts every error class and `none`, nothing else', () => {
    expect(schema.properties.dlqRedrive.properties.errorClasses.items.enum.sort()).toEqual([...ERROR_CLASS_NAMES, UNCLASSIFIED_TOKEN].sort());
  });

  it('an empty list is refused: without --error-class the redrive would move the permanent failures too', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'docsift-values-')), 'empty-classes.yaml');
    writeFileSync(file, 'dlqRedrive:\n  errorClasses: []\n');
    await expect(renderChart({ valuesFiles: [DEFAULTS, file] })).rejects.toThrow(/dlqRedrive\/errorClasses: minimum 1 items required|errorClasses.*minItems|errorClasses.*at least 1/);
  });

  it('`none` renders into the CronJob', async () => {
    const text = await renderChart({ valuesFiles: [DEFAULTS], set: ['queue.dlqUrl=https://sqs.eu-west-1.amazonaws.com/123456789012/docsift-dlq', 'dlqRedrive.enabled=true', 'dlqRedrive.errorClasses={index_unavailable,none}'] });
    expect(text).toMatch(/- --error-class\n\s+- index_unavailable,none\n/);
  });
});

describe('values.schema.json and template checks reject bad values', () => {
  it.each([
    ['an unknown top-level key', ['replicas=3'], /additional properties 'replicas' not allowed/],
    ['a misspelt nested key', ['worker.maxInFlight=3'], /additional properties 'maxInFlight' not allowed/],
    ['a string where an integer belongs', ['worker.maxInflight=many'], /maxInflight.*want integer/],
    ['the latest tag', ['image.tag=latest'], /image\/tag/],
    ['a memory limit that is not Mi or Gi', ['resources.limits.memory=1.5G'], /memory/],
    ['zero OCR workers', ['ocr.workers=0'], /ocr\/workers/],
    ['an unknown OCR engine', ['ocr.engine=cuneiform'], /ocr\/engine/],
    ['an unknown KEDA auth mode', ['autoscaling.keda.auth.mode=magic'], /auth\/mode/],
    ['an unknown error class to redrive', ['dlqRedrive.errorClasses={nope}'], /errorClasses/],
    ['a bad cron schedule', ['restartCronJob.schedule=daily'], /schedule/],
    ['a queue URL that is not a URL', ['queue.url=docsift'], /queue\/url/],
  ])('%s', async (_name, set, message) => {
    expect(await renderError(set)).toMatch(message);
  });

  it.each([
    ['a hard memory guard not above the soft one', ['memoryGuard.softPercent=90', 'memoryGuard.hardPercent=80'], /hardPercent=80 must be above memoryGuard.softPercent=90/],
    ['DLQ redrive without a DLQ', ['dlqRedrive.enabled=true'], /dlqRedrive.enabled needs queue.dlqUrl/],
    ['KEDA secret auth without a secret', ['autoscaling.keda.auth.mode=secret'], /auth.secretName is required/],
    ['a ServiceMonitor without the metrics Service', ['metrics.serviceMonitor.enabled=true', 'metrics.service.enabled=false'], /needs metrics.service.enabled/],
  ])('%s', async (_name, set, message) => {
    expect(await renderError(set)).toMatch(message);
  });

  it('requires the queue URL', async () => {
    await expect(renderChart({ set: ['opensearch.url=https://search.example.com', 'serviceAccount.roleArn=arn:aws:iam::123456789012:role/r'] })).rejects.toThrow(/queue.url is required/);
  });
});
