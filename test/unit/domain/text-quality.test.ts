import { describe, expect, it } from 'vitest';
import { textLayerQuality } from '../../../src/domain/text-quality.js';

const ENGLISH = 'The committee approved the budget proposal with minor changes to travel allowances.';

describe('textLayerQuality', () => {
  it.each([
    { name: 'English prose', text: ENGLISH, reason: undefined },
    { name: 'English with curly quotes and dashes', text: '“Quarterly” results — revenue grew; costs ‘stayed’ flat – again.', reason: undefined },
    { name: 'French with accents', text: 'Le comité a approuvé la proposition budgétaire avec des modifications mineures à côté.', reason: undefined },
    { name: 'German with umlauts', text: 'Die Größe der Lösung überzeugt: Äpfel, Öl und Übungen für später.', reason: undefined },
    { name: 'a table of French diacritics (pdf.js french_diacritics.pdf)', text: 'à À â Â ä Ä ç Ç é É è È ê Ê ë Ë î Î ï Ï ô Ô ù Ù û Û ü Ü', reason: undefined },
    { name: 'Japanese', text: '請求書の内容を金曜日までに確認してください。新しい検索機能により文書を素早く見つけることができます。', reason: undefined },
    { name: 'Japanese with Latin inside words', text: 'Tシャツの在庫はExcel用の表で管理します。価格はUSDで表示されます。', reason: undefined },
    { name: 'Russian', text: 'Комитет одобрил бюджетное предложение с небольшими изменениями в командировочных.', reason: undefined },
    { name: 'Arabic', text: 'وافقت اللجنة على مقترح الميزانية مع تغييرات طفيفة في بدلات السفر والمعدات.', reason: undefined },
    { name: 'Japanese UTF-8 read as Windows-1252', text: Buffer.from('請求書の内容を金曜日までに確認してください。', 'utf8').toString('latin1'), reason: 'mojibake' },
    { name: 'Shift_JIS read as Windows-1252', text: '‚±‚ñ‚É‚¿‚Í ‚±‚ê‚Í ¿‹’‘‚Å‚· ‚¨‚¢‚µ‚¢ ‚Ü‚½ ‚Ý‚Ä‚­‚¾‚³‚¢', reason: 'mojibake' },
    { name: 'UTF-8 katakana read as Windows-1252', text: 'ãƒ†ã‚¹ãƒˆ ãƒ‡ãƒ¼ã‚¿ ã‚µãƒ¼ãƒ“ã‚¹ ãƒ¡ãƒ¼ãƒ« ãƒ•ã‚¡ã‚¤ãƒ«', reason: 'mojibake' },
    { name: 'glyph ids passed through as control characters (pdf.js TAMReview.pdf)', text: '\u0002\u0003\u0004\u0005\u0003\u0006\u0004\u0007\b \b \u0004\b \u0004\u000e \u000f \u0010 \u0011\u0012\b\u0013\u000e\u000e\u0004\u0014 \u0015\u000f', reason: 'unmapped' },
    { name: 'private-use code points', text: '\ue001\ue002\ue003 \ue004\ue005\ue006 \ue007\ue008 report \ue009\ue00a\ue00b\ue00c\ue00d\ue00e\ue00f\ue010', reason: 'unmapped' },
    { name: 'replacement characters', text: 'Invoice \ufffd\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd total \ufffd\ufffd\ufffd\ufffd\ufffd\ufffd', reason: 'unmapped' },
    { name: 'a wrong ToUnicode map mixing alphabets inside words (pdf.js complex_ttf_font.pdf)', text: 'ΰԔϸЇ́Ψ ϣÎgϙķϢʆ ΰԔϸЇ́Ψߙ ϣÎgϙķϢʆ һӍΉʽ Ψϸ ΰԔϸЇ́Ψ', reason: 'mixed_scripts' },
    { name: 'too short to judge', text: '\ufffd\ufffd\ufffd', reason: undefined },
  ])('$name', ({ text, reason }) => {
    const q = textLayerQuality(text);
    expect(q.reason).toBe(reason);
    if (reason) expect(q.score).toBeLessThan(0.8);
    else if (q.visible >= 20) expect(q.score).toBeGreaterThanOrEqual(0.8);
  });

  it('a few stray symbols on a page of prose do not make it garbage', () => {
    const page = `${ENGLISH.repeat(10)} \ue000 \ufffd © ± §`;
    expect(textLayerQuality(page).reason).toBeUndefined();
    expect(textLayerQuality(page).score).toBeGreaterThan(0.95);
  });

  it('scores a million-character page from a sample', () => {
    const huge = '\ufffd'.repeat(10) + 'a'.repeat(1_000_000);
    const started = performance.now();
    expect(textLayerQuality(huge).reason).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
