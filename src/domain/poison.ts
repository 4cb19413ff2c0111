/**
 * Poison messages: a message whose processing kills the worker process itself (the OOM killer, a
 * native crash, kill -9), which no error class can describe because nothing survives to classify
 * it. A small journal on the temp volume remembers, per message id, which messages were being
 * processed when a process died; these rules decide from it. Pure: the journal is an adapter.
 */

/** One message's history in the journal after the worker process died while it was in flight. */
export interface SuspectRecord {
  /** Worker deaths that happened while this message was being processed. */
  crashes: number;
  /** True when one of them happened while it was processed alone: it is the culprit. */
  diedAlone: boolean;
}

/** A journal entry as a dead process left it. */
export interface JournalEntry extends SuspectRecord {
  /** Being processed when the entry was last written (the process died before finishing it). */
  running: boolean;
  /** Processed alone (every other message held back). */
  isolated: boolean;
}

export type PoisonVerdict =
  | { action: 'process' }
  /** In flight at a death, among others: process it alone, so a second death names it. */
  | { action: 'isolate'; crashes: number }
  /** Died alone with it (or too often with it): dead-letter it as `poison`, do not run it again. */
  | { action: 'dead_letter'; crashes: number };

/**
 * A message in flight at this many deaths is poison even if it was never processed alone (a
 * bound for the case where isolation cannot be reached, e.g. the process dies before it starts).
 */
export const MAX_CRASHES = 3;

export function poisonVerdict(record: SuspectRecord | undefined): PoisonVerdict {
  if (!record || record.crashes <= 0) return { action: 'process' };
  if (record.diedAlone || record.crashes >= MAX_CRASHES) return { action: 'dead_letter', crashes: record.crashes };
  return { action: 'isolate', crashes: record.crashes };
}

/**
 * Reading the journal at start-up: an entry still marked running belongs to a message the previous
 * process was processing when it died, which counts one crash (alone, if it was isolated). Entries
 * that were only waiting keep their history.
 */
export function afterDeath(entry: JournalEntry): SuspectRecord {
  if (!entry.running) return { crashes: entry.crashes, diedAlone: entry.diedAlone };
  return { crashes: entry.crashes + 1, diedAlone: entry.diedAlone || entry.isolated };
}
