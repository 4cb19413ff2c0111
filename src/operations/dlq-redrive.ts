import { matchesFilter, resolveDestination, stripErrorAttributes, UNCLASSIFIED_TOKEN, type RedriveFilter } from '../domain/dlq/redrive-filter.js';
import type { Clock } from '../ports/clock.port.js';
import type { DeadLetter, DeadLetterReader } from '../ports/dead-letter-reader.port.js';
import type { MessageSender } from '../ports/message-sender.port.js';
import { attributeOf, ERROR_ATTRIBUTE_NAMES } from './dead-letter-facts.js';
import { RateLimiter } from './rate-limiter.js';
import { HeldMessages } from './held-messages.js';
import { DLQ_ATTRIBUTE } from '../ports/queue.port.js';

export interface RedriveOptions {
  filter: RedriveFilter;
  /** Most messages to move (or, with dryRun, to report). */
  max: number;
  ratePerSecond: number;
  dryRun: boolean;
  /** --to: every message goes here. */
  destination?: string;
  /** QUEUE_URL: for messages without a usable source_queue attribute. */
  fallbackDestination?: string;
  visibilitySeconds: number;
  waitSeconds: number;
  onProgress?: (progress: RedriveSummary) => void;
  /** SIGTERM/SIGINT: finish the batch in hand, give the held messages back, return the summary. */
  signal?: AbortSignal;
}

export interface RedriveSummary {
  moved: number;
  skipped: number;
  failed: number;
  dryRun: boolean;
  /** Messages moved (or that would move) per error class, and where they went. */
  movedByClass: Record<string, number>;
  movedByDestination: Record<string, number>;
  /** Messages made visible again at the end, and those that could not be (they reappear after the visibility). */
  released: number;
  releaseFailed: number;
  /** Failure lines, at most 20, for the log. */
  errors: string[];
}

interface Deps {
  dlq: DeadLetterReader;
  sender: MessageSender;
  clock: Clock;
}

type ToMove = Array<{ message: DeadLetter; url: string; errorClass: string }>;

/** Splits a batch into what moves now and what is held (no match, over the cap, no destination). */
function select(fresh: DeadLetter[], opts: RedriveOptions, summary: RedriveSummary, hold: (m: DeadLetter) => void, note: (line: string) => void): ToMove {
  const toMove: ToMove = [];
  for (const m of fresh) {
    const errorClass = attributeOf(m, DLQ_ATTRIBUTE.errorClass);
    if (!matchesFilter(errorClass, opts.filter)) {
      summary.skipped += 1;
      hold(m);
      continue;
    }
    if (summary.moved + summary.failed + toMove.length >= opts.max) {
      hold(m); // over the cap: left for the next run, not counted
      continue;
    }
    const dest = resolveDestination(attributeOf(m, DLQ_ATTRIBUTE.sourceQueue), opts.destination, opts.fallbackDestination);
    if (dest.url === null) {
      summary.failed += 1;
      note(`${m.id}: ${dest.reason}`);
      hold(m);
      continue;
    }
    toMove.push({ message: m, url: dest.url, errorClass: errorClass ?? UNCLASSIFIED_TOKEN });
  }
  return toMove;
}

const count = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

/**
 * Moves the dead letters that match the filter back to their source queue: send first, delete
 * only what was sent, so a crash in between duplicates a message and never loses one. Every
 * message it does not move (no match, over the cap, send failed, dry run) is held invisible while
 * the run lasts — so it is not read again — and made visible again at the end.
 */
export async function redriveFiltered(deps: Deps, opts: RedriveOptions): Promise<RedriveSummary> {
  const summary: RedriveSummary = { moved: 0, skipped: 0, failed: 0, dryRun: opts.dryRun, movedByClass: {}, movedByDestination: {}, released: 0, releaseFailed: 0, errors: [] };
  const limiter = new RateLimiter(opts.ratePerSecond, deps.clock);
  const held = new HeldMessages(deps.dlq, deps.clock, opts.visibilitySeconds);
  const seen = new Set<string>();
  const note = (line: string) => {
    if (summary.errors.length < 20) summary.errors.push(line);
  };
  const hold = (m: DeadLetter) => held.add(m);
  try {
    while (summary.moved + summary.failed < opts.max && !opts.signal?.aborted) {
      const batch = await deps.dlq.receive(10, opts.visibilitySeconds, opts.waitSeconds);
      if (batch.length === 0) break;
      const fresh = batch.filter((m) => !seen.has(m.id));
      for (const m of batch) if (seen.has(m.id)) hold(m); // newest receipt handle wins
      if (fresh.length === 0) break; // come round again: the rest was already looked at
      for (const m of fresh) seen.add(m.id);
      const toMove = select(fresh, opts, summary, hold, note);
      if (opts.dryRun) {
        for (const item of toMove) {
          summary.moved += 1;
          count(summary.movedByClass, item.errorClass);
          count(summary.movedByDestination, item.url);
          hold(item.message);
        }
      } else {
        await moveBatch(deps, limiter, held, toMove, summary, hold, note, count);
      }
      opts.onProgress?.({ ...summary });
      await held.keepAlive();
    }
  } finally {
    const heldCount = held.size;
    summary.releaseFailed = await held.releaseAll();
    summary.released = heldCount - summary.releaseFailed;
  }
  return summary;
}

async function moveBatch(
  deps: Deps,
  limiter: RateLimiter,
  held: HeldMessages,
  items: Array<{ message: DeadLetter; url: string; errorClass: string }>,
  summary: RedriveSummary,
  hold: (m: DeadLetter) => void,
  note: (line: string) => void,
  count: (record: Record<string, number>, key: string) => void,
): Promise<void> {
  const byUrl = new Map<string, typeof items>();
  for (const item of items) byUrl.set(item.url, [...(byUrl.get(item.url) ?? []), item]);
  for (const [url, group] of byUrl) {
    for (const _ of group) {
      await limiter.take();
      await held.keepAlive(); // a slow rate must not let the held messages reappear
    }
    const entries = group.map((item, i) => ({ id: `m${i}`, body: item.message.body, attributes: stripErrorAttributes(item.message.attributes, ERROR_ATTRIBUTE_NAMES) }));
    let sendFailures: Awaited<ReturnType<MessageSender['sendBatch']>>;
    try {
      sendFailures = await deps.sender.sendBatch(url, entries);
    } catch (err) {
      sendFailures = entries.map((e) => ({ id: e.id, code: 'SendFailed', message: err instanceof Error ? err.message : String(err), senderFault: false }));
    }
    const failedIds = new Map(sendFailures.map((f) => [f.id, f]));
    const sent: typeof items = [];
    group.forEach((item, i) => {
      const failure = failedIds.get(`m${i}`);
      if (failure) {
        summary.failed += 1;
        note(`${item.message.id}: send to ${url} failed: ${failure.code} ${failure.message}`);
        hold(item.message);
      } else sent.push(item);
    });
    if (sent.length === 0) continue;
    // Only now, with the copy in the source queue, may the DLQ copy go.
    const deleteFailures = await deps.dlq.remove(sent.map((item) => item.message));
    const notDeleted = new Set(deleteFailures.map((f) => f.id));
    for (const item of sent) {
      if (notDeleted.has(item.message.id)) {
        summary.failed += 1;
        note(`${item.message.id}: sent to ${url} but not deleted from the DLQ: it will be delivered twice`);
      } else {
        summary.moved += 1;
        count(summary.movedByClass, item.errorClass);
        count(summary.movedByDestination, url);
      }
    }
  }
}
