import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../scripts/audit.mjs');
const dir = mkdtempSync(join(tmpdir(), 'docsift-audit-'));

async function audit(report: unknown, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  try {
    const r = await run(process.execPath, [SCRIPT, '--input', file], { env: { ...process.env, ...env } });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const counts = (high: number, critical: number) => ({ info: 0, low: 1, moderate: 2, high, critical, total: 3 + high + critical });

describe('scripts/audit.mjs', () => {
  it('passes with only low and moderate findings', async () => {
    const r = await audit({ auditReportVersion: 2, vulnerabilities: {}, metadata: { vulnerabilities: counts(0, 0) } });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no high or critical vulnerabilities/);
  });

  it('fails on a high or critical finding and names it', async () => {
    const r = await audit({
      auditReportVersion: 2,
      vulnerabilities: { 'fast-xml-parser': { name: 'fast-xml-parser', severity: 'critical', range: '<4.4.1', via: [{ title: 'Prototype pollution', url: 'https://github.com/advisories/GHSA-x' }], fixAvailable: true } },
      metadata: { vulnerabilities: counts(0, 1) },
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/CRITICAL fast-xml-parser <4.4.1 \(fix available\)/);
    expect(r.out).toMatch(/Prototype pollution/);
  });

  it('an audit endpoint that refuses (405) is a loud warning, never a pass', async () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    const r = await audit(refused);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/WARNING: npm audit could not be performed: 405 Method Not Allowed/);
    expect(r.out).toMatch(/NOT checked/);
    expect(r.out).not.toMatch(/no high or critical/);
    expect((await audit(refused, { AUDIT_STRICT: '1' })).code).toBe(2);
  });

  it('no JSON at all (npm missing, offline) is the same warning', async () => {
    const r = await audit('npm ERR! network request failed');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/WARNING: .*no JSON report/);
  });
});
