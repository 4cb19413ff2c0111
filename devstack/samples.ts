import { buildPdf } from './corpus/pdf.js';

function makeTextPdf(pages: string[][]): Buffer {
  return buildPdf(pages.map((lines) => ({ lines })));
}

export interface Sample {
  key: string;
  body: Buffer;
  contentType: string;
  /** A word the extracted content must contain (checked by tests). */
  marker: string;
}

const WORDS = ['invoice', 'shipment', 'warehouse', 'contract', 'payment', 'quarterly', 'report', 'customer', 'delivery', 'schedule', 'inventory', 'approval'];

/** Deterministic pseudo-random generator (mulberry32), so a seed always yields the same corpus. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sentence(rand: () => number, words = 12): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(' ');
}

type Maker = (i: number, rand: () => number) => Sample;

/** One generator per text type the core extracts; the extraction engine adds images and office files. */
export const SAMPLE_MAKERS: Record<string, Maker> = {
  txt: (i, r) => {
    const marker = `marker${i}txt`;
    return { key: `samples/notes ${i}.txt`, body: Buffer.from(`${marker}\n${sentence(r, 40)}\n`), contentType: 'text/plain', marker };
  },
  md: (i, r) => {
    const marker = `marker${i}md`;
    return { key: `samples/docs/readme-${i}.md`, body: Buffer.from(`# Title ${marker}\n\n${sentence(r, 30)}\n\n- item one\n- item two\n`), contentType: 'text/markdown', marker };
  },
  csv: (i, r) => {
    const marker = `marker${i}csv`;
    const rows = ['id,name,note', `1,${marker},${sentence(r, 3)}`, `2,beta,${sentence(r, 3)}`];
    return { key: `samples/tables/data-${i}.csv`, body: Buffer.from(rows.join('\n')), contentType: 'text/csv', marker };
  },
  json: (i, r) => {
    const marker = `marker${i}json`;
    return { key: `samples/json/record-${i}.json`, body: Buffer.from(JSON.stringify({ id: i, title: marker, body: sentence(r, 20) })), contentType: 'application/json', marker };
  },
  html: (i, r) => {
    const marker = `marker${i}html`;
    return {
      key: `samples/web/page-${i}.html`,
      body: Buffer.from(`<!doctype html><html><head><title>${marker}</title><style>p{color:red}</style></head><body><h1>${marker}</h1><p>${sentence(r, 25)}</p><script>var x=1;</script></body></html>`),
      contentType: 'text/html',
      marker,
    };
  },
  pdf: (i, r) => {
    const marker = `marker${i}pdf`;
    const pages = Array.from({ length: 1 + (i % 3) }, (_, p) => [p === 0 ? marker : `page ${p + 1}`, ...Array.from({ length: 20 }, () => sentence(r, 10))]);
    return { key: `samples/pdf/report ${i}.pdf`, body: makeTextPdf(pages), contentType: 'application/pdf', marker };
  },
  japanese: (i, r) => {
    const marker = `marker${i}ja`;
    return { key: `samples/日本語/文書 ${i}.txt`, body: Buffer.from(`${marker}\n請求書と納品書の確認をお願いします。${sentence(r, 5)}\n`), contentType: 'text/plain', marker };
  },
  binary: (i) => {
    // A type with no extractor: indexed as `unsupported`, findable by name.
    const body = Buffer.alloc(512);
    Buffer.from('7z\xbc\xaf\x27\x1c', 'latin1').copy(body);
    return { key: `samples/archives/backup-${i}.7z`, body, contentType: 'application/x-7z-compressed', marker: '' };
  },
};

/** `count` samples cycling through every maker, deterministic for `seed`. */
export function makeSamples(count: number, seed = 42, kinds: string[] = Object.keys(SAMPLE_MAKERS)): Sample[] {
  const rand = rng(seed);
  return Array.from({ length: count }, (_, i) => SAMPLE_MAKERS[kinds[i % kinds.length]!]!(i, rand));
}

/**
 * One of each binary type the extraction engine handles, for `npm start`: office documents, images
 * (English and Japanese scans, a two-page TIFF, BMP, WebP) and a scanned PDF. Async because image
 * encoding is; loaded lazily so the text corpus needs neither canvas nor sharp.
 */
export async function makeBinarySamples(seed = 42): Promise<Sample[]> {
  const office = await import('./corpus/office.js');
  const image = await import('./corpus/image.js');
  const text = await import('./corpus/text-image.js');
  const rand = rng(seed);
  const en = (marker: string) => `${marker} ${sentence(rand, 30)}`;
  // Small pages (5 x 2.5 in at 200 DPI) keep OCR in `npm start` to a second or two each.
  const page = (words: string, lang: 'en' | 'ja' = 'en') => text.renderTextPage(words, { widthIn: 5, heightIn: 2.5, fontPt: 16, marginIn: 0.3, cjk: lang === 'ja' });
  const samples: Sample[] = [
    { key: 'samples/office/minutes.docx', body: office.docx([en('docxmarker'), sentence(rand, 20)]), contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', marker: 'docxmarker' },
    { key: 'samples/office/budget.xlsx', body: office.xlsx([{ name: 'Q1', rows: [['item', 'amount'], ['xlsxmarker', 42]] }]), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', marker: 'xlsxmarker' },
    { key: 'samples/office/deck.pptx', body: office.pptx([['pptxmarker', sentence(rand, 8)]]), contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', marker: 'pptxmarker' },
    { key: 'samples/office/letter.odt', body: office.odt([en('odtmarker')]), contentType: 'application/vnd.oasis.opendocument.text', marker: 'odtmarker' },
    { key: 'samples/office/table.ods', body: office.ods([['odsmarker', '1']]), contentType: 'application/vnd.oasis.opendocument.spreadsheet', marker: 'odsmarker' },
    { key: 'samples/office/slides.odp', body: office.odp([['odpmarker']]), contentType: 'application/vnd.oasis.opendocument.presentation', marker: 'odpmarker' },
  ];
  const scan = page('scanned invoice number 4711 for warehouse delivery');
  samples.push({ key: 'samples/scans/invoice.png', body: await image.encode(scan, 'png', 200), contentType: 'image/png', marker: 'invoice' });
  samples.push({ key: 'samples/scans/receipt.jpg', body: await image.encode(page('receipt for quarterly payment approval'), 'jpeg', 200), contentType: 'image/jpeg', marker: 'receipt' });
  samples.push({ key: 'samples/scans/notice.webp', body: await image.encode(page('notice about the delivery schedule'), 'webp', 200), contentType: 'image/webp', marker: 'notice' });
  samples.push({ key: 'samples/scans/memo.bmp', body: image.bmp(page('memo about inventory')), contentType: 'image/bmp', marker: 'memo' });
  samples.push({
    key: 'samples/scans/two pages.tiff',
    body: await image.multiPageTiff([page('first page contract'), page('second page shipment')]),
    contentType: 'image/tiff',
    marker: 'shipment',
  });
  const ja = page('請求書の確認をお願いします', 'ja');
  samples.push({ key: 'samples/scans/請求書.png', body: await image.encode(ja, 'png', 200), contentType: 'image/png', marker: '請求書' });
  const jpeg = await image.encode(scan, 'jpeg', 200);
  samples.push({
    key: 'samples/pdf/scanned invoice.pdf',
    // The page is the scan's size at 200 DPI, as a scanner would make it.
    body: buildPdf([{ image: { jpeg, width: scan.width, height: scan.height }, widthPt: (scan.width * 72) / 200, heightPt: (scan.height * 72) / 200 }]),
    contentType: 'application/pdf',
    marker: 'invoice',
  });
  return samples;
}
