/**
 * Per-pod throughput when `docsift capacity --per-pod` is not given: the lower figure of the
 * hand-run worker this replaces (60-122 messages/minute), so a plan errs on the side of more pods.
 * `npm run bench` prints the measured rate to pass instead.
 */
export const DEFAULT_PER_POD_PER_MINUTE = 60;
