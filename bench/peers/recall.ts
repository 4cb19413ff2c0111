/**
 * Recall against ground truth: the share of the truth's words (English) or characters (every
 * script, spaces left out) that the recognised text holds, counted as multisets, so order and
 * line breaks do not matter and a repeated word must be found as often as it occurs.
 */
function multisetRecall(truth: string[], found: string[]): number | null {
  if (truth.length === 0) return null;
  const have = new Map<string, number>();
  for (const t of found) have.set(t, (have.get(t) ?? 0) + 1);
  let hit = 0;
  for (const t of truth) {
    const n = have.get(t) ?? 0;
    if (n > 0) {
      hit += 1;
      have.set(t, n - 1);
    }
  }
  return hit / truth.length;
}

export function words(text: string): string[] {
  return text.toLowerCase().normalize('NFKC').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

export function chars(text: string): string[] {
  return [...text.normalize('NFKC').replace(/\s+/g, '')];
}

export function wordRecall(truth: string, recognised: string): number | null {
  return multisetRecall(words(truth), words(recognised));
}

export function charRecall(truth: string, recognised: string): number | null {
  return multisetRecall(chars(truth), chars(recognised));
}

/** Recall over a set of documents: words over the English ones, characters over all, pooled by size. */
export function corpusRecall(docs: Array<{ lang: string; truth: string; text: string }>): { word: number | null; char: number | null } {
  let wordHit = 0;
  let wordAll = 0;
  let charHit = 0;
  let charAll = 0;
  for (const d of docs) {
    const c = chars(d.truth).length;
    charAll += c;
    charHit += (charRecall(d.truth, d.text) ?? 0) * c;
    if (d.lang !== 'eng') continue;
    const w = words(d.truth).length;
    wordAll += w;
    wordHit += (wordRecall(d.truth, d.text) ?? 0) * w;
  }
  const r = (hit: number, all: number) => (all === 0 ? null : Math.round((hit / all) * 1000) / 1000);
  return { word: r(wordHit, wordAll), char: r(charHit, charAll) };
}
