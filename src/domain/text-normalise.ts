/**
 * Characters written without spaces between words: Han ideographs, kana (with the prolonged sound
 * mark and iteration marks, which Unicode files under Common), CJK punctuation and the full-width
 * forms. Hangul is not here: Korean puts spaces between words.
 */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\u30fb-\u30fe\uff01-\uff60\uff65-\uff9f`;

/** Spaces (ASCII, tab, ideographic) between two CJK characters. */
const SPACE_INSIDE = new RegExp(String.raw`(?<=[${CJK}])[ \t\u3000]+(?=[${CJK}])`, 'gu');
/** One line break, spaces around it allowed, between two CJK characters; a blank line is a paragraph and stays. */
const BREAK_INSIDE = new RegExp(String.raw`(?<=[${CJK}])[ \t\u3000]*\r?\n[ \t\u3000]*(?=[${CJK}])`, 'gu');
const ANY_CJK = new RegExp(`[${CJK}]`, 'u');

/**
 * Makes Japanese (and Chinese) text searchable as written: OCR puts spaces between CJK words
 * (`請求 書 の 確認`) and both OCR and PDF text layers break lines inside words (`子\n供向け`). The
 * index's `cjk` analyzer makes bigrams only of characters that touch (a gap in the offsets ends a
 * run), so a phrase or bigram search for 請求書 or 子供向け misses text split this way. Spaces
 * and single line breaks between two CJK characters are removed; everything else (Latin words,
 * spaces between CJK and Latin, blank lines between paragraphs) is left as it is.
 */
export function normaliseCjkText(text: string): string {
  if (!ANY_CJK.test(text)) return text;
  return text.replace(BREAK_INSIDE, '').replace(SPACE_INSIDE, '');
}

/** Arabic presentation forms (the shaped glyphs: initial, medial, final, isolated, ligatures). */
const PRESENTATION_FORMS = /[\uFB50-\uFDFF\uFE70-\uFEFF]+/gu;

/**
 * PDF text layers of Arabic often carry the shaped glyphs' code points (ﻟﻌﺮﺑﻴﺔ) instead of the
 * letters (لعربية): they look right and match nothing a user types. Compatibility decomposition
 * (NFKC) of those runs only turns them back into letters; the rest of the text is left alone
 * (NFKC elsewhere would also fold full-width forms and ligatures a document meant).
 */
export function normalisePresentationForms(text: string): string {
  return text.replace(PRESENTATION_FORMS, (run) => run.normalize('NFKC'));
}

/** What every text layer and OCR result goes through before it is indexed. */
export function normaliseExtractedText(text: string): string {
  return normaliseCjkText(normalisePresentationForms(text));
}
