import { describe, expect, it } from 'vitest';
import { compareSequencers, externalVersionJson, MAX_EXTERNAL_VERSION, sequencerVersion } from '../../../src/domain/sequencer.js';

describe('sequencerVersion', () => {
  const cases: Array<[name: string, input: string | null | undefined, expected: bigint | null]> = [
    ['absent', undefined, null],
    ['null', null, null],
    ['empty', '', null],
    ['not hex', '00XYZ', null],
    ['sign', '-1A', null],
    ['0x prefix is not a sequencer', '0x1A', null],
    ['zero', '0', 0n],
    ['AWS documentation example', '0055AED6DCD90281E5', 0x55aed6dcd90281e5n],
    ['recent real-world shape (above 2^53, exact)', '0062E99A88DC407460', 0x62e99a88dc407460n],
    ['lower case', '0062e99a88dc407460', 0x62e99a88dc407460n],
    ['leading zeros do not change the value', '000000000000000000000001', 1n],
    ['largest long', '7FFFFFFFFFFFFFFF', MAX_EXTERNAL_VERSION],
    ['largest long, zero-padded', '007FFFFFFFFFFFFFFF', MAX_EXTERNAL_VERSION],
    ['2^63 does not fit a long: no version', '8000000000000000', null],
    ['wider than 64 bits: no version', '0155AED6DCD90281E5', null],
    ['absurdly long', 'F'.repeat(65), null],
    ['surrounding spaces are trimmed', ' 0A ', 10n],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(sequencerVersion(input)).toBe(expected);
  });

  it('preserves the S3 order (left-padded hex comparison) for every pair that gets a version', () => {
    const seqs = ['1', '0A', '00FF', '0055AED6DCD90281E5', '0055AED6DCD90281E6', '55AED6DCD90281E7', '0062E99A88DC407460', '7FFFFFFFFFFFFFFF'];
    for (const a of seqs) {
      for (const b of seqs) {
        const va = sequencerVersion(a)!;
        const vb = sequencerVersion(b)!;
        expect(Math.sign(Number(va - vb))).toBe(compareSequencers(a, b));
      }
    }
  });
});

describe('compareSequencers', () => {
  it.each([
    ['0A', 'A', 0],
    ['0055AED6DCD90281E5', '55AED6DCD90281E6', -1],
    ['FF', '0100', -1],
    ['b', 'A', 1],
  ] as const)('%s vs %s', (a, b, expected) => {
    expect(compareSequencers(a, b)).toBe(expected);
  });
  it('rejects non-hex input', () => {
    expect(() => compareSequencers('zz', '01')).toThrow(/hexadecimal/);
  });
});

describe('externalVersionJson', () => {
  it('writes the exact integer, beyond 2^53', () => {
    const json = `{"index":{"_id":"x",${externalVersionJson(MAX_EXTERNAL_VERSION)}}}`;
    expect(json).toBe('{"index":{"_id":"x","version":9223372036854775807,"version_type":"external"}}');
    expect(() => JSON.parse(json) as unknown).not.toThrow();
  });
});
