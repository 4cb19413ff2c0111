import { describe, expect, it } from 'vitest';
import { createKeyFilter, splitGlobList, type KeyFilterSpec } from '../../../../src/domain/coverage/key-filter.js';

const ends = (suffix: string) => (key: string) => key.endsWith(suffix);
const starts = (prefix: string) => (key: string) => key.startsWith(prefix);

describe('createKeyFilter', () => {
  const spec: KeyFilterSpec = {
    include: [starts('docs/'), starts('archive/')],
    exclude: [ends('.tmp'), starts('docs/private/')],
    internal: [
      { bucket: null, prefix: 'thumbnails/' },
      { bucket: 'state', prefix: 'docsift/' },
      { bucket: null, prefix: '' },
    ],
  };
  const filter = createKeyFilter(spec);
  it.each([
    ['included and not excluded', 'docs', 'docs/a.pdf', 'keep'],
    ['excluded wins over included', 'docs', 'docs/a.tmp', 'excluded'],
    ['excluded by a second glob', 'docs', 'docs/private/x.pdf', 'excluded'],
    ['not in any include glob', 'docs', 'other/a.pdf', 'not_included'],
    ['thumbnails in any bucket are internal', 'docs', 'thumbnails/abc.jpg', 'internal'],
    ['state prefix in its own bucket is internal', 'state', 'docsift/backfill/x.json', 'internal'],
    ['the same prefix in another bucket is a key like any other', 'docs', 'docsift/backfill/x.json', 'not_included'],
  ])('%s', (_name, bucket, key, verdict) => {
    expect(filter.verdict(bucket, key)).toBe(verdict);
  });

  it('an empty include list includes everything; an empty internal prefix never matches', () => {
    const open = createKeyFilter({ include: [], exclude: [], internal: [{ bucket: null, prefix: '' }] });
    expect(open.verdict('b', 'anything/at/all')).toBe('keep');
  });
});

describe('splitGlobList', () => {
  it.each([
    ['**/~$*,**/.DS_Store,tmp/**', ['**/~$*', '**/.DS_Store', 'tmp/**']],
    [' a , b ,, ', ['a', 'b']],
    ['**/*.{pdf,docx},tmp/**', ['**/*.{pdf,docx}', 'tmp/**']],
    ['a/{x,{y,z}},b', ['a/{x,{y,z}}', 'b']],
    ['', []],
  ])('%s', (value, expected) => {
    expect(splitGlobList(value)).toEqual(expected);
  });
});
