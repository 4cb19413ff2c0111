/**
 * A decoder for uncompressed Windows BMP (1/4/8-bit palette, 16/24/32-bit), which sharp's
 * bundled libvips cannot read. Compressed (RLE, JPEG-in-BMP) files are refused.
 */
export interface DecodedBmp {
  width: number;
  height: number;
  /** RGB, 3 channels, top-down. */
  rgb: Buffer;
}

export function isBmp(data: Buffer): boolean {
  return data.length >= 26 && data[0] === 0x42 && data[1] === 0x4d;
}

export function bmpDimensions(data: Buffer): { width: number; height: number } {
  if (data.length < 26) throw new Error('BMP header truncated');
  const headerSize = data.readUInt32LE(14);
  if (headerSize === 12) return { width: data.readUInt16LE(18), height: data.readUInt16LE(20) };
  return { width: Math.abs(data.readInt32LE(18)), height: Math.abs(data.readInt32LE(22)) };
}

export function decodeBmp(data: Buffer): DecodedBmp {
  if (!isBmp(data) || data.length < 54) throw new Error('not a BMP file');
  const pixelOffset = data.readUInt32LE(10);
  const headerSize = data.readUInt32LE(14);
  if (headerSize < 40) throw new Error('OS/2 BMP headers are not supported');
  const width = data.readInt32LE(18);
  const rawHeight = data.readInt32LE(22);
  const bpp = data.readUInt16LE(28);
  const compression = data.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  const bottomUp = rawHeight > 0;
  if (width <= 0 || height <= 0) throw new Error('BMP has no pixels');
  if (compression !== 0 && compression !== 3) throw new Error(`compressed BMP (method ${compression}) is not supported`);
  const paletteCount = bpp <= 8 ? data.readUInt32LE(46) || 1 << bpp : 0;
  const palette: Array<[number, number, number]> = [];
  for (let i = 0; i < paletteCount; i += 1) {
    const at = 14 + headerSize + i * 4;
    palette.push([data[at + 2] ?? 0, data[at + 1] ?? 0, data[at] ?? 0]);
  }
  let masks = [0xff0000, 0xff00, 0xff];
  if (compression === 3) {
    // BITFIELDS masks follow the 40-byte header (or sit inside a V4/V5 header, same offsets).
    masks = [data.readUInt32LE(54), data.readUInt32LE(58), data.readUInt32LE(62)];
  } else if (bpp === 16) {
    masks = [0x7c00, 0x03e0, 0x001f];
  }
  const rowSize = Math.ceil((width * bpp) / 32) * 4;
  if (pixelOffset + rowSize * height > data.length) throw new Error('BMP pixel data truncated');
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new Error(`${bpp}-bit BMP is not supported`);
  const rgb = Buffer.alloc(width * height * 3);
  const format: PixelFormat = { bpp, compression, masks, palette };
  for (let y = 0; y < height; y += 1) {
    const row = pixelOffset + (bottomUp ? height - 1 - y : y) * rowSize;
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = pixelAt(data, row, x, format);
      const o = (y * width + x) * 3;
      rgb[o] = r;
      rgb[o + 1] = g;
      rgb[o + 2] = b;
    }
  }
  return { width, height, rgb };
}

interface PixelFormat {
  bpp: number;
  compression: number;
  masks: number[];
  palette: Array<[number, number, number]>;
}

function channel(value: number, mask: number): number {
  if (mask === 0) return 0;
  const low = 31 - Math.clz32(mask & -mask);
  const bits = 32 - Math.clz32(mask >>> low);
  return Math.round((((value & mask) >>> low) * 255) / (2 ** bits - 1));
}

/** The RGB of pixel x of a row: direct 24/32-bit BGR, 16/32-bit bit fields, or a palette index. */
function pixelAt(data: Buffer, row: number, x: number, f: PixelFormat): [number, number, number] {
  if (f.bpp === 24 || (f.bpp === 32 && f.compression === 0)) {
    const at = row + x * (f.bpp / 8);
    return [data[at + 2]!, data[at + 1]!, data[at]!];
  }
  if (f.bpp === 16 || f.bpp === 32) {
    const value = f.bpp === 16 ? data.readUInt16LE(row + x * 2) : data.readUInt32LE(row + x * 4);
    return [channel(value, f.masks[0]!), channel(value, f.masks[1]!), channel(value, f.masks[2]!)];
  }
  const bit = x * f.bpp;
  const byte = data[row + (bit >> 3)]!;
  const index = (byte >> (8 - f.bpp - (bit & 7))) & ((1 << f.bpp) - 1);
  return f.palette[index] ?? [0, 0, 0];
}
