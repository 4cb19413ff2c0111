import { describe, expect, it } from 'vitest';
import { afterDeath, MAX_CRASHES, poisonVerdict, type JournalEntry, type SuspectRecord } from '../../../src/domain/poison.js';

describe('poisonVerdict', () => {
  const cases: Array<[string, SuspectRecord | undefined, ReturnType<typeof poisonVerdict>]> = [
    ['no history: processed as usual', undefined, { action: 'process' }],
    ['an entry without crashes: processed as usual', { crashes: 0, diedAlone: false }, { action: 'process' }],
    ['in flight at one death among others: processed alone', { crashes: 1, diedAlone: false }, { action: 'isolate', crashes: 1 }],
    ['in flight at two deaths, never alone: still processed alone', { crashes: 2, diedAlone: false }, { action: 'isolate', crashes: 2 }],
    ['the process died while it was alone: poison', { crashes: 2, diedAlone: true }, { action: 'dead_letter', crashes: 2 }],
    [`in flight at ${MAX_CRASHES} deaths: poison even if never alone`, { crashes: MAX_CRASHES, diedAlone: false }, { action: 'dead_letter', crashes: MAX_CRASHES }],
  ];
  it.each(cases)('%s', (_name, record, verdict) => {
    expect(poisonVerdict(record)).toEqual(verdict);
  });
});

describe('afterDeath: reading what a dead process left', () => {
  const entry = (e: Partial<JournalEntry>): JournalEntry => ({ crashes: 0, diedAlone: false, running: false, isolated: false, ...e });
  const cases: Array<[string, JournalEntry, SuspectRecord]> = [
    ['running among others when it died: one crash', entry({ running: true }), { crashes: 1, diedAlone: false }],
    ['running alone when it died: one crash, alone', entry({ running: true, isolated: true, crashes: 1 }), { crashes: 2, diedAlone: true }],
    ['only waiting (a suspect not yet run): history kept', entry({ crashes: 1 }), { crashes: 1, diedAlone: false }],
    ['a culprit stays a culprit', entry({ crashes: 2, diedAlone: true }), { crashes: 2, diedAlone: true }],
  ];
  it.each(cases)('%s', (_name, e, record) => {
    expect(afterDeath(e)).toEqual(record);
  });

  it('one death, then a second with it alone, makes poison after exactly one more attempt', () => {
    const first = afterDeath(entry({ running: true }));
    expect(poisonVerdict(first).action).toBe('isolate');
    const second = afterDeath(entry({ ...first, running: true, isolated: true }));
    expect(poisonVerdict(second).action).toBe('dead_letter');
  });
});
