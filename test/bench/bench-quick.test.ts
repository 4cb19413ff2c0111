import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBench } from '../../bench/bench.js';
import { parseOptions } from '../../bench/options.js';
import { RESULT_SCHEMA, type BenchResult } from '../../bench/report/result.js';

// The CI smoke test of `npm run bench -- --quick`: every part runs and the result is well-formed.
// Figures are not asserted (they depend on the machine and its load).
const outDir = join(tmpdir(), `docsift-bench-test-${process.pid}`);

describe('npm run bench -- --quick', () => {
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it('writes a well-formed result with every run, the servers ceiling, the OCR reference and a chart', async () => {
    const { resultPath, svgPath, pngPath } = await runBench({ ...parseOptions(['--quick', '--out', outDir]), verbose: false });
    expect(existsSync(resultPath)).toBe(true);
    expect(existsSync(svgPath)).toBe(true);
    expect(readFileSync(pngPath).subarray(1, 4).toString()).toBe('PNG');
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as BenchResult;
    expect(result.schema).toBe(RESULT_SCHEMA);
    expect(result.options.quick).toBe(true);
    expect(result.machine.cpus).toBeGreaterThan(0);
    expect(result.machine.loadavgStart).toHaveLength(3);
    expect(result.corpus.documents).toBe(10);
    for (const name of ['legacy', 'default', 'text']) {
      const run = result.runs[name];
      expect(run, name).toBeDefined();
      expect(run!.settled, `${name} settled messages`).toBeGreaterThan(0);
      expect(typeof run!.messagesPerMinute).toBe('number');
      expect(run!.rssMiB.peak).toBeGreaterThan(0);
      expect(run!.latencyMs.p50).not.toBeNull();
    }
    expect(result.runs.legacy!.settings).toMatchObject({ RECEIVE_BATCH_SIZE: '1', MAX_INFLIGHT: '1', OCR_WORKERS: '1', OCR_RECYCLE_JOBS: '1' });
    expect(result.servers?.messagesPerMinute).toBeGreaterThan(0);
    expect(result.servers?.get.perMinute).toBeGreaterThan(0);
    if (result.versions.tesseractNative) expect(result.nativeOcr.sameData?.pages).toBeGreaterThan(0);
    // The OCR engine the defaults chose here, and the reference on its language data.
    expect(['native', 'tesseract.js']).toContain(result.defaultOcr.engine);
    expect(result.defaultOcr.reason).toMatch(/^OCR_ENGINE=auto/);
    expect(result.targets.map((t) => t.name)).toHaveLength(6);
    // The peer section: the same scans through the floor, ocrmypdf (or why not) and docsift.
    const peers = result.peers!;
    expect(peers.corpus).toMatchObject({ documents: 1, pagesPerDocument: 1, pages: 1 });
    expect(peers.repeats).toHaveLength(1);
    const docsift = peers.systems.docsift;
    expect('skipped' in docsift).toBe(false);
    if (!('skipped' in docsift)) {
      expect(docsift.pagesPerMinute).toBeGreaterThan(0);
      expect(docsift.charRecall).toBeGreaterThan(0.5);
    }
    for (const name of ['floor', 'ocrmypdf'] as const) {
      const f = peers.systems[name];
      if ('skipped' in f) expect(f.skipped).toMatch(/not installed/);
      else expect(f.pagesPerMinute).toBeGreaterThan(0);
    }
    if (!('skipped' in peers.systems.floor)) expect(peers.ratios.docsiftOverFloor).toBeGreaterThan(0);
    expect(result.ratios).toHaveProperty('defaultOverLegacy');
    // One repeat: the medians are that repeat's own ratios, and the runs shown are its runs.
    expect(result.options.repeat).toBe(1);
    expect(result.repeats).toHaveLength(1);
    expect(result.repeats[0]!.ratios).toEqual(result.ratios);
    expect(result.repeats[0]!.default).toBe(result.runs.default!.messagesPerMinute);
  }, 300_000);
});
