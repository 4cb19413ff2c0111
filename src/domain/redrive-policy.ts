/**
 * The source queue's `RedrivePolicy` attribute, as SQS returns it: a JSON string such as
 * `{"deadLetterTargetArn":"arn:aws:sqs:…:docsift-dlq","maxReceiveCount":5}` (some implementations
 * write the count as a string). SQS accepts maxReceiveCount from 1 to 1000.
 */
export type RedrivePolicyRead =
  | { kind: 'policy'; maxReceiveCount: number; deadLetterTargetArn: string | null }
  | { kind: 'none' }
  | { kind: 'invalid'; reason: string };

export const MAX_RECEIVE_COUNT_LIMIT = 1000;

/** Parses the attribute; absent or empty means the queue has no redrive policy. Never throws. */
export function parseRedrivePolicy(raw: string | null | undefined): RedrivePolicyRead {
  if (raw === null || raw === undefined || raw.trim() === '') return { kind: 'none' };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', reason: 'RedrivePolicy is not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { kind: 'invalid', reason: 'RedrivePolicy is not a JSON object' };
  const { maxReceiveCount, deadLetterTargetArn } = doc as Record<string, unknown>;
  const count = typeof maxReceiveCount === 'string' && /^\d+$/.test(maxReceiveCount.trim()) ? Number(maxReceiveCount) : maxReceiveCount;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_RECEIVE_COUNT_LIMIT) {
    return { kind: 'invalid', reason: `RedrivePolicy maxReceiveCount must be an integer from 1 to ${MAX_RECEIVE_COUNT_LIMIT}` };
  }
  return { kind: 'policy', maxReceiveCount: count, deadLetterTargetArn: typeof deadLetterTargetArn === 'string' && deadLetterTargetArn !== '' ? deadLetterTargetArn : null };
}

/** The receive limit a read gives: only a valid policy has one. */
export function receiveLimitOf(read: RedrivePolicyRead): number | null {
  return read.kind === 'policy' ? read.maxReceiveCount : null;
}
