/**
 * Every `event` a log line may carry: one closed set, checked by the compiler at every call, so
 * logs can be grepped and counted (a test also checks that each name is still written somewhere).
 */
export const LOG_EVENTS = [
  'startup',
  'receive_error',
  'job_start',
  'job_done',
  'job_failed',
  'dlq_sent',
  'left_for_redrive',
  'redrive_policy',
  'ack_failed',
  'visibility_failed',
  'thumbnail_failed',
  'reuse_lookup_failed',
  'reconcile_report',
  'index_retry',
  'index_circuit',
  'index_ready',
  'worker_recycled',
  'memory_check',
  'memory_guard',
  'cleanup_result',
  'queue_depth',
  'http_error',
  'shutdown',
  'drained',
  'extract_crashed',
  'poison_suspect',
  'journal_failed',
  'temp_swept',
] as const;

export type LogEvent = (typeof LOG_EVENTS)[number];

/** A JSON log line: its `event` and any other fields (never document content or credentials). */
export interface LogFields {
  event: LogEvent;
  [field: string]: unknown;
}

type LogMethod = (fields: LogFields, message?: string) => void;

/** The narrow logger every layer writes through; observability/logger.ts builds it on pino. */
export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
  flush(): void;
}
