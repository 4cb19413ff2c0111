import type { DeadLetterReader, Held } from '../ports/dead-letter-reader.port.js';

/**
 * Makes every held message visible again, 10 per call, trying every batch even when one fails.
 * Returns how many could not be released (they reappear when their visibility runs out).
 */
export async function releaseAll(dlq: DeadLetterReader, held: Iterable<Held>): Promise<number> {
  const all = [...held];
  let failed = 0;
  for (let i = 0; i < all.length; i += 10) {
    const batch = all.slice(i, i + 10);
    try {
      failed += (await dlq.release(batch)).length;
    } catch {
      failed += batch.length;
    }
  }
  return failed;
}
