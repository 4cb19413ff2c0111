import { pino, type DestinationStream } from 'pino';
import type { Logger } from '../ports/logger.port.js';

/**
 * Fields pino blanks wherever they appear: credentials, authorization headers, passwords, and
 * fields that hold presigned URLs or document content. Other URL fields (queue URL, endpoint) stay
 * readable; any string that carries a presigned query or a password in its userinfo is scrubbed
 * by `scrubSecrets` instead, whatever its field is called.
 */
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
  'headers.cookie',
  '*.headers.cookie',
  'headers["x-amz-security-token"]',
  'credentials',
  '*.credentials',
  'presignedUrl',
  '*.presignedUrl',
  'signedUrl',
  '*.signedUrl',
  'OPENSEARCH_PASSWORD',
  '*.OPENSEARCH_PASSWORD',
  'AWS_SECRET_ACCESS_KEY',
  '*.AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  '*.AWS_SESSION_TOKEN',
  // Document content is never logged; this catches a mistake, it is not the rule.
  'content',
  '*.content',
];

/** Query parameters that make a URL a bearer credential (SigV4 and SigV2 presigned URLs). */
const PRESIGNED = /[?&](X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)=/i;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+/gi;

/** Replaces the query of presigned URLs and the password of user:password@ URLs inside a string. */
export function scrubSecrets(text: string): string {
  if (!text.includes('://')) return text;
  return text.replace(URL_IN_TEXT, (url) => {
    let out = url;
    if (PRESIGNED.test(out)) out = `${out.slice(0, out.indexOf('?'))}?[redacted]`;
    return out.replace(/^(https?:\/\/[^/@\s:]+):[^/@\s]*@/i, '$1:[redacted]@');
  });
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth - 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth - 1);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'docsift' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object, 3) as Record<string, unknown>,
      },
      hooks: {
        // The message string too: an SDK error message may quote a presigned URL.
        logMethod(args, method) {
          const last = args.length - 1;
          if (typeof args[last] === 'string') args[last] = scrubSecrets(args[last] as string);
          method.apply(this, args);
        },
      },
    },
    destination,
  );
}

export type { LogEvent, Logger } from '../ports/logger.port.js';

/** The reporter `runCleanup` takes: one `cleanup_result` error line per failed step. */
export function logStepFailure(logger: Logger, message: string): (step: string, error: Error) => void {
  return (step, error) => logger.error({ event: 'cleanup_result', step, ok: false, reason: error.message }, message);
}
