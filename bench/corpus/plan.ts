import { seeded } from '../../devstack/corpus/text-image.js';

/** The three classes of the old system's traffic. */
export type DocClass = 'text' | 'image' | 'scanpdf';
export type DocKind = 'pdf' | 'docx' | 'txt' | 'html' | 'jpeg' | 'png' | 'scanpdf';
export type Mix = Record<DocClass, number>;

export const DEFAULT_MIX: Mix = { text: 70, image: 20, scanpdf: 10 };

/** `text=70,image=20,scanpdf=10` → weights (any positive numbers; missing classes are 0). */
export function parseMix(spec: string): Mix {
  const mix: Mix = { text: 0, image: 0, scanpdf: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split('=');
    if (name !== 'text' && name !== 'image' && name !== 'scanpdf') throw new Error(`--mix: unknown class "${name}" (text, image, scanpdf)`);
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--mix: ${name} needs a number >= 0`);
    mix[name] = n;
  }
  if (mix.text + mix.image + mix.scanpdf <= 0) throw new Error('--mix: at least one class needs a positive share');
  return mix;
}

export interface DocSpec {
  index: number;
  key: string;
  cls: DocClass;
  kind: DocKind;
  /** Language of the words on the page(s). */
  lang: 'eng' | 'jpn';
  /** Pages of a PDF (text layer or scanned); 1 for everything else. */
  pages: number;
  /** Seed of this document's words and pages. */
  seed: number;
}

/** Class counts by largest remainder, so 20 documents at 70/20/10 are exactly 14/4/2. */
export function classCounts(documents: number, mix: Mix): Record<DocClass, number> {
  const total = mix.text + mix.image + mix.scanpdf;
  const classes: DocClass[] = ['text', 'image', 'scanpdf'];
  const exact = classes.map((c) => (documents * mix[c]) / total);
  const counts = exact.map(Math.floor);
  const order = classes.map((_, i) => i).sort((a, b) => exact[b]! - counts[b]! - (exact[a]! - counts[a]!) || a - b);
  let left = documents - counts.reduce((a, b) => a + b, 0);
  for (const i of order) {
    if (left <= 0) break;
    if (mix[classes[i]!] > 0) {
      counts[i]! += 1;
      left -= 1;
    }
  }
  return { text: counts[0]!, image: counts[1]!, scanpdf: counts[2]! };
}

/**
 * The corpus as a list of specs, deterministic for (documents, mix, seed): text documents are
 * text-layer PDFs of 1-10 pages (40%), docx, txt and html (20% each); images are single scanned
 * pages (JPEG or PNG), English and Japanese alternately; scanned PDFs have two image-only pages.
 */
export function planCorpus(documents: number, mix: Mix, seed: number): DocSpec[] {
  const rand = seeded(seed);
  const counts = classCounts(documents, mix);
  const classes: DocClass[] = [
    ...Array<DocClass>(counts.text).fill('text'),
    ...Array<DocClass>(counts.image).fill('image'),
    ...Array<DocClass>(counts.scanpdf).fill('scanpdf'),
  ];
  for (let i = classes.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  let scans = 0;
  return classes.map((cls, index) => {
    const docSeed = Math.floor(rand() * 2 ** 31);
    const n = String(index).padStart(5, '0');
    if (cls === 'text') {
      const r = rand();
      const kind: DocKind = r < 0.4 ? 'pdf' : r < 0.6 ? 'docx' : r < 0.8 ? 'txt' : 'html';
      const pages = kind === 'pdf' ? 1 + Math.floor(rand() * 10) : 1;
      return { index, key: `bench/text/doc-${n}.${kind}`, cls, kind, lang: 'eng', pages, seed: docSeed };
    }
    const lang = scans++ % 2 === 0 ? 'eng' : 'jpn';
    if (cls === 'image') {
      const kind: DocKind = rand() < 0.75 ? 'jpeg' : 'png';
      return { index, key: `bench/scans/${lang}/scan-${n}.${kind === 'jpeg' ? 'jpg' : 'png'}`, cls, kind, lang, pages: 1, seed: docSeed };
    }
    return { index, key: `bench/scans/${lang}/scan-${n}.pdf`, cls, kind: 'scanpdf', lang, pages: 2, seed: docSeed };
  });
}
