/**
 * OCR on the tesseract.js pool, one English worker, replaced after every page: after one scanned
 * document every OCR metric series (pages, stage timings, worker recycles) has a value.
 * OCR_ENGINE=auto would pick native tesseract where it is installed, which has no recycles.
 */
export const OCR_EVERY_SERIES_ENV = {
  OCR_ENABLED: 'true',
  OCR_ENGINE: 'tesseract.js',
  OCR_LANGUAGES: 'eng',
  OCR_WORKERS: '1',
  OCR_RECYCLE_JOBS: '1',
} as const;
