import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { healthcheck } from '../../../src/cli/healthcheck.js';
import { HeartbeatWriter } from '../../../src/observability/heartbeat.js';
import { checkHeartbeats } from '../../../src/observability/heartbeat-check.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'docsift-hb-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('HeartbeatWriter', () => {
  it('writes one file per component with the last beat time as its mtime, and clears old ones at start', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ocr-7.beat'), 'from a previous container');
    let now = 1_700_000_000_000;
    const hb = new HeartbeatWriter(dir, { now: () => now });
    hb.start();
    expect(readdirSync(dir)).toEqual([]);
    hb.beat('intake');
    hb.beat('ocr-1');
    now += 5000;
    hb.beat('intake');
    hb.flush();
    hb.stop();
    expect(readdirSync(dir).sort()).toEqual(['intake.beat', 'ocr-1.beat']);
    expect(statSync(join(dir, 'intake.beat')).mtimeMs).toBe(now);
    expect(statSync(join(dir, 'ocr-1.beat')).mtimeMs).toBe(now - 5000);
    expect(Object.fromEntries(hb.ages(now + 1000))).toEqual({ intake: 1, 'ocr-1': 6 });
    hb.retire('ocr-1');
    expect(readdirSync(dir)).toEqual(['intake.beat']);
  });

  it('a beat recorded but never flushed (blocked event loop) leaves the file ageing', () => {
    const dir = tempDir();
    let now = Date.now() - 120_000;
    const hb = new HeartbeatWriter(dir, { now: () => now });
    hb.beat('intake');
    hb.flush();
    now += 120_000;
    hb.beat('intake'); // recorded in memory; the timer that would write it never ran
    const report = checkHeartbeats(dir, 60);
    expect(report.ok).toBe(false);
    expect(report.stale.map((b) => b.component)).toEqual(['intake']);
  });
});

describe('docsift healthcheck', () => {
  const env = (dir: string) => ({ HEARTBEAT_DIR: dir });

  it('exits 0 when every heartbeat is fresh', () => {
    const dir = tempDir();
    const hb = new HeartbeatWriter(dir);
    hb.beat('intake');
    hb.beat('ocr-1');
    hb.flush();
    const r = healthcheck([], env(dir));
    expect(r.code).toBe(0);
    expect(r.line).toMatch(/^ok: intake \d+\.\ds, ocr-1/);
  });

  it('exits 1 naming the stale heartbeat, honouring --max-age and HEARTBEAT_MAX_AGE', () => {
    const dir = tempDir();
    let now = Date.now() - 30_000;
    const hb = new HeartbeatWriter(dir, { now: () => now });
    hb.beat('ocr-2');
    now += 30_000;
    hb.beat('intake');
    hb.flush();
    expect(healthcheck([], env(dir)).code).toBe(0);
    const stale = healthcheck(['--max-age', '10'], env(dir));
    expect(stale).toEqual({ code: 1, line: expect.stringMatching(/^unhealthy: stale heartbeat ocr-2 30\.\ds \(max age 10s\)$/) });
    expect(healthcheck(['--max-age=10'], env(dir)).code).toBe(1);
    expect(healthcheck([], { ...env(dir), HEARTBEAT_MAX_AGE: '10' }).code).toBe(1);
  });

  it('exits 1 without a heartbeat directory or file, 2 on bad arguments', () => {
    const dir = tempDir();
    expect(healthcheck([], env(dir))).toEqual({ code: 1, line: `unhealthy: no heartbeat files in ${dir}` });
    expect(healthcheck(['--dir', join(dir, 'missing')], env(dir)).code).toBe(1);
    expect(healthcheck(['--max-age', 'soon'], env(dir)).code).toBe(2);
    expect(healthcheck(['--verbose'], env(dir)).code).toBe(2);
  });
});
