import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { sandboxEnv, sandboxHeapMb } from '../../../src/config/sandbox.settings.js';

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
    const r = load({ MEMORY_LIMIT_MB: '1400', SANDBOX_WORKERS: '4', SANDBOX_MEMORY_MB: '400' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      'SANDBOX_WORKERS=4 x SANDBOX_MEMORY_MB=400 = 1600 MiB must be less than MEMORY_LIMIT_MB=1400 (sandboxes at their cap alone would fill the container): lower one of them',
    ]);
  });

  it('the heap leaves 180 MiB outside it, and at most 75% of the cap inside', () => {
    expect([sandboxHeapMb(420), sandboxHeapMb(1024), sandboxHeapMb(200), sandboxHeapMb(64)]).toEqual([240, 768, 48, 48]);
  });

  it('a sandbox does not inherit the worker\'s heap flag from NODE_OPTIONS', () => {
    const saved = process.env.NODE_OPTIONS;
    try {
      process.env.NODE_OPTIONS = '--max-old-space-size=560 --enable-source-maps';
      expect(sandboxEnv().NODE_OPTIONS).toBe('--enable-source-maps');
      process.env.NODE_OPTIONS = '--max-old-space-size=560';
      expect('NODE_OPTIONS' in sandboxEnv()).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });
});
