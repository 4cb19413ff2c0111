const KANA = /[\u3040-\u30ff\uff66-\uff9f]/g;
const HAN = /[\u4e00-\u9fff\u3400-\u4dbf]/g;
const HANGUL = /[\uac00-\ud7af]/g;
const LATIN_WORD = /\b[a-z]+\b/gi;
const ENGLISH = new Set(['the', 'and', 'of', 'to', 'in', 'is', 'that', 'for', 'it', 'with', 'as', 'was', 'on', 'are', 'this', 'be', 'by', 'or', 'from', 'at']);

const SAMPLE = 20_000;

/**
 * A cheap guess from scripts and English function words, over the first 20,000 characters:
 * `ja` (kana present, or Han with kana), `zh` (Han without kana), `ko`, `en`, else undefined.
 */
export function detectLanguage(text: string): string | undefined {
  const sample = text.slice(0, SAMPLE);
  const kana = sample.match(KANA)?.length ?? 0;
  const han = sample.match(HAN)?.length ?? 0;
  const hangul = sample.match(HANGUL)?.length ?? 0;
  const words = sample.match(LATIN_WORD) ?? [];
  const letters = kana + han + hangul + words.join('').length;
  if (letters === 0) return undefined;
  const cjk = kana + han + hangul;
  if (cjk / letters > 0.2) {
    if (kana > 0 && kana + han >= hangul) return 'ja';
    if (hangul > han) return 'ko';
    return 'zh';
  }
  if (words.length >= 5) {
    const english = words.filter((w) => ENGLISH.has(w.toLowerCase())).length;
    if (english / words.length > 0.08) return 'en';
  }
  return undefined;
}
