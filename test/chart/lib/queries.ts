import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_DIR } from './helm.js';
import type { K8sObject } from './manifests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface NamedQuery {
  name: string;
  expr: string;
}

/** Grafana's built-in and dashboard variables, replaced the way Grafana would for one release. */
export function substituteGrafanaVariables(expr: string, vars: { namespace: string; job: string; rateInterval?: string }): string {
  const rate = vars.rateInterval ?? '1m';
  return expr
    .replaceAll('$__rate_interval', rate)
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h')
    .replaceAll('$namespace', vars.namespace)
    .replaceAll('$job', vars.job);
}

/** Every panel target of the dashboard file, with the variables substituted. */
export function dashboardQueries(vars: { namespace: string; job: string; rateInterval?: string }): NamedQuery[] {
  const dashboard = JSON.parse(readFileSync(join(CHART_DIR, 'dashboards', 'docsift.json'), 'utf8'));
  const out: NamedQuery[] = [];
  const walk = (panels: any[]) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        out.push({ name: `${panel.title} [${target.refId}]`, expr: substituteGrafanaVariables(target.expr, vars) });
      }
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** The variable queries of the dashboard (label_values(...) is Grafana syntax: its selector is what Prometheus sees). */
export function dashboardVariableSelectors(vars: { namespace: string; job: string }): NamedQuery[] {
  const dashboard = JSON.parse(readFileSync(join(CHART_DIR, 'dashboards', 'docsift.json'), 'utf8'));
  return dashboard.templating.list
    .filter((v: any) => v.type === 'query')
    .map((v: any) => {
      const m = /^label_values\((.+),\s*([a-zA-Z_]+)\)$/.exec(v.query.query);
      if (!m) throw new Error(`unsupported variable query ${v.query.query}`);
      return { name: `variable ${v.name}`, expr: substituteGrafanaVariables(m[1] as string, vars) };
    });
}

/** Alert expressions of a rendered PrometheusRule. */
export function alertExpressions(rule: K8sObject): NamedQuery[] {
  return (rule.spec as any).groups.flatMap((g: any) => g.rules.map((r: any) => ({ name: r.alert ?? r.record, expr: r.expr })));
}
