import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_TIMEOUT_MS, World } from './harness/world.js';

/**
 * Start-up hygiene (issue 13): what a killed worker left in TEMP_DIR is swept at the next start
 * (the in-flight journal excepted), and a TEMP_DIR or HEARTBEAT_DIR that cannot be written, or a
 * TEMP_DIR another live worker owns, stops start-up with exit 2 and one line each, instead of
 * failing every message one by one.
 */
describe('start-up hygiene', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it('leftovers of a dead process are swept; the journal stays', async () => {
    const temp = join(world.dir, 'tmp');
    await mkdir(join(temp, 'ocr-leftover'), { recursive: true });
    await writeFile(join(temp, 'obj-5b1f0c52-leftover'), Buffer.alloc(4096));
    await writeFile(join(temp, 'ocr-leftover', 'out.txt'), 'scratch');
    const w = world.startWorker();
    const swept = await w.waitForLog((l) => l.event === 'temp_swept', 30_000);
    expect(swept.removed).toBe(2);
    expect((await readdir(temp)).sort()).toEqual(['inflight-journal', 'owner.json']);
    // A second worker on the same TEMP_DIR while the first lives: refused, nothing swept.
    const rival = world.startWorker();
    const exit = await rival.exited;
    expect(exit.code).toBe(2);
    expect(rival.stderr.trim()).toBe(`docsift: cannot start: TEMP_DIR=${temp} is in use by another docsift process (pid ${w.pid}): give each worker its own TEMP_DIR`);
    expect((await w.stop()).code).toBe(0);
  });

  it('a SIGTERM during start-up (a pod deleted right after it was scheduled) ends it with exit 0, not by the signal', async () => {
    // Start-up held at a known point: the TEMP_DIR owner file is a FIFO, so reading it waits for a
    // writer. A non-blocking open for writing succeeds only once the worker is waiting on it.
    const temp = join(world.dir, 'pod-early');
    await mkdir(temp, { recursive: true });
    const fifo = join(temp, 'owner.json');
    execFileSync('mkfifo', [fifo]);
    const w = world.startWorker({ TEMP_DIR: temp });
    let writer: number | null = null;
    for (let waited = 0; writer === null && w.alive && waited < 30_000; waited += 20) {
      try {
        writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(writer, `the worker never reached its TEMP_DIR claim: ${w.stderr}`).not.toBeNull();
    w.kill('SIGTERM');
    // Let start-up go on (the exit waits for the read in flight): our own reader keeps any later
    // write to the FIFO from blocking, and closing the writer ends the worker's read.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    closeSync(writer!);
    const exit = await w.exited;
    closeSync(reader);
    expect(exit, w.stderr).toMatchObject({ code: 0, signal: null });
    expect(w.stderr.trim()).toBe('docsift: SIGTERM during start-up: exiting (nothing received yet)');
    expect(w.events('startup')).toEqual([]);
  });

  it('a TEMP_DIR or HEARTBEAT_DIR that cannot be a writable directory: exit 2, one line each', async () => {
    const file = join(world.dir, 'a-plain-file');
    await writeFile(file, 'not a directory');
    const w = world.startWorker({ TEMP_DIR: file, HEARTBEAT_DIR: join(file, 'heartbeat') });
    const exit = await w.exited;
    expect(exit.code).toBe(2);
    expect(w.stderr.trim().split('\n')).toEqual([
      `docsift: cannot start: TEMP_DIR=${file} exists and is not a directory`,
      `docsift: cannot start: HEARTBEAT_DIR=${join(file, 'heartbeat')} is not a writable directory (ENOTDIR)`,
    ]);
    expect(w.stdout).toBe(''); // nothing started: no log lines, no receive
    expect(existsSync(join(file, 'heartbeat'))).toBe(false);
  });

  it('sandboxes that would fill the container: `docsift run` exits 2 naming the settings', async () => {
    const w = world.startWorker({ MEMORY_LIMIT_MB: '1400', SANDBOX_WORKERS: '4', SANDBOX_MEMORY_MB: '400' });
    const exit = await w.exited;
    expect(exit.code).toBe(2);
    expect(w.stderr.trim()).toBe(
      'docsift: cannot start: SANDBOX_WORKERS=4 x SANDBOX_MEMORY_MB=400 = 1600 MiB must be less than MEMORY_LIMIT_MB=1400 (sandboxes at their cap alone would fill the container): lower one of them',
    );
    expect(w.stdout).toBe('');
  });
});
