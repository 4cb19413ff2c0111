import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { WorkerExit } from './kubelet.js';

export interface IndexedDoc {
  status: string;
  method: string;
  truncated: boolean;
  contentType: string;
  chars: number;
  detail?: string;
  /** Pages OCR'd and why (`extraction.ocr_pages`), when the worker records them. */
  ocrPages?: Array<{ page: number; reason: string }>;
}

/** The file sink's NDJSON: the last document written per key. */
export async function readIndex(path: string): Promise<Map<string, IndexedDoc>> {
  const docs = new Map<string, IndexedDoc>();
  if (!existsSync(path)) return docs;
  const lines = (await readFile(path, 'utf8')).split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith('{"index"')) continue;
    const d = JSON.parse(lines[i + 1] ?? '{}') as {
      key: string;
      content_type: string;
      content_length: number;
      truncated?: boolean;
      extraction: { status: string; method: string; detail?: string; ocr_pages?: Array<{ page: number; reason: string }> };
    };
    i += 1;
    docs.set(d.key, {
      status: d.extraction.status,
      method: d.extraction.method,
      truncated: d.truncated === true,
      contentType: d.content_type,
      chars: d.content_length,
      ...(d.extraction.detail ? { detail: d.extraction.detail.slice(0, 200) } : {}),
      ...(d.extraction.ocr_pages ? { ocrPages: d.extraction.ocr_pages } : {}),
    });
  }
  return docs;
}

interface LogLine {
  event?: string;
  message_id?: string;
  error_class?: string;
  stage?: string;
  limit?: string;
  reason?: string;
}

export interface LogFacts {
  /** Deliveries (job_start) per message id, over every worker run. */
  deliveries: Map<string, number>;
  /** The last failure per message id: class and reason. */
  lastFailure: Map<string, { errorClass: string; reason: string }>;
  /** Crashes each message was in flight for (started, not finished, when a worker died). */
  inFlightAtCrash: Map<string, number>;
  /** Contained sandbox deaths (`extract_crashed` lines), by stage/limit. */
  contained: Record<string, number>;
  /** Messages the poison guard acted on, by action. */
  poison: Record<string, number>;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

function parse(line: string): LogLine | null {
  if (!line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return null;
  }
}

/** What the workers' JSON logs say, per message, over every run. */
export async function readLogs(exits: WorkerExit[]): Promise<LogFacts> {
  const facts: LogFacts = { deliveries: new Map(), lastFailure: new Map(), inFlightAtCrash: new Map(), contained: {}, poison: {} };
  for (const exit of exits) {
    const open = new Set<string>();
    for (const line of (await readFile(exit.logFile, 'utf8').catch(() => '')).split('\n')) {
      const l = parse(line);
      if (!l) continue;
      const id = l.message_id;
      if (l.event === 'job_start' && id) {
        count(facts.deliveries, id);
        open.add(id);
      } else if ((l.event === 'job_done' || l.event === 'job_failed') && id) {
        open.delete(id);
        if (l.event === 'job_failed') facts.lastFailure.set(id, { errorClass: l.error_class ?? '?', reason: (l.reason ?? '').slice(0, 200) });
      } else if (l.event === 'extract_crashed') {
        const k = `${l.stage}/${l.limit}`;
        facts.contained[k] = (facts.contained[k] ?? 0) + 1;
      } else if (l.event === 'poison_suspect' && typeof (l as { action?: string }).action === 'string') {
        const action = (l as { action: string }).action;
        facts.poison[action] = (facts.poison[action] ?? 0) + 1;
      }
    }
    if (exit.code !== 0 || exit.signal !== null) for (const id of open) count(facts.inFlightAtCrash, id);
  }
  return facts;
}
