import type { SuspectRecord } from '../domain/poison.js';

/**
 * Which messages are being processed, kept where it survives the worker process (the pod's temp
 * volume), so that the next process knows which ones were in flight when the last one died.
 */
export interface InflightJournal {
  /** The crash history of a message from earlier processes, read at start-up; undefined if none. */
  suspect(messageId: string): SuspectRecord | undefined;
  /** Processing of a message starts (alone, when `isolated`); written before it does. */
  begin(messageId: string, isolated: boolean): Promise<void>;
  /** Processing ended, in any outcome short of the process dying: the message is no suspect. */
  end(messageId: string): Promise<void>;
}
