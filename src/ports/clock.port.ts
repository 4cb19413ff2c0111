/** Time for use cases that wait (rate limits, polling): real in the CLI, fake in tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
