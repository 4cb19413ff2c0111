import { writeFileSync } from 'node:fs';
import { toDocsiftError } from '../../../domain/errors.js';
import { createExtractionEngine, type ExtractionEngine } from '../engine.js';
import { pdfjs } from '../pdf/pdfjs.js';
import { RemoteOcr } from './remote-ocr.js';
import type { FromSandbox, ToSandbox } from './protocol.js';

/**
 * A sandbox process: the extraction engine for one document at a time, forked by the worker
 * (sandbox-process.ts) with a V8 heap limit and watched from outside for RSS and time. Whatever a
 * document does here, the worker only loses this process.
 */
const send = (message: FromSandbox): void => {
  process.send?.(message);
};

let engine: ExtractionEngine | undefined;
let ocr: RemoteOcr | undefined;
/** The job being extracted (one at a time). */
let current = 0;

// When the pod itself runs out of memory, the kernel's OOM killer should take a sandbox (one
// document) rather than the worker (every message in flight): raising one's own score is allowed.
try {
  writeFileSync('/proc/self/oom_score_adj', '1000');
} catch {
  // Not Linux, or /proc read-only: the RSS cap still applies.
}

// An abandoned pdf.js task (a runaway page's document is destroyed mid-work) rejects promises
// nobody waits for any more; they must not end a process that is still doing useful work.
process.on('unhandledRejection', () => undefined);
// The worker is gone (exited, killed): nothing is left to extract for.
process.on('disconnect', () => process.exit(0));

async function init(message: Extract<ToSandbox, { kind: 'init' }>): Promise<void> {
  ocr = message.ocr ? new RemoteOcr(message.ocr.engine, message.ocr.languages, send, message.ocr.size) : undefined;
  engine = createExtractionEngine(message.options, ocr, { onPhase: (phase) => send({ kind: 'phase', job: current, phase }) });
  await pdfjs(); // loaded now, so the first PDF does not pay for it and the idle RSS is the real one
  send({ kind: 'ready' });
}

async function extract(message: Extract<ToSandbox, { kind: 'extract' }>): Promise<void> {
  current = message.job;
  if (ocr) ocr.job = message.job;
  try {
    if (!engine) throw new Error('sandbox used before init');
    const extraction = await engine.extract(message.input);
    send({ kind: 'done', job: message.job, extraction });
  } catch (err) {
    const error = toDocsiftError(err, 'extract');
    send({ kind: 'failed', job: message.job, error: { code: error.code, stage: error.stage, message: error.message } });
  }
}

process.on('message', (message: ToSandbox) => {
  if (message.kind === 'init') void init(message);
  else if (message.kind === 'extract') void extract(message);
  else if (message.kind === 'ocr_result') ocr?.answer(message.request, message.result, message.error);
});
