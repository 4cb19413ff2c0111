import { aggregateDeadLetters, type DeadLetterStats } from '../domain/dlq/dlq-stats.js';
import { matchesFilter, type RedriveFilter } from '../domain/dlq/redrive-filter.js';
import type { Clock } from '../ports/clock.port.js';
import type { DeadLetterReader } from '../ports/dead-letter-reader.port.js';
import { factsOf } from './dead-letter-facts.js';
import { HeldMessages } from './held-messages.js';

export interface DlqStatsOptions {
  /** Messages read; with a filter, only the matching ones among them are counted. */
  sample: number;
  /** `--error-class a,b,none`: count only these classes (`none`: messages without error_class). */
  filter?: RedriveFilter;
  /** Visibility while the sample is held, extended while the read lasts; a crash gives the messages back after it. */
  visibilitySeconds: number;
  waitSeconds: number;
  /** Stop reading early (SIGTERM/SIGINT); what was read is still counted and released. */
  signal?: AbortSignal;
}

export interface DlqStatsResult {
  stats: DeadLetterStats;
  /** Distinct messages read; `stats.sampled` of them matched the filter (all, without one). */
  read: number;
  /** Messages received more than once during the read (their visibility ran out): counted once. */
  duplicates: number;
  released: number;
  releaseFailed: number;
}

/**
 * Reads up to `sample` messages, holding each invisible so none is counted twice, then makes all
 * of them visible again (visibility 0) — also when the read fails half-way. Reading raises each
 * message's receive count, which is what a DLQ's own redrive policy would act on.
 */
export async function sampleDeadLetters(deps: { dlq: DeadLetterReader; clock: Clock }, opts: DlqStatsOptions): Promise<DlqStatsResult> {
  const held = new HeldMessages(deps.dlq, deps.clock, opts.visibilitySeconds);
  const facts = new Map<string, ReturnType<typeof factsOf>>();
  const seen = new Set<string>();
  let duplicates = 0;
  let releaseFailed = 0;
  let heldCount = 0;
  try {
    while (seen.size < opts.sample && !opts.signal?.aborted) {
      const batch = await deps.dlq.receive(Math.min(10, opts.sample - seen.size), opts.visibilitySeconds, opts.waitSeconds);
      if (batch.length === 0) break;
      let fresh = 0;
      for (const m of batch) {
        held.add(m);
        if (seen.has(m.id)) {
          duplicates += 1;
          continue;
        }
        seen.add(m.id);
        fresh += 1;
        const f = factsOf(m);
        if (!opts.filter || matchesFilter(f.errorClass, opts.filter)) facts.set(m.id, f);
      }
      if (fresh === 0) break; // the queue has come round again: everything left was already read
      await held.keepAlive();
    }
  } finally {
    heldCount = held.size;
    releaseFailed = await held.releaseAll();
  }
  return { stats: aggregateDeadLetters([...facts.values()], deps.clock.now()), read: seen.size, duplicates, released: heldCount - releaseFailed, releaseFailed };
}
