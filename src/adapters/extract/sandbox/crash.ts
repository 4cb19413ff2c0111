import { DocsiftError, type ErrorClass } from '../../../domain/errors.js';
import type { ExtractPhase } from '../engine.js';

/** Which limit ended a sandbox: its V8 heap, its RSS cap, its time budget, or none (a crash). */
export type SandboxLimit = 'heap' | 'memory' | 'time' | 'crash';

export interface SandboxExit {
  code: number | null;
  signal: string | null;
  /** Set when the worker killed the sandbox itself, and why. */
  killedFor: 'memory' | 'time' | null;
  /** The end of the sandbox's stderr, only matched against V8's out-of-memory report. */
  stderrTail: string;
  rssMb: number | null;
}

export interface SandboxSettings {
  memoryMb: number;
  heapMb: number;
  timeoutSeconds: number;
}

export interface ClassifiedExit {
  code: Extract<ErrorClass, 'too_complex' | 'extract_crashed'>;
  limit: SandboxLimit;
  message: string;
}

const V8_OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/;

/**
 * Why a sandbox died under a document, as an error class. Every limit the document ran into is
 * `too_complex` (the same document does the same again: permanent); any other death, a native
 * fault (SIGSEGV, SIGABRT), an exit, a kill nobody in docsift sent, is `extract_crashed`.
 */
export function classifyExit(exit: SandboxExit, phase: ExtractPhase, settings: SandboxSettings): ClassifiedExit {
  const rss = exit.rssMb === null ? '' : ` (RSS ${exit.rssMb} MiB)`;
  if (exit.killedFor === 'memory') {
    return { code: 'too_complex', limit: 'memory', message: `${phase}: sandbox memory passed SANDBOX_MEMORY_MB=${settings.memoryMb}${rss}` };
  }
  if (exit.killedFor === 'time') {
    return { code: 'too_complex', limit: 'time', message: `${phase}: extraction ran past EXTRACT_TIMEOUT=${settings.timeoutSeconds}s` };
  }
  if (V8_OUT_OF_MEMORY.test(exit.stderrTail)) {
    return { code: 'too_complex', limit: 'heap', message: `${phase}: sandbox ran out of its ${settings.heapMb} MiB V8 heap (from SANDBOX_MEMORY_MB)` };
  }
  // Sandboxes are the OOM killer's first choice (oom_score_adj 1000): a SIGKILL nobody here sent is most likely it.
  const how = exit.signal === 'SIGKILL' ? 'SIGKILL from outside docsift (the kernel OOM killer at the pod limit?)' : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
  return { code: 'extract_crashed', limit: 'crash', message: `${phase}: sandbox died with ${how}${rss}` };
}

/** A document's sandbox died: the classified error, with the limit that ended it. */
export class SandboxDeath extends DocsiftError {
  constructor(readonly classified: ClassifiedExit) {
    super(classified.code, 'extract', classified.message);
  }

  /** Memory limits (RSS or heap) may pass with more room; a time limit or a crash would not. */
  get outOfMemory(): boolean {
    return this.classified.limit === 'memory' || this.classified.limit === 'heap';
  }
}
