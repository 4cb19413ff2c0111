import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../children/spawn.js';
import { freePort } from '../../devstack/free-port.js';
import { metricValue, MetricsScraper, stageTimes, type StageTimes } from '../measure/metrics-scrape.js';
import { cpuSeconds } from '../measure/proc.js';
import { Sampler, type Sample } from '../measure/sampler.js';
import { median, percentile, round, valueAt } from '../measure/stats.js';

export interface WorkerRunSpec {
  name: string;
  /** Settings of this run on top of the harness's (what makes it legacy/default/text). */
  settings: Record<string, string>;
  /** Environment of the stack and the harness (queue, endpoints, file sink, temp dirs). */
  env: Record<string, string>;
  messages: number;
  workDir: string;
  timeoutMs: number;
  exitWhenIdle: number;
  /** Worker entry (bin/docsift.js or another build's dist/cli/index.js). */
  entry: string;
  /** Write a V8 CPU profile of the worker into this directory. */
  cpuProfileDir?: string;
}

export interface WorkerRunResult {
  name: string;
  settings: Record<string, string>;
  messages: number;
  settled: number;
  outcomes: Record<string, number>;
  failures: Record<string, number>;
  /** The first logged reason of each failure class. */
  failureReasons: Record<string, string>;
  extraction: { byMethod: Record<string, number>; byStatus: Record<string, number>; ocrPages: number; documents: number };
  messagesPerMinute: number | null;
  busySeconds: number | null;
  wallSeconds: number;
  startupSeconds: number | null;
  latencyMs: { p50: number | null; p95: number | null; max: number | null };
  cpu: { seconds: number | null; cores: number | null; utilisation: number | null; msPerMessage: number | null; totalSecondsIncludingStartup: number };
  rssMiB: { peak: number | null; median: number | null; afterStartup: number | null };
  servers: { driverCpuCores: number | null; driverEventLoop: { p50Ms: number; p99Ms: number; maxMs: number } };
  machine: { busyCores: number | null; otherCores: number | null };
  /** Event-loop delay and utilisation of the worker's main thread (preloaded probe). */
  workerEventLoop: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number; utilisation: number; busiestUtilisation5s: number } | null;
  /** Mean time per pipeline stage, from the worker's own docsift_stage_duration_seconds histogram. */
  stages: StageTimes;
  ocrRecycles: number | null;
  exitCode: number | null;
  timedOut: boolean;
  logFile: string;
  cpuProfiles: string[];
  /** [seconds since the first receive, RSS MiB, CPU cores] every sample, for the chart. */
  series: Array<[number, number, number]>;
}

interface LogLine {
  event?: string;
  time?: string;
  ms?: number;
  outcome?: string;
  error_class?: string;
  reason?: string;
  msg?: string;
}

async function parseLogs(path: string) {
  const text = existsSync(path) ? await readFile(path, 'utf8') : '';
  const done: Array<{ end: number; ms: number; outcome: string }> = [];
  const failures: Record<string, number> = {};
  const failureReasons: Record<string, string> = {};
  let startup: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let l: LogLine;
    try {
      l = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    const t = l.time ? Date.parse(l.time) : NaN;
    if (l.event === 'startup' && Number.isFinite(t)) startup = t;
    if (l.event === 'job_done' && Number.isFinite(t) && typeof l.ms === 'number') done.push({ end: t, ms: l.ms, outcome: l.outcome ?? '?' });
    if (l.event === 'job_failed') {
      const cls = l.error_class ?? '?';
      failures[cls] = (failures[cls] ?? 0) + 1;
      failureReasons[cls] ??= l.reason ?? l.msg ?? '';
    }
  }
  return { done, failures, failureReasons, startup };
}

/** What the file sink wrote: extraction method/status per document and OCR'd pages. */
async function parseIndex(path: string) {
  const byMethod: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  let ocrPages = 0;
  let documents = 0;
  if (!existsSync(path)) return { byMethod, byStatus, ocrPages, documents };
  const lines = (await readFile(path, 'utf8')).split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith('{"index"')) continue;
    const doc = JSON.parse(lines[i + 1] ?? '{}') as { extraction?: { method?: string; status?: string }; ocr?: { pages_ocr?: number } };
    i += 1;
    documents += 1;
    const method = doc.extraction?.method ?? '?';
    const status = doc.extraction?.status ?? '?';
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    ocrPages += doc.ocr?.pages_ocr ?? 0;
  }
  return { byMethod, byStatus, ocrPages, documents };
}

const PROBE = fileURLToPath(new URL('../probe/loop-delay.mjs', import.meta.url));

/**
 * Runs `docsift run --exit-when-idle N` as a real child process against a loaded queue, sampling
 * its RSS and CPU every 500 ms. Throughput counts from the first receive to the last acknowledgement
 * (read back from the worker's JSON logs: `job_done` carries the end time and the latency), so
 * start-up and the idle polls that end the run are not in it.
 */
export async function runWorker(spec: WorkerRunSpec): Promise<WorkerRunResult> {
  await mkdir(spec.workDir, { recursive: true });
  const logFile = join(spec.workDir, `${spec.name}.log`);
  const probeFile = join(spec.workDir, `${spec.name}.loop.json`);
  const indexFile = spec.env.INDEX_FILE ?? join(spec.workDir, `${spec.name}.ndjson`);
  const out = openSync(logFile, 'w');
  const nodeArgs = ['--import', PROBE];
  if (spec.cpuProfileDir) {
    await mkdir(spec.cpuProfileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${spec.cpuProfileDir}`, `--cpu-prof-name=${spec.name}-${Date.now()}.cpuprofile`);
  }
  const metricsPort = await freePort();
  const scraper = new MetricsScraper(`http://127.0.0.1:${metricsPort}/metrics`);
  const childrenCpuBefore = cpuSeconds('self')?.children ?? 0;
  const wallStart = performance.now();
  const wallStartEpoch = Date.now();
  // The worker's logs go straight to a file: the driver does no work per log line during the run.
  const child = spawn(process.execPath, [...nodeArgs, spec.entry, 'run', '--exit-when-idle', String(spec.exitWhenIdle)], {
    cwd: ROOT,
    env: { ...spec.env, METRICS_PORT: String(metricsPort), ...spec.settings, INDEX_FILE: indexFile, BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', out, out],
  });
  const sampler = new Sampler(child.pid!);
  sampler.start();
  scraper.start();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  }, spec.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  clearTimeout(timer);
  const driverLoop = sampler.stop();
  scraper.stop();
  closeSync(out);
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const totalCpu = (cpuSeconds('self')?.children ?? 0) - childrenCpuBefore;

  const { done, failures, failureReasons, startup } = await parseLogs(logFile);
  const extraction = await parseIndex(indexFile);
  const outcomes: Record<string, number> = {};
  for (const d of done) outcomes[d.outcome] = (outcomes[d.outcome] ?? 0) + 1;
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  // Epoch ms of the first receive and the last acknowledgement, mapped onto the sampler's clock.
  const firstEpoch = done.length > 0 ? Math.min(...done.map((d) => d.end - d.ms)) : null;
  const lastEpoch = done.length > 0 ? Math.max(...done.map((d) => d.end)) : null;
  const toPerf = (epoch: number) => wallStart + (epoch - wallStartEpoch);
  const busySeconds = firstEpoch !== null && lastEpoch !== null ? Math.max(0.001, (lastEpoch - firstEpoch) / 1000) : null;
  const samples = sampler.samples;
  let cpu: WorkerRunResult['cpu'] = { seconds: null, cores: null, utilisation: null, msPerMessage: null, totalSecondsIncludingStartup: round(totalCpu, 2)! };
  let driverCores: number | null = null;
  let busyCores: number | null = null;
  let otherCores: number | null = null;
  let inWindow: Sample[] = samples;
  const ncpu = availableParallelism();
  if (firstEpoch !== null && lastEpoch !== null && busySeconds !== null) {
    const a = toPerf(firstEpoch);
    const b = toPerf(lastEpoch);
    const series = (f: (s: Sample) => number) => samples.map((s) => [s.t, f(s)] as [number, number]);
    const delta = (f: (s: Sample) => number) => (valueAt(series(f), b) ?? 0) - (valueAt(series(f), a) ?? 0);
    const seconds = (b - a) / 1000;
    const childCpu = delta((s) => s.cpu);
    const driverCpu = delta((s) => s.driverCpu);
    const sysBusy = delta((s) => s.sysBusy);
    const sysTotal = delta((s) => s.sysTotal);
    cpu = {
      seconds: round(childCpu, 2),
      cores: round(childCpu / seconds, 2),
      utilisation: round(childCpu / seconds / ncpu, 3),
      msPerMessage: done.length > 0 ? round((childCpu * 1000) / done.length, 2) : null,
      totalSecondsIncludingStartup: round(totalCpu, 2)!,
    };
    driverCores = round(driverCpu / seconds, 2);
    busyCores = sysTotal > 0 ? round((sysBusy / sysTotal) * ncpu, 2) : null;
    otherCores = busyCores !== null ? round(Math.max(0, busyCores - childCpu / seconds - driverCpu / seconds), 2) : null;
    inWindow = samples.filter((s) => s.t >= a && s.t <= b);
    if (inWindow.length === 0) inWindow = samples;
  }
  const latencies = done.map((d) => d.ms);
  let workerEventLoop: WorkerRunResult['workerEventLoop'] = null;
  try {
    workerEventLoop = JSON.parse(await readFile(probeFile, 'utf8')) as WorkerRunResult['workerEventLoop'];
  } catch {
    /* the probe writes only on a normal exit */
  }
  const cpuProfiles = spec.cpuProfileDir ? (await readdir(spec.cpuProfileDir)).filter((f) => f.startsWith(`${spec.name}-`)).map((f) => join(spec.cpuProfileDir!, f)) : [];
  const origin = firstEpoch !== null ? toPerf(firstEpoch) : wallStart;
  const seriesOut: Array<[number, number, number]> = samples.map((s, i) => {
    const prev = samples[i - 1];
    const cores = prev ? (s.cpu - prev.cpu) / Math.max(0.001, (s.t - prev.t) / 1000) : 0;
    return [round((s.t - origin) / 1000, 2)!, round(s.rssMiB, 1)!, round(cores, 2)!];
  });
  return {
    name: spec.name,
    settings: spec.settings,
    messages: spec.messages,
    settled: done.length + failed,
    outcomes,
    failures,
    failureReasons,
    extraction,
    messagesPerMinute: busySeconds !== null ? round((done.length / busySeconds) * 60, 1) : null,
    busySeconds: round(busySeconds, 2),
    wallSeconds: round(wallSeconds, 2)!,
    startupSeconds: startup !== null && firstEpoch !== null ? round((firstEpoch - wallStartEpoch) / 1000, 2) : null,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.length > 0 ? Math.max(...latencies) : null },
    cpu,
    rssMiB: {
      peak: samples.length > 0 ? round(Math.max(...samples.map((s) => s.rssMiB)), 1) : null,
      median: round(median(inWindow.map((s) => s.rssMiB)), 1),
      afterStartup: inWindow[0] ? round(inWindow[0].rssMiB, 1) : null,
    },
    servers: { driverCpuCores: driverCores, driverEventLoop: driverLoop },
    machine: { busyCores, otherCores },
    workerEventLoop,
    stages: stageTimes(scraper.last),
    ocrRecycles: metricValue(scraper.last, 'docsift_ocr_worker_recycles_total'),
    exitCode,
    timedOut,
    logFile,
    cpuProfiles,
    series: seriesOut,
  };
}
