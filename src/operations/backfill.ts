import { checkpointName, parseCheckpoint, type BackfillCheckpoint, type InFlightBatch, type ListedObject, type ListingPosition } from '../domain/coverage/listing.js';
import type { KeyFilter } from '../domain/coverage/key-filter.js';
import { normaliseEtag, type S3Location } from '../domain/coverage/s3-uri.js';
import { documentId } from '../domain/document.js';
import { checkName } from '../domain/message.js';
import type { Clock } from '../ports/clock.port.js';
import type { IndexLookup } from '../ports/index-lookup.port.js';
import type { MessageSender } from '../ports/message-sender.port.js';
import type { ObjectLister } from '../ports/object-lister.port.js';
import type { StateStore } from '../ports/state-store.port.js';
import { JobEnqueuer } from './job-enqueuer.js';
import { RateLimiter } from './rate-limiter.js';

export interface BackfillDeps {
  lister: ObjectLister;
  sender: MessageSender;
  state: StateStore;
  clock: Clock;
  keyFilter: KeyFilter;
  /** Needed for skipUnchanged. */
  lookup?: IndexLookup;
}

export interface BackfillOptions {
  location: S3Location;
  /** s3://bucket/prefix as given: names the checkpoint. */
  source: string;
  inventory: string | null;
  queueUrl: string;
  ratePerSecond: number;
  /** Most jobs to enqueue in this run; null: all. */
  max: number | null;
  dryRun: boolean;
  skipUnchanged: boolean;
  /** Ignore (and replace) a checkpoint left by an earlier run. */
  restart: boolean;
  onProgress?: (summary: BackfillSummary) => void;
  /** SIGTERM/SIGINT: finish the batch in hand, save the checkpoint, return. */
  signal?: AbortSignal;
}

export type StopReason = 'end' | 'max' | 'signal' | 'error';

export interface BackfillSummary {
  listed: number;
  enqueued: number;
  unchanged: number;
  filtered: number;
  invalid: number;
  dryRun: boolean;
  /** The key (or inventory file and row) the run continued after, when it resumed. */
  resumedAfter: string | null;
  /**
   * A batch the earlier run was sending when it was killed: it is sent again, so up to this many
   * jobs may be on the queue twice (harmless: indexing is idempotent). Null when none.
   */
  resentInFlight: { jobs: number; upTo: string } | null;
  stoppedBy: StopReason;
  checkpoint: string;
  error: string | null;
  seconds: number;
}

export function describePosition(p: ListingPosition): string {
  return p.kind === 'list' ? p.key : `${p.file} row ${p.row}`;
}

/** A run's state: the summary it reports and the position it may checkpoint. */
interface Run {
  summary: BackfillSummary;
  position: ListingPosition | null;
  /** Position already stored. */
  saved: ListingPosition | null;
  /** Jobs enqueued by earlier runs, from the checkpoint. */
  before: number;
  startedMs: number;
}

type Save = (inFlight?: InFlightBatch) => Promise<void>;

function startRun(deps: BackfillDeps, opts: BackfillOptions, checkpoint: BackfillCheckpoint | null, name: string): Run {
  const inFlight = checkpoint?.inFlight;
  return {
    summary: {
      listed: 0, enqueued: 0, unchanged: 0, filtered: 0, invalid: 0, dryRun: opts.dryRun,
      resumedAfter: checkpoint?.position ? describePosition(checkpoint.position) : null,
      resentInFlight: inFlight ? { jobs: inFlight.jobs, upTo: describePosition(inFlight.upTo) } : null,
      stoppedBy: 'end', checkpoint: `${deps.state.location}${name}`, error: null, seconds: 0,
    },
    position: checkpoint?.position ?? null,
    saved: checkpoint?.position ?? null,
    before: checkpoint?.enqueued ?? 0,
    startedMs: deps.clock.now(),
  };
}

/**
 * Writes the checkpoint: the position of what is handled and, while a batch is being sent, that
 * batch. Written before and after every send, so a kill -9 at any moment leaves either a
 * checkpoint past everything SQS accepted, or one naming the one batch whose fate is unknown.
 */
function checkpointWriter(deps: BackfillDeps, opts: BackfillOptions, run: Run, name: string): Save {
  return async (inFlight) => {
    if (opts.dryRun || (!inFlight && (run.position === null || run.position === run.saved))) return;
    const doc: BackfillCheckpoint = {
      version: 1, source: opts.source, inventory: opts.inventory, position: run.position, ...(inFlight ? { inFlight } : {}),
      enqueued: run.before + run.summary.enqueued, updatedAt: new Date(deps.clock.now()).toISOString(),
    };
    await deps.state.write(name, JSON.stringify(doc));
    run.saved = inFlight ? null : run.position;
  };
}

/**
 * Enqueues one `{bucket, key}` job per object under the source: filtered by the key rules, without
 * those whose indexed document has the same ETag (skipUnchanged), at a fixed rate. The checkpoint
 * names the batch being sent before each send and the position past it after, so a killed run
 * continues after what SQS accepted, sending again only a batch caught mid-send (and saying so); a
 * finished run removes it, so the next run starts from the beginning.
 */
export async function runBackfill(deps: BackfillDeps, opts: BackfillOptions): Promise<BackfillSummary> {
  if (opts.skipUnchanged && !deps.lookup) throw new Error('skipUnchanged needs an index lookup');
  const name = checkpointName(opts.source, opts.inventory);
  const stored = opts.restart ? null : await deps.state.read(name);
  const checkpoint = stored === null ? null : parseCheckpoint(stored, { source: opts.source, inventory: opts.inventory });
  const run = startRun(deps, opts, checkpoint, name);
  const enqueuer = new JobEnqueuer(deps.sender, opts.queueUrl, new RateLimiter(opts.ratePerSecond, deps.clock), deps.clock);
  const save = checkpointWriter(deps, opts, run, name);
  try {
    for await (const page of deps.lister.list(opts.location, run.position, opts.signal)) {
      const stop = await handlePage(page, deps, opts, run, enqueuer, save);
      await save();
      opts.onProgress?.({ ...run.summary, seconds: elapsed(run, deps.clock) });
      if (stop) {
        run.summary.stoppedBy = stop;
        break;
      }
    }
    if (run.summary.stoppedBy === 'end' && !opts.dryRun) await deps.state.remove(name);
  } catch (err) {
    run.summary.stoppedBy = 'error';
    run.summary.error = (err as Error).message.slice(0, 500);
    await save().catch(() => undefined);
  }
  run.summary.seconds = elapsed(run, deps.clock);
  return run.summary;
}

function elapsed(run: Run, clock: Clock): number {
  return Math.max(0, (clock.now() - run.startedMs) / 1000);
}

/** Objects of one page that would be enqueued, with the others counted. */
async function candidates(page: ListedObject[], deps: BackfillDeps, opts: BackfillOptions, run: Run): Promise<Set<ListedObject>> {
  const keep: ListedObject[] = [];
  for (const object of page) {
    run.summary.listed += 1;
    if (deps.keyFilter.verdict(object.bucket, object.key) !== 'keep') {
      run.summary.filtered += 1;
      continue;
    }
    try {
      checkName(object.bucket, object.key);
    } catch {
      run.summary.invalid += 1;
      continue;
    }
    keep.push(object);
  }
  if (!opts.skipUnchanged || keep.length === 0) return new Set(keep);
  const ids = keep.map((o) => documentId(o.bucket, o.key));
  const indexed = await deps.lookup!.facts(ids);
  return new Set(
    keep.filter((o, i) => {
      const facts = indexed.get(ids[i]!);
      const same = facts !== undefined && normaliseEtag(facts.etag) !== null && normaliseEtag(facts.etag) === normaliseEtag(o.etag);
      if (same) run.summary.unchanged += 1;
      return !same;
    }),
  );
}

/** Sends a page's jobs in batches of ten, advancing the position only past what SQS accepted. */
async function handlePage(page: ListedObject[], deps: BackfillDeps, opts: BackfillOptions, run: Run, enqueuer: JobEnqueuer, save: Save): Promise<StopReason | null> {
  const wanted = await candidates(page, deps, opts, run);
  let batch: ListedObject[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const inFlight: InFlightBatch = { upTo: batch[batch.length - 1]!.position, jobs: batch.length };
    const sent = opts.dryRun ? { sentInOrder: batch.length, sent: batch.length, error: null } : await enqueuer.send(batch, () => save(inFlight));
    run.summary.enqueued += sent.sent;
    if (sent.sentInOrder > 0) run.position = batch[sent.sentInOrder - 1]!.position;
    batch = [];
    await save();
    if (sent.error) throw new Error(sent.error);
  };
  for (const object of page) {
    if (opts.signal?.aborted) {
      await flush();
      return 'signal';
    }
    if (!wanted.has(object)) {
      if (batch.length === 0) run.position = object.position; // passed over: safe to checkpoint past it
      continue;
    }
    if (opts.max !== null && run.summary.enqueued + batch.length >= opts.max) {
      await flush();
      return 'max';
    }
    batch.push(object);
    if (batch.length === 10) await flush();
  }
  await flush();
  const last = page[page.length - 1];
  if (last) run.position = last.position; // everything in the page is sent or passed over
  return null;
}
