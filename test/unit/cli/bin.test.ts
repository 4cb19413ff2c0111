import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/docsift.js', import.meta.url).pathname;

describe('docsift bin (built by `npm ci` through prepare, and by `npm test` through pretest)', () => {
  it('--help lists exactly the production commands (the local stack is `npm start`, outside the CLI)', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    const listed = [...out.slice(out.indexOf('Commands:')).matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    expect(listed).toEqual(['run', 'healthcheck', 'config', 'dlq', 'backfill', 'reconcile', 'restart', 'capacity', 'help']);
  });

  it('dist/ holds only what src/ compiles to: no dev stack, no bench code', () => {
    const dist = fileURLToPath(new URL('../../../dist', import.meta.url));
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => /devstack|bench|dev\.command/.test(f))).toEqual([]);
    const sources = new Set(readdirSync(fileURLToPath(new URL('../../../src', import.meta.url)), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, '.js')));
    expect(files.filter((f) => !sources.has(f))).toEqual([]);
  });

  it('run without QUEUE_URL exits 2 naming the variable', () => {
    const env = { PATH: process.env.PATH ?? '' };
    const r = spawnSync(process.execPath, [bin, 'run'], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/QUEUE_URL/);
  });

  it('a bad value exits 2 with one line per problem', () => {
    const env = { PATH: process.env.PATH ?? '', QUEUE_URL: 'http://127.0.0.1:9/q', RECEIVE_BATCH_SIZE: '50', HEARTBEAT_INTERVAL: '300', VISIBILITY_TIMEOUT: '60' };
    const r = spawnSync(process.execPath, [bin, 'run'], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('RECEIVE_BATCH_SIZE="50": must be an integer from 1 to 10');
  });

  it('reports an inconsistent combination', () => {
    const env = { PATH: process.env.PATH ?? '', QUEUE_URL: 'http://127.0.0.1:9/q', HEARTBEAT_INTERVAL: '300', VISIBILITY_TIMEOUT: '60' };
    const r = spawnSync(process.execPath, [bin, 'run'], { encoding: 'utf8', env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('HEARTBEAT_INTERVAL=300 must be less than VISIBILITY_TIMEOUT=60');
  });
});
