import { createHash } from 'node:crypto';

/**
 * Where a listing stands, so a killed run can continue after the last object it enqueued.
 * ListObjectsV2 resumes with StartAfter = key; an inventory (whose files are not one sorted list)
 * resumes at a data file and a row within it: the files of a manifest never change.
 */
export type ListingPosition = { kind: 'list'; key: string } | { kind: 'inventory'; fileIndex: number; file: string; row: number };

/** One current object as a listing (ListObjectsV2 or an S3 Inventory row) reports it. */
export interface ListedObject {
  bucket: string;
  key: string;
  etag: string | null;
  size: number | null;
  position: ListingPosition;
}

/**
 * A batch that was being sent when the checkpoint was written: SQS may or may not hold it. A run
 * that finds one resumes before it (sending it again: at-least-once) and says so.
 */
export interface InFlightBatch {
  /** The position of the batch's last object. */
  upTo: ListingPosition;
  jobs: number;
}

/** The checkpoint of a backfill: the position of the last object enqueued (or deliberately passed over). */
export interface BackfillCheckpoint {
  version: 1;
  source: string;
  inventory: string | null;
  /** Null: nothing handled yet (only with an in-flight first batch). */
  position: ListingPosition | null;
  inFlight?: InFlightBatch;
  enqueued: number;
  updatedAt: string;
}

/** One checkpoint per source and listing, so two backfills of different prefixes never share one. */
export function checkpointName(source: string, inventory: string | null): string {
  const digest = createHash('sha256').update(`${source}\u0000${inventory ?? ''}`).digest('hex').slice(0, 16);
  return `backfill/${digest}.json`;
}

function isPosition(value: unknown): value is ListingPosition {
  const p = value as Record<string, unknown> | null;
  if (!p || typeof p !== 'object') return false;
  if (p.kind === 'list') return typeof p.key === 'string';
  return p.kind === 'inventory' && Number.isInteger(p.fileIndex) && typeof p.file === 'string' && Number.isInteger(p.row);
}

/**
 * Reads a stored checkpoint. One for another source, or one that is not ours, is an error rather
 * than a silent fresh start: starting over would enqueue everything again.
 */
export function parseCheckpoint(text: string, expected: { source: string; inventory: string | null }): BackfillCheckpoint {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('the checkpoint is not JSON');
  }
  const inFlight = value.inFlight as Record<string, unknown> | undefined;
  const inFlightOk = inFlight === undefined || (isPosition(inFlight?.upTo) && Number.isInteger(inFlight?.jobs));
  const positionOk = value.position === null ? inFlight !== undefined : isPosition(value.position);
  if (value.version !== 1 || !positionOk || !inFlightOk || typeof value.enqueued !== 'number') throw new Error('the checkpoint is not a docsift backfill checkpoint (version 1)');
  if (value.source !== expected.source || (value.inventory ?? null) !== expected.inventory) {
    throw new Error(`the checkpoint belongs to ${String(value.source)}${value.inventory ? ` (inventory ${String(value.inventory)})` : ''}`);
  }
  const kind = ((value.position ?? inFlight?.upTo) as ListingPosition).kind;
  if (kind !== (expected.inventory ? 'inventory' : 'list')) throw new Error('the checkpoint was written by another listing mode');
  return value as unknown as BackfillCheckpoint;
}
