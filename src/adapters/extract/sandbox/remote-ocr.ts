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
  readonly size = 1;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (r: OcrResult) => void; reject: (e: unknown) => void }>();
  job = 0;

  constructor(
    readonly engine: OcrService['engine'],
    readonly languages: string,
    private readonly send: (message: FromSandbox) => void,
  ) {}

  recognize(image: OcrImage, signal?: AbortSignal): Promise<OcrResult> {
    if (signal?.aborted) return Promise.reject(abortedError(signal, 'ocr'));
    const request = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(request, { resolve, reject });
      this.send({ kind: 'ocr', job: this.job, request, image });
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
