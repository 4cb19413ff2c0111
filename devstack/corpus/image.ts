import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import type { RenderedPage } from './text-image.js';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'ascii'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A PNG of a few KB whose header declares `width` x `height` grey pixels: decoding it would need
 * width*height bytes. The IDAT holds only the first rows, so nothing but the header is honest.
 */
export function pngBomb(width = 30_000, height = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * 4); // four filter-0 rows of black
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

export function greyImage(page: Pick<RenderedPage, 'grey' | 'width' | 'height'>) {
  return sharp(page.grey, { raw: { width: page.width, height: page.height, channels: 1 } });
}

export async function encode(page: Pick<RenderedPage, 'grey' | 'width' | 'height'>, format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff', dpi?: number): Promise<Buffer> {
  let image = greyImage(page);
  if (dpi) image = image.withMetadata({ density: dpi });
  switch (format) {
    case 'png':
      return image.png().toBuffer();
    case 'jpeg':
      return image.jpeg({ quality: 85 }).toBuffer();
    case 'webp':
      return image.webp({ lossless: true }).toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    case 'tiff':
      return image.tiff({ compression: 'lzw' }).toBuffer();
  }
}

/** A BMP (24-bit, bottom-up) written by hand: sharp reads BMP but does not write it. */
export function bmp(page: Pick<RenderedPage, 'grey' | 'width' | 'height'>): Buffer {
  const rowSize = Math.ceil((page.width * 3) / 4) * 4;
  const size = 54 + rowSize * page.height;
  const out = Buffer.alloc(size);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(size, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(page.width, 18);
  out.writeInt32LE(page.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowSize * page.height, 34);
  for (let y = 0; y < page.height; y += 1) {
    const row = 54 + (page.height - 1 - y) * rowSize;
    for (let x = 0; x < page.width; x += 1) {
      const v = page.grey[y * page.width + x]!;
      out[row + x * 3] = v;
      out[row + x * 3 + 1] = v;
      out[row + x * 3 + 2] = v;
    }
  }
  return out;
}

/** A multi-page TIFF, one page per rendered page. */
export async function multiPageTiff(pages: Array<Pick<RenderedPage, 'grey' | 'width' | 'height'>>): Promise<Buffer> {
  const pngs = await Promise.all(pages.map((p) => greyImage(p).png({ compressionLevel: 1 }).toBuffer()));
  return sharp(pngs, { join: { animated: true } }).tiff({ compression: 'lzw' }).toBuffer();
}
