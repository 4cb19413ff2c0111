import { int } from './setting.js';
import type { Rule } from './rule.js';

/** Fractions the sandbox defaults are derived from (documented in each setting). */
export const SANDBOX_DEFAULTS = {
  /** All sandboxes together may take this share of MEMORY_LIMIT_MB by default. */
  memoryOfLimit: 0.6,
  minMemoryMb: 128,
  maxMemoryMb: 1024,
  outsideHeapMb: 180,
  maxHeapOfMemory: 0.75,
  timeoutSeconds: 120,
  timeoutOfProcessing: 0.8,
  /** Default share of PROCESSING_TIMEOUT one document may spend reading pages (see DOCUMENT_BUDGET). */
  budgetOfProcessing: 0.6,
} as const;

/**
 * The extraction sandboxes: the processes that read untrusted bytes (PDF, office, images, HTML),
 * one document each at a time, so a document that runs away costs only itself.
 */
export const sandboxSettings = {
  SANDBOX_WORKERS: int(1, 64, 2, {
    unit: 'processes',
    doc: 'Extraction sandboxes: child processes that parse and render documents, one document each at a time (at most this many documents are extracted at once; OCR runs in the worker\'s pool)',
  }),
  SANDBOX_MEMORY_MB: int(64, 65_536, undefined, {
    unit: 'MiB',
    doc: `RSS one sandbox may reach; past it the sandbox is killed and its document fails as permanent too_complex. Its V8 heap limit is ${SANDBOX_DEFAULTS.outsideHeapMb} MiB less (at most ${SANDBOX_DEFAULTS.maxHeapOfMemory * 100}% of it). SANDBOX_WORKERS x SANDBOX_MEMORY_MB must be less than MEMORY_LIMIT_MB`,
    defaultText: `${SANDBOX_DEFAULTS.memoryOfLimit * 100}% of MEMORY_LIMIT_MB shared by SANDBOX_WORKERS (${SANDBOX_DEFAULTS.minMemoryMb} to ${SANDBOX_DEFAULTS.maxMemoryMb}: 420 in the chart's 1400 MiB pod); ${SANDBOX_DEFAULTS.maxMemoryMb} without a limit`,
  }),
  EXTRACT_TIMEOUT: int(1, 43_200, undefined, {
    unit: 's',
    doc: 'Longest one document may take in its sandbox (time its pages wait for OCR not counted); past it the sandbox is killed and the document fails as permanent too_complex; must be less than PROCESSING_TIMEOUT',
    defaultText: `${SANDBOX_DEFAULTS.timeoutSeconds}, or ${SANDBOX_DEFAULTS.timeoutOfProcessing * 100}% of PROCESSING_TIMEOUT when that is shorter`,
  }),
  DOCUMENT_BUDGET: int(1, 43_200, undefined, {
    unit: 's',
    doc: 'Wall-clock time one document may spend reading pages (OCR waits included), from the start of its message; then no new page is started, pages in OCR are cancelled and what was read is indexed as partial and truncated, with the page counts. At most EXTRACT_TIMEOUT (which counts less: it pauses while pages wait for OCR), so a long document ends as partial rather than killed; less than PROCESSING_TIMEOUT',
    defaultText: `${SANDBOX_DEFAULTS.budgetOfProcessing * 100}% of PROCESSING_TIMEOUT, at most EXTRACT_TIMEOUT`,
  }),
  SANDBOX_RECYCLE_DOCS: int(1, 1_000_000, 200, {
    unit: 'documents',
    doc: 'A sandbox is replaced after this many documents (and after any document that leaves it above half of SANDBOX_MEMORY_MB)',
  }),
};

interface SandboxInputs {
  MEMORY_LIMIT_MB?: number | undefined;
  SANDBOX_MEMORY_MB?: number | undefined;
  SANDBOX_WORKERS: number;
  EXTRACT_TIMEOUT?: number | undefined;
  DOCUMENT_BUDGET?: number | undefined;
  PROCESSING_TIMEOUT: number;
}

/** SANDBOX_MEMORY_MB from the container limit, EXTRACT_TIMEOUT and DOCUMENT_BUDGET from PROCESSING_TIMEOUT, when unset. */
export function resolveSandboxDefaults<T extends SandboxInputs>(raw: T): T & { SANDBOX_MEMORY_MB: number; EXTRACT_TIMEOUT: number; DOCUMENT_BUDGET: number } {
  const d = SANDBOX_DEFAULTS;
  const share = raw.MEMORY_LIMIT_MB === undefined ? d.maxMemoryMb : Math.floor((raw.MEMORY_LIMIT_MB * d.memoryOfLimit) / raw.SANDBOX_WORKERS);
  const memory = raw.SANDBOX_MEMORY_MB ?? Math.min(d.maxMemoryMb, Math.max(d.minMemoryMb, share));
  const timeout = raw.EXTRACT_TIMEOUT ?? Math.max(1, Math.min(d.timeoutSeconds, Math.floor(raw.PROCESSING_TIMEOUT * d.timeoutOfProcessing)));
  const budget = raw.DOCUMENT_BUDGET ?? Math.max(1, Math.min(timeout, Math.floor(raw.PROCESSING_TIMEOUT * d.budgetOfProcessing)));
  return { ...raw, SANDBOX_MEMORY_MB: memory, EXTRACT_TIMEOUT: timeout, DOCUMENT_BUDGET: budget };
}

/**
 * V8 heap limit of a sandbox. Outside the heap a sandbox holds ~110 MiB of loaded readers (pdf.js,
 * sharp), the young generation and pixels; with less than 180 MiB of room a JavaScript
 * runaway reached the RSS cap before the heap limit (measured: html-to-text with a 240 MiB heap
 * peaked at 308 MiB RSS in a bare process).
 */
export function sandboxHeapMb(memoryMb: number): number {
  const { outsideHeapMb, maxHeapOfMemory } = SANDBOX_DEFAULTS;
  return Math.max(48, Math.min(memoryMb - outsideHeapMb, Math.floor(memoryMb * maxHeapOfMemory)));
}

/**
 * Sandboxes at their cap must leave room in the container. Checked by `docsift run`, the one
 * command that starts sandboxes, not by every command: the CronJobs' small pods (256 MiB) run
 * `restart` and `dlq redrive` with the same environment, where the derived SANDBOX_MEMORY_MB
 * (at least 128 each) would not fit and does not matter.
 */
export function sandboxFitProblem(c: { MEMORY_LIMIT_MB?: number | undefined; SANDBOX_WORKERS: number; SANDBOX_MEMORY_MB: number }): string | null {
  if (c.MEMORY_LIMIT_MB === undefined || c.SANDBOX_WORKERS * c.SANDBOX_MEMORY_MB < c.MEMORY_LIMIT_MB) return null;
  return `SANDBOX_WORKERS=${c.SANDBOX_WORKERS} x SANDBOX_MEMORY_MB=${c.SANDBOX_MEMORY_MB} = ${c.SANDBOX_WORKERS * c.SANDBOX_MEMORY_MB} MiB must be less than MEMORY_LIMIT_MB=${c.MEMORY_LIMIT_MB} (sandboxes at their cap alone would fill the container): lower one of them`;
}

export const sandboxRules: Rule[] = [
  (c) =>
    c.EXTRACT_TIMEOUT >= c.PROCESSING_TIMEOUT
      ? [`EXTRACT_TIMEOUT=${c.EXTRACT_TIMEOUT} must be less than PROCESSING_TIMEOUT=${c.PROCESSING_TIMEOUT}`]
      : [],
  // The budget is wall-clock and EXTRACT_TIMEOUT counts only the sandbox's own work (never more
  // than the wall clock), so with the budget at most EXTRACT_TIMEOUT a long document stops itself
  // as partial before the sandbox's hard kill could fail it as too_complex.
  (c) =>
    c.DOCUMENT_BUDGET > c.EXTRACT_TIMEOUT
      ? [`DOCUMENT_BUDGET=${c.DOCUMENT_BUDGET} must not exceed EXTRACT_TIMEOUT=${c.EXTRACT_TIMEOUT} (a long document would be killed as too_complex instead of indexed as partial): lower DOCUMENT_BUDGET or raise EXTRACT_TIMEOUT`]
      : [],
];

/** What a sandbox may see of the environment: locale, paths, Node's own options. */
const SANDBOX_ENV = /^(PATH|HOME|TMPDIR|TMP|TEMP|LANG|LANGUAGE|LC_[A-Z]+|TZ|NODE_OPTIONS|FONTCONFIG_[A-Z]+)$/;

/**
 * Environment of a sandbox process. Only what a reader can need: a sandbox parses untrusted bytes,
 * so it gets no credentials (AWS, OpenSearch) and no configuration, and not the heap flag the chart
 * puts in NODE_OPTIONS for the worker (the sandbox's own is on its command line). Here because
 * config/ is the only code that reads process.env.
 */
export function sandboxEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (SANDBOX_ENV.test(name) && value !== undefined) env[name] = value;
  const options = (env.NODE_OPTIONS ?? '').replace(/--max-old-space-size(?:-percentage)?[= ][0-9.]+/g, '').trim();
  if (options === '') delete env.NODE_OPTIONS;
  else env.NODE_OPTIONS = options;
  return env;
}
