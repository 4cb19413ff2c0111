import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../faults/harness/build.js';
import { CHART_DIR, renderChart } from './lib/helm.js';
import { byKind, one, parseManifests, podSpecOf, type K8sObject } from './lib/manifests.js';
import { containersOf, envOf } from './lib/policy.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * The chart and the worker agree: the environment every scenario renders passes the worker's own
 * configuration check (types, ranges, cross-field rules such as OCR_TIMEOUT < PROCESSING_TIMEOUT or
 * heap < hard limit), and every command and flag the probes and CronJobs use exists in its CLI.
 */

const SCENARIOS = ['defaults', 'keda-off-hpa', 'paused-replicas', 'irsa', 'monitoring', 'small-no-ocr', 'ocr-two-workers', 'backfill'];
let entry: string;
const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  entry = ensureBuilt();
  await Promise.all(
    SCENARIOS.map(async (s) => {
      const objects = parseManifests(await renderChart({ valuesFiles: [join(CHART_DIR, 'ci', `${s}-values.yaml`)] }));
      rendered.set(s, objects);
    }),
  );
  rendered.set(
    'redrive-all-flags',
    parseManifests(
      await renderChart({
        valuesFiles: [join(CHART_DIR, 'ci', 'irsa-values.yaml')],
        set: ['dlqRedrive.dryRun=true', 'restartCronJob.wait=true'],
      }),
    ),
  );
}, 120_000);

function docsift(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
}

describe('chart environment vs the worker configuration check', () => {
  it.each(SCENARIOS)('%s: `docsift config` accepts the worker env', (scenario) => {
    const objects = rendered.get(scenario) as K8sObject[];
    const container = (podSpecOf(one(objects, 'Deployment')) as any).containers[0];
    const env = Object.fromEntries(Object.entries(envOf(container)).filter((e): e is [string, string] => e[1] !== undefined));
    delete env.NODE_OPTIONS; // a V8 flag for the container's node, not a setting
    const result = docsift(['config'], env);
    expect(result.stderr + result.stdout).toMatch(/configuration ok/);
    expect(result.status, result.stderr).toBe(0);
  });

  it('the backfill Job container carries a valid configuration', () => {
    const job = one(rendered.get('backfill') as K8sObject[], 'Job');
    const env = Object.fromEntries(Object.entries(envOf(containersOf(job)[0])).filter((e): e is [string, string] => e[1] !== undefined));
    const result = docsift(['config'], env);
    expect(result.stderr + result.stdout).toMatch(/configuration ok/);
    expect(result.status, result.stderr).toBe(0);
  });

  it('the CronJob containers carry a valid configuration too', () => {
    const objects = rendered.get('redrive-all-flags') as K8sObject[];
    const crons = byKind(objects, 'CronJob');
    expect(crons).toHaveLength(2);
    for (const cron of crons) {
      const env = Object.fromEntries(Object.entries(envOf(containersOf(cron)[0])).filter((e): e is [string, string] => e[1] !== undefined));
      const result = docsift(['config'], env);
      expect(result.status, `${cron.metadata.name}: ${result.stderr}`).toBe(0);
    }
  });
});

describe('commands and flags the chart runs exist in the CLI', () => {
  const usedCommands = () => {
    const uses: { args: string[]; where: string }[] = [];
    for (const [scenario, objects] of rendered) {
      const dep = one(objects, 'Deployment');
      const c = (podSpecOf(dep) as any).containers[0];
      uses.push({ args: c.args, where: `${scenario} worker` });
      uses.push({ args: c.livenessProbe.exec.command.slice(1), where: `${scenario} liveness` });
      for (const cron of byKind(objects, 'CronJob')) uses.push({ args: containersOf(cron)[0].args, where: `${scenario} ${cron.metadata.name}` });
      for (const job of byKind(objects, 'Job')) uses.push({ args: containersOf(job)[0].args, where: `${scenario} ${job.metadata.name}` });
    }
    return uses;
  };

  it('every subcommand and --flag appears in the command help', () => {
    const uses = usedCommands();
    expect(uses.some((u) => u.args[0] === 'dlq')).toBe(true);
    expect(uses.some((u) => u.args[0] === 'backfill' && u.args.includes('--skip-unchanged'))).toBe(true);
    expect(uses.some((u) => u.args.includes('--dry-run'))).toBe(true);
    const helps = new Map<string, string>();
    for (const use of uses) {
      const command = use.args[0] === 'dlq' ? ['dlq', use.args[1] as string] : [use.args[0] as string];
      const key = command.join(' ');
      if (!helps.has(key)) {
        const r = docsift([...command, '--help']);
        expect(r.status, `${key} --help: ${r.stderr}`).toBe(0);
        helps.set(key, r.stdout);
      }
      const help = helps.get(key) as string;
      for (const flag of use.args.filter((a) => a.startsWith('--'))) expect(help, `${use.where}: ${flag}`).toContain(flag);
    }
  });

  it('the liveness probe command really probes heartbeats (exit 1 without any)', () => {
    const c = (podSpecOf(one(rendered.get('defaults') as K8sObject[], 'Deployment')) as any).containers[0];
    const r = docsift([...c.livenessProbe.exec.command.slice(1), '--dir', join(CHART_DIR, 'no-such-heartbeat-dir')]);
    expect(r.status).toBe(1);
  });
});
