import { DocsiftError } from '../../../domain/errors.js';
import { abortedError } from '../signal.js';
import type { OcrImage, OcrResult, OcrService } from '../ocr/ocr.types.js';
import type { FromSandbox, WireError } from './protocol.js';

/**
 * OCR from inside a sandbox: the page image goes to the worker, whose pool (OCR_WORKERS, recycling,
 * heartbeats, native tesseract) recognises it. The sandbox renders and decodes; it never runs an
 * OCR engine of its own.
 */
export class RemoteOcr implements OcrService {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: OcrResult) => void; reject: (e: unknown) => void }>();
  job = 0;

  constructor(
    readonly engine: OcrService['engine'],
    readonly languages: string,
    private readonly send: (message: FromSandbox) => void,
    /** The worker pool's size: how many pages of one document are worth having in OCR at once. */
    readonly size = 1,
  ) {}

  /** An abort rejects at once and tells the worker to stop that page's OCR. */
  recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'ocr'));
    const request = ++this.next;
    const job = this.job;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        if (!this.pending.delete(request)) return;
        this.send({ kind: 'ocr_cancel', job, request });
        reject(abortedError(signal, 'ocr'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = <T>(fn: (v: T) => void) => (v: T) => {
        signal?.removeEventListener('abort', onAbort);
        fn(v);
      };
      this.pending.set(request, { resolve: settle(resolve), reject: settle(reject) });
      this.send({ kind: 'ocr', job, request, image });
    });
  }

  answer(request: number, result: OcrResult | undefined, error: WireError | undefined): void {
    const waiting = this.pending.get(request);
    if (!waiting) return;
    this.pending.delete(request);
    if (result) waiting.resolve(result);
    else waiting.reject(new DocsiftError(error?.code ?? 'ocr_failed', error?.stage ?? 'ocr', error?.message ?? 'OCR failed'));
  }

  async close(): Promise<void> {
    for (const [, waiting] of this.pending) waiting.reject(new DocsiftError('ocr_failed', 'ocr', 'sandbox closing'));
    this.pending.clear();
  }
}
