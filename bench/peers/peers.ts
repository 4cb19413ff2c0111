import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../devstack/local-stack.js';
import { s3EventNotification } from '../../devstack/s3-event-bridge.js';
import { median, round } from '../measure/stats.js';
import { runWorker } from '../runs/worker-run.js';
import { createRunQueue, sendBodies } from '../stack/corpus-stack.js';
import { corpusRecall } from './recall.js';
import { ensureScans, type ScanDoc } from './scans.js';
import { installed, runFloor, runOcrmypdf, type ToolRun } from './tools.js';

export type PeerName = 'floor' | 'ocrmypdf' | 'docsift';

export interface PeerFigures {
  pagesPerMinute: number | null;
  cpuSecondsPerPage: number | null;
  wordRecall: number | null;
  charRecall: number | null;
  seconds: number | null;
}

export interface PeersResult {
  corpus: { documents: number; pagesPerDocument: number; pages: number; languages: string; dpi: 200 };
  commands: Record<PeerName, string>;
  versions: Record<string, string | null>;
  /** Medians over the repeats; a peer that is not installed says so instead. */
  systems: Record<PeerName, PeerFigures | { skipped: string }>;
  ratios: { docsiftOverFloor: number | null; docsiftOverOcrmypdf: number | null; docsiftCpuPerPageOverFloor: number | null };
  repeats: Array<Partial<Record<PeerName, PeerFigures>>>;
}

export interface PeerContext {
  stack: LocalStack;
  work: string;
  /** The harness's worker environment (stack endpoints, file sink, heartbeat dir). */
  env: Record<string, string>;
  entry: string;
  settings: Record<string, string>;
  timeoutMs: number;
  cores: number;
  log: (line: string) => void;
}

const LANGUAGES = 'jpn+eng';

function figures(docs: ScanDoc[], run: ToolRun): PeerFigures {
  const pages = docs.reduce((n, d) => n + d.pages, 0);
  const recall = corpusRecall(docs.map((d) => ({ lang: d.lang, truth: d.truth.join('\n'), text: run.texts.get(d.key) ?? '' })));
  return {
    pagesPerMinute: run.seconds > 0 ? round((pages / run.seconds) * 60, 1) : null,
    cpuSecondsPerPage: round(run.cpuSeconds / pages, 3),
    wordRecall: recall.word,
    charRecall: recall.char,
    seconds: round(run.seconds, 2),
  };
}

/** docsift's defaults end to end: the scans through local S3 and SQS into the file sink, timed from the first receive to the last acknowledgement. */
async function runDocsift(ctx: PeerContext, docs: ScanDoc[], tag: string): Promise<ToolRun> {
  for (const d of docs) await ctx.stack.s3.send(new PutObjectCommand({ Bucket: ctx.stack.bucket, Key: d.key, Body: await readFile(d.file), ContentType: 'application/pdf' }));
  const queueUrl = await createRunQueue(ctx.stack, `bench-peers-${tag}-${Date.now().toString(36)}`);
  const bodies = docs.map((d, i) => s3EventNotification({ bucket: ctx.stack.bucket, key: d.key, eventName: 'ObjectCreated:Put', sequencer: (i + 1).toString(16).padStart(16, '0'), configurationId: 'docsift-bench' }));
  await sendBodies(ctx.stack, queueUrl, bodies);
  const indexFile = join(ctx.work, `peers-${tag}.ndjson`);
  await mkdir(join(ctx.work, `tmp-peers-${tag}`), { recursive: true });
  const result = await runWorker({
    name: `peers-${tag}`,
    settings: ctx.settings,
    env: { ...ctx.env, QUEUE_URL: queueUrl, DLQ_URL: ctx.stack.dlqUrl, TEMP_DIR: join(ctx.work, `tmp-peers-${tag}`), INDEX_FILE: indexFile },
    messages: docs.length,
    workDir: ctx.work,
    timeoutMs: ctx.timeoutMs,
    exitWhenIdle: 3,
    entry: ctx.entry,
  });
  const texts = new Map<string, string>();
  for (const line of (await readFile(indexFile, 'utf8').catch(() => '')).split('\n')) {
    if (!line.includes('"content"')) continue;
    const doc = JSON.parse(line) as { key: string; content: string };
    texts.set(doc.key, doc.content);
  }
  if (result.settled < docs.length) ctx.log(`peers docsift: ${result.settled} of ${docs.length} settled`);
  return { texts, seconds: result.busySeconds ?? result.wallSeconds, cpuSeconds: result.cpu.seconds ?? result.cpu.totalSecondsIncludingStartup };
}

function medianOf(list: PeerFigures[]): PeerFigures {
  const m = (pick: (f: PeerFigures) => number | null) => median(list.map(pick).filter((v): v is number => v !== null));
  return { pagesPerMinute: m((f) => f.pagesPerMinute), cpuSecondsPerPage: m((f) => f.cpuSecondsPerPage), wordRecall: m((f) => f.wordRecall), charRecall: m((f) => f.charRecall), seconds: m((f) => f.seconds) };
}

/** Issue 17's targets: at least the floor's pages/minute at equal recall, 2.5x ocrmypdf. */
export function peerTargets(p: PeersResult): Array<{ name: string; target: string; value: number | null; met: boolean | null; note?: string }> {
  const d = 'skipped' in p.systems.docsift ? null : p.systems.docsift;
  const floor = 'skipped' in p.systems.floor ? null : p.systems.floor;
  const recallNote = d && floor ? `word recall ${d.wordRecall} vs ${floor.wordRecall}, char recall ${d.charRecall} vs ${floor.charRecall}` : undefined;
  const v1 = p.ratios.docsiftOverFloor;
  const v2 = p.ratios.docsiftOverOcrmypdf;
  return [
    { name: 'scanned PDFs: docsift >= 1.0x the naive floor (pages/min, same run)', target: '>= 1.0 (stretch 1.2)', value: v1, met: v1 === null ? null : v1 >= 1, ...(recallNote ? { note: recallNote } : {}) },
    { name: 'scanned PDFs: docsift >= 2.5x ocrmypdf', target: '>= 2.5', value: v2, met: v2 === null ? null : v2 >= 2.5, ...('skipped' in p.systems.ocrmypdf ? { note: p.systems.ocrmypdf.skipped } : {}) },
  ];
}

const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? round(a / b, 2) : null);

/**
 * Issue 17's peer section: the same scanned PDFs through the naive floor, ocrmypdf and docsift's
 * defaults, in turn, `repeat` times; pages/minute, CPU seconds per page and recall against the
 * text the pages were drawn from, medians over the repeats, and docsift's ratios to the others.
 */
export async function runPeers(ctx: PeerContext, docCount: number, pagesPerDoc: number, repeat: number): Promise<PeersResult> {
  const docs = await ensureScans(docCount, pagesPerDoc);
  const versions = { pdftoppm: await installed('pdftoppm'), tesseract: await installed('tesseract'), ocrmypdf: await installed('ocrmypdf') };
  const skipped: Partial<Record<PeerName, string>> = {};
  if (versions.tesseract === null || versions.pdftoppm === null) skipped.floor = 'pdftoppm or tesseract not installed (apt-get install poppler-utils tesseract-ocr tesseract-ocr-jpn)';
  if (versions.ocrmypdf === null) skipped.ocrmypdf = 'ocrmypdf not installed (apt-get install ocrmypdf)';
  const repeats: PeersResult['repeats'] = [];
  for (let i = 0; i < repeat; i += 1) {
    const rep: Partial<Record<PeerName, PeerFigures>> = {};
    if (!skipped.floor) rep.floor = figures(docs, await runFloor(docs, ctx.work, LANGUAGES, ctx.cores));
    if (!skipped.ocrmypdf) rep.ocrmypdf = figures(docs, await runOcrmypdf(docs, ctx.work, LANGUAGES, ctx.cores));
    rep.docsift = figures(docs, await runDocsift(ctx, docs, String(i + 1)));
    ctx.log(`peers ${i + 1}/${repeat}: ${JSON.stringify(rep)}`);
    repeats.push(rep);
  }
  const systems = {} as PeersResult['systems'];
  for (const name of ['floor', 'ocrmypdf', 'docsift'] as const) {
    const got = repeats.map((r) => r[name]).filter((f): f is PeerFigures => f !== undefined);
    systems[name] = skipped[name] ? { skipped: skipped[name] } : medianOf(got);
  }
  const f = (n: PeerName) => ('skipped' in systems[n] ? null : (systems[n] as PeerFigures));
  // Ratios per repeat (runs minutes apart see different load), then their median.
  const per = (pick: (r: Partial<Record<PeerName, PeerFigures>>) => number | null) => median(repeats.map(pick).filter((v): v is number => v !== null));
  return {
    corpus: { documents: docs.length, pagesPerDocument: pagesPerDoc, pages: docs.length * pagesPerDoc, languages: LANGUAGES, dpi: 200 },
    commands: {
      floor: `pdftoppm -r 200 -gray DOC.pdf p; OMP_THREAD_LIMIT=1 tesseract p-N.pgm stdout -l ${LANGUAGES} --oem 1 --psm 3 (${ctx.cores} at a time)`,
      ocrmypdf: `ocrmypdf --jobs ${ctx.cores} --sidecar TEXT -l ${LANGUAGES} --quiet DOC.pdf OUT.pdf (one document at a time)`,
      docsift: `docsift run, defaults${Object.keys(ctx.settings).length > 0 ? ` + ${JSON.stringify(ctx.settings)}` : ''}, through local S3 and SQS`,
    },
    versions,
    systems,
    ratios: {
      docsiftOverFloor: per((r) => ratio(r.docsift?.pagesPerMinute, r.floor?.pagesPerMinute)) ?? ratio(f('docsift')?.pagesPerMinute, f('floor')?.pagesPerMinute),
      docsiftOverOcrmypdf: per((r) => ratio(r.docsift?.pagesPerMinute, r.ocrmypdf?.pagesPerMinute)),
      docsiftCpuPerPageOverFloor: per((r) => ratio(r.docsift?.cpuSecondsPerPage, r.floor?.cpuSecondsPerPage)),
    },
    repeats,
  };
}
