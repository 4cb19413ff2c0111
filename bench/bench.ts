import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalStack } from '../devstack/local-stack.js';
import { ROOT } from './children/spawn.js';
import { ensureCorpus, summariseCorpus } from './corpus/corpus.js';
import type { BenchOptions, RunName } from './options.js';
import { renderChartPng, renderChartSvg } from './report/chart.js';
import { summariseProfile, type HotFunction } from './report/profile.js';
import { cpuLimit, derive, medianRatios, ratiosOf, RESULT_SCHEMA, type BenchResult } from './report/result.js';
import { measureCeiling, type CeilingResult } from './runs/ceiling.js';
import { chooseOcrEngine, type EngineChoice } from '../src/adapters/extract/ocr/index.js';
import { loadConfig } from '../src/config/load.js';
import { binaryTessdata, DEBIAN_TESSDATA, measureNativeOcr, npmTessdata, tesseractVersion, type NativeOcrResult } from './runs/native-ocr.js';
import { runWorker, type WorkerRunResult } from './runs/worker-run.js';
import { runPeers, type PeersResult } from './peers/peers.js';
import { git, packageVersion } from './report/meta.js';
import { createRunQueue, s3EventBody, sendBodies, uploadCorpus, visibleMessages, type UploadedDoc } from './stack/corpus-stack.js';

/**
 * The old worker's behaviour in docsift's own settings: one message per receive, one in flight, a new
 * OCR engine per job (with native tesseract, the default where it is installed, every page is a new
 * process anyway, as with a worker that runs the tesseract command per page).
 */
export const LEGACY_SETTINGS: Record<string, string> = { RECEIVE_BATCH_SIZE: '1', MAX_INFLIGHT: '1', OCR_WORKERS: '1', OCR_RECYCLE_JOBS: '1' };
/** OCR languages of docsift's default configuration, which the native reference uses too. */
const OCR_LANGUAGES = 'jpn+eng';

/** One repeat of legacy, the native reference and default. */
interface Repeat {
  legacy?: WorkerRunResult;
  default?: WorkerRunResult;
  reference: NativeOcrResult | null;
}

interface DefaultOcr {
  engine: EngineChoice['engine'];
  reason: string;
  /** Directory of the language data the defaults read (for the native reference), null when none. */
  dir: string | null;
  label: string;
}

/** What docsift's defaults OCR with on this machine (OCR_ENGINE=auto decides), so the reference reads the same data. */
async function defaultOcr(npmDir: () => Promise<string>): Promise<DefaultOcr> {
  const loaded = loadConfig({}, {});
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const choice = chooseOcrEngine(loaded.config);
  if (choice.engine === 'native') {
    const dir = await binaryTessdata();
    return { engine: 'native', reason: choice.reason, dir, label: `native tesseract's own data ${dir ?? ''}`.trim() };
  }
  return { engine: 'tesseract.js', reason: choice.reason, dir: await npmDir(), label: 'npm @tesseract.js-data 4.0.0_best_int' };
}

export interface BenchOutput {
  resultPath: string;
  svgPath: string;
  pngPath: string;
  result: BenchResult;
}

function build(): Promise<void> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? res() : rej(new Error(`npm run build failed:\n${out.slice(-3000)}`))));
  });
}

/** The environment of a child worker: the stack's and the harness's, nothing inherited that could change a setting. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ'];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return env;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
}

export async function runBench(options: BenchOptions): Promise<BenchOutput> {
  const log = (line: string) => {
    if (options.verbose) console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  };
  const started = new Date();
  const loadavgStart = loadavg();
  const ncpu = availableParallelism();
  const notes: string[] = [];
  const outDir = resolve(ROOT, options.outDir);
  await mkdir(outDir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'docsift-bench-'));
  const ts = stamp(started);

  if (options.build) {
    log('building (tsc -p tsconfig.build.json)');
    await build();
  } else if (!existsSync(join(ROOT, 'dist/cli/index.js'))) {
    throw new Error('dist/ is missing: run without --no-build');
  }

  log(`corpus: ${options.documents} documents, mix ${JSON.stringify(options.mix)}, seed ${options.seed}`);
  const corpus = await ensureCorpus(options.documents, options.mix, options.seed, Math.max(1, Math.min(4, ncpu)));
  const corpusSummary = summariseCorpus(corpus.docs);
  log(`corpus ${corpus.cached ? 'cached' : `generated in ${corpus.generatedMs} ms`}: ${JSON.stringify(corpusSummary.byKind)}, ${corpusSummary.ocrPages} pages to OCR`);

  const stack = await startLocalStack({ queueName: `bench-${Date.now().toString(36)}`, bridge: false });
  const runs: Partial<Record<RunName, WorkerRunResult>> = {};
  let servers: CeilingResult | null = null;
  let sameData: NativeOcrResult | null = null;
  let otherData: NativeOcrResult | null = null;
  let peers: PeersResult | null = null;
  const repeats: Repeat[] = [];
  const npmDir = () => npmTessdata(OCR_LANGUAGES, join(tmpdir(), 'docsift-bench-tessdata'));
  const ocrDefaults = await defaultOcr(npmDir);
  log(`docsift's defaults OCR with ${ocrDefaults.engine} (${ocrDefaults.reason})`);
  const profiles: Record<string, { totalMs: number; functions: HotFunction[] }> = {};
  const harness: Record<string, string> = {
    INDEX_SINK: 'file',
    // The local SQS server answers a long poll early only with a full batch: keep the tail short.
    RECEIVE_WAIT_SECONDS: '1',
    LOG_LEVEL: 'info',
    HEARTBEAT_DIR: join(work, 'heartbeat'),
  };
  try {
    const t0 = performance.now();
    const uploaded = await uploadCorpus(stack, corpus.docs);
    log(`uploaded ${uploaded.length} objects (${Math.round(corpusSummary.bytes / 1024)} KiB) in ${Math.round(performance.now() - t0)} ms`);
    const textDocs = uploaded.filter((d) => d.cls === 'text');
    const clientEnv = { ...stack.env, ...harness };

    if (textDocs.length > 0) {
      log(`servers' ceiling: ${options.ceilingMessages} messages per loop, no processing`);
      servers = await measureCeiling(stack, textDocs, options.ceilingMessages, options.ceilingMessages, clientEnv);
      log(`servers: receive+delete ${servers.receiveDelete.perMinute}/min, GET ${servers.get.perMinute}/min, receive+HEAD+GET+delete ${servers.messageLoop.perMinute} msg/min`);
    } else {
      notes.push('no text documents in the mix: servers ceiling and text run skipped');
    }

    const runOne = async (name: RunName, docs: UploadedDoc[], messages: number, runSettings: Record<string, string>, repeat = 0): Promise<WorkerRunResult> => {
      const tag = repeat > 0 ? `${name}-${repeat + 1}` : name;
      const settings = { ...runSettings, ...options.set };
      const queueUrl = await createRunQueue(stack, `bench-${name}-${Date.now().toString(36)}`);
      await sendBodies(stack, queueUrl, Array.from({ length: messages }, (_, i) => s3EventBody(stack.bucket, docs[i % docs.length]!, i)));
      const visible = await visibleMessages(stack, queueUrl);
      if (visible !== messages) notes.push(`${name}: ${visible} of ${messages} messages visible at start`);
      log(`run ${tag}: ${messages} messages, settings ${JSON.stringify(settings)}`);
      const result = await runWorker({
        name,
        settings,
        env: { ...baseEnv(), ...stack.env, ...harness, QUEUE_URL: queueUrl, DLQ_URL: stack.dlqUrl, TEMP_DIR: join(work, `tmp-${tag}`), INDEX_FILE: join(work, `${tag}.ndjson`) },
        messages,
        workDir: work,
        timeoutMs: options.runTimeoutSeconds * 1000,
        exitWhenIdle: 3,
        entry: resolve(ROOT, options.docsift),
        ...(options.profile ? { cpuProfileDir: join(outDir, `${ts}-profiles`) } : {}),
      });
      runs[name] = result;
      log(
        `run ${tag}: ${result.messagesPerMinute} msg/min over ${result.busySeconds} s; p50 ${result.latencyMs.p50} ms p95 ${result.latencyMs.p95} ms; ` +
          `CPU ${result.cpu.cores} cores; RSS peak ${result.rssMiB.peak} MiB median ${result.rssMiB.median} MiB; OCR pages ${result.extraction.ocrPages}; ` +
          `methods ${JSON.stringify(result.extraction.byMethod)}; failures ${JSON.stringify(result.failures)} ${JSON.stringify(result.failureReasons)}${result.timedOut ? '; TIMED OUT' : ''}`,
      );
      if (result.settled < messages) notes.push(`${tag}: ${result.settled} of ${messages} messages settled${result.timedOut ? ` (stopped after --run-timeout ${options.runTimeoutSeconds} s)` : ''}`);
      for (const p of result.cpuProfiles) profiles[`${tag}:${p}`] = await summariseProfile(p);
      return result;
    };

    const mixed = uploaded;
    const pages = corpus.docs.flatMap((d) => d.ocrPages);
    const canReference = pages.length > 0 && (await tesseractVersion()) !== null && ocrDefaults.dir !== null;
    if (pages.length > 0 && !canReference) notes.push('native tesseract not installed (apt-get install tesseract-ocr tesseract-ocr-jpn): no CPU limit');
    // legacy, the reference and default, repeated in that order: each repeat's ratios come from runs
    // made minutes apart, and the result quotes their medians.
    for (let i = 0; i < options.repeat; i += 1) {
      const rep: Repeat = { reference: null };
      for (const name of options.runs) {
        if (name === 'legacy') rep.legacy = await runOne('legacy', mixed, mixed.length, LEGACY_SETTINGS, i);
        if (name !== 'default') continue;
        // The CPU reference is measured right before the default run, under the same load.
        if (canReference) {
          log(`native tesseract: ${pages.length} pages, ${ncpu} processes, docsift's default language data (${ocrDefaults.label})`);
          rep.reference = await measureNativeOcr(pages, ocrDefaults.dir!, `${ocrDefaults.label} (docsift default)`, OCR_LANGUAGES, ncpu);
          log(`native tesseract: ${rep.reference.pagesPerMinute} pages/min, ${rep.reference.cpuSecondsPerPage} CPU s/page`);
          if (i === 0 && options.secondReference) {
            const other = ocrDefaults.engine === 'native' ? { dir: await npmDir(), label: 'npm @tesseract.js-data 4.0.0_best_int' } : DEBIAN_TESSDATA ? { dir: DEBIAN_TESSDATA, label: `Debian ${DEBIAN_TESSDATA} (fast)` } : null;
            if (other) {
              otherData = await measureNativeOcr(pages, other.dir, other.label, OCR_LANGUAGES, ncpu);
              log(`native tesseract (${other.label}): ${otherData.pagesPerMinute} pages/min, ${otherData.cpuSecondsPerPage} CPU s/page`);
            }
          }
        }
        rep.default = await runOne('default', mixed, mixed.length, {}, i);
      }
      repeats.push(rep);
    }
    for (const name of options.runs) {
      if (name === 'tesseractjs') {
        if (ocrDefaults.engine === 'native' && ocrDefaults.dir) {
          // The same language data as the reference and the default run: the engines' difference alone.
          await runOne('tesseractjs', mixed, mixed.length, { OCR_ENGINE: 'tesseract.js', TESSDATA_DIR: ocrDefaults.dir });
        } else notes.push('tesseractjs run skipped: the defaults already OCR with tesseract.js here');
      }
      if (name === 'text' && textDocs.length > 0) await runOne('text', textDocs, options.textMessages, {});
      if (name === 'peers') {
        const ctx = { stack, work, env: { ...baseEnv(), ...stack.env, ...harness }, entry: resolve(ROOT, options.docsift), settings: options.set, timeoutMs: options.runTimeoutSeconds * 1000, cores: ncpu, log };
        peers = await runPeers(ctx, options.quick ? 1 : 6, options.quick ? 1 : 4, options.repeat);
      }
    }
  } finally {
    await stack.close();
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }

  const perRepeat = repeats.map((rep) => {
    const repLimit = cpuLimit(corpus.docs, ncpu, rep.reference, runs.text);
    return { rep, limit: repLimit, ratios: ratiosOf({ ...runs, legacy: rep.legacy, default: rep.default }, servers, repLimit) };
  });
  // The runs shown are the repeat whose default run is the median one (by its share of the limit,
  // else its rate); the ratios and targets are the medians over all repeats.
  const byDefault = [...perRepeat].sort((a, b) => (a.ratios.defaultOverCpuLimit ?? a.rep.default?.messagesPerMinute ?? 0) - (b.ratios.defaultOverCpuLimit ?? b.rep.default?.messagesPerMinute ?? 0));
  const shown = byDefault[Math.floor(byDefault.length / 2)];
  if (shown?.rep.legacy) runs.legacy = shown.rep.legacy;
  if (shown?.rep.default) runs.default = shown.rep.default;
  sameData = shown?.rep.reference ?? null;
  const limit = shown?.limit ?? cpuLimit(corpus.docs, ncpu, null, runs.text);
  const { ratios, targets } = derive(runs, servers, limit, perRepeat.length > 0 ? medianRatios(perRepeat.map((p) => p.ratios)) : undefined, peers);
  const contended = Object.values(runs)
    .filter((r): r is WorkerRunResult => r !== undefined && (r.machine.otherCores ?? 0) > 0.25)
    .map((r) => `${r.name} (${r.machine.otherCores} cores used by other processes)`);
  if (Object.keys(profiles).length > 0) notes.push(`CPU profiles: ${Object.keys(profiles).join(', ')}`);
  const finished = new Date();
  const result: BenchResult & { profiles?: typeof profiles } = {
    schema: RESULT_SCHEMA,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: Math.round((finished.getTime() - started.getTime()) / 100) / 10,
    options: { set: options.set, quick: options.quick, documents: options.documents, mix: options.mix, seed: options.seed, runs: options.runs, repeat: options.repeat, textMessages: options.textMessages, ceilingMessages: options.ceilingMessages },
    machine: { cpus: ncpu, model: cpus()[0]?.model ?? 'unknown', memoryMiB: Math.round(totalmem() / 1048576), loadavgStart, loadavgEnd: loadavg(), kernel: release() },
    versions: {
      node: process.version,
      docsift: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
      commit: await git(['rev-parse', '--short', 'HEAD']),
      workTreeDirty: ((await git(['status', '--porcelain', '--', 'src'])) ?? '') !== '' ? 'yes (src/ has uncommitted changes)' : 'no',
      tesseractNative: await tesseractVersion(),
      'tesseract.js': packageVersion('tesseract.js'),
      'local-aws-sqs': packageVersion('local-aws-sqs'),
      s3rver: packageVersion('s3rver'),
      sharp: packageVersion('sharp'),
      'pdfjs-dist': packageVersion('pdfjs-dist'),
      '@aws-sdk/client-sqs': packageVersion('@aws-sdk/client-sqs'),
    },
    corpus: { ...corpusSummary, cached: corpus.cached, generatedMs: corpus.generatedMs },
    harnessSettings: { ...harness, docsift: options.docsift, HEARTBEAT_DIR: '<temp>', METRICS_PORT: '<free port, scraped every 2 s>', INDEX_FILE: '<temp>/<run>.ndjson', exitWhenIdle: '3', legacy: JSON.stringify(LEGACY_SETTINGS) },
    runs,
    servers,
    defaultOcr: { engine: ocrDefaults.engine, reason: ocrDefaults.reason, traineddata: ocrDefaults.dir },
    nativeOcr: { sameData, otherData },
    repeats: perRepeat.map((p) => ({
      legacy: p.rep.legacy?.messagesPerMinute ?? null,
      default: p.rep.default?.messagesPerMinute ?? null,
      referencePagesPerMinute: p.rep.reference?.pagesPerMinute ?? null,
      cpuLimit: p.limit.messagesPerMinute,
      ratios: p.ratios,
    })),
    cpuLimit: limit,
    ratios,
    peers,
    targets,
    contended,
    notes,
    ...(Object.keys(profiles).length > 0 ? { profiles } : {}),
  };
  const resultPath = join(outDir, `${ts}.json`);
  const svgPath = join(outDir, `${ts}.svg`);
  const pngPath = join(outDir, `${ts}.png`);
  const svg = renderChartSvg(result);
  await writeFile(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(svgPath, svg);
  await writeFile(pngPath, await renderChartPng(svg));
  log(`wrote ${resultPath}, ${svgPath}, ${pngPath}`);
  return { resultPath, svgPath, pngPath, result };
}
