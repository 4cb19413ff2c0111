import type { Command } from 'commander';
import { keyFilterFor } from '../config/key-filter.js';
import { formatS3Uri, type S3Location } from '../domain/coverage/s3-uri.js';
import { buildLookup } from '../main.js';
import { runBackfill, type BackfillSummary } from '../operations/backfill.js';
import { systemClock } from '../platform/clock.js';
import { configOrExit } from './config-or-exit.js';
import { coverageClients, sourceOrExit, throttledProgress } from './ops/coverage-clients.js';
import { EXIT } from './ops/exit-codes.js';
import { positiveInt, positiveNumber } from './ops/flags.js';
import { stopSignal } from './ops/terminal.js';

interface BackfillFlags {
  inventory?: string;
  rate?: number;
  max?: number;
  dryRun?: boolean;
  skipUnchanged?: boolean;
  restart?: boolean;
  queue?: string;
  json?: boolean;
}

export function register(cmd: Command): void {
  cmd
    .description(
      'enqueue one job per object under s3://BUCKET[/PREFIX] onto QUEUE_URL (ListObjectsV2, or an S3 Inventory), resumable from a checkpoint in STATE_URI',
    )
    .argument('<source>', 's3://BUCKET or s3://BUCKET/PREFIX')
    .option('--inventory <s3-uri>', 'list from this S3 Inventory manifest.json (CSV) instead of ListObjectsV2')
    .option('--rate <n>', 'jobs per second (default BACKFILL_RATE, 50)', positiveNumber('--rate'))
    .option('--max <n>', 'enqueue at most this many in this run (the next run continues)', positiveInt('--max'))
    .option('--dry-run', 'list and count what would be enqueued; send nothing, write no checkpoint')
    .option('--skip-unchanged', 'leave out objects whose indexed document has the same ETag (asks the index)')
    .option('--restart', 'ignore the checkpoint of an earlier, unfinished run and start from the beginning')
    .option('--queue <url>', 'queue to enqueue onto (default QUEUE_URL)')
    .option('--json', 'print the summary as JSON as well')
    .addHelpText('after', '\nExit codes: 0 done (every object handled, or --max reached, or dry run), 1 could not run, 2 stopped early (signal or error): run again to continue.')
    .action(backfill);
}

async function backfill(sourceUri: string, flags: BackfillFlags): Promise<void> {
  const config = configOrExit({ exitCode: EXIT.error, ...(flags.queue ? {} : { require: { QUEUE_URL: 'backfill enqueues onto it (or pass --queue URL)' } }) });
  const location = sourceOrExit('backfill', sourceUri);
  const inventory = flags.inventory ? sourceOrExit('backfill', flags.inventory) : null;
  const clients = coverageClients(config, inventory);
  const progress = throttledProgress(30_000);
  let summary: BackfillSummary;
  try {
    summary = await runBackfill(
      { lister: clients.lister, sender: clients.sender, state: clients.state, clock: systemClock, keyFilter: keyFilterFor(config), ...(flags.skipUnchanged ? { lookup: buildLookup(config) } : {}) },
      {
        location,
        source: formatS3Uri(location),
        inventory: inventory ? formatS3Uri(inventory) : null,
        queueUrl: flags.queue ?? (config.QUEUE_URL as string),
        ratePerSecond: flags.rate ?? config.BACKFILL_RATE,
        max: flags.max ?? null,
        dryRun: flags.dryRun === true,
        skipUnchanged: flags.skipUnchanged === true,
        restart: flags.restart === true,
        signal: stopSignal(),
        onProgress: (s) => progress.show(progressText(s)),
      },
    );
  } catch (err) {
    process.stderr.write(`backfill: ${(err as Error).message}\n`);
    clients.close();
    process.exit(EXIT.error);
  }
  progress.done();
  clients.close();
  print(summary, location, flags.json === true);
  process.exit(summary.stoppedBy === 'signal' || summary.stoppedBy === 'error' ? EXIT.incomplete : EXIT.ok);
}

const rate = (s: BackfillSummary) => (s.seconds > 0 ? s.enqueued / s.seconds : 0);

function progressText(s: BackfillSummary): string {
  return `backfill: listed ${s.listed}, ${s.dryRun ? 'would enqueue' : 'enqueued'} ${s.enqueued}, unchanged ${s.unchanged}, filtered ${s.filtered} (${rate(s).toFixed(1)}/s)`;
}

function print(s: BackfillSummary, location: S3Location, json: boolean): void {
  if (s.resumedAfter !== null) process.stdout.write(`resumed after ${s.resumedAfter} (checkpoint ${s.checkpoint})\n`);
  if (s.resentInFlight) {
    process.stdout.write(`the earlier run was killed while sending ${s.resentInFlight.jobs} job(s) up to ${s.resentInFlight.upTo}: sent again, so they may be on the queue twice\n`);
  }
  if (s.error) process.stderr.write(`backfill: stopped by an error: ${s.error}\n`);
  if (s.stoppedBy !== 'end' && !s.dryRun) process.stdout.write(`checkpoint kept at ${s.checkpoint}: run the same command again to continue\n`);
  if (json) process.stdout.write(`${JSON.stringify({ source: formatS3Uri(location), ...s, ratePerSecond: rate(s) })}\n`);
  process.stdout.write(
    `backfill: listed=${s.listed} enqueued=${s.enqueued} resent_in_flight=${s.resentInFlight?.jobs ?? 0} unchanged=${s.unchanged} filtered=${s.filtered} invalid=${s.invalid} stopped_by=${s.stoppedBy} dry_run=${s.dryRun} seconds=${s.seconds.toFixed(1)} rate=${rate(s).toFixed(1)}/s\n`,
  );
}
