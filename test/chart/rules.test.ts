import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CHART_DIR, REPO_ROOT, renderChart } from './lib/helm.js';
import { one, parseManifests, type K8sObject } from './lib/manifests.js';
import { debianBinary } from './lib/prometheus.js';

const run = promisify(execFile);
const TEST_FILE = join(REPO_ROOT, 'test', 'chart', 'rules', 'docsift-alerts.test.yaml');

let dir: string;
let rule: K8sObject;

beforeAll(async () => {
  // The same release/namespace/values the promtool test file is written for.
  const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', 'monitoring-values.yaml')], namespace: 'docsift', release: 'docsift' }));
  rule = one(objects, 'PrometheusRule');
  dir = await mkdtemp(join(tmpdir(), 'docsift-rules-'));
  // A PrometheusRule's spec is a Prometheus rule file.
  await writeFile(join(dir, 'alerts.rules.yaml'), stringify(rule.spec));
  await copyFile(TEST_FILE, join(dir, 'docsift-alerts.test.yaml'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(debianBinary('promtool'), args, { cwd: dir });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('PrometheusRule', () => {
  it('passes promtool check rules', async () => {
    const result = await promtool(['check', 'rules', 'alerts.rules.yaml']);
    expect(result.out).toMatch(/SUCCESS: 8 rules found/);
    expect(result.code, result.out).toBe(0);
  });

  it('passes promtool test rules', async () => {
    const result = await promtool(['test', 'rules', 'docsift-alerts.test.yaml']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/SUCCESS/);
  });

  it('has a firing and a not-firing unit test for every alert', async () => {
    const tests = parse(await readFile(TEST_FILE, 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    const alerts = (rule.spec as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${alert} firing case`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${alert} not-firing case`).toBe(true);
    }
  });

  it('fails promtool test rules when an expectation is wrong (the suite can fail)', async () => {
    const broken = join(dir, 'broken.test.yaml');
    await writeFile(broken, (await readFile(TEST_FILE, 'utf8')).replace('uses 85.71% of', 'uses 12.34% of'));
    const result = await promtool(['test', 'rules', 'broken.test.yaml']);
    expect(result.code, result.out).not.toBe(0);
    expect(result.out).toMatch(/FAILED/);
  });
});
