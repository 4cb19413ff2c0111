/**
 * `npm run soak -- [--messages N] [--distinct M] [--inflight K] [--memory-limit MiB]`
 *
 * Drains N small documents through the local servers (in-process SQS and S3, an OpenSearch double)
 * with a real `docsift run` child (built dist, started through bin/docsift.js as in a pod), while
 * sampling its RSS and V8 heap every second from its own /metrics. M distinct objects are uploaded
 * once; their S3 events are replayed round-robin until N messages were sent, with the backlog held
 * near 1,000 so the emulator's cost stays flat. Writes bench/results/soak-<ts>.json and a chart
 * (SVG and PNG) of RSS and heap over messages processed. The target: RSS at the end within 10% of
 * RSS at 20% of the run.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import sharp from 'sharp';
import { queueDepth } from '../src/adapters/sqs/sqs.queue.js';
import { startLocalStack } from '../devstack/local-stack.js';
import { makeSamples } from '../devstack/samples.js';
import { uploadSamples } from '../devstack/upload.js';
import { OpenSearchDouble } from '../test/helpers/opensearch-double.js';
import { soakChartSvg, type SoakSample } from './soak-chart.js';
import { freePort } from '../devstack/free-port.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const MiB = 1024 * 1024;

interface SoakOptions {
  messages: number;
  distinct: number;
  inflight: number;
  memoryLimitMb: number;
  backlog: number;
  out: string;
}

function parseArgs(argv: string[]): SoakOptions {
  const o: SoakOptions = { messages: 50_000, distinct: 400, inflight: 16, memoryLimitMb: 2048, backlog: 1000, out: join(ROOT, 'bench/results') };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const next = () => Number(inline ?? argv[++i]);
    if (flag === '--messages') o.messages = next();
    else if (flag === '--distinct') o.distinct = next();
    else if (flag === '--inflight') o.inflight = next();
    else if (flag === '--memory-limit') o.memoryLimitMb = next();
    else if (flag === '--backlog') o.backlog = next();
    else if (flag === '--out') o.out = inline ?? argv[++i]!;
    else if (flag === '--help' || flag === '-h') {
      console.log('npm run soak -- [--messages N=50000] [--distinct M=400] [--inflight K=16] [--memory-limit MiB=2048] [--backlog B=1000] [--out DIR]');
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !(v > 0)) throw new Error(`--${k} must be a positive number`);
  return o;
}

function metric(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/cli/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm run soak does)');
  const work = mkdtempSync(join(tmpdir(), 'docsift-soak-'));
  const stack = await startLocalStack({ queueName: `soak-${Date.now().toString(36)}` });
  const double = new OpenSearchDouble();
  await double.start();
  let worker: ReturnType<typeof spawn> | undefined;
  try {
    // M distinct objects; their S3 events (from the bridge) become the templates replayed N times.
    const samples = makeSamples(opts.distinct, 2026);
    console.log(`uploading ${samples.length} distinct objects to the local S3`);
    await uploadSamples(stack, samples);
    const templates: string[] = [];
    for (let idle = 0; templates.length < samples.length && idle < 50; ) {
      const out = await stack.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }));
      const got = out.Messages ?? [];
      if (got.length === 0) {
        idle += 1;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      templates.push(...got.map((m) => m.Body!));
      await stack.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    if (templates.length < samples.length) throw new Error(`only ${templates.length} of ${samples.length} S3 events arrived`);
    console.log(`${templates.length} S3 events captured as templates; starting the worker for ${opts.messages} messages`);

    const port = await freePort();
    const logPath = join(work, 'worker.log');
    const log = createWriteStream(logPath);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...stack.env,
      INDEX_SINK: 'opensearch',
      OPENSEARCH_URL: double.url,
      METRICS_PORT: String(port),
      MAX_INFLIGHT: String(opts.inflight),
      RECEIVE_WAIT_SECONDS: '2',
      QUEUE_DEPTH_INTERVAL: '5',
      MEMORY_LIMIT_MB: String(opts.memoryLimitMb),
      HEARTBEAT_DIR: join(work, 'heartbeat'),
      TEMP_DIR: join(work, 'tmp'),
      LOG_LEVEL: 'info',
    };
    const started = performance.now();
    worker = spawn(process.execPath, [join(ROOT, 'bin/docsift.js'), 'run'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout!.pipe(log);
    let stderr = '';
    worker.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<{ code: number | null; at: number }>((ok) => worker!.on('exit', (code) => ok({ code, at: performance.now() })));
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));

    // Producer: keep the backlog near opts.backlog until N messages were sent.
    let sent = 0;
    let producing = true;
    const producer = (async () => {
      while (producing && sent < opts.messages) {
        const d = await queueDepth(stack.sqs, stack.queueUrl);
        let room = opts.backlog - (d.visible + d.inFlight);
        while (room > 0 && sent < opts.messages) {
          const n = Math.min(10, opts.messages - sent, room);
          const entries = Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: templates[(sent + i) % templates.length]! }));
          await stack.sqs.send(new SendMessageBatchCommand({ QueueUrl: stack.queueUrl, Entries: entries }));
          sent += n;
          room -= n;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // Sampler: the worker's own view of its memory, once a second.
    const samplesOut: SoakSample[] = [];
    let processed = 0;
    let lastText = '';
    let lastPrint = 0;
    while (processed < opts.messages) {
      if (exitedEarly) throw new Error(`worker exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 1000));
      let text: string;
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        if (performance.now() - started > 60_000) throw new Error(`no /metrics after 60 s: ${stderr}`);
        continue;
      }
      lastText = text;
      processed = metric(text, 'docsift_messages_total') ?? 0;
      const sample: SoakSample = {
        t: round((performance.now() - started) / 1000, 2),
        processed,
        rssMiB: round((metric(text, 'process_resident_memory_bytes') ?? 0) / MiB),
        heapUsedMiB: round((metric(text, 'nodejs_heap_size_used_bytes') ?? 0) / MiB),
        heapTotalMiB: round((metric(text, 'nodejs_heap_size_total_bytes') ?? 0) / MiB),
        externalMiB: round((metric(text, 'nodejs_external_memory_bytes') ?? 0) / MiB),
      };
      samplesOut.push(sample);
      if (sample.t - lastPrint >= 15) {
        lastPrint = sample.t;
        console.log(`t=${sample.t.toFixed(0)}s processed ${processed}/${opts.messages} (sent ${sent})  RSS ${sample.rssMiB} MiB  heap used ${sample.heapUsedMiB} MiB`);
      }
    }
    producing = false;
    await producer;
    const signalledAt = performance.now();
    worker.kill('SIGTERM');
    const exit = await exited;
    // The pipe ends the log stream when the worker's stdout closes: wait for that, never for an event already gone.
    if (!log.closed) await finished(log).catch(() => undefined);

    const N = opts.messages;
    const firstAt = (p: number) => samplesOut.find((s) => s.processed >= p * N)!;
    // A window of samples around a point of the run; short runs may have none: then the nearest sample.
    const windowOf = (lo: number, hi: number) => {
      const inside = samplesOut.filter((s) => s.processed >= lo * N && s.processed <= hi * N);
      if (inside.length > 0) return inside;
      const mid = ((lo + hi) / 2) * N;
      return [samplesOut.reduce((best, s) => (Math.abs(s.processed - mid) < Math.abs(best.processed - mid) ? s : best))];
    };
    const at20 = firstAt(0.2);
    const end = samplesOut[samplesOut.length - 1]!;
    const w20 = windowOf(0.18, 0.22);
    const wEnd = windowOf(0.98, 1);
    const rss20 = round(median(w20.map((s) => s.rssMiB)));
    const rssEnd = round(median(wEnd.map((s) => s.rssMiB)));
    const change = (rssEnd - rss20) / rss20;
    const busySeconds = (end.t - (samplesOut.find((s) => s.processed > 0)?.t ?? 0)) || 1;
    const outcomes = Object.fromEntries(
      lastText
        .split('\n')
        .filter((l) => l.startsWith('docsift_messages_total{'))
        .map((l) => [/outcome="([^"]+)"/.exec(l)![1]!, Number(l.slice(l.lastIndexOf(' ') + 1))]),
    );
    const logBytes = statSync(logPath).size;
    const startLine = readFileSync(logPath, 'utf8').split('\n', 40).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } }).find((l) => l.event === 'memory_check');
    const result = {
      kind: 'soak',
      at: new Date().toISOString(),
      node: process.version,
      options: opts,
      worker: { command: 'node bin/docsift.js run', env: Object.fromEntries(Object.entries(env).filter(([k]) => /^(MAX_INFLIGHT|RECEIVE_WAIT_SECONDS|MEMORY_|LOG_LEVEL|INDEX_SINK)/.test(k))), start: startLine ?? null },
      messages: { sent, processed: end.processed, outcomes },
      seconds: { total: round(end.t), busy: round(busySeconds) },
      messagesPerMinute: Math.round((end.processed / busySeconds) * 60),
      rssMiB: {
        at20: at20.rssMiB,
        end: end.rssMiB,
        at20WindowMedian: rss20,
        endWindowMedian: rssEnd,
        changeFrom20: round(change * 100, 2),
        peak: Math.max(...samplesOut.map((s) => s.rssMiB)),
        min: Math.min(...samplesOut.map((s) => s.rssMiB)),
      },
      heapUsedMiB: { at20: at20.heapUsedMiB, end: end.heapUsedMiB, at20WindowMedian: round(median(w20.map((s) => s.heapUsedMiB))), endWindowMedian: round(median(wEnd.map((s) => s.heapUsedMiB))), peak: Math.max(...samplesOut.map((s) => s.heapUsedMiB)) },
      heapTotalMiB: { at20: at20.heapTotalMiB, end: end.heapTotalMiB, peak: Math.max(...samplesOut.map((s) => s.heapTotalMiB)) },
      rssMiBByTenth: Array.from({ length: 10 }, (_, i) => round(median(samplesOut.filter((s) => s.processed >= (i / 10) * N && s.processed < ((i + 1) / 10) * N).map((s) => s.rssMiB)))),
      target: { name: 'RSS at the end within 10% of RSS at 20% of the run (medians of the 18-22% and 98-100% windows)', met: Math.abs(change) <= 0.1 },
      drain: { exitCode: exit.code, msFromSigterm: Math.round(exit.at - signalledAt) },
      logs: { bytes: logBytes, bytesPerMessage: round(logBytes / Math.max(1, end.processed)) },
      samples: samplesOut,
    };
    mkdirSync(opts.out, { recursive: true });
    const stamp = result.at.replace(/[:.]/g, '-');
    const base = join(opts.out, `soak-${stamp}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 1)}\n`);
    const svg = soakChartSvg(samplesOut, {
      title: `docsift soak: ${end.processed.toLocaleString('en-US')} messages, RSS and V8 heap`,
      subtitle: `${result.messagesPerMinute.toLocaleString('en-US')} msg/min, MAX_INFLIGHT ${opts.inflight}, ${opts.distinct} distinct small documents, Node ${process.version}; RSS at 20% ${rss20} MiB, at end ${rssEnd} MiB (${result.rssMiB.changeFrom20 >= 0 ? '+' : ''}${result.rssMiB.changeFrom20}%)`,
      messages: N,
      rssAt20: rss20,
      rssEnd,
      verdict: result.target.met ? 'target met: end within ±10% of 20%' : 'target MISSED: end outside ±10% of 20%',
    });
    writeFileSync(`${base}.svg`, svg);
    await sharp(Buffer.from(svg), { density: 96 }).png().toFile(`${base}.png`);
    console.log(`\nprocessed ${end.processed} in ${result.seconds.busy} s busy (${result.messagesPerMinute} msg/min); outcomes ${JSON.stringify(outcomes)}`);
    console.log(`RSS at 20%: ${rss20} MiB (point ${at20.rssMiB}); at end: ${rssEnd} MiB (point ${end.rssMiB}); change ${result.rssMiB.changeFrom20}%; peak ${result.rssMiB.peak} MiB`);
    console.log(`heap used at 20%: ${result.heapUsedMiB.at20WindowMedian} MiB; at end: ${result.heapUsedMiB.endWindowMedian} MiB; heap limit ${String(startLine?.heap_limit_mb)} MiB`);
    console.log(`SIGTERM → exit ${exit.code} in ${result.drain.msFromSigterm} ms; logs ${result.logs.bytesPerMessage} bytes/message`);
    console.log(`${result.target.met ? 'MET' : 'MISSED'}: ${result.target.name}`);
    console.log(`results ${relative(process.cwd(), `${base}.json`)}\nchart   ${relative(process.cwd(), `${base}.png`)} (and .svg)`);
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await double.stop();
    await stack.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`soak failed: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
