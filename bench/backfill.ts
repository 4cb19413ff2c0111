/**
 * `npm run bench:backfill`: the figures of issue 16's closing note, written to
 * bench/results/backfill-<time>.json.
 *
 * 1. Enqueue rate: `docsift backfill` (the built CLI, as the chart's Job runs it) over --objects
 *    objects onto a fresh queue, unbounded (`--rate 3000`), against the in-process npm servers
 *    (local-aws-sqs + s3rver, hosted by this driver) and over --moto-objects against moto_server,
 *    with the checkpoint in a local directory and in S3; --repeat times each, medians. moto's
 *    SendMessageBatch slows with the depth of the queue (measured: ~56 ms per batch on an empty
 *    queue, ~600 ms at 1,200 messages), so its figure is moto's and it gets fewer objects. Also
 *    the limiter at --rate 200 (npm servers).
 * 2. Reindexing --documents unchanged documents (the bench corpus: text, scans, scanned PDFs)
 *    with and without extraction reuse: indexed once, then per repeat re-enqueued by the backfill
 *    and reindexed by `docsift run` with EXTRACTION_REUSE=false, then true, side by side.
 *
 * Run it alone on the machine: `flock /work/.bench.lock npm run bench:backfill`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { startLocalStack } from '../devstack/local-stack.js';
import { startMotoBackend } from '../test/helpers/backends.js';
import { ROOT } from './children/spawn.js';
import { DEFAULT_MIX, parseMix } from './corpus/plan.js';
import { measureEnqueue, prepareBucket, summarise, type EnqueueRun, type Peer } from './backfill/enqueue-rate.js';
import { measureReindex } from './backfill/reindex.js';

interface Options {
  objects: number;
  motoObjects: number;
  documents: number;
  mix: string;
  seed: number;
  repeat: number;
  reindexRepeat: number;
  build: boolean;
  enqueue: boolean;
  reindex: boolean;
  runTimeout: number;
}

const log = (line: string) => console.log(`[bench:backfill ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function enqueuePart(entry: string, o: Options) {
  const runs: EnqueueRun[] = [];
  const npm = await startLocalStack({ queueName: `bench-npm-${Date.now().toString(36)}`, bridge: false });
  const moto = await startMotoBackend();
  const peers: Array<Peer & { objects: number; close: () => Promise<void> }> = [
    { name: 'npm servers (local-aws-sqs + s3rver, in this process)', objects: o.objects, s3: npm.s3, sqs: npm.sqs, env: { ...npm.env }, close: () => npm.close() },
    {
      name: 'moto_server', objects: o.motoObjects, s3: moto.s3, sqs: moto.sqs, close: () => moto.close(),
      env: { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_ENDPOINT_URL: moto.endpoints.sqs, S3_FORCE_PATH_STYLE: 'true' },
    },
  ];
  let limiter: EnqueueRun | null = null;
  try {
    for (const peer of peers) {
      const t0 = performance.now();
      await prepareBucket(peer, peer.objects);
      log(`${peer.name}: ${peer.objects} objects put in ${Math.round(performance.now() - t0)} ms`);
      for (let i = 0; i < o.repeat; i += 1) {
        for (const state of ['file', 's3'] as const) {
          const run = await measureEnqueue(peer, entry, peer.objects, state);
          log(`${peer.name}, state ${state}: ${run.enqueued} enqueued in ${run.seconds} s = ${run.perSecond}/s (wall ${run.wallSeconds} s, RSS peak ${run.peakRssMiB} MiB, ${run.onQueue} on the queue)`);
          runs.push(run);
        }
      }
    }
    limiter = await measureEnqueue(peers[0]!, entry, peers[0]!.objects, 's3', 200);
    log(`npm servers, --rate 200: ${limiter.perSecond}/s`);
  } finally {
    for (const p of peers) await p.close();
  }
  return { runs, medians: summarise(runs), limiterAt200: limiter };
}

async function main(o: Options) {
  const started = new Date();
  const loadStart = loadavg();
  if (o.build) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  const entry = resolve(ROOT, 'dist/cli/index.js');
  const work = await mkdtemp(join(tmpdir(), 'docsift-bench-backfill-'));
  const enqueue = o.enqueue ? await enqueuePart(entry, o) : null;
  const reindex = o.reindex
    ? await measureReindex({ entry, documents: o.documents, mix: parseMix(o.mix), seed: o.seed, repeat: o.reindexRepeat, work, runTimeoutSeconds: o.runTimeout, log })
    : null;
  const result = { bench: 'backfill', started: started.toISOString(), finished: new Date().toISOString(), loadavg: { start: loadStart, end: loadavg() }, options: o, enqueue, reindex };
  const dir = join(ROOT, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `backfill-${started.toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  log(`enqueue medians: ${JSON.stringify(enqueue?.medians)}`);
  log(`reindex: ${JSON.stringify(reindex?.medianSeconds)}, speedup ${reindex?.medianSpeedup} (${JSON.stringify(reindex?.speedupPerRepeat)})`);
  log(`wrote ${file}`);
}

const program = new Command()
  .name('bench:backfill')
  .option('--objects <n>', 'objects the enqueue runs list on the npm servers', (v) => Number(v), 5000)
  .option('--moto-objects <n>', 'objects the enqueue runs list on moto_server', (v) => Number(v), 1000)
  .option('--documents <n>', 'documents of the reindex corpus', (v) => Number(v), 1000)
  .option('--mix <spec>', 'reindex corpus mix', `text=${DEFAULT_MIX.text},image=${DEFAULT_MIX.image},scanpdf=${DEFAULT_MIX.scanpdf}`)
  .option('--seed <n>', 'corpus seed', (v) => Number(v), 16)
  .option('--repeat <n>', 'enqueue runs per peer and state', (v) => Number(v), 3)
  .option('--reindex-repeat <n>', 'reindex pairs (without, then with reuse)', (v) => Number(v), 2)
  .option('--run-timeout <s>', 'longest one worker run may take', (v) => Number(v), 3600)
  .option('--no-build', 'use dist/ as it is')
  .option('--no-enqueue', 'skip the enqueue rate')
  .option('--no-reindex', 'skip the reindex comparison');
program.parse();
await main(program.opts<Options>());
