/**
 * How trustworthy a PDF page's text layer is, from its code points alone (no font program, no
 * dictionary: it runs on every page, so it must cost less than reading the text did).
 *
 * A text layer is garbage when the PDF's font maps its glyphs to the wrong characters or to none:
 * - `unmapped`: U+FFFD, private-use code points (glyph ids passed through), unassigned code points,
 *   and C0/C1 control characters: no reader can search them;
 * - `mojibake`: CJK or UTF-8 bytes decoded as Latin-1/Windows-1252 (`‚±‚ñ‚É‚¿‚Í`, `ãƒ†ã‚¹ãƒˆ`):
 *   a page whose letters are mostly Latin-1 symbols and accented capitals is not a European language;
 * - `mixed_scripts`: words that mix alphabets no language mixes inside a word (Latin with Cyrillic,
 *   Greek, Arabic or Hebrew; Arabic with Hebrew...), which a wrong ToUnicode map produces. CJK with
 *   Latin (`Tシャツ`, `Excel用`) and Han with kana are ordinary Japanese and do not count.
 */
export type GarbleReason = 'unmapped' | 'mojibake' | 'mixed_scripts';

export interface TextQuality {
  /** Characters that are not whitespace. */
  visible: number;
  /** 1 is clean text; 0 is nothing but suspicious characters. */
  score: number;
  /** The largest of the three shares, when the text is judged garbage. */
  reason?: GarbleReason;
}

export interface QualityThresholds {
  /** A page with fewer visible characters is judged by its length instead (too little to tell). */
  minChars: number;
  /** Below this score the page is garbage. */
  minScore: number;
}

/** @defaultValue 20 characters, score 0.8 (a fifth of the page suspicious) */
export const DEFAULT_QUALITY: QualityThresholds = { minChars: 20, minScore: 0.8 };

// Control characters are what this looks for.
// eslint-disable-next-line no-control-regex
const UNMAPPED = /[\uFFFD\p{Co}\p{Cn}\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F]/u;
/**
 * What Windows-1252 / Latin-1 make of CJK and UTF-8 bytes: Latin-1 symbols and letters and the
 * 1252 extras. Curly quotes and dashes are left out: English is full of them.
 */
const LATIN1 = /[\u00A0-\u00FF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u201A\u201E\u2020\u2021\u2030\u2039\u203A]/u;
/** Letters of Latin-1 that European words are made of (é, ü, ß...): alone they are not mojibake. */
const LATIN1_LETTER = /[\u00C0-\u00FF]/u;
const SAMPLE = 20_000;

const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['thai', /\p{Script=Thai}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
];
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD = /[\p{L}\p{M}]+/gu;

/** Characters in words whose letters come from more than one of the alphabets above (CJK aside). */
function mixedScriptChars(text: string): number {
  let mixed = 0;
  for (const [word] of text.matchAll(WORD)) {
    if (word.length < 2) continue;
    const seen = new Set<string>();
    for (const ch of word) {
      if (CJK.test(ch)) continue;
      const script = SCRIPTS.find(([, re]) => re.test(ch));
      if (script) seen.add(script[0]);
    }
    if (seen.size > 1) mixed += word.length;
  }
  return mixed;
}

/** The three shares of suspicious characters among the visible ones. */
function shares(text: string): { visible: number; unmapped: number; mojibake: number; mixed_scripts: number } {
  let visible = 0;
  let unmapped = 0;
  let latin1 = 0;
  let latin1Letters = 0;
  for (const ch of text) {
    if (/\s/u.test(ch)) continue;
    visible += 1;
    if (UNMAPPED.test(ch)) unmapped += 1;
    else if (LATIN1.test(ch)) {
      latin1 += 1;
      if (LATIN1_LETTER.test(ch)) latin1Letters += 1;
    }
  }
  if (visible === 0) return { visible, unmapped: 0, mojibake: 0, mixed_scripts: 0 };
  // Accented letters alone are a European language (or a table of its diacritics); mojibake always
  // brings Latin-1's symbols along (‚ ± ƒ ©...).
  const accentedOnly = latin1 === latin1Letters;
  return {
    visible,
    unmapped: unmapped / visible,
    mojibake: accentedOnly ? 0 : latin1 / visible,
    mixed_scripts: mixedScriptChars(text) / visible,
  };
}

/** Scores a text layer; `reason` is set only when the score is under `minScore` on enough text. */
export function textLayerQuality(text: string, thresholds: QualityThresholds = DEFAULT_QUALITY): TextQuality {
  // A sample is as telling as the whole and keeps the cost flat on a page of a million characters.
  const s = shares(text.slice(0, SAMPLE));
  const worst = (['unmapped', 'mojibake', 'mixed_scripts'] as const).reduce((a, b) => (s[b] > s[a] ? b : a));
  const score = Math.round((1 - Math.min(1, s[worst])) * 1000) / 1000;
  const quality: TextQuality = { visible: s.visible, score };
  if (s.visible >= thresholds.minChars && score < thresholds.minScore) quality.reason = worst;
  return quality;
}
