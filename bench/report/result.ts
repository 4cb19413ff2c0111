import { peerTargets, type PeersResult } from '../peers/peers.js';
import type { summariseCorpus } from '../corpus/corpus.js';
import type { CorpusDoc } from '../corpus/generate.js';
import type { Mix } from '../corpus/plan.js';
import { round } from '../measure/stats.js';
import type { CeilingResult } from '../runs/ceiling.js';
import type { NativeOcrResult } from '../runs/native-ocr.js';
import type { WorkerRunResult } from '../runs/worker-run.js';

export const RESULT_SCHEMA = 'docsift-bench/1';

export interface MachineInfo {
  cpus: number;
  model: string;
  memoryMiB: number;
  loadavgStart: number[];
  loadavgEnd: number[];
  kernel: string;
}

export interface CpuLimit {
  /** Messages/minute the machine's cores could do if every OCR page cost what native tesseract costs and every text document what the text run cost. */
  messagesPerMinute: number | null;
  cpuSecondsPerDocument: number | null;
  ocrCpuSecondsPerPage: number | null;
  textCpuSecondsPerDocument: number | null;
  basis: string;
  /**
   * The same limit from native tesseract's wall-clock rate, measured right before the default run
   * under the load the machine had then: fairer when other processes take part of the cores.
   */
  sameLoadMessagesPerMinute: number | null;
}

export interface Target {
  name: string;
  target: string;
  value: number | null;
  met: boolean | null;
  note?: string;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  options: { set: Record<string, string>; quick: boolean; documents: number; mix: Mix; seed: number; runs: string[]; repeat: number; textMessages: number; ceilingMessages: number };
  machine: MachineInfo;
  versions: Record<string, string | null>;
  corpus: ReturnType<typeof summariseCorpus> & { cached: boolean; generatedMs: number };
  /** Settings every worker run shares (the bench harness), and each run's own on top. */
  harnessSettings: Record<string, string>;
  runs: Partial<Record<string, WorkerRunResult>>;
  servers: CeilingResult | null;
  /** docsift's OCR on this machine with its defaults, which the reference follows. */
  defaultOcr: { engine: string; reason: string; traineddata: string | null };
  /** sameData: the reference (docsift's default data); otherData: the other data set, for comparison. */
  nativeOcr: { sameData: NativeOcrResult | null; otherData: NativeOcrResult | null };
  /** Each repeat of legacy, reference and default (--repeat), with its own ratios; `ratios` holds their medians. */
  repeats: Array<{ legacy: number | null; default: number | null; referencePagesPerMinute: number | null; cpuLimit: number | null; ratios: Ratios }>;
  cpuLimit: CpuLimit;
  ratios: ReturnType<typeof derive>['ratios'];
  /** Issue 17: the naive floor, ocrmypdf and docsift on the same scanned PDFs (null when `peers` was not run). */
  peers: PeersResult | null;
  targets: Target[];
  /** Runs during which other processes used more than a quarter of a core on average. */
  contended: string[];
  notes: string[];
}

export function cpuLimit(docs: CorpusDoc[], cpus: number, native: NativeOcrResult | null, text: WorkerRunResult | undefined): CpuLimit {
  const ocrPerPage = native && native.pages > 0 ? native.cpuSeconds / native.pages : null;
  const textDone = text ? Object.values(text.outcomes).reduce((a, b) => a + b, 0) : 0;
  const textPerDoc = text && text.cpu.seconds !== null && textDone > 0 ? text.cpu.seconds / textDone : null;
  if (ocrPerPage === null || docs.length === 0) {
    return { messagesPerMinute: null, cpuSecondsPerDocument: null, ocrCpuSecondsPerPage: null, textCpuSecondsPerDocument: textPerDoc, basis: 'no native OCR measurement', sameLoadMessagesPerMinute: null };
  }
  const ocrPages = docs.reduce((n, d) => n + d.ocrPages.length, 0);
  const textDocs = docs.filter((d) => d.cls === 'text').length;
  const perDoc = (ocrPages * ocrPerPage + textDocs * (textPerDoc ?? 0)) / docs.length;
  // Wall seconds for the corpus: native's measured time for its pages plus the text documents' CPU spread over the cores.
  const wallSeconds = native!.seconds * (ocrPages / Math.max(1, native!.pages)) + (textDocs * (textPerDoc ?? 0)) / cpus;
  return {
    messagesPerMinute: perDoc > 0 ? round((cpus * 60) / perDoc, 1) : null,
    cpuSecondsPerDocument: round(perDoc, 4),
    ocrCpuSecondsPerPage: round(ocrPerPage, 3),
    textCpuSecondsPerDocument: textPerDoc === null ? null : round(textPerDoc, 4),
    sameLoadMessagesPerMinute: wallSeconds > 0 ? round((docs.length / wallSeconds) * 60, 1) : null,
    basis: `${cpus} cores x 60 s / (OCR pages x native tesseract CPU s/page (docsift's default language data, OMP_THREAD_LIMIT=1) + text documents x docsift text-run CPU s/document) per document${textPerDoc === null ? '; no text run, so text documents counted as free' : ''}`,
  };
}

function ratio(a: number | null | undefined, b: number | null | undefined, digits = 2): number | null {
  return a !== null && a !== undefined && b !== null && b !== undefined && b > 0 ? round(a / b, digits) : null;
}

export type Ratios = ReturnType<typeof ratiosOf>;

export function ratiosOf(runs: Partial<Record<string, WorkerRunResult>>, servers: CeilingResult | null, limit: CpuLimit) {
  const legacy = runs.legacy;
  const def = runs.default;
  const text = runs.text;
  const ratios = {
    defaultOverLegacy: ratio(def?.messagesPerMinute, legacy?.messagesPerMinute),
    defaultOverCpuLimit: ratio(def?.messagesPerMinute, limit.messagesPerMinute, 3),
    defaultOverSameLoadLimit: ratio(def?.messagesPerMinute, limit.sameLoadMessagesPerMinute, 3),
    /** CPU seconds per document the limit assumes / what the default run spent: docsift's CPU efficiency against native tesseract, whatever the load. */
    cpuEfficiency: ratio(limit.cpuSecondsPerDocument, def && def.cpu.seconds !== null && def.settled > 0 ? def.cpu.seconds / def.settled : null, 3),
    textOverServerCeiling: ratio(text?.messagesPerMinute, servers?.messagesPerMinute, 3),
    /** The defaults with OCR_ENGINE=tesseract.js (where the defaults pick native), against the same limit. */
    tesseractJsOverCpuLimit: ratio(runs.tesseractjs?.messagesPerMinute, limit.messagesPerMinute, 3),
  };
  return ratios;
}

/** The median of each ratio over the repeats (the upper middle for an even count); null where any repeat has none. */
export function medianRatios(samples: Ratios[]): Ratios {
  const first = samples[0]!;
  const out = { ...first };
  for (const key of Object.keys(first) as Array<keyof Ratios>) {
    const values = samples.map((s) => s[key]);
    if (values.some((v) => v === null)) continue;
    const sorted = (values as number[]).sort((a, b) => a - b);
    out[key] = sorted[Math.floor(sorted.length / 2)]!;
  }
  return out;
}

/** Targets from the ratios (medians over the repeats when there are several) and the runs shown. */
export function derive(runs: Partial<Record<string, WorkerRunResult>>, servers: CeilingResult | null, limit: CpuLimit, given?: Ratios, peers?: PeersResult | null) {
  const legacy = runs.legacy;
  const def = runs.default;
  const text = runs.text;
  const ratios = given ?? ratiosOf(runs, servers, limit);
  const ocrActive = (r: WorkerRunResult | undefined) => (r ? r.extraction.ocrPages > 0 : false);
  const noOcr = 'this build OCR\'d no page (images and scanned PDFs were not OCR\'d), so the mixed-corpus figures do not measure OCR';
  const targets: Target[] = [];
  if (legacy && def) {
    targets.push({
      name: 'default >= 5x legacy',
      target: '>= 5',
      value: ratios.defaultOverLegacy,
      met: ratios.defaultOverLegacy === null ? null : ratios.defaultOverLegacy >= 5,
      ...(ocrActive(def) ? {} : { note: noOcr }),
    });
  }
  if (def) {
    targets.push({
      name: 'default >= 85% of the CPU limit for the mix',
      target: '>= 0.85',
      value: ratios.defaultOverCpuLimit,
      met: ratios.defaultOverCpuLimit === null ? null : ratios.defaultOverCpuLimit >= 0.85,
      ...(ocrActive(def) ? {} : { note: noOcr }),
    });
    const workers = def.settings.OCR_WORKERS ?? 'default';
    targets.push({
      name: 'peak RSS <= 1 GiB at the defaults (two OCR workers)',
      target: '<= 1024 MiB',
      value: def.rssMiB.peak,
      met: def.rssMiB.peak === null ? null : def.rssMiB.peak <= 1024,
      note: `OCR_WORKERS=${workers}${ocrActive(def) ? '' : `; ${noOcr}`}`,
    });
  }
  if (text) {
    const ceiling = servers?.messagesPerMinute ?? null;
    const limitedByServers = ceiling !== null && ceiling < 6000;
    const value = text.messagesPerMinute;
    targets.push({
      name: 'text-only >= 6,000 messages/minute, or the local servers\' ceiling if lower',
      target: limitedByServers ? `>= 90% of the servers' ceiling (${ceiling}/min, below 6,000)` : '>= 6000',
      value,
      met: value === null ? null : limitedByServers ? value >= 0.9 * ceiling : value >= 6000,
      ...(limitedByServers ? { note: `the local servers' ceiling (${ceiling}/min, no processing) is below 6,000: the text run is limited by them` } : {}),
    });
  }
  if (peers) targets.push(...peerTargets(peers));
  return { ratios, targets };
}
