import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../../bin/docsift.js', import.meta.url).pathname;

describe('docsift bin (built by `npm ci` through prepare, and by `npm test` through pretest)', () => {
  it('--help lists the commands', () => {
    const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    for (const cmd of ['run', 'dev', 'config']) expect(out).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
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
