import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as PdfJsModule from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentLoadingTask, PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

type PdfJs = typeof PdfJsModule;

let loaded: Promise<PdfJs> | undefined;

/**
 * The legacy build: pdfjs-dist 6's modern build calls Uint8Array.prototype.toHex, which Node 24's V8
 * does not have (every PDF failed to open with "hashOriginal.toHex is not a function"); the legacy
 * build carries the polyfills.
 */
export function pdfjs(): Promise<PdfJs> {
  loaded ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  return loaded;
}

/** pdfjs reads CMaps (CJK text) and the standard fonts from these directories with fs on Node. */
function assetDirs(): { cMapUrl: string; standardFontDataUrl: string; wasmUrl: string; iccUrl: string } {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return {
    cMapUrl: join(root, 'cmaps') + '/',
    standardFontDataUrl: join(root, 'standard_fonts') + '/',
    wasmUrl: join(root, 'wasm') + '/',
    iccUrl: join(root, 'iccs') + '/',
  };
}

let assets: ReturnType<typeof assetDirs> | undefined;

/**
 * Opens a PDF from bytes with everything local: no font faces, no fetches. A PDF that
 * needs a password rejects with pdfjs's PasswordException.
 */
export async function openPdf(data: Uint8Array, limits: { maxImagePixels: number }): Promise<{ task: PDFDocumentLoadingTask; doc: PDFDocumentProxy }> {
  const lib = await pdfjs();
  assets ??= assetDirs();
  const task = lib.getDocument({
    data,
    ...assets,
    cMapPacked: true,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: lib.VerbosityLevel.ERRORS,
    // An embedded image declaring more pixels than this is skipped instead of decoded in our heap.
    maxImageSize: limits.maxImagePixels,
  });
  const doc = await task.promise;
  return { task, doc };
}

export function isPasswordError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: string }).name === 'PasswordException';
}
