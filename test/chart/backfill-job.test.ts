import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, renderChart } from './lib/helm.js';
import { byKind, one, parseManifests, podSpecOf } from './lib/manifests.js';
import { containersOf, envOf } from './lib/policy.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The backfill Job (issue 16): refused without what it needs, named by its spec so an upgrade with
 * the same values leaves a finished Job alone and other values start a new one, every option
 * rendered as the CLI flag it stands for.
 */
const BACKFILL = join(CHART_DIR, 'ci', 'backfill-values.yaml');
const DEFAULTS = join(CHART_DIR, 'ci', 'defaults-values.yaml');

async function job(set: string[] = []) {
  return one(parseManifests(await renderChart({ valuesFiles: [BACKFILL], set })), 'Job') as any;
}

async function refusal(set: string[], valuesFiles = [BACKFILL]): Promise<string> {
  try {
    await renderChart({ valuesFiles, set });
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`helm template accepted --set ${set.join(' ')}`);
}

describe('backfill Job', () => {
  it('keeps its name for the same values, and takes another for another source, option, run number or image', async () => {
    const base = (await job()).metadata.name;
    expect((await job()).metadata.name).toBe(base);
    const others = await Promise.all([
      job(['backfill.source=s3://docsift-inbox/other/']),
      job(['backfill.skipUnchanged=false']),
      job(['backfill.run=2']),
      job(['image.tag=9.9.9']),
      job(['keys.exclude={tmp/**}']),
    ]);
    const names = others.map((j) => j.metadata.name);
    expect(new Set([base, ...names]).size).toBe(names.length + 1);
    // Settings the Job does not use leave it alone.
    expect((await job(['worker.maxInflight=4', 'ocr.workers=1'])).metadata.name).toBe(base);
  });

  it('renders --inventory and --dry-run, and no --max or --skip-unchanged when they are off', async () => {
    const j = await job(['backfill.inventory=s3://docsift-inventory/docsift-inbox/all/2026-11-30T01-00Z/manifest.json', 'backfill.dryRun=true', 'backfill.maxObjects=null', 'backfill.skipUnchanged=false']);
    expect(containersOf(j)[0].args).toEqual(['backfill', 's3://docsift-inbox/archive/', '--inventory', 's3://docsift-inventory/docsift-inbox/all/2026-11-30T01-00Z/manifest.json', '--rate', '100/s', '--dry-run']);
  });

  it('carries the Secret and extra env of the worker, and its own resources', async () => {
    const j = await job(['existingSecret=docsift-opensearch', 'env.LOG_LEVEL=debug']);
    const c = containersOf(j)[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: 'docsift-opensearch' } }]);
    expect(envOf(c).LOG_LEVEL).toBe('debug');
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1000m', memory: '512Mi' } });
    expect((podSpecOf(j) as any).automountServiceAccountToken).toBe(false);
  });

  it.each([
    ['without a source', ['backfill.source='], /backfill.enabled needs backfill.source/],
    ['without state.uri: its checkpoint must outlive the pod', ['state.uri='], /backfill.enabled needs state.uri/],
    ['with a source that is not an s3:// URI', ['backfill.source=docsift-inbox/archive'], /backfill\/source/],
    ['with a rate of zero', ['backfill.ratePerSecond=0'], /ratePerSecond/],
    ['with a glob that negates', ['keys.exclude={!keep/**}'], /keys\/exclude/],
    ['with a state.uri without a prefix', ['state.uri=s3://docsift-inbox/'], /state\/uri/],
  ])('is refused %s', async (_name, set, message) => {
    expect(await refusal(set)).toMatch(message);
  });

  it('is off by default; the worker then gets no key filters and no STATE_URI', async () => {
    const objects = parseManifests(await renderChart({ valuesFiles: [DEFAULTS] }));
    expect(byKind(objects, 'Job')).toEqual([]);
    const env = envOf(containersOf(one(objects, 'Deployment'))[0]);
    expect(env).toMatchObject({ S3_TAGS_ENABLED: 'false' });
    expect(Object.keys(env).filter((k) => /_KEYS$|^STATE_URI$/.test(k))).toEqual([]);
  });
});
