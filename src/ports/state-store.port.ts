/**
 * Small documents the one-shot commands keep between runs (the backfill checkpoint, the last
 * reconcile report): objects under an s3:// STATE_URI, or files in a local directory. Names are
 * relative paths such as `backfill/<hash>.json`.
 */
export interface StateStore {
  /** Where it lives, for messages. */
  readonly location: string;
  read(name: string): Promise<string | null>;
  /** Replaces the document whole: a reader never sees half of one. */
  write(name: string, text: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** Names under a folder (`reconcile/`), at most `max`. */
  list(folder: string, max: number): Promise<string[]>;
}
