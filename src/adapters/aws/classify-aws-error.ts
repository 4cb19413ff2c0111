import { DocsiftError, type ErrorClass, type Stage } from '../../domain/errors.js';

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'TooManyRequestsException',
  'OverLimit',
  'RequestLimitExceeded',
  'KmsThrottled',
  'ProvisionedThroughputExceededException',
]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const CONNECTION_NAMES = new Set(['TimeoutError', 'NetworkingError', 'RequestTimeout', 'RequestTimeoutException']);
const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchBucket', 'NoSuchVersion', 'AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist']);
const DENIED = new Set(['AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDeniedException', 'ExpiredToken']);

interface AwsLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
  cause?: unknown;
}

function connectionCode(err: AwsLikeError, depth = 0): string | undefined {
  if (!err || depth > 3) return undefined;
  if (err.code && CONNECTION_CODES.has(err.code)) return err.code;
  if (typeof err.message === 'string' && /socket hang up|ECONNRESET|ECONNREFUSED/.test(err.message)) return 'ECONNRESET';
  return err.cause && typeof err.cause === 'object' ? connectionCode(err.cause as AwsLikeError, depth + 1) : undefined;
}

/**
 * The one function that turns an AWS SDK error into a domain error class. Connection faults and
 * throttling are told apart from server faults so the loop can back off instead of spinning.
 */
export function classifyAwsError(err: unknown, stage: Stage, transientClass: ErrorClass = 'fetch_failed'): DocsiftError {
  if (err instanceof DocsiftError) return err;
  const e = (err ?? {}) as AwsLikeError;
  const name = e.name ?? e.Code ?? e.code ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const text = `${name}: ${e.message ?? ''}`.slice(0, 300);
  let code: ErrorClass;
  if (THROTTLING.has(name) || status === 429 || status === 503 && name === 'SlowDown') code = 'throttled';
  else if (connectionCode(e) || CONNECTION_NAMES.has(name)) code = 'connection';
  else if (NOT_FOUND.has(name) || status === 404) code = 'not_found';
  else if (DENIED.has(name) || status === 403) code = 'access_denied';
  else if ((status !== undefined && status >= 500) || e.$fault === 'server') code = transientClass;
  else code = 'internal';
  return new DocsiftError(code, stage, text, { cause: err });
}
