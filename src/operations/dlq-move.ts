import type { Clock } from '../ports/clock.port.js';
import type { MessageMover, MoveTask } from '../ports/message-mover.port.js';

export interface MoveOptions {
  dlqUrl: string;
  /** Omit to let SQS send each message back to the queue it was dead-lettered from (redrive-policy messages only). */
  destinationUrl?: string;
  maxPerSecond?: number;
  wait: boolean;
  timeoutSeconds: number;
  pollSeconds: number;
  onProgress?: (task: MoveTask) => void;
}

export interface MoveResult {
  handle: string;
  /** Last state seen; null when not waiting. */
  task: MoveTask | null;
  timedOut: boolean;
}

const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/**
 * The unfiltered redrive: SQS's StartMessageMoveTask moves everything, keeping every attribute.
 * With `wait`, follows it through ListMessageMoveTasks (newest first; a finished task no longer
 * shows its handle, so the newest task started at or after ours is the one).
 */
export async function moveAll(deps: { mover: MessageMover; clock: Clock }, opts: MoveOptions): Promise<MoveResult> {
  const startedAfter = deps.clock.now() - 60_000;
  const handle = await deps.mover.start(opts.dlqUrl, opts.destinationUrl, opts.maxPerSecond);
  if (!opts.wait) return { handle, task: null, timedOut: false };
  const deadline = deps.clock.now() + opts.timeoutSeconds * 1000;
  let task: MoveTask | null = null;
  for (;;) {
    const tasks = await deps.mover.list(opts.dlqUrl);
    task = tasks.find((t) => t.handle === handle) ?? tasks.find((t) => t.startedAt === null || t.startedAt >= startedAfter) ?? task;
    if (task) opts.onProgress?.(task);
    if (task && TERMINAL.has(task.state)) return { handle, task, timedOut: false };
    if (deps.clock.now() >= deadline) return { handle, task, timedOut: true };
    await deps.clock.sleep(opts.pollSeconds * 1000);
  }
}
