import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { MATCH_ALL, parseErrorClassList, type RedriveFilter } from '../domain/dlq/redrive-filter.js';
import { SqsDeadLetterReader, SqsMessageMover, SqsMessageSender } from '../adapters/sqs/sqs.dlq-admin.js';
import { sampleDeadLetters } from '../operations/dlq-stats.js';
import { redriveFiltered } from '../operations/dlq-redrive.js';
import { moveAll } from '../operations/dlq-move.js';
import { systemClock } from '../platform/clock.js';
import { EXIT } from './ops/exit-codes.js';
import { RECEIVE_COUNT_NOTE, redriveDetail, redriveSummaryLine, renderDlqStats } from './ops/dlq-render.js';
import { configOrExit } from './config-or-exit.js';
import { sqsClient } from './ops/clients.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './ops/flags.js';
import { progressLine, stopSignal } from './ops/terminal.js';

function dlqUrlOrExit(flag: string | undefined, config: { DLQ_URL?: string | undefined }): string {
  const url = flag ?? config.DLQ_URL;
  if (!url) {
    process.stderr.write('dlq: no DLQ: set DLQ_URL or pass --dlq URL\n');
    process.exit(EXIT.error);
  }
  return url;
}

interface StatsFlags {
  sample?: number;
  errorClass?: string;
  json?: boolean;
  dlq?: string;
}

interface RedriveFlags {
  errorClass?: string;
  max?: number;
  rate?: number;
  dryRun?: boolean;
  to?: string;
  dlq?: string;
  wait?: boolean;
  timeout?: number;
  json?: boolean;
}

export function register(cmd: Command): void {
  cmd.description('inspect the dead-letter queue by error class, and move its messages back');

  cmd
    .command('stats')
    .description('count DLQ messages by error_class, stage, content type and age; leaves them in the DLQ, visible again')
    .option('--sample <n>', 'messages to read (default DLQ_STATS_SAMPLE, 1000)', positiveInt('--sample'))
    .option('--error-class <a,b>', 'count only these error classes (`none`: messages without error_class, moved by the queue redrive policy)')
    .option('--dlq <url>', 'DLQ to read (default DLQ_URL)')
    .option('--json', 'print JSON instead of tables')
    .action(stats);

  cmd
    .command('redrive')
    .description(
      'move DLQ messages back to their source queue. Without --error-class, --max or --dry-run SQS moves all of them (StartMessageMoveTask); ' +
        'otherwise each matching message is sent back without its error attributes, then deleted from the DLQ',
    )
    .option('--error-class <a,b>', 'only these error classes (`none`: messages without error_class)')
    .option('--max <n>', 'move at most this many', positiveInt('--max'))
    .option('--rate <n>', 'messages per second (default DLQ_REDRIVE_RATE, 50); with the move task its MaxNumberOfMessagesPerSecond', positiveNumber('--rate'))
    .option('--dry-run', 'report what would move; move nothing')
    .option('--to <url>', 'send everything here instead of each message source_queue (default fallback QUEUE_URL)')
    .option('--dlq <url>', 'DLQ to read (default DLQ_URL)')
    .option('--wait', 'move task: follow it with ListMessageMoveTasks until it ends')
    .option('--timeout <seconds>', 'longest --wait (default DLQ_REDRIVE_WAIT_TIMEOUT, 3600)', nonNegativeInt('--timeout'))
    .option('--json', 'print the summary as JSON as well')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (or dry run reported), 1 could not run, 2 some messages failed or --wait timed out, 3 the move task failed or was cancelled.',
    )
    .action(redrive);
}

/** `--error-class a,b,none`, or exit 1 naming the valid classes. */
function filterOrExit(command: string, text: string | undefined): RedriveFilter | undefined {
  if (text === undefined) return undefined;
  try {
    return parseErrorClassList(text);
  } catch (err) {
    process.stderr.write(`dlq ${command}: ${(err as Error).message}\n`);
    process.exit(EXIT.error);
  }
}

async function stats(flags: StatsFlags): Promise<void> {
  const config = configOrExit({ exitCode: EXIT.error });
  const url = dlqUrlOrExit(flags.dlq, config);
  const filter = filterOrExit('stats', flags.errorClass);
  const dlq = new SqsDeadLetterReader(sqsClient(config), url);
  const before = await dlq.approximateVisible();
  const signal = stopSignal();
  const result = await sampleDeadLetters(
    { dlq, clock: systemClock },
    { sample: flags.sample ?? config.DLQ_STATS_SAMPLE, ...(filter ? { filter } : {}), visibilitySeconds: config.DLQ_READ_VISIBILITY, waitSeconds: config.DLQ_READ_WAIT_SECONDS, signal },
  );
  if (flags.json) {
    console.log(JSON.stringify({ dlq: url, approximateTotal: before, ...(flags.errorClass ? { errorClass: flags.errorClass } : {}), ...result, note: RECEIVE_COUNT_NOTE }, null, 2));
    process.stderr.write(`${RECEIVE_COUNT_NOTE}\n`);
  } else {
    console.log(renderDlqStats(url, result.stats, before, result.duplicates, filter ? { read: result.read, selection: flags.errorClass! } : undefined));
    console.log(RECEIVE_COUNT_NOTE);
  }
  if (result.releaseFailed > 0) {
    process.stderr.write(`dlq stats: ${result.releaseFailed} messages could not be made visible now; they reappear after ${config.DLQ_READ_VISIBILITY}s\n`);
    process.exitCode = EXIT.incomplete;
  }
  if (signal.aborted) process.exitCode = EXIT.incomplete;
}

async function redrive(flags: RedriveFlags): Promise<void> {
  const config = configOrExit({ exitCode: EXIT.error });
  const url = dlqUrlOrExit(flags.dlq, config);
  const client = sqsClient(config);
  // Without a filter, a limit or a dry run, SQS's own move task does the whole job.
  const receivePath = flags.errorClass !== undefined || flags.max !== undefined || flags.dryRun === true;
  if (receivePath) await redriveByReceive(flags, config, client, url);
  else await redriveByMoveTask(flags, config, client, url);
}

async function redriveByMoveTask(flags: RedriveFlags, config: Config, client: SQSClient, url: string): Promise<void> {
  const destination = flags.to ?? config.QUEUE_URL;
  const progress = progressLine();
  const result = await moveAll(
    { mover: new SqsMessageMover(client), clock: systemClock },
    {
      dlqUrl: url,
      destinationUrl: destination,
      maxPerSecond: flags.rate === undefined ? undefined : Math.min(500, Math.max(1, flags.rate)),
      wait: flags.wait === true,
      timeoutSeconds: flags.timeout ?? config.DLQ_REDRIVE_WAIT_TIMEOUT,
      pollSeconds: 2,
      onProgress: (t) => progress.update(`move task ${t.state}: ${t.moved}${t.toMove === null ? '' : `/${t.toMove}`} moved`),
    },
  );
  progress.done();
  const t = result.task;
  const line = t
    ? `dlq redrive: move_task=${t.state.toLowerCase()} moved=${t.moved} to_move=${t.toMove ?? 'unknown'}${t.failureReason ? ` reason=${t.failureReason}` : ''}${result.timedOut ? ' timed_out=true' : ''}`
    : `dlq redrive: move_task=started handle=${result.handle} to=${destination ?? 'original source queues'}`;
  console.log(line);
  if (flags.json) console.log(JSON.stringify(result));
  if (result.timedOut) process.exitCode = EXIT.incomplete;
  else if (t && t.state !== 'COMPLETED') process.exitCode = EXIT.failed;
}

async function redriveByReceive(flags: RedriveFlags, config: Config, client: SQSClient, url: string): Promise<void> {
  const filter = filterOrExit('redrive', flags.errorClass) ?? MATCH_ALL;
  const progress = progressLine();
  const signal = stopSignal();
  const summary = await redriveFiltered(
    { dlq: new SqsDeadLetterReader(client, url), sender: new SqsMessageSender(client), clock: systemClock },
    {
      filter,
      max: flags.max ?? Number.POSITIVE_INFINITY,
      ratePerSecond: flags.rate ?? config.DLQ_REDRIVE_RATE,
      dryRun: flags.dryRun === true,
      destination: flags.to,
      fallbackDestination: config.QUEUE_URL,
      visibilitySeconds: config.DLQ_READ_VISIBILITY,
      waitSeconds: config.DLQ_READ_WAIT_SECONDS,
      onProgress: (s) => progress.update(`moved ${s.moved}, skipped ${s.skipped}, failed ${s.failed}`),
      signal,
    },
  );
  progress.done();
  for (const line of redriveDetail(summary)) console.log(line);
  for (const line of summary.errors) process.stderr.write(`dlq redrive: ${line}\n`);
  if (summary.releaseFailed > 0) {
    process.stderr.write(`dlq redrive: ${summary.releaseFailed} skipped messages could not be made visible now; they reappear after ${config.DLQ_READ_VISIBILITY}s\n`);
  }
  if (flags.json) console.log(JSON.stringify(summary));
  console.log(redriveSummaryLine(summary));
  if (summary.failed > 0 || signal.aborted) process.exitCode = EXIT.incomplete;
}
