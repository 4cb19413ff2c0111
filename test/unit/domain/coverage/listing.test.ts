import { describe, expect, it } from 'vitest';
import { checkpointName, parseCheckpoint } from '../../../../src/domain/coverage/listing.js';

const source = 's3://docs/archive/';
const good = { version: 1, source, inventory: null, position: { kind: 'list', key: 'archive/0042.txt' }, enqueued: 42, updatedAt: '2026-11-30T00:00:00.000Z' };

describe('backfill checkpoints', () => {
  it('are named per source and listing', () => {
    expect(checkpointName(source, null)).toMatch(/^backfill\/[0-9a-f]{16}\.json$/);
    expect(checkpointName(source, null)).not.toBe(checkpointName('s3://docs/other/', null));
    expect(checkpointName(source, null)).not.toBe(checkpointName(source, 's3://inv/manifest.json'));
  });

  it('read back what was written', () => {
    expect(parseCheckpoint(JSON.stringify(good), { source, inventory: null })).toEqual(good);
  });

  it('read back one written while the first batch was in flight (no position yet)', () => {
    const first = { ...good, position: null, inFlight: { upTo: { kind: 'list', key: 'archive/0009.txt' }, jobs: 10 }, enqueued: 0 };
    expect(parseCheckpoint(JSON.stringify(first), { source, inventory: null })).toEqual(first);
  });

  it.each([
    ['no position and nothing in flight', JSON.stringify({ ...good, position: null }), /version 1/],
    ['an in-flight batch without a position', JSON.stringify({ ...good, inFlight: { jobs: 3 } }), /version 1/],
    ['not JSON', 'garbage', /not JSON/],
    ['another source', JSON.stringify({ ...good, source: 's3://docs/other/' }), /belongs to s3:\/\/docs\/other\//],
    ['another version', JSON.stringify({ ...good, version: 2 }), /version 1/],
    ['a bad position', JSON.stringify({ ...good, position: { kind: 'list' } }), /version 1/],
    ['an inventory checkpoint for a listing', JSON.stringify({ ...good, position: { kind: 'inventory', fileIndex: 0, file: 'f', row: 3 } }), /another listing mode/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseCheckpoint(text, { source, inventory: null })).toThrow(message);
  });
});
