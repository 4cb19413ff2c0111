/**
 * `docsift run` catches SIGTERM and SIGINT from its first module on. Loading the worker's modules
 * and checking its settings takes a second or more on a busy node; a pod deleted in that window
 * (a scale-in right after a scale-out, a rollout) would otherwise die of the signal (exit 143,
 * counted as a failure) instead of ending cleanly. Nothing has been received yet, so there is
 * nothing to drain: exit 0. `run` swaps in its draining handler with `releaseEarlySignals`.
 *
 * Imported first by the CLI entry, so this runs before anything else loads.
 */
const onEarlySignal = (signal: NodeJS.Signals): void => {
  process.stderr.write(`docsift: ${signal} during start-up: exiting (nothing received yet)\n`);
  process.exit(0);
};

if (process.argv[2] === 'run') {
  process.on('SIGTERM', onEarlySignal);
  process.on('SIGINT', onEarlySignal);
}

/** Hands SIGTERM and SIGINT over to the caller's handlers (install those first). */
export function releaseEarlySignals(): void {
  process.off('SIGTERM', onEarlySignal);
  process.off('SIGINT', onEarlySignal);
}
