import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { sandboxEnv, sandboxFitProblem, sandboxHeapMb } from '../../../src/config/sandbox.settings.js';

const load = (env: Record<string, string>) => loadConfig({}, env, { readFile: () => 'max' });

describe('sandbox settings', () => {
  const cases: Array<[string, Record<string, string>, { SANDBOX_MEMORY_MB: number; EXTRACT_TIMEOUT: number }]> = [
    ['the chart\'s pod: 1400 MiB, two sandboxes of 420', { MEMORY_LIMIT_MB: '1400' }, { SANDBOX_MEMORY_MB: 420, EXTRACT_TIMEOUT: 120 }],
    ['four sandboxes share the same 60%', { MEMORY_LIMIT_MB: '1400', SANDBOX_WORKERS: '4' }, { SANDBOX_MEMORY_MB: 210, EXTRACT_TIMEOUT: 120 }],
    ['no container limit: 1024 each', {}, { SANDBOX_MEMORY_MB: 1024, EXTRACT_TIMEOUT: 120 }],
    ['a big node: capped at 1024', { MEMORY_LIMIT_MB: '16000' }, { SANDBOX_MEMORY_MB: 1024, EXTRACT_TIMEOUT: 120 }],
    ['a short PROCESSING_TIMEOUT shortens the default budget', { PROCESSING_TIMEOUT: '30', OCR_TIMEOUT: '10' }, { SANDBOX_MEMORY_MB: 1024, EXTRACT_TIMEOUT: 24 }],
    ['explicit values win', { MEMORY_LIMIT_MB: '1400', SANDBOX_MEMORY_MB: '300', EXTRACT_TIMEOUT: '45' }, { SANDBOX_MEMORY_MB: 300, EXTRACT_TIMEOUT: 45 }],
  ];
  it.each(cases)('%s', (_name, env, expected) => {
    const r = load(env);
    expect(r.ok && { SANDBOX_MEMORY_MB: r.config.SANDBOX_MEMORY_MB, EXTRACT_TIMEOUT: r.config.EXTRACT_TIMEOUT }).toEqual(expected);
  });

  it('inconsistent values stop start-up with one line naming what to change', () => {
    expect(load({ EXTRACT_TIMEOUT: '600', PROCESSING_TIMEOUT: '600' })).toEqual({ ok: false, problems: ['EXTRACT_TIMEOUT=600 must be less than PROCESSING_TIMEOUT=600'] });
  });

  it('sandboxes that would fill the container are refused by the command that starts them, not by every command', () => {
    const tooMany = load({ MEMORY_LIMIT_MB: '1400', SANDBOX_WORKERS: '4', SANDBOX_MEMORY_MB: '400' });
    expect(tooMany.ok).toBe(true);
    expect(tooMany.ok && sandboxFitProblem(tooMany.config)).toBe(
      'SANDBOX_WORKERS=4 x SANDBOX_MEMORY_MB=400 = 1600 MiB must be less than MEMORY_LIMIT_MB=1400 (sandboxes at their cap alone would fill the container): lower one of them',
    );
    // The CronJobs' 256 MiB pods: the derived 2 x 128 MiB does not fit, and `restart` or
    // `dlq redrive` must still load their configuration (the deploy suite found this).
    const cronPod = load({ MEMORY_LIMIT_MB: '256' });
    expect(cronPod.ok).toBe(true);
    expect(cronPod.ok && sandboxFitProblem(cronPod.config)).toMatch(/= 256 MiB must be less than MEMORY_LIMIT_MB=256/);
    const chartPod = load({ MEMORY_LIMIT_MB: '1400' });
    expect(chartPod.ok && sandboxFitProblem(chartPod.config)).toBeNull();
    expect(sandboxFitProblem({ SANDBOX_WORKERS: 64, SANDBOX_MEMORY_MB: 1024 })).toBeNull();
  });

  it.each([
    ['default PROCESSING_TIMEOUT=600: 60% is 360, capped at EXTRACT_TIMEOUT=120', {}, 120],
    ["the chart's 300 s: capped at EXTRACT_TIMEOUT=120", { PROCESSING_TIMEOUT: '300' }, 120],
    ['PROCESSING_TIMEOUT=20 (EXTRACT_TIMEOUT 16): 60% is 12', { PROCESSING_TIMEOUT: '20', OCR_TIMEOUT: '10' }, 12],
    ['a raised EXTRACT_TIMEOUT lets the 60% through', { EXTRACT_TIMEOUT: '500' }, 360],
    ['explicit', { DOCUMENT_BUDGET: '90' }, 90],
  ])('DOCUMENT_BUDGET: %s', (_name, env, expected) => {
    const r = load(env);
    expect(r.ok && r.config.DOCUMENT_BUDGET).toBe(expected);
  });

  it('DOCUMENT_BUDGET above EXTRACT_TIMEOUT stops start-up: the hard kill would fail a long document as too_complex before its budget ended', () => {
    const r = load({ DOCUMENT_BUDGET: '200', EXTRACT_TIMEOUT: '120' });
    expect(!r.ok && r.problems).toEqual([
      'DOCUMENT_BUDGET=200 must not exceed EXTRACT_TIMEOUT=120 (a long document would be killed as too_complex instead of indexed as partial): lower DOCUMENT_BUDGET or raise EXTRACT_TIMEOUT',
    ]);
  });

  it('the heap leaves 180 MiB outside it, and at most 75% of the cap inside', () => {
    expect([sandboxHeapMb(420), sandboxHeapMb(1024), sandboxHeapMb(200), sandboxHeapMb(64)]).toEqual([240, 768, 48, 48]);
  });

  it('a sandbox sees no credentials or configuration, and not the worker\'s heap flag', () => {
    const names = ['NODE_OPTIONS', 'AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'OPENSEARCH_PASSWORD', 'QUEUE_URL', 'LANG'];
    const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
    try {
      Object.assign(process.env, { AWS_SECRET_ACCESS_KEY: 's', AWS_ACCESS_KEY_ID: 'k', AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token', OPENSEARCH_PASSWORD: 'p', QUEUE_URL: 'http://q', LANG: 'ja_JP.UTF-8' });
      process.env.NODE_OPTIONS = '--max-old-space-size=560 --enable-source-maps';
      const env = sandboxEnv();
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
      expect(env.LANG).toBe('ja_JP.UTF-8');
      expect(Object.keys(env).filter((k) => /AWS|OPENSEARCH|QUEUE/.test(k))).toEqual([]);
      process.env.NODE_OPTIONS = '--max-old-space-size=560';
      expect('NODE_OPTIONS' in sandboxEnv()).toBe(false);
      // The image's and the chart's form: a percentage of the container's limit.
      process.env.NODE_OPTIONS = '--max-old-space-size-percentage=40 --enable-source-maps';
      expect(sandboxEnv().NODE_OPTIONS).toBe('--enable-source-maps');
    } finally {
      for (const [n, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[n];
        else process.env[n] = v;
      }
    }
  });
});
