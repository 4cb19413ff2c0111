/**
 * Exit codes of `docsift dlq`, `docsift restart` and `docsift capacity`, for CronJobs and scripts.
 * Documented in docs/operations.md.
 */
export const EXIT = {
  /** Done: everything asked for happened (or, dry run, was reported). */
  ok: 0,
  /** Could not run: bad flags or configuration, SQS or the API server unreachable or refusing. */
  error: 1,
  /** Ran, but not completely: some messages failed to move, or --wait timed out. */
  incomplete: 2,
  /** The operation itself failed: the move task FAILED/CANCELLED, or the rollout exceeded its progress deadline. */
  failed: 3,
  /** `capacity`: the backlog does not drain within the horizon. */
  notDrained: 4,
} as const;
