import type { Command } from 'commander';
import { S3ObjectStore } from '../adapters/s3/s3.object-store.js';
import { keyFilterFor } from '../config/key-filter.js';
import type { Config } from '../config/schema.js';
import { DISCREPANCIES } from '../domain/coverage/reconcile-report.js';
import { formatS3Uri } from '../domain/coverage/s3-uri.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { buildIndex, buildLookup } from '../main.js';
import { JobEnqueuer } from '../operations/job-enqueuer.js';
import { RateLimiter } from '../operations/rate-limiter.js';
import { runReconcile, type ReconcileSummary } from '../operations/reconcile.js';
import type { FixDeps } from '../operations/reconcile-fixer.js';
import { systemClock } from '../platform/clock.js';
import { configOrExit } from './config-or-exit.js';
import { coverageClients, sourceOrExit, throttledProgress } from './ops/coverage-clients.js';
import { EXIT } from './ops/exit-codes.js';
import { positiveInt, positiveNumber } from './ops/flags.js';
import { stopSignal } from './ops/terminal.js';

interface ReconcileFlags {
  fix?: boolean;
  rate?: number;
  samples?: number;
  queue?: string;
  json?: boolean;
}

export function register(cmd: Command): void {
  cmd
    .description('compare s3://BUCKET[/PREFIX] with the index: documents missing, stale (ETag differs) and orphaned (no object); --fix repairs them')
    .argument('<source>', 's3://BUCKET or s3://BUCKET/PREFIX')
    .option('--fix', 'enqueue the missing and stale objects onto QUEUE_URL and delete the orphaned documents')
    .option('--rate <n>', '--fix: jobs per second (default BACKFILL_RATE, 50)', positiveNumber('--rate'))
    .option('--samples <n>', 'keys of each kind to print (default 20)', positiveInt('--samples'))
    .option('--queue <url>', '--fix: queue to enqueue onto (default QUEUE_URL)')
    .option('--json', 'print the summary as JSON as well')
    .addHelpText('after', '\nThe counts are also written to STATE_URI, where every worker reads them into docsift_reconcile_* metrics.\nExit codes: 0 done, 1 could not run, 2 stopped early or --fix could not repair everything.')
    .action(reconcile);
}

function fixDeps(config: Config, clients: ReturnType<typeof coverageClients>, flags: ReconcileFlags): FixDeps {
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const limiter = new RateLimiter(flags.rate ?? config.BACKFILL_RATE, systemClock);
  return {
    enqueuer: new JobEnqueuer(clients.sender, flags.queue ?? (config.QUEUE_URL as string), limiter, systemClock),
    objects: new S3ObjectStore(clients.s3),
    index: buildIndex(config, logger, createMetrics({ defaultMetrics: false })),
  };
}

async function reconcile(sourceUri: string, flags: ReconcileFlags): Promise<void> {
  const needsQueue = flags.fix && !flags.queue;
  const config = configOrExit({ exitCode: EXIT.error, ...(needsQueue ? { require: { QUEUE_URL: 'reconcile --fix enqueues onto it (or pass --queue URL)' } } : {}) });
  const location = sourceOrExit('reconcile', sourceUri);
  const clients = coverageClients(config, null);
  const fix = flags.fix ? fixDeps(config, clients, flags) : undefined;
  const progress = throttledProgress(30_000);
  let summary: ReconcileSummary;
  try {
    summary = await runReconcile(
      { lister: clients.lister, lookup: buildLookup(config), state: clients.state, clock: systemClock, keyFilter: keyFilterFor(config), ...(fix ? { fix } : {}) },
      {
        location,
        source: formatS3Uri(location),
        fix: flags.fix === true,
        samples: flags.samples ?? 20,
        signal: stopSignal(),
        onProgress: (s) => progress.show(`reconcile: ${s.objects} objects, ${s.documents} documents compared`),
      },
    );
  } catch (err) {
    process.stderr.write(`reconcile: ${(err as Error).message}\n`);
    process.exit(EXIT.error);
  } finally {
    progress.done();
    await (fix?.index as { close?: () => Promise<void> } | undefined)?.close?.();
    clients.close();
  }
  print(summary, flags.json === true);
  const f = summary.fixed;
  const unrepaired = f !== null && (f.missing < summary.found.missing || f.stale < summary.found.stale || f.orphaned + summary.notOrphaned < summary.found.orphaned);
  process.exit(!summary.complete || unrepaired ? EXIT.incomplete : EXIT.ok);
}

function print(s: ReconcileSummary, json: boolean): void {
  for (const kind of DISCREPANCIES) {
    if (s.samples[kind].length > 0) process.stdout.write(`${kind} (${s.found[kind]}):\n${s.samples[kind].map((k) => `  ${k}`).join('\n')}\n`);
  }
  if (s.error) process.stderr.write(`reconcile: stopped by an error: ${s.error}\n`);
  if (json) process.stdout.write(`${JSON.stringify(s)}\n`);
  const fixed = s.fixed ? ` fixed_missing=${s.fixed.missing} fixed_stale=${s.fixed.stale} fixed_orphaned=${s.fixed.orphaned} not_orphaned=${s.notOrphaned}` : '';
  process.stdout.write(
    `reconcile: objects=${s.objects} documents=${s.documents} ok=${s.ok} missing=${s.found.missing} stale=${s.found.stale} orphaned=${s.found.orphaned}${fixed} complete=${s.complete} seconds=${s.seconds.toFixed(1)}\n`,
  );
}
