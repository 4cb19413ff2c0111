import sharp, { type Sharp } from 'sharp';
import type { Thumbnail } from '../../../ports/extractor.port.js';

export interface ThumbnailOptions {
  width: number;
  height: number;
  quality: number;
  format: 'jpeg' | 'png' | 'webp';
  maxPixels: number;
}

const CONTENT_TYPE = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;
const EXTENSION = { jpeg: 'jpg', png: 'png', webp: 'webp' } as const;

export interface RawPixels {
  raw: Buffer | Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Fits the image inside width x height (aspect kept, never enlarged), flattened on white. */
export async function makeThumbnail(
  input: Sharp | RawPixels,
  options: ThumbnailOptions,
): Promise<Thumbnail> {
  const image = input instanceof sharp ? input : sharp(input.raw, { raw: { width: input.width, height: input.height, channels: input.channels } });
  let pipeline = image
    .rotate()
    .resize({ width: options.width, height: options.height, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' });
  if (options.format === 'jpeg') pipeline = pipeline.jpeg({ quality: options.quality, mozjpeg: false });
  else if (options.format === 'webp') pipeline = pipeline.webp({ quality: options.quality });
  else pipeline = pipeline.png({ compressionLevel: 9 });
  const data = await pipeline.toBuffer();
  return { data, contentType: CONTENT_TYPE[options.format], extension: EXTENSION[options.format] };
}
