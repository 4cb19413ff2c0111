import { pino, type Logger, type DestinationStream } from 'pino';

/** Every log line carries one of these in its `event` field, so logs can be grepped and counted. */
export type LogEvent =
  | 'startup'
  | 'config_invalid'
  | 'receive_error'
  | 'job_start'
  | 'job_done'
  | 'job_failed'
  | 'job_ignored'
  | 'dlq_sent'
  | 'ack_failed'
  | 'visibility_failed'
  | 'index_retry'
  | 'index_ready'
  | 'worker_recycled'
  | 'memory_check'
  | 'memory_guard'
  | 'cleanup_result'
  | 'queue_depth'
  | 'shutdown'
  | 'drained'
  | 'progress'
  | 'summary';

/** Paths pino blanks wherever they appear; credentials never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'accessKeyId',
  '*.accessKeyId',
  'sessionToken',
  '*.sessionToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'credentials',
  '*.credentials',
  'url',
  '*.presignedUrl',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'docsift' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

export type { Logger };
