import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_DIR, REPO_ROOT, renderChart } from './lib/helm.js';
import { one, parseManifests } from './lib/manifests.js';
import { startPrometheus, type RunningPrometheus } from './lib/prometheus.js';
import { alertExpressions, dashboardQueries, dashboardVariableSelectors, type NamedQuery } from './lib/queries.js';

/**
 * Every dashboard panel query and every alert expression goes through a real Prometheus (the
 * Debian package) and must parse and evaluate. That they also return data from a real docsift
 * run is test/chart/prometheus-live.test.ts.
 */

const VARS = { namespace: 'docsift', job: 'docsift' };
let prom: RunningPrometheus;
let queries: NamedQuery[];

/** Metrics prom-client's default collectors, Prometheus itself, kube-state-metrics and the kubelet's cAdvisor provide. */
const EXTERNAL_METRICS = new Set([
  'up',
  'process_resident_memory_bytes',
  'process_start_time_seconds',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_seconds',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_resource_limits',
  'container_memory_working_set_bytes',
]);

beforeAll(async () => {
  const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', 'monitoring-values.yaml')], namespace: 'docsift', release: 'docsift' }));
  queries = [...dashboardQueries(VARS), ...dashboardVariableSelectors(VARS), ...alertExpressions(one(objects, 'PrometheusRule'))];
  prom = await startPrometheus('global:\n  scrape_interval: 15s\nscrape_configs: []\n');
}, 30_000);

afterAll(async () => {
  await prom?.stop();
});

describe('dashboard and alert queries', () => {
  it('cover every panel of the dashboard and every alert', () => {
    expect(queries.length).toBeGreaterThanOrEqual(25);
  });

  it('are valid PromQL that a real Prometheus evaluates', async () => {
    const failures: string[] = [];
    for (const q of queries) {
      const result = await prom.query(q.expr);
      if (result.status !== 'success') failures.push(`${q.name}: ${result.error} -- ${q.expr}`);
    }
    expect(failures).toEqual([]);
  });

  it('are rejected by the same Prometheus when broken (the check can fail)', async () => {
    const result = await prom.query('sum(rate(docsift_messages_total[5m]) by');
    expect(result.status).toBe('error');
  });

  it('name only metrics docsift exports (src/observability/metrics.ts) or standard exporters provide', () => {
    const source = readFileSync(join(REPO_ROOT, 'src', 'observability', 'metrics.ts'), 'utf8');
    const exported = new Set([...source.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]));
    expect(exported.size).toBeGreaterThan(10);
    const unknown = new Set<string>();
    const seen = new Set<string>();
    for (const q of queries) {
      for (const m of q.expr.matchAll(/\b(docsift_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+|kube_[a-z_]+|container_[a-z_]+|up)\b(?=\s*[{[)])/g)) {
        const name = (m[1] as string).replace(/_(bucket|sum|count)$/, '');
        seen.add(name);
        if (!exported.has(name) && !EXTERNAL_METRICS.has(m[1] as string)) unknown.add(m[1] as string);
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(18);
    expect([...unknown]).toEqual([]);
  });
});
