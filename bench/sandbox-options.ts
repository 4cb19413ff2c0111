/**
 * `npm run bench:sandbox`: the measurements behind the extraction sandbox's design (issue 13). The
 * same extraction engine (bench/children/sandbox-host.mjs, on the build in dist/) runs five ways:
 * in this process, on a reused worker thread, on a fresh worker thread per document, in a reused
 * child process, in a fresh child process per document. For each: per-document latency on text
 * documents and on the mixed corpus (scanned pages handed back for OCR, as the sandbox does),
 * CPU, start-up time and the RSS one sandbox adds. Then what each isolation really caps, each case
 * in its own driver process so a death of the whole process is seen: a V8 heap runaway (form
 * XObjects fanning out), a native-memory runaway (a 1 GiB canvas) and a native crash (SIGSEGV).
 * Writes bench/results/sandbox-options-<ts>.json. `--limits-only` runs just the limit cases.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runTsChild, ROOT } from './children/spawn.js';
import { ensureCorpus } from './corpus/corpus.js';
import type { CorpusDoc } from './corpus/generate.js';
import { DEFAULT_MIX } from './corpus/plan.js';
import { cpuSeconds, rssKiB } from './measure/proc.js';
import { median, percentile, round } from './measure/stats.js';
import type * as EngineModule from '../src/adapters/extract/engine.js';
import type * as EngineOptionsModule from '../src/adapters/extract/engine-options.js';
import type * as LoadModule from '../src/config/load.js';

export type Mode = 'inproc' | 'thread-pool' | 'thread-fresh' | 'child-pool' | 'child-fresh';
const MODES: Mode[] = ['inproc', 'thread-pool', 'thread-fresh', 'child-pool', 'child-fresh'];
const HOST = fileURLToPath(new URL('./children/sandbox-host.mjs', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** The caps the measurements use: the chart's pod (1400 MiB) gives a 420 MiB sandbox, 252 MiB of heap. */
export const CAP = { memoryMb: 420, heapMb: 252 };

type Reply = { kind: string; id?: number; ok?: boolean; [k: string]: unknown };

/** One host (thread or child) behind a request/reply channel; OCR requests are answered at once. */
export class Host {
  private next = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  readonly thread?: Worker;
  readonly child?: ChildProcess;

  constructor(kind: 'thread' | 'child') {
    let onReady!: () => void;
    this.ready = new Promise((r) => (onReady = r));
    const onMessage = (m: Reply) => {
      if (m.kind === 'ready') onReady();
      else if (m.kind === 'ocr') this.post({ kind: 'ocr_result', id: m.id });
      else if (m.kind === 'done') this.waiting.get(m.id!)?.(m);
    };
    if (kind === 'thread') {
      this.thread = new Worker(HOST, { workerData: { dist: DIST }, resourceLimits: { maxOldGenerationSizeMb: CAP.heapMb } });
      this.thread.on('message', onMessage);
      this.thread.on('error', () => undefined);
      this.exited = new Promise((r) => this.thread!.on('exit', (code) => r({ code, signal: null })));
    } else {
      this.child = fork(HOST, [], { execArgv: [`--max-old-space-size=${CAP.heapMb}`], serialization: 'advanced', env: { ...process.env, SANDBOX_HOST_DIST: DIST }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      this.child.on('message', onMessage);
      this.child.stderr?.resume();
      this.exited = new Promise((r) => this.child!.on('exit', (code, signal) => r({ code, signal })));
    }
  }

  private post(message: unknown): void {
    if (this.thread) this.thread.postMessage(message);
    else this.child!.send(message as never);
  }

  request(message: Record<string, unknown>): Promise<Reply> {
    const id = ++this.next;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ ...message, id });
    });
  }

  async close(): Promise<void> {
    if (this.thread) await this.thread.terminate();
    else {
      this.child!.kill('SIGKILL');
      await this.exited;
    }
  }
}

interface InProcess {
  extract(input: unknown): Promise<{ text: string }>;
}

async function inProcessEngine(): Promise<InProcess> {
  const { createExtractionEngine } = (await import(`${DIST}/adapters/extract/engine.js`)) as typeof EngineModule;
  const { engineOptions } = (await import(`${DIST}/adapters/extract/engine-options.js`)) as typeof EngineOptionsModule;
  const { loadConfig } = (await import(`${DIST}/config/load.js`)) as typeof LoadModule;
  const loaded = loadConfig({ OCR_ENABLED: 'true', THUMBNAIL_ENABLED: 'true', TEMP_DIR: tmpdir() });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const ocr = { engine: 'native' as const, languages: 'eng', size: 1, recognize: async () => ({ text: '', confidence: null, ms: 0 }), close: async () => undefined };
  return createExtractionEngine(engineOptions(loaded.config), ocr) as unknown as InProcess;
}

function inputOf(doc: CorpusDoc) {
  const ext = doc.file.slice(doc.file.lastIndexOf('.') + 1);
  return { path: doc.file, size: doc.bytes, filename: doc.key, extension: ext, declaredContentType: null, maxChars: 100_000 };
}

/** Per-document ms of one mode over `docs`, one document at a time; CPU of this process and its children. */
async function timeMode(mode: Mode, docs: CorpusDoc[], engine: InProcess): Promise<{ ms: number[]; cpuMsPerDoc: number; failures: number }> {
  const pool = mode === 'thread-pool' ? new Host('thread') : mode === 'child-pool' ? new Host('child') : null;
  await pool?.ready;
  // Warm-up, untimed: the first documents pay for JIT and lazy module loads in every mode.
  for (const doc of docs.slice(0, 3)) {
    if (mode === 'inproc') await engine.extract(inputOf(doc)).catch(() => undefined);
    else if (pool) await pool.request({ kind: 'extract', input: inputOf(doc) });
  }
  const cpu0 = cpuSeconds('self')!;
  const childCpu0 = pool?.child ? (cpuSeconds(pool.child.pid!)?.own ?? 0) : 0;
  const ms: number[] = [];
  let failures = 0;
  for (const doc of docs) {
    const started = performance.now();
    if (mode === 'inproc') {
      await engine.extract(inputOf(doc)).catch(() => (failures += 1));
    } else {
      const host = pool ?? new Host(mode === 'thread-fresh' ? 'thread' : 'child');
      await host.ready;
      const reply = await host.request({ kind: 'extract', input: inputOf(doc) });
      if (!reply.ok) failures += 1;
      if (!pool) await host.close();
    }
    ms.push(performance.now() - started);
  }
  const childCpu = pool?.child ? (cpuSeconds(pool.child.pid!)?.own ?? 0) - childCpu0 : 0;
  const cpu1 = cpuSeconds('self')!;
  await pool?.close();
  // Fresh children are waited for, so their CPU lands in this process's `children` times.
  const cpu = cpu1.own - cpu0.own + (cpu1.children - cpu0.children) + childCpu;
  return { ms, cpuMsPerDoc: (cpu * 1000) / docs.length, failures };
}

/** Start-up to `ready` and the RSS one idle host adds (thread: growth of this process; child: its own RSS). */
async function startup(kind: 'thread' | 'child'): Promise<{ startMs: number; idleRssMb: number }> {
  const before = process.memoryUsage.rss();
  const started = performance.now();
  const host = new Host(kind);
  await host.ready;
  const startMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 500));
  const idle = kind === 'thread' ? process.memoryUsage.rss() - before : (rssKiB(host.child!.pid!) ?? 0) * 1024;
  await host.close();
  return { startMs: round(startMs, 0)!, idleRssMb: round(idle / 1048576, 0)! };
}

/** Round trip of one page-sized buffer (A4 at 200 DPI, greyscale: 3.9 MB) over each channel. */
async function transfer(kind: 'thread' | 'child'): Promise<number | null> {
  const host = new Host(kind);
  await host.ready;
  const data = Buffer.alloc(1654 * 2339, 0x80);
  const ms: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    await host.request({ kind: 'echo', data });
    ms.push(performance.now() - started);
  }
  await host.close();
  return round(median(ms), 2);
}

function summary(ms: number[]) {
  return { medianMs: round(median(ms), 2), p90Ms: round(percentile(ms, 90), 2), meanMs: round(ms.reduce((a, b) => a + b, 0) / ms.length, 2) };
}

type Cases = Record<string, unknown>;

async function capCases(): Promise<Cases> {
  const out: Cases = {};
  for (const kind of ['thread', 'child'] as const) {
    for (const test of ['heap', 'native', 'crash'] as const) {
      const started = performance.now();
      try {
        const reply = await runTsChild('./sandbox-caps.ts', { kind, test });
        out[`${kind}/${test}`] = { driverSurvived: true, ...(JSON.parse(reply.trim().split('\n').pop()!) as object) };
      } catch (err) {
        out[`${kind}/${test}`] = { driverSurvived: false, driverDied: String((err as Error).message).split(':')[0], ms: round(performance.now() - started, 0) };
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--limits-only')) {
    console.log(JSON.stringify({ at: new Date().toISOString(), caps: CAP, limits: await capCases(), load: loadavg() }, null, 2));
    return;
  }
  const repeat = Number(args[args.indexOf('--repeat') + 1] ?? 3) || 3;
  if (!args.includes('--no-build')) execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const corpus = await ensureCorpus(40, DEFAULT_MIX, 1, 2);
  const sets = { text: corpus.docs.filter((d) => d.cls === 'text'), mixed: corpus.docs };
  const engine = await inProcessEngine();
  const load = { start: loadavg() };
  const runs: Record<string, Record<Mode, number[]>> = { text: {} as Record<Mode, number[]>, mixed: {} as Record<Mode, number[]> };
  const cpu: Record<string, Record<Mode, number[]>> = { text: {} as Record<Mode, number[]>, mixed: {} as Record<Mode, number[]> };
  for (let r = 0; r < repeat; r += 1) {
    for (const [set, docs] of Object.entries(sets)) {
      for (const mode of MODES) {
        const t = await timeMode(mode, docs, engine);
        (runs[set]![mode] ??= []).push(...t.ms);
        (cpu[set]![mode] ??= []).push(t.cpuMsPerDoc);
        console.log(`repeat ${r + 1} ${set} ${mode}: median ${round(median(t.ms), 1)} ms, cpu ${round(t.cpuMsPerDoc, 1)} ms/doc, failures ${t.failures}`);
      }
    }
  }
  const perDocument = Object.fromEntries(
    Object.entries(runs).map(([set, modes]) => [set, Object.fromEntries(MODES.map((m) => [m, { ...summary(modes[m]!), cpuMsPerDoc: round(median(cpu[set]![m]!), 1) }]))]),
  );
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    corpus: { documents: corpus.docs.length, text: sets.text.length },
    caps: CAP,
    repeat,
    perDocument,
    startup: { thread: await startup('thread'), child: await startup('child') },
    pageTransferMs: { thread: await transfer('thread'), child: await transfer('child') },
    limits: await capCases(),
    load: { ...load, end: loadavg() },
  };
  const dir = join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `sandbox-options-${result.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written ${file}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
