import { deflateSync } from 'node:zlib';

/**
 * A small hand-written PDF writer for tests: pages with a real text layer (Helvetica, WinAnsi),
 * pages that are only an image (a "scan"), huge pages, encrypted and truncated files. Generated at
 * test time so no binary is committed.
 */
export interface PdfImage {
  /** JPEG bytes (DCTDecode) or raw 8-bit grey pixels (FlateDecode). */
  jpeg?: Buffer;
  grey?: Buffer;
  /** Already zlib-compressed grey pixels (FlateDecode). */
  flate?: Buffer;
  width: number;
  height: number;
}

export interface PdfPage {
  lines?: string[];
  /**
   * An invisible text layer (render mode 3, as a scanner lays its OCR over the image), written byte
   * for byte (a latin1 string, only `()\\` escaped): the font's WinAnsi encoding decodes it, so
   * UTF-8 or Shift_JIS bytes make a mojibake text layer.
   */
  rawLines?: string[];
  image?: PdfImage;
  /** Page size in points; A4 by default. */
  widthPt?: number;
  heightPt?: number;
  fontSize?: number;
  /** /Rotate of the page (0, 90, 180, 270). */
  rotate?: number;
}

export interface PdfOptions {
  /** Adds an /Encrypt dictionary whose user password is not empty: readers must ask for it. */
  encrypted?: boolean;
  /** A document information dictionary (Title, Author, CreationDate...), written as literal strings. */
  info?: Record<string, string>;
}

const A4 = { w: 595.28, h: 841.89 };

function escapeText(s: string): string {
  return s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');
}

export function buildPdf(pages: PdfPage[], options: PdfOptions = {}): Buffer {
  const objects: Buffer[] = [];
  const add = (body: Buffer | string): number => {
    objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
    return objects.length;
  };
  const stream = (dict: string, data: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);

  const catalogId = add('');
  const pagesId = add('');
  const fontId = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const page of pages) {
    const w = page.widthPt ?? A4.w;
    const h = page.heightPt ?? A4.h;
    let content = '';
    let resources = `/Font << /F1 ${fontId} 0 R >>`;
    if (page.image) {
      const img = page.image;
      const imageId = img.jpeg
        ? add(stream(`/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode`, img.jpeg))
        : add(stream(`/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode`, img.flate ?? deflateSync(img.grey ?? Buffer.alloc(img.width * img.height, 255))));
      resources += ` /XObject << /Im1 ${imageId} 0 R >>`;
      content += `q ${w} 0 0 ${h} 0 0 cm /Im1 Do Q\n`;
    }
    for (const [lines, mode] of [[(page.lines ?? []).map(escapeText), 0], [(page.rawLines ?? []).map((l) => l.replace(/[\\()]/g, (c) => `\\${c}`)), 3]] as const) {
      if (lines.length === 0) continue;
      const size = page.fontSize ?? 11;
      content += `BT /F1 ${size} Tf ${mode} Tr ${size * 1.3} TL 50 ${h - 60} Td\n`;
      for (const line of lines) content += `(${line}) Tj T*\n`;
      content += 'ET\n';
    }
    const contentId = add(stream('', Buffer.from(content, 'latin1')));
    kids.push(add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 ${w} ${h}]${page.rotate ? ` /Rotate ${page.rotate}` : ''} /Resources << ${resources} >> /Contents ${contentId} 0 R >>`));
  }
  objects[pagesId - 1] = Buffer.from(`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`, 'latin1');
  objects[catalogId - 1] = Buffer.from(`<< /Type /Catalog /Pages ${pagesId} 0 R >>`, 'latin1');
  let encryptId: number | undefined;
  if (options.encrypted) {
    const hex = (n: number) => Buffer.alloc(32, n).toString('hex');
    encryptId = add(`<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <${hex(0x5a)}> /U <${hex(0xa5)}> >>`);
  }

  const infoId = options.info ? add(`<< ${Object.entries(options.info).map(([k, v]) => `/${k} (${escapeText(v)})`).join(' ')} >>`) : undefined;

  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    chunks.push(chunk);
    offset += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const id = '<0123456789abcdef0123456789abcdef>';
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root ${catalogId} 0 R${infoId ? ` /Info ${infoId} 0 R` : ''}${encryptId ? ` /Encrypt ${encryptId} 0 R` : ''} /ID [${id} ${id}] >>\nstartxref\n${offset}\n%%EOF\n`;
  chunks.push(Buffer.from(xref + trailer, 'latin1'));
  return Buffer.concat(chunks);
}

/**
 * zlib (FlateDecode) data that inflates to `mib` MiB of zeros without ever allocating them: the
 * raw deflate stream of `zerosDeflated` inside a zlib header and the Adler-32 of n zero bytes.
 */
export async function zerosFlate(mib: number): Promise<Buffer> {
  const { zerosDeflated } = await import('./zip.js');
  const raw = await zerosDeflated(mib);
  const n = mib * 1024 * 1024;
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((n % 65521) << 16) | 1) >>> 0, 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), raw, adler]);
}

/** One page showing a single grey image of width x height pixels, compressed to almost nothing. */
export async function pdfWithHugeImage(width: number, height: number): Promise<Buffer> {
  const mib = Math.ceil((width * height) / (1024 * 1024));
  const flate = await zerosFlate(mib);
  return buildPdf([{ image: { flate, width, height } }]);
}
