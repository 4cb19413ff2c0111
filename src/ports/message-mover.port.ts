export type MoveTaskState = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export interface MoveTask {
  /** Only present while the task runs (as SQS reports it). */
  handle: string | null;
  state: MoveTaskState;
  moved: number;
  toMove: number | null;
  failureReason: string | null;
  startedAt: number | null;
}

/** SQS's own DLQ redrive (StartMessageMoveTask / ListMessageMoveTasks). */
export interface MessageMover {
  /** Starts moving every message of `sourceUrl`; to `destinationUrl`, or each message's original queue when omitted. */
  start(sourceUrl: string, destinationUrl: string | undefined, maxPerSecond: number | undefined): Promise<string>;
  /** The most recent tasks of the source queue, newest first. */
  list(sourceUrl: string): Promise<MoveTask[]>;
}
