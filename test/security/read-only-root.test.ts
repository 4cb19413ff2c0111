import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY, ensureBuilt } from '../faults/harness/build.js';
import { WorkerProcess } from '../faults/harness/worker-process.js';
import { report, World } from '../faults/harness/world.js';
import { JOURNAL_DIR } from '../../src/adapters/journal/file.journal.js';
import { OWNER_FILE } from '../../src/adapters/temp/temp-dir.js';

/**
 * The worker needs write access only to TEMP_DIR and HEARTBEAT_DIR (and the index file with the
 * file sink). Tested by running `docsift run` in a private mount namespace where `/` is remounted
 * read-only and only those directories are bind-mounted writable, as the chart's
 * readOnlyRootFilesystem does. Needs `unshare -m` (root) or `unshare -rm` (unprivileged user
 * namespaces); where neither works the test fails and says so rather than pretending.
 */
function namespacePrefix(): string[] | null {
  for (const flags of [['-m'], ['-rm']]) {
    try {
      execFileSync('unshare', [...flags, 'sh', '-c', 'mount --make-rprivate / && mount --bind / / && mount -o remount,bind,ro / && ! touch /probe-ro 2>/dev/null'], { stdio: 'ignore' });
      return flags;
    } catch {
      // try the next way
    }
  }
  return null;
}

/** `sh -c` script: private mounts, writable binds for `dirs`, read-only `/`, then exec the worker. */
function readOnlyCommand(flags: string[], dirs: string[]): string[] {
  const binds = dirs.map((d) => `mount --bind '${d}' '${d}'`).join(' && ');
  const script = `mount --make-rprivate / && ${binds} && mount --bind / / && mount -o remount,bind,ro / && exec "$@"`;
  return ['unshare', ...flags, 'sh', '-c', script, 'sh', process.execPath, ENTRY];
}

describe('read-only root filesystem', { timeout: 180_000 }, () => {
  let world: World;
  const flags = namespacePrefix();
  beforeAll(async () => {
    ensureBuilt();
    world = await World.create();
  }, 180_000);
  afterAll(() => world?.close());

  it('mount namespaces are available to run the check', () => {
    expect(flags, 'neither `unshare -m` nor `unshare -rm` can remount / read-only here').not.toBeNull();
  });

  async function runReadOnly(sink: 'opensearch' | 'file', ocr: boolean): Promise<void> {
    {
      const base = join(world.dir, `ro-${sink}-${ocr ? 'ocr' : 'text'}`);
      const dirs = { TEMP_DIR: join(base, 'tmp'), HEARTBEAT_DIR: join(base, 'heartbeat'), INDEX_DIR: join(base, 'index') };
      for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
      const writable = sink === 'file' ? [dirs.TEMP_DIR, dirs.HEARTBEAT_DIR, dirs.INDEX_DIR] : [dirs.TEMP_DIR, dirs.HEARTBEAT_DIR];
      const samples = await world.seedCorpus(24, sink === 'file' ? 5 : 6);
      const before = world.double.docs.size;
      const env = world.env({
        TEMP_DIR: dirs.TEMP_DIR,
        HEARTBEAT_DIR: dirs.HEARTBEAT_DIR,
        ...(sink === 'file' ? { INDEX_SINK: 'file', INDEX_FILE: join(dirs.INDEX_DIR, 'index.ndjson'), OPENSEARCH_URL: '' } : {}),
        OCR_ENABLED: String(ocr),
        THUMBNAIL_ENABLED: 'true',
        HOME: '/nonexistent',
      });
      if (sink === 'file') delete env.OPENSEARCH_URL;
      const w = new WorkerProcess(env, [], { command: readOnlyCommand(flags!, writable) });
      world.workers.push(w);
      await world.until(() => !w.alive || world.double.docs.size >= before + samples.length || sink === 'file', 60_000).catch(() => undefined);
      await world.drained(w.alive ? 60_000 : 1).catch(() => undefined);
      const exit = await w.stop();
      const problems = w.logs.filter((l) => /EROFS|read-only file system|EACCES/i.test(JSON.stringify(l)));
      const indexed = sink === 'file'
        ? readFileSync(join(dirs.INDEX_DIR, 'index.ndjson'), 'utf8').split('\n').filter((l) => l.startsWith('{"index"')).length
        : samples.filter((s) => world.double.docs.has(world.idOf(s.key))).length;
      const heartbeats = readdirSync(dirs.HEARTBEAT_DIR);
      report({
        scenario: `read-only root (${sink} sink, OCR ${ocr ? 'on' : 'off'})`,
        messages: samples.length,
        lost: samples.length - indexed,
        duplicated: 0,
        deadLettered: (await world.drainDlq()).length,
        maxRssMb: Math.round(w.maxRss / 1048576),
        namespace: `unshare ${flags!.join(' ')}`,
        heartbeatFiles: heartbeats.length,
        tempFilesLeft: readdirSync(dirs.TEMP_DIR).length,
        writeErrors: problems.length,
      });
      expect(problems.map((p) => p.msg)).toEqual([]);
      expect(w.stderr).not.toMatch(/EROFS|read-only file system/i);
      expect(exit.code).toBe(0);
      expect(indexed).toBe(samples.length);
      expect(heartbeats.length).toBeGreaterThan(0);
      // What stays is the worker's claim on TEMP_DIR and its in-flight journal, empty after a drain:
      // no download, OCR scratch or journal entry outlives its message.
      expect(readdirSync(dirs.TEMP_DIR).sort()).toEqual([JOURNAL_DIR, OWNER_FILE].sort());
      expect(readdirSync(join(dirs.TEMP_DIR, JOURNAL_DIR))).toEqual([]);
    }
  }

  it('opensearch sink: indexes a corpus and drains with only TEMP_DIR and HEARTBEAT_DIR writable', () => runReadOnly('opensearch', false));
  it('file sink: the same with the index file directory writable too', () => runReadOnly('file', false));
  /**
   * With OCR on, the tesseract.js language links and the native engine's scratch files are made
   * under TEMP_DIR, so start-up writes nothing else even under a read-only root.
   */
  it('OCR on: start-up writes nothing outside TEMP_DIR', () => runReadOnly('opensearch', true));

  it('the namespace really is read-only outside the writable directories', () => {
    const dir = join(world.dir, 'probe');
    mkdirSync(dir, { recursive: true });
    const out = execFileSync('unshare', [...flags!, 'sh', '-c', `mount --make-rprivate / && mount --bind '${dir}' '${dir}' && mount --bind / / && mount -o remount,bind,ro / && touch '${dir}/ok' && (touch '${world.dir}/not-ok' 2>&1 || true)`], { encoding: 'utf8' });
    expect(out).toMatch(/Read-only file system/);
    expect(readdirSync(dir)).toEqual(['ok']);
  });
});
