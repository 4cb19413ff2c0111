import { describe, expect, it } from 'vitest';
import { normaliseCjkText, normaliseExtractedText, normalisePresentationForms } from '../../../src/domain/text-normalise.js';

describe('normaliseCjkText', () => {
  it.each([
    { name: 'tesseract.js spaces between Japanese words go', input: '請求 書 の 確認', want: '請求書の確認' },
    { name: 'a line break inside a word is joined', input: '毎月新しい子\n供向けの絵本', want: '毎月新しい子供向けの絵本' },
    { name: 'spaces around the break go with it', input: '市立図 \n 書館', want: '市立図書館' },
    { name: 'CRLF breaks too', input: '図\r\n書館', want: '図書館' },
    { name: 'ideographic spaces and tabs between CJK go', input: '東京\u3000本社\t会議', want: '東京本社会議' },
    { name: 'katakana with the prolonged sound mark', input: 'コン ピュー ター', want: 'コンピューター' },
    { name: 'CJK punctuation and full-width forms are CJK', input: '確認 。 （ 至急 ）', want: '確認。（至急）' },
    { name: 'a blank line between paragraphs stays', input: '第一章\n\n本文です', want: '第一章\n\n本文です' },
    { name: 'spaces between CJK and Latin stay', input: 'Excel の 使い方 guide', want: 'Excel の使い方 guide' },
    { name: 'a break between Latin and CJK stays', input: 'Tokyo\n本社', want: 'Tokyo\n本社' },
    { name: 'Latin text is left exactly as it is', input: 'The  report\nshows   growth', want: 'The  report\nshows   growth' },
    { name: 'Korean keeps its word spaces', input: '한국어 문서 검색', want: '한국어 문서 검색' },
    { name: 'empty text', input: '', want: '' },
  ])('$name', ({ input, want }) => expect(normaliseCjkText(input)).toBe(want));

  it('is idempotent', () => {
    const once = normaliseCjkText('請求 書 の\n確認 と 子\n供向け');
    expect(normaliseCjkText(once)).toBe(once);
    expect(once).toBe('請求書の確認と子供向け');
  });

  it('runs in linear time on a hostile page of alternating characters and spaces', () => {
    const hostile = '字 '.repeat(200_000) + '\n'.repeat(10) + 'a \n'.repeat(100_000);
    const out = normaliseCjkText(hostile);
    expect(out.startsWith('字字字')).toBe(true);
    expect(out.length).toBeLessThan(hostile.length);
  });
});

describe('normalisePresentationForms', () => {
  it('turns Arabic presentation forms back into letters and leaves the rest alone', () => {
    // From pdf.js's ArabicCIDTrueType.pdf: the text layer carries the shaped glyphs.
    expect(normalisePresentationForms('اﻟﻌﺮﺑﻴﺔ اﻧﻮاع')).toBe('العربية انواع');
    expect(normalisePresentationForms('ﬁle ＡＢＣ')).toBe('ﬁle ＡＢＣ');
  });

  it('normaliseExtractedText does both', () => {
    expect(normaliseExtractedText('ﻟﻌﺮﺑﻴﺔ\n子\n供')).toBe('لعربية\n子供');
  });
});
