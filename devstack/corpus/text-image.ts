import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts, createCanvas } from '@napi-rs/canvas';

/**
 * Renders English and Japanese text onto white pages the way a scanner would see them. The font
 * (BIZ UDGothic, OFL) comes from an npm package, so the pages look the same on any machine.
 */
let families: string[] = [];

/**
 * Each unicode-range subset of the font is registered as its own family and pages are drawn with
 * the whole list: @napi-rs/canvas uses one typeface per family name, so one family holding every
 * subset would draw most characters as boxes.
 */
export function registerTestFont(): string {
  if (families.length === 0) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@fontsource/biz-udgothic/package.json')), 'files');
    const names: string[] = [];
    for (const file of readdirSync(dir).sort()) {
      const match = /^biz-udgothic-(\d+|latin)-400-normal\.woff2$/.exec(file);
      if (!match) continue;
      const family = `DocsiftTestGothic${match[1]}`;
      GlobalFonts.registerFromPath(join(dir, file), family);
      if (match[1] === 'latin') names.unshift(family);
      else names.push(family);
    }
    if (names.length < 2) throw new Error('@fontsource/biz-udgothic font files not found');
    families = names;
  }
  return families.join(', ');
}

export interface RenderedPage {
  /** 8-bit grey pixels, row-major. */
  grey: Buffer;
  width: number;
  height: number;
  /** The exact text drawn, lines joined with newlines. */
  text: string;
}

export interface PageLayout {
  dpi?: number;
  /** Page size in inches; A4 by default. */
  widthIn?: number;
  heightIn?: number;
  fontPt?: number;
  /** Page margin in inches; 0.8 by default. */
  marginIn?: number;
  /** Characters are laid out one by one (Japanese has no spaces to break at). */
  cjk?: boolean;
}

/** Lays text out on a page (wrapping at word or character boundaries) and renders it in grey. */
export function renderTextPage(text: string, layout: PageLayout = {}): RenderedPage {
  const fontList = registerTestFont();
  const dpi = layout.dpi ?? 200;
  const width = Math.round((layout.widthIn ?? 8.27) * dpi);
  const height = Math.round((layout.heightIn ?? 11.69) * dpi);
  const fontPx = Math.round(((layout.fontPt ?? 12) * dpi) / 72);
  const margin = Math.round((layout.marginIn ?? 0.8) * dpi);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = `${fontPx}px ${fontList}`;
  ctx.textBaseline = 'top';
  const maxWidth = width - 2 * margin;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    const tokens = layout.cjk ? [...paragraph] : paragraph.split(/\s+/).filter(Boolean);
    let line = '';
    for (const token of tokens) {
      const candidate = line === '' ? token : layout.cjk ? line + token : `${line} ${token}`;
      if (ctx.measureText(candidate).width > maxWidth && line !== '') {
        lines.push(line);
        line = token;
      } else {
        line = candidate;
      }
    }
    if (line !== '') lines.push(line);
  }
  const lineHeight = Math.round(fontPx * 1.6);
  const drawn: string[] = [];
  let y = margin;
  for (const line of lines) {
    if (y + lineHeight > height - margin) break;
    ctx.fillText(line, margin, y);
    drawn.push(line);
    y += lineHeight;
  }
  // A page too small for its margins would come out blank and still pass for a scan.
  if (drawn.length === 0 && text.trim() !== '') throw new Error(`renderTextPage: no line fits a ${width}x${height} page with ${margin}px margins and ${lineHeight}px lines`);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const grey = Buffer.allocUnsafe(width * height);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 1) grey[o] = rgba[i]!;
  return { grey, width, height, text: drawn.join('\n') };
}

/** Deterministic pseudo-random numbers, so every run draws the same pages. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ENGLISH_WORDS = (
  'the report shows that revenue grew across every region during the third quarter while costs remained stable ' +
  'our engineering team delivered new search features faster indexing and better document previews for customers ' +
  'shipping volumes from the warehouse increased after the harbour expansion opened to larger container vessels ' +
  'management expects steady demand next year although currency movements may affect margins in export markets ' +
  'please review the attached invoice before friday and confirm the delivery address with the logistics office ' +
  'annual maintenance of the production line is scheduled for august and will last approximately two weeks ' +
  'training sessions for new employees cover safety procedures quality standards and the internal ticket system ' +
  'the committee approved the budget proposal with minor changes to travel allowances and equipment purchases'
).split(' ');

/** About `words` English words in sentences of 8-16 words, deterministic per seed. */
export function englishText(words: number, seed = 1): string {
  const rand = seeded(seed);
  const out: string[] = [];
  while (out.length < words) {
    const length = 8 + Math.floor(rand() * 9);
    const sentence: string[] = [];
    for (let i = 0; i < length && out.length + sentence.length < words; i += 1) {
      sentence.push(ENGLISH_WORDS[Math.floor(rand() * ENGLISH_WORDS.length)]!);
    }
    sentence[0] = sentence[0]!.charAt(0).toUpperCase() + sentence[0]!.slice(1);
    sentence[sentence.length - 1] += '.';
    out.push(...sentence);
  }
  return out.join(' ');
}

const JAPANESE_SENTENCES = [
  '東京本社の会議は午後三時に始まります。',
  '今年の売上高は前年に比べて大きく増加しました。',
  '新しい検索機能により文書を素早く見つけることができます。',
  '倉庫からの出荷量は港の拡張後に増えました。',
  '請求書の内容を金曜日までに確認してください。',
  '製造ラインの定期点検は八月に予定されています。',
  '新入社員の研修では安全手順と品質基準を学びます。',
  '委員会は予算案を一部修正して承認しました。',
  '大阪支店では来月から新しい在庫管理を導入します。',
  '顧客からの問い合わせには二営業日以内に回答します。',
  '技術部は文書の自動分類について報告書をまとめました。',
  '会議室の予約は社内システムから行ってください。',
];

/** Japanese prose from a fixed set of sentences, about `chars` characters, deterministic per seed. */
export function japaneseText(chars: number, seed = 1): string {
  const rand = seeded(seed);
  let out = '';
  while (out.length < chars) out += JAPANESE_SENTENCES[Math.floor(rand() * JAPANESE_SENTENCES.length)]!;
  return out;
}
