import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubeApiDouble } from '../helpers/kube-api-double.js';
import { startLocalSqs, type LocalSqs } from '../helpers/local-sqs.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs the real CLI (TypeScript through tsx) with only the environment given. */
function docsift(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NODE_NO_WARNINGS: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('docsift --help', () => {
  it('lists the operations commands', async () => {
    const { code, stdout } = await docsift(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\s+dlq\s+DLQ: counts by error class/m);
    expect(stdout).toMatch(/^\s+restart\s+rollout restart/m);
    expect(stdout).toMatch(/^\s+capacity\s+plan capacity/m);
  });
});

describe('docsift dlq', () => {
  let local: LocalSqs;
  beforeAll(async () => {
    local = await startLocalSqs();
  });
  afterAll(async () => local?.close());

  async function seeded() {
    const dlq = await local.queue('dlq');
    // SQS moves messages only out of a queue that is some queue's dead-letter target.
    const src = await local.queue('src', { dlqArn: dlq.arn });
    await local.sendMany(dlq.url, [
      { body: '{"bucket":"b","key":"1"}', attributes: { error_class: 'corrupt_file', stage: 'extract', source_queue: src.url } },
      { body: '{"bucket":"b","key":"2"}', attributes: { error_class: 'corrupt_file', stage: 'extract', source_queue: src.url } },
      { body: '{"bucket":"b","key":"3"}', attributes: { error_class: 'too_large', stage: 'fetch', source_queue: src.url } },
    ]);
    return { env: { DLQ_URL: dlq.url, QUEUE_URL: src.url, AWS_ENDPOINT_URL_SQS: local.endpoint, AWS_REGION: 'us-east-1', DLQ_READ_WAIT_SECONDS: '0' }, dlq, src };
  }

  it('stats --json prints the counts and says the read raised receive counts', async () => {
    const { env, dlq } = await seeded();
    const { code, stdout, stderr } = await docsift(['dlq', 'stats', '--json'], env);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { stats: { sampled: number; byErrorClass: Array<{ value: string; count: number }> } };
    expect(out.stats.sampled).toBe(3);
    expect(out.stats.byErrorClass.map((r) => [r.value, r.count])).toEqual([
      ['corrupt_file', 2],
      ['too_large', 1],
    ]);
    expect(stderr).toContain('raised the receive count');
    expect(await local.counts(dlq.url)).toEqual({ visible: 3, inFlight: 0 });
  });

  it('stats prints tables and the receive-count note', async () => {
    const { env } = await seeded();
    const { code, stdout } = await docsift(['dlq', 'stats', '--sample', '2'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('2 messages sampled of about 3 in the DLQ');
    expect(stdout).toMatch(/error_class\s+kind\s+count\s+share/);
    expect(stdout).toContain('raised the receive count');
  });

  it('stats --error-class none selects the unlabelled messages and explains them', async () => {
    const { env, dlq } = await seeded();
    await local.sendMany(dlq.url, [{ body: '{"bucket":"b","key":"4"}', attributes: {} }]);
    const all = await docsift(['dlq', 'stats'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^none\s+unlabelled\s+1\s+25\.0%$/m);
    expect(all.stdout).toContain("none: no error_class attribute. The queue's redrive policy moved these");
    const none = await docsift(['dlq', 'stats', '--error-class', 'none'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('4 messages sampled of about 4 in the DLQ, 1 of them --error-class none');
    expect(none.stdout).not.toMatch(/corrupt_file/);
    const bad = await docsift(['dlq', 'stats', '--error-class', 'unlabeled'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/dlq stats: unknown error class "unlabeled"; valid: .*, none/);
  });

  it('redrive --error-class prints the CronJob summary line and exits 0', async () => {
    const { env, src, dlq } = await seeded();
    const { code, stdout } = await docsift(['dlq', 'redrive', '--error-class', 'corrupt_file', '--rate', '100'], env);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').pop()).toBe('dlq redrive: moved=2 skipped=1 failed=0 dry_run=false');
    expect(stdout).toContain('moved by class: corrupt_file=2');
    expect((await local.readAll(src.url)).length).toBe(2);
    expect(await local.counts(dlq.url)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('redrive --dry-run moves nothing', async () => {
    const { env, src } = await seeded();
    const { code, stdout } = await docsift(['dlq', 'redrive', '--dry-run'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('dlq redrive: moved=3 skipped=0 failed=0 dry_run=true');
    expect(await local.counts(src.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('redrive without a filter runs a move task to QUEUE_URL and --wait reports it', async () => {
    const { env, src } = await seeded();
    const { code, stdout } = await docsift(['dlq', 'redrive', '--wait', '--timeout', '20'], env);
    expect(code).toBe(0);
    expect(stdout).toContain('dlq redrive: move_task=completed moved=3 to_move=3');
    expect((await local.readAll(src.url)).length).toBe(3);
  });

  it('an unknown error class exits 1 and lists the valid ones', async () => {
    const { env } = await seeded();
    const { code, stderr } = await docsift(['dlq', 'redrive', '--error-class', 'corupt_file'], env);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown error class "corupt_file"; valid: bad_message');
  });

  it('without DLQ_URL it says what to set and exits 1', async () => {
    const { code, stderr } = await docsift(['dlq', 'stats']);
    expect(code).toBe(1);
    expect(stderr).toContain('set DLQ_URL or pass --dlq URL');
  });
});

describe('docsift restart', () => {
  it('--wait restarts through the kubeconfig and prints the summary line', async () => {
    const api = await startKubeApiDouble({
      namespace: 'docsift',
      name: 'docsift-worker',
      specReplicas: 2,
      steps: [
        { generation: 3, observedGeneration: 3, replicas: 3, updatedReplicas: 1, availableReplicas: 2 },
        { generation: 3, observedGeneration: 3, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
      ],
    });
    try {
      const { code, stdout } = await docsift(['restart', '--deployment', 'docsift-worker', '--wait', '--timeout', '20'], { KUBECONFIG: api.kubeconfig });
      expect(code).toBe(0);
      expect(stdout).toContain('Waiting for deployment "docsift-worker" rollout to finish: 1 out of 2 new replicas have been updated...');
      expect(stdout).toContain('deployment "docsift-worker" successfully rolled out');
      expect(stdout).toMatch(/restart: deployment=docsift\/docsift-worker restarted_at=\S+Z generation=3 rollout=done/);
      expect(api.requests[0]).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/docsift/deployments/docsift-worker' });
    } finally {
      await api.close();
    }
  });

  it('without a deployment it says what to pass and exits 1', async () => {
    const { code, stderr } = await docsift(['restart']);
    expect(code).toBe(1);
    expect(stderr).toContain('pass --deployment NAME or set RESTART_DEPLOYMENT');
  });
});

describe('docsift capacity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-'));

  it('plans 259,399 messages, writes an SVG and a PNG chart, and prints JSON', async () => {
    const svg = join(dir, 'plan.svg');
    const { code, stdout, stderr } = await docsift(['capacity', '--backlog', '259399', '--per-pod', '100', '--max-replicas', '20', '--json', '--chart', svg]);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { plan: { drainSeconds: number; peakReplicas: number; peakNodes: number; processed: number; timeline: unknown[] }; throughputSource: string };
    expect(out.plan).toMatchObject({ peakReplicas: 20, peakNodes: 10, processed: 259_399 });
    expect(out.plan.drainSeconds).toBeGreaterThan(7782);
    expect(out.plan.drainSeconds).toBeLessThan(7782 + 120);
    expect(out.plan.timeline.length).toBeGreaterThan(10);
    expect(out.throughputSource).toBe('--per-pod');
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('drained 2h 11m');
    const meta = await sharp(join(dir, 'plan.png')).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 2000, height: 1120 });
    expect(stderr).toContain('chart written to');
  });

  it('without --per-pod takes the documented default and says how to pass a measured rate; prints the table', async () => {
    const { code, stdout } = await docsift(['capacity', '--backlog', '5000']);
    expect(code).toBe(0);
    expect(stdout).toContain('per pod 60/min from default (60/min; pass --per-pod with the rate `npm run bench` prints)');
    expect(stdout).toMatch(/time\s+queue\s+metric\s+replicas\s+ready\s+nodes/);
    expect(stdout).toMatch(/drain time\s+\d/);
  });

  it('exits 4 when arrivals outrun the fleet', async () => {
    const { code, stdout } = await docsift(['capacity', '--arrivals', '0:1000', '--per-pod', '60', '--max-replicas', '2', '--horizon', '1h']);
    expect(code).toBe(4);
    expect(stdout).toContain('not drained within 1h');
  });
});
