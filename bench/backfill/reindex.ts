import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { startLocalStack } from '../../devstack/local-stack.js';
import { ensureCorpus, summariseCorpus } from '../corpus/corpus.js';
import type { Mix } from '../corpus/plan.js';
import { median, round } from '../measure/stats.js';
import { runWorker } from '../runs/worker-run.js';
import { createRunQueue, uploadCorpus } from '../stack/corpus-stack.js';
import { childEnv, runBackfillCli } from './cli-run.js';

export interface ReindexOptions {
  entry: string;
  documents: number;
  mix: Mix;
  seed: number;
  repeat: number;
  work: string;
  runTimeoutSeconds: number;
  log: (line: string) => void;
}

export interface ReindexRun {
  name: 'initial' | 'no-reuse' | 'reuse';
  repeat: number;
  messages: number;
  settled: number;
  /** First receive to last acknowledgement. */
  busySeconds: number | null;
  messagesPerMinute: number | null;
  cpuSeconds: number | null;
  rssPeakMiB: number | null;
  /** Of the documents this run wrote: how many carry reused text, how many were OCR'd anew. */
  documents: number;
  reused: Record<string, number>;
  ocrPagesExtracted: number;
  stageMeanMs: Record<string, number>;
  failures: Record<string, number>;
}

/** Documents the file sink appended from byte `from` on: reused ones by source, pages OCR'd anew. */
async function appended(path: string, from: number) {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    const lines = buffer.toString('utf8').split('\n');
    const reused: Record<string, number> = {};
    let documents = 0;
    let ocrPages = 0;
    for (let i = 0; i < lines.length; i += 1) {
      if (!lines[i]!.startsWith('{"index"')) continue;
      const doc = JSON.parse(lines[(i += 1)] ?? '{}') as { extraction?: { reused?: string }; ocr?: { pages_ocr?: number } };
      documents += 1;
      const source = doc.extraction?.reused;
      if (source) reused[source] = (reused[source] ?? 0) + 1;
      else ocrPages += doc.ocr?.pages_ocr ?? 0;
    }
    return { documents, reused, ocrPages };
  } finally {
    await handle.close();
  }
}

/**
 * The time to reindex N unchanged documents, with and without extraction reuse. The corpus goes
 * into the local S3 once and is indexed once (file sink); then, per repeat, `docsift backfill`
 * re-enqueues every object and `docsift run` reindexes them with EXTRACTION_REUSE=false, then
 * with it on (the default), side by side. Every run processes the same objects into the same index.
 */
export async function measureReindex(o: ReindexOptions) {
  const corpus = await ensureCorpus(o.documents, o.mix, o.seed, 2);
  const summary = summariseCorpus(corpus.docs);
  o.log(`reindex corpus: ${JSON.stringify(summary.byKind)}, ${summary.ocrPages} pages to OCR (${corpus.cached ? 'cached' : `generated in ${corpus.generatedMs} ms`})`);
  const stack = await startLocalStack({ queueName: `bench-reindex-${Date.now().toString(36)}`, bridge: false });
  const runs: ReindexRun[] = [];
  try {
    await uploadCorpus(stack, corpus.docs);
    const indexFile = join(o.work, 'reindex.ndjson');
    const harness = { INDEX_SINK: 'file', INDEX_FILE: indexFile, RECEIVE_WAIT_SECONDS: '1', LOG_LEVEL: 'info', HEARTBEAT_DIR: join(o.work, 'heartbeat'), STATE_URI: join(o.work, 'state/') };
    const one = async (name: ReindexRun['name'], reuse: boolean, repeat: number): Promise<ReindexRun> => {
      const queue = await createRunQueue(stack, `bench-${name}-${Date.now().toString(36)}`);
      const env = childEnv({ ...stack.env, ...harness, QUEUE_URL: queue, DLQ_URL: stack.dlqUrl });
      const enqueue = await runBackfillCli(o.entry, [`s3://${stack.bucket}/`, '--rate', '3000'], { ...env, LOG_LEVEL: 'warn' });
      const from = existsSync(indexFile) ? statSync(indexFile).size : 0;
      const r = await runWorker({
        name: `${name}-${repeat}`, settings: { EXTRACTION_REUSE: String(reuse) }, env: { ...env, TEMP_DIR: join(o.work, `tmp-${name}-${repeat}`) },
        messages: enqueue.summary.enqueued, workDir: o.work, timeoutMs: o.runTimeoutSeconds * 1000, exitWhenIdle: 3, entry: o.entry,
      });
      const wrote = await appended(indexFile, from);
      const run: ReindexRun = {
        name, repeat, messages: enqueue.summary.enqueued, settled: r.settled, busySeconds: r.busySeconds, messagesPerMinute: r.messagesPerMinute, cpuSeconds: r.cpu.seconds,
        rssPeakMiB: r.rssMiB.peak, documents: wrote.documents, reused: wrote.reused, ocrPagesExtracted: wrote.ocrPages,
        stageMeanMs: Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, v.meanMs])), failures: r.failures,
      };
      o.log(`${name} #${repeat}: ${run.settled}/${run.messages} in ${run.busySeconds} s (${run.messagesPerMinute}/min), CPU ${run.cpuSeconds} s, reused ${JSON.stringify(run.reused)}, ${run.ocrPagesExtracted} pages OCR'd`);
      runs.push(run);
      return run;
    };
    await one('initial', true, 0);
    for (let i = 1; i <= o.repeat; i += 1) {
      await one('no-reuse', false, i);
      await one('reuse', true, i);
    }
  } finally {
    await stack.close();
  }
  const pick = (name: ReindexRun['name']) => runs.filter((r) => r.name === name);
  const busy = (name: ReindexRun['name']) => median(pick(name).map((r) => r.busySeconds ?? NaN).filter(Number.isFinite));
  const ratios = pick('reuse').map((r) => {
    const pair = pick('no-reuse').find((n) => n.repeat === r.repeat);
    return pair?.busySeconds && r.busySeconds ? round(pair.busySeconds / r.busySeconds, 2) : null;
  });
  return {
    corpus: summary,
    runs,
    medianSeconds: { noReuse: busy('no-reuse'), reuse: busy('reuse') },
    speedupPerRepeat: ratios,
    medianSpeedup: median(ratios.filter((x): x is number => x !== null)),
  };
}
