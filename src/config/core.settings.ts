import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bool, int, oneOf, text, url } from './setting.js';
import type { Rule } from './rule.js';

/** Queue, fetch, extraction limits and index sink: the settings of the core worker. */
export const coreSettings = {
  AWS_REGION: text('us-east-1', { doc: 'AWS region of the queue and the bucket' }),
  AWS_ENDPOINT_URL: url({ doc: 'Endpoint for every AWS service (local emulators); unset for AWS' }),
  AWS_ENDPOINT_URL_SQS: url({ doc: 'Endpoint for SQS only; wins over AWS_ENDPOINT_URL' }),
  AWS_ENDPOINT_URL_S3: url({ doc: 'Endpoint for S3 only; wins over AWS_ENDPOINT_URL' }),
  QUEUE_URL: url({ doc: 'SQS queue to consume; required by `docsift run`' }),
  DLQ_URL: url({
    doc: "Dead-letter queue for permanent failures and for transient ones on their last receive (QUEUE_URL's maxReceiveCount), sent with error_class attributes, then deleted; unset: the queue redrive policy moves them, unlabelled",
  }),
  S3_FORCE_PATH_STYLE: bool(false, { doc: 'Path-style S3 URLs (needed by most S3 emulators)' }),
  RECEIVE_BATCH_SIZE: int(1, 10, 10, { unit: 'messages', doc: 'Messages asked for per ReceiveMessage call' }),
  RECEIVE_WAIT_SECONDS: int(0, 20, 20, { unit: 's', doc: 'Long-poll wait of ReceiveMessage' }),
  VISIBILITY_TIMEOUT: int(5, 43_200, 120, { unit: 's', doc: 'Visibility timeout set on receive and on each heartbeat extension' }),
  HEARTBEAT_INTERVAL: int(1, 43_199, 40, {
    unit: 's',
    doc: 'How often in-flight messages have their visibility extended; must be below VISIBILITY_TIMEOUT',
  }),
  MAX_INFLIGHT: int(1, 1000, 16, { unit: 'messages', doc: 'Messages processed concurrently; no receive while this many are in flight' }),
  PROCESSING_TIMEOUT: int(1, 43_200, 600, {
    unit: 's',
    doc: 'Longest one message may take; then it fails as transient processing_timeout and visibility extension stops',
  }),
  RETRY_BASE_SECONDS: int(0, 43_200, 10, { unit: 's', doc: 'Visibility after a first transient failure; doubles per receive' }),
  RETRY_MAX_SECONDS: int(1, 43_200, 900, { unit: 's', doc: 'Ceiling of the transient-failure backoff' }),
  MAX_FILE_SIZE_MB: int(1, 5120, 100, { unit: 'MiB', doc: 'Objects larger than this fail as permanent too_large, without download' }),
  INDEXED_CHARS: int(0, 10_000_000, 100_000, { unit: 'characters', doc: 'Content kept per document: extractors stop producing text there (the rest is never built) and `truncated` is set' }),
  TEMP_DIR: text(join(tmpdir(), 'docsift'), { doc: 'Directory for downloaded objects (one uniquely named file per object, always removed)', defaultText: '$TMPDIR/docsift' }),
  INDEX_SINK: oneOf(['file', 'opensearch'] as const, undefined, {
    doc: 'Where documents go',
    defaultText: 'opensearch when OPENSEARCH_URL is set, else file',
  }),
  INDEX_FILE: text('./data/index.ndjson', { doc: 'File sink: OpenSearch bulk-format NDJSON appended here' }),
  OPENSEARCH_URL: url({ doc: 'OpenSearch endpoint; setting it selects the opensearch sink' }),
  OPENSEARCH_INDEX: text('docsift', { doc: 'Index (alias) documents are written to; the template matches `<name>*`' }),
  OPENSEARCH_AUTH: oneOf(['none', 'basic', 'sigv4'] as const, undefined, {
    doc: 'How docsift authenticates to OpenSearch',
    defaultText: 'basic when OPENSEARCH_USERNAME is set, else none',
  }),
  OPENSEARCH_USERNAME: text(undefined, { doc: 'Basic-auth user' }),
  OPENSEARCH_PASSWORD: text(undefined, { doc: 'Basic-auth password (from a Secret; never logged)', secret: true }),
  OPENSEARCH_SIGV4_SERVICE: oneOf(['es', 'aoss'] as const, 'es', { doc: 'SigV4 service: es (managed domains) or aoss (serverless)' }),
  OPENSEARCH_CA_FILE: text(undefined, { doc: 'PEM file of the CA that signed the cluster certificate' }),
  OPENSEARCH_TLS_VERIFY: bool(true, { doc: 'Verify the cluster TLS certificate; turn off only for throwaway local clusters' }),
  OPENSEARCH_REQUEST_TIMEOUT: int(1000, 600_000, 30_000, { unit: 'ms', doc: 'Timeout of one OpenSearch request' }),
  BULK_MAX_DOCS: int(1, 10_000, 200, { unit: 'documents', doc: 'Flush a bulk request at this many operations' }),
  BULK_MAX_BYTES: int(1024, 100 * 1024 * 1024, 5 * 1024 * 1024, { unit: 'bytes', doc: 'Flush a bulk request at this many bytes' }),
  BULK_FLUSH_MS: int(1, 60_000, 100, { unit: 'ms', doc: 'Flush a non-empty bulk buffer after this long' }),
  BULK_MAX_RETRIES: int(0, 20, 5, { unit: 'attempts', doc: 'Retries of a 429/5xx bulk item or request before the message is left for redelivery' }),
  LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info', { doc: 'pino log level' }),
};

/** FIFO queue names end in `.fifo` (SQS requires it), so the URL alone tells. */
function fifoProblem(name: string, value: string | undefined): string[] {
  const queueName = value ? (new URL(value).pathname.replace(/\/+$/, '').split('/').pop() ?? '') : '';
  if (!queueName.endsWith('.fifo')) return [];
  // Why not support FIFO: S3 cannot send event notifications to FIFO queues; a retry's backoff
  // would hold back the message's whole group; per-key order already comes from the S3 sequencer.
  return [`${name} names the FIFO queue ${queueName}: docsift reads standard queues only (S3 cannot notify FIFO queues, and a retried message would block its whole message group); use a standard queue`];
}

export const coreRules: Rule[] = [
  (c) => [...fifoProblem('QUEUE_URL', c.QUEUE_URL), ...fifoProblem('DLQ_URL', c.DLQ_URL)],
  (c) =>
    c.HEARTBEAT_INTERVAL >= c.VISIBILITY_TIMEOUT
      ? [`HEARTBEAT_INTERVAL=${c.HEARTBEAT_INTERVAL} must be less than VISIBILITY_TIMEOUT=${c.VISIBILITY_TIMEOUT}`]
      : [],
  (c) =>
    c.RETRY_BASE_SECONDS > c.RETRY_MAX_SECONDS
      ? [`RETRY_BASE_SECONDS=${c.RETRY_BASE_SECONDS} must not exceed RETRY_MAX_SECONDS=${c.RETRY_MAX_SECONDS}`]
      : [],
  (c) =>
    c.OPENSEARCH_AUTH === 'basic' && (!c.OPENSEARCH_USERNAME || !c.OPENSEARCH_PASSWORD)
      ? ['OPENSEARCH_AUTH=basic needs OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD']
      : [],
  (c) =>
    c.INDEX_SINK === 'opensearch' && !c.OPENSEARCH_URL ? ['INDEX_SINK=opensearch needs OPENSEARCH_URL to be set'] : [],
];
