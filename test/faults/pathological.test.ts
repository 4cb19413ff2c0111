import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CLASS_NAMES } from '../../src/domain/errors.js';
import { parseMessageBody } from '../../src/domain/message.js';
import { makeBinarySamples, makeSamples, type Sample } from '../../devstack/samples.js';
import { pngBomb } from '../fixtures/image.fixture.js';
import {
  deepXml,
  docxDeepNesting,
  jpegHugeDimensions,
  odtDeepNesting,
  pdfFormCycle,
  pdfFormFanOut,
  pdfHugeDimensions,
  pdfManyLargeImages,
  pdfManyOperators,
  pdfPageTreeLoop,
  pdfTextAmplification,
  tiffHugeDimensions,
  xlsxDeepNesting,
  xlsxManyCells,
  xlsxSharedStringAmplification,
} from '../fixtures/pathological.fixture.js';
import { nextSequencer, report, s3EventBody, SCENARIO_TIMEOUT_MS, World } from './harness/world.js';
import type { WorkerProcess } from './harness/worker-process.js';

/**
 * Issue 13's acceptance: hostile computation (form-XObject cycles and exponential fan-out, text
 * amplification through forms and shared strings, looping page trees, deep nesting, huge declared
 * dimensions, millions of operators or cells, a page of forty 49-megapixel images) mixed with
 * ordinary documents, through the real
 * worker process in the chart's pod settings, restarted after every non-zero exit as a kubelet
 * would. The worker never exits non-zero, every ordinary document is indexed, every pathological
 * one is indexed (possibly truncated) or dead-lettered with an error class, and the peak RSS of
 * the worker's process tree stays under the chart's 1400 MiB limit.
 */
const CHART_LIMIT_MB = 1400;

function pathological(): Sample[] {
  const bad = (key: string, body: Buffer | string): Sample => ({ key: `pathological/${key}`, body: Buffer.from(body), contentType: 'application/octet-stream', marker: '' });
  return [
    bad('form-cycle.pdf', pdfFormCycle()),
    bad('form-fanout.pdf', pdfFormFanOut(40, 2)),
    bad('text-amplification.pdf', pdfTextAmplification(24, 2)),
    bad('page-tree-loop.pdf', pdfPageTreeLoop()),
    bad('many-operators.pdf', pdfManyOperators(5_000_000)),
    bad('huge-dimensions.pdf', pdfHugeDimensions()),
    // 40 images each under the pixel limit: only the sandbox's memory cap stops this one.
    bad('many-images.pdf', pdfManyLargeImages(40, 7000)),
    bad('shared-strings.xlsx', xlsxSharedStringAmplification(1024, 12_000)),
    bad('many-cells.xlsx', xlsxManyCells(2_000_000)),
    bad('deep.xml', deepXml(200_000)),
    bad('deep.docx', docxDeepNesting(200_000)),
    bad('deep.xlsx', xlsxDeepNesting(200_000)),
    bad('deep.odt', odtDeepNesting(200_000)),
    bad('huge.jpg', jpegHugeDimensions()),
    bad('huge.tif', tiffHugeDimensions()),
    bad('huge.png', pngBomb(30_000, 30_000)),
  ];
}

describe('issue 13: pathological documents among ordinary ones', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it('the worker never exits non-zero; ordinary documents indexed; pathological ones indexed or dead-lettered with a class; tree RSS under the pod limit', async () => {
    const ordinary = [...makeSamples(30, 13), ...(await makeBinarySamples(13))];
    const hostile = pathological();
    // Interleaved, so pathological documents are in flight beside ordinary ones.
    const all = ordinary.flatMap((s, i) => (hostile[i] ? [s, hostile[i]!] : [s]));
    await world.upload(all);
    await world.send(all.map((s) => s3EventBody('created', world.stack.bucket, s.key, nextSequencer(), s.body.length)));
    const env = {
      OCR_ENABLED: 'true',
      OCR_LANGUAGES: 'eng',
      THUMBNAIL_ENABLED: 'true',
      MAX_INFLIGHT: '8',
      PROCESSING_TIMEOUT: '120',
      EXTRACT_TIMEOUT: '60',
      OCR_TIMEOUT: '60',
      // The chart's pod: 1400 MiB, and its V8 heap flag.
      MEMORY_LIMIT_MB: String(CHART_LIMIT_MB),
      NODE_OPTIONS: '--max-old-space-size=560',
    };
    const runs: WorkerProcess[] = [];
    const exits: Array<number | string> = [];
    // The kubelet: restart after any non-zero exit until the queue is drained.
    while (true) {
      const w = world.startWorker(env);
      runs.push(w);
      const drained = world.drained(SCENARIO_TIMEOUT_MS - 60_000).then(() => 'drained' as const);
      const outcome = await Promise.race([drained, w.exited.then(() => 'exited' as const)]);
      if (outcome === 'drained') break;
      exits.push(w.exit!.signal ?? w.exit!.code ?? '?');
      if (runs.length > 10) throw new Error(`worker keeps dying: ${exits.join(', ')}`);
    }
    // The queue may have drained before this worker got going: let it start before the SIGTERM.
    await runs.at(-1)!.waitForLog((l) => l.event === 'startup', 20_000);
    const last = await runs.at(-1)!.stop();
    const dead = await world.drainDlq();
    const deadKeys = new Map<string, string | undefined>();
    for (const d of dead) {
      const parsed = parseMessageBody(d.body);
      if (parsed.kind === 'events') for (const e of parsed.events) deadKeys.set(e.key, d.errorClass);
    }
    const indexed = new Map([...world.double.docs.values()].map((d) => [String(d.source.key), d.source as Record<string, unknown>]));
    const hostileOutcome = hostile.map((s) => {
      const doc = indexed.get(s.key);
      return doc ? `${s.key}: indexed ${String((doc.extraction as { status: string }).status)}${doc.truncated ? ' truncated' : ''}` : `${s.key}: dlq ${deadKeys.get(s.key) ?? 'none'}`;
    });
    const crashLines = runs.flatMap((w) => w.events('extract_crashed')).map((l) => `${String(l.stage)}/${String(l.limit)}`);
    report({
      scenario: '13 pathological',
      messages: all.length,
      lost: ordinary.filter((s) => !indexed.has(s.key)).length,
      duplicated: 0,
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      maxTreeRssMb: world.maxTreeRssMb,
      nonZeroExits: exits.join('/'),
      containedCrashes: crashLines.join(' '),
      outcomes: hostileOutcome.join(' | '),
    });
    expect(exits).toEqual([]);
    expect(last.code).toBe(0);
    expect(ordinary.filter((s) => !indexed.has(s.key)).map((s) => s.key)).toEqual([]);
    for (const s of hostile) {
      if (indexed.has(s.key)) continue;
      expect(deadKeys.has(s.key), `${s.key} neither indexed nor dead-lettered`).toBe(true);
      expect(ERROR_CLASS_NAMES).toContain(deadKeys.get(s.key));
    }
    // At least one document was stopped by a sandbox limit (contained), not by a reader's cap.
    expect(crashLines).toContain('pdf/memory');
    expect(world.maxTreeRssMb).toBeLessThan(CHART_LIMIT_MB);
  });
});
