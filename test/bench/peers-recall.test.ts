import { describe, expect, it } from 'vitest';
import { charRecall, corpusRecall, wordRecall } from '../../bench/peers/recall.js';

describe('peer recall against ground truth', () => {
  it.each([
    ['everything found, other order and line breaks', 'the cat sat on the mat', 'on the mat\nthe cat sat', 1],
    ['a repeated word must be found as often as it occurs', 'the cat and the dog', 'the cat and dog', 0.8],
    ['case and punctuation do not count', 'Harbour, costs.', 'harbour costs', 1],
    ['nothing recognised', 'some words here', '', 0],
  ])('words: %s', (_name, truth, found, expected) => {
    expect(wordRecall(truth, found)).toBeCloseTo(expected);
  });

  it('characters: spaces left out (tesseract puts them between Japanese characters), full-width folded', () => {
    expect(charRecall('日本語の文書', '日 本 語 の 文 書')).toBe(1);
    expect(charRecall('日本語の文書', '日本語')).toBeCloseTo(0.5);
    expect(charRecall('ＡＢ', 'AB')).toBe(1);
  });

  it('pools words over English documents only and characters over all, weighted by size', () => {
    const r = corpusRecall([
      { lang: 'eng', truth: 'one two three four', text: 'one two' },
      { lang: 'jpn', truth: '日本語日本語', text: '日本語日本語' },
    ]);
    expect(r.word).toBe(0.5);
    // "onetwo" holds 6 of the 15 letters of "onetwothreefour"; the Japanese document all 6 of its own.
    expect(r.char).toBeCloseTo((6 + 6) / (15 + 6), 3);
  });
});
