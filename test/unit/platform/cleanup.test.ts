import { describe, expect, it } from 'vitest';
import { runCleanup } from '../../../src/platform/cleanup.js';

describe('runCleanup', () => {
  it('runs every step in order, awaiting each, even after one throws, and reports each failure', async () => {
    const ran: string[] = [];
    const failures: Array<[string, string]> = [];
    const failed = await runCleanup(
      [
        ['a', async () => { await new Promise((r) => setTimeout(r, 5)); ran.push('a'); }],
        ['b', () => { ran.push('b'); throw new Error('b broke'); }],
        ['c', async () => { ran.push('c'); throw 'not an Error'; }],
        ['d', () => ran.push('d')],
      ],
      (step, error) => failures.push([step, error.message]),
    );
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
    expect(failures).toEqual([['b', 'b broke'], ['c', 'not an Error']]);
    expect(failed).toBe(2);
  });

  it('resolves 0 and reports nothing when every step succeeds', async () => {
    const failures: string[] = [];
    expect(await runCleanup([['only', async () => undefined]], (step) => failures.push(step))).toBe(0);
    expect(failures).toEqual([]);
  });
});
