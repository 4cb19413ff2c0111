import type { BackoffPolicy } from '../domain/retry.js';
import type { Clock } from '../ports/clock.port.js';
import type { MessageHandler } from '../ports/message-handler.port.js';
import type { DeadLetterQueue, RedrivePolicySource, WorkQueue } from '../ports/queue.port.js';
import type { IndexCircuit } from './index-circuit.js';
import type { WorkerEvent } from './worker-events.js';

export interface WorkerSettings {
  batchSize: number;
  waitSeconds: number;
  visibilitySeconds: number;
  heartbeatIntervalSeconds: number;
  maxInflight: number;
  processingTimeoutSeconds: number;
  shutdownTimeoutSeconds: number;
  retry: BackoffPolicy;
  /** Stop after this many consecutive empty receives with nothing in flight (0: never). */
  exitWhenIdle: number;
  /** How long acks wait to fill a batch of 10, ms. */
  ackDelayMs: number;
  /** How often the queue's redrive policy is read again after start-up, seconds (0: only at start-up). */
  redrivePolicyIntervalSeconds: number;
}

/** Memory guard view the loop consults before each receive. */
export interface IntakeGate {
  paused(): boolean;
  draining(): boolean;
}

export interface WorkerDeps {
  queue: WorkQueue;
  dlq?: DeadLetterQueue;
  /** The source queue's redrive policy: its maxReceiveCount marks each message's last receive. Unset: never known. */
  redrivePolicy?: RedrivePolicySource;
  handle: MessageHandler;
  flushIndex: () => Promise<void>;
  settings: WorkerSettings;
  /** Everything that happens, for logs and metrics (observability/worker-telemetry.ts maps it). */
  onEvent?: (event: WorkerEvent) => void;
  beat?: (component: string) => void;
  gate?: IntakeGate;
  /** Pauses intake while the index keeps failing transiently (default: 3 failures, 5 s doubling to 60 s). */
  circuit?: IndexCircuit;
  /** @defaultValue systemClock */
  clock?: Clock;
}
