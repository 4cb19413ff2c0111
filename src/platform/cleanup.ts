/** One named step of a close or shutdown. */
export type CleanupStep = readonly [name: string, run: () => unknown];

/**
 * Runs every step in order, each awaited, whatever the step before it did: a close that stops at
 * the first failure leaves sockets, timers and buffered acks behind. Failures go to `onFailure`
 * (the caller logs them); nothing is thrown. Resolves with the number of failed steps.
 */
export async function runCleanup(steps: readonly CleanupStep[], onFailure: (step: string, error: Error) => void): Promise<number> {
  let failed = 0;
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (err) {
      failed += 1;
      onFailure(name, err instanceof Error ? err : new Error(String(err)));
    }
  }
  return failed;
}
