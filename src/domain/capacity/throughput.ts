/**
 * Per-pod throughput when no bench result exists: the lower figure of the hand-run worker this
 * replaces (60-122 messages/minute), so a plan errs on the side of more pods.
 */
export const DEFAULT_PER_POD_PER_MINUTE = 60;

/** Reads `runs.default.messagesPerMinute` out of one parsed `npm run bench` result; null when absent or not a positive number. */
export function benchMessagesPerMinute(result: unknown): number | null {
  const runs = (result as { runs?: unknown } | null)?.runs;
  const def = (runs as { default?: unknown } | undefined)?.default;
  const value = (def as { messagesPerMinute?: unknown } | undefined)?.messagesPerMinute;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}
