import { describe, expect, it } from 'vitest';
import { compileGlob, globProblem } from '../../../src/platform/glob.js';

describe('compileGlob: the globs of the issue, on decoded keys', () => {
  it.each([
    ['**/~$*', 'tmp/~$lock.docx', true],
    ['**/~$*', '~$lock.docx', true],
    ['**/~$*', 'docs/a~$b.docx', false],
    ['**/.DS_Store', 'tmp/.DS_Store', true],
    ['**/.DS_Store', '.DS_Store', true],
    ['**/.DS_Store', 'tmp/.DS_Store.txt', false],
    ['tmp/**', 'tmp/a/b.pdf', true],
    ['tmp/**', 'tmp/.hidden/x', true],
    ['tmp/**', 'tmpfile/a.pdf', false],
    ['**/*.{pdf,docx}', 'a/b/c.docx', true],
    ['**/*.pdf', 'a/b/c.PDF', false],
    ['archive/**', 'archive/日本語 ファイル+1.txt', true],
    ['*.pdf', 'a/b.pdf', false],
  ])('%s on %s: %s', (glob, key, expected) => {
    expect(compileGlob(glob)(key)).toBe(expected);
  });
});

describe('globProblem: patterns that would backtrack for seconds on a 1 KiB key are refused', () => {
  it.each([
    ['**/~$*', null],
    ['**/*a*b', null],
    ['**/*a*b/**/b', null],
    ['**/*a*b/**/*b', /more than 4 wildcards/],
    ['*a*a*b', /more than 2 "\*" in the segment/],
    ['**/*a*a*a*a*a*a*a*a*a*b', /more than 2 "\*"/],
    ['**/a/**/a/**/a/b', /more than 2 "\*\*" segments/],
    ['*a*/*a*/c*', /more than 4 wildcards/],
    ['a**b', /whole path segment/],
    ['!tmp/**', /negation/],
    ['**/[', /closing/],
    ['x'.repeat(300), /longer than 256/],
  ])('%s', (glob, problem) => {
    const found = globProblem(glob);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it('extglobs are literal text, not alternations', () => {
    expect(compileGlob('+(a|b)')('+(a|b)')).toBe(true);
    expect(compileGlob('+(a|b)')('a')).toBe(false);
  });

  it('compileGlob refuses what globProblem refuses', () => {
    expect(() => compileGlob('*a*a*b')).toThrow(/glob "\*a\*a\*b"/);
  });
});
