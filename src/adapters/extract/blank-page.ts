import type { OcrImage } from './ocr/ocr.types.js';

/** Rows and columns sampled: every 4th of each (1/16 of the pixels) finds a word at 200 DPI. */
const STEP = 4;
/** A pixel is ink when it is this much darker than the page's paper (its 90th-percentile grey). */
const INK_CONTRAST = 60;
/**
 * Ink share under which a page is taken as blank: 0.01% of an A4 page at 200 DPI is about 390
 * pixels, less than one short word of 11 pt text (a page number, a scanner's speck stays under it).
 */
export const BLANK_INK_SHARE = 0.0001;

/** The grey pixels of a binary PGM (P5, 8-bit), or null for any other encoding. */
function pgmPixels(image: OcrImage): Uint8Array | null {
  const { data, width, height } = image;
  if (data.length < 2 || data[0] !== 0x50 || data[1] !== 0x35) return null;
  const offset = data.length - width * height;
  return offset > 0 ? data.subarray(offset) : null;
}

/**
 * True when a page image holds no text worth an OCR run: nearly all of it is paper. Measured on
 * the page's own contrast, so light-grey print on white still counts as ink. Only PGM pages are
 * judged (what the PDF reader hands to OCR); anything else is never called blank.
 */
export function isBlankPage(image: OcrImage): boolean {
  const pixels = pgmPixels(image);
  if (!pixels) return false;
  const { width, height } = image;
  const histogram = new Uint32Array(256);
  let sampled = 0;
  for (let y = 0; y < height; y += STEP) {
    const row = y * width;
    for (let x = 0; x < width; x += STEP) {
      histogram[pixels[row + x]!]! += 1;
      sampled += 1;
    }
  }
  if (sampled === 0) return true;
  let paper = 255;
  for (let v = 255, seen = 0; v >= 0; v -= 1) {
    seen += histogram[v]!;
    if (seen >= sampled * 0.1) {
      paper = v;
      break;
    }
  }
  let ink = 0;
  for (let v = 0; v < paper - INK_CONTRAST; v += 1) ink += histogram[v]!;
  return ink / sampled < BLANK_INK_SHARE;
}
