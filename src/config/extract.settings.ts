import { z } from 'zod';
import { bool, describe, int, oneOf, text } from './setting.js';
import type { Rule } from './rule.js';

const LANGUAGES = /^[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$/;
const PREPROCESSING_STEPS = ['none', 'grayscale', 'normalise'] as const;

/** Comma-separated subset of the preprocessing steps, e.g. `grayscale,normalise`; `none` alone turns all off. */
function preprocessing(def: string) {
  const base = z
    .string()
    .refine(
      (v) => v.split(',').every((s) => (PREPROCESSING_STEPS as readonly string[]).includes(s.trim().toLowerCase())),
      { error: `must be a comma-separated list of ${PREPROCESSING_STEPS.join(', ')}` },
    )
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter((s): s is 'grayscale' | 'normalise' => s === 'grayscale' || s === 'normalise'),
    );
  return describe(base.prefault(def), {
    doc: 'Image steps before OCR: grayscale, normalise (contrast stretch), or none',
    defaultText: def,
  });
}

/** Extraction engine: OCR pool, PDF, images, office files and thumbnails. */
export const extractSettings = {
  OCR_ENABLED: bool(true, { doc: 'OCR images and PDF pages without a text layer; false indexes them as unsupported/empty' }),
  OCR_ENGINE: oneOf(['auto', 'tesseract.js', 'native'] as const, 'auto', {
    doc: 'auto: native when a tesseract 4+ binary with every OCR_LANGUAGES language is installed (the image has one), else tesseract.js; tesseract.js: WASM on worker threads, offline, nothing outside node_modules; native: the `tesseract` binary, one single-threaded process per page, start-up fails without it. The choice is logged at start-up',
  }),
  OCR_LANGUAGES: describe(
    z.string().regex(LANGUAGES, { error: 'must be tesseract language codes joined by +, e.g. jpn+eng' }).default('jpn+eng'),
    { doc: 'Tesseract languages, joined by +' },
  ),
  TESSDATA_DIR: text(undefined, {
    doc: 'Directory of <lang>.traineddata (e.g. /usr/share/tesseract-ocr/5/tessdata); unset: the binary\'s own data (native) or the @tesseract.js-data npm packages (tesseract.js)',
  }),
  OCR_DETECT_ORIENTATION: bool(true, {
    doc: 'Read pages scanned sideways or upside down upright (tesseract OSD, osd.traineddata). Native tesseract reads each page as it lies first (page segmentation mode 3) and again with detection (mode 1) only when that reading\'s mean word confidence is under 80; tesseract.js detects on every page. Off: mode 3 only',
  }),
  OCR_WORKERS: int(1, 64, undefined, {
    unit: 'workers',
    doc: 'OCR workers (threads or processes) in the pool',
    defaultText: 'CPUs of the container cgroup quota, else available parallelism',
  }),
  OCR_RECYCLE_JOBS: int(1, 1_000_000, 100, { unit: 'jobs', doc: 'A tesseract.js worker is replaced after this many pages/images' }),
  OCR_WORKER_MAX_MB: int(64, 65_536, 700, {
    unit: 'MiB',
    doc: 'A tesseract.js worker is replaced after a job when the pool memory (process RSS above the pre-pool baseline, per worker) passes this',
  }),
  OCR_TIMEOUT: int(1, 3600, 120, {
    unit: 's',
    doc: 'Longest one page/image may take in OCR; then its worker is terminated and replaced and the document fails as transient ocr_timeout',
  }),
  OCR_START_TIMEOUT: int(1, 600, 60, { unit: 's', doc: 'Longest an OCR worker may take to start and load its languages' }),
  OCR_MAX_IMAGE_SIDE: int(500, 20_000, 4200, {
    unit: 'px',
    doc: 'Images are downscaled so their longest side is at most this before OCR (4200 px is A4 at about 360 DPI)',
  }),
  IMAGE_MAX_PIXELS: int(1_000_000, 1_000_000_000, 50_000_000, {
    unit: 'pixels',
    doc: 'Images (and TIFF pages) declaring more pixels are refused as permanent decompression_bomb before decoding',
  }),
  IMAGE_PREPROCESSING: preprocessing('grayscale'),
  PDF_DPI: int(72, 600, 200, { unit: 'DPI', doc: 'Resolution PDF pages without text are rendered at for OCR' }),
  PDF_STRATEGY: oneOf(['auto', 'ocr_and_text', 'text_only', 'ocr_only'] as const, 'auto', {
    doc: 'auto: text layer, OCR for pages without one; ocr_and_text: both for every page; text_only: never OCR; ocr_only: OCR every page',
  }),
  PDF_MIN_TEXT_CHARS: int(0, 10_000, 20, {
    unit: 'characters',
    doc: 'A PDF page whose text layer has fewer non-space characters than this is OCR\'d (strategy auto)',
  }),
  MAX_PDF_PAGES: int(1, 100_000, 500, {
    unit: 'pages',
    doc: 'Pages read per PDF or multi-page image; the rest are left out and the document is marked truncated',
  }),
  PDF_MAX_OPERATORS: int(1000, 100_000_000, 100_000, {
    unit: 'operations',
    doc: 'Drawing operations (and text items) one PDF page may expand to, form XObjects inlined each time they are drawn; a page over it is not rendered, and the document is marked truncated',
  }),
  SHEET_MAX_CELLS: int(1000, 100_000_000, 1_000_000, {
    unit: 'cells',
    doc: 'Cells read per spreadsheet sheet (each shared-string reference is a cell); the rest are left out and the document is marked truncated',
  }),
  MAX_OFFICE_SIZE_MB: int(1, 5120, 50, { unit: 'MiB', doc: 'Office, RTF and mail files larger than this fail as permanent too_large' }),
  MAX_UNCOMPRESSED_MB: int(1, 65_536, 512, {
    unit: 'MiB',
    doc: 'Total uncompressed size of an office file, or of a zip/gzip/mail with every member at every nesting level together, checked before inflating; over it: permanent decompression_bomb',
  }),
  THUMBNAIL_ENABLED: bool(true, { doc: 'Make a thumbnail for images (and PDFs when THUMBNAIL_PDFS=true)' }),
  THUMBNAIL_PDFS: bool(false, { doc: 'Also make a thumbnail of the first page of PDFs' }),
  THUMBNAIL_WIDTH: int(16, 4096, 150, { unit: 'px', doc: 'Thumbnail box width (fit inside, aspect kept)' }),
  THUMBNAIL_HEIGHT: int(16, 4096, 150, { unit: 'px', doc: 'Thumbnail box height (fit inside, aspect kept)' }),
  THUMBNAIL_QUALITY: int(1, 100, 75, { unit: 'percent', doc: 'JPEG/WebP quality of thumbnails' }),
  THUMBNAIL_FORMAT: oneOf(['jpeg', 'png', 'webp'] as const, 'jpeg', { doc: 'Thumbnail image format' }),
  THUMBNAIL_BUCKET: text(undefined, { doc: 'Bucket thumbnails are stored in; unset: the source bucket' }),
  THUMBNAIL_PREFIX: text('thumbnails/', {
    doc: 'Key prefix of thumbnails (key derived from the document id); events for keys under it are ignored so thumbnails never loop back',
  }),
};

export const extractRules: Rule[] = [
  (c) =>
    c.PDF_STRATEGY === 'ocr_only' && !c.OCR_ENABLED
      ? [`PDF_STRATEGY=ocr_only needs OCR_ENABLED=true (or choose PDF_STRATEGY=text_only)`]
      : [],
  (c) =>
    c.OCR_TIMEOUT >= c.PROCESSING_TIMEOUT
      ? [`OCR_TIMEOUT=${c.OCR_TIMEOUT} must be less than PROCESSING_TIMEOUT=${c.PROCESSING_TIMEOUT}`]
      : [],
  (c) =>
    c.THUMBNAIL_ENABLED && !c.THUMBNAIL_BUCKET && c.THUMBNAIL_PREFIX.trim() === ''
      ? ['THUMBNAIL_PREFIX must not be empty when thumbnails go to the source bucket (set THUMBNAIL_PREFIX or THUMBNAIL_BUCKET), or thumbnails loop back into the queue']
      : [],
  (c) =>
    c.MAX_OFFICE_SIZE_MB > c.MAX_UNCOMPRESSED_MB
      ? [`MAX_OFFICE_SIZE_MB=${c.MAX_OFFICE_SIZE_MB} must not exceed MAX_UNCOMPRESSED_MB=${c.MAX_UNCOMPRESSED_MB}`]
      : [],
];

/**
 * Environment of a native tesseract process: the worker's own, plus one OpenMP thread per process
 * (its default threading was ten times slower on two cores). Here because config/ is the only code
 * that reads process.env.
 */
export function nativeOcrEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OMP_THREAD_LIMIT: '1' };
}
