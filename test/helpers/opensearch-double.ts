import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { mget, search, type SearchBody } from './opensearch-double-read.js';

/**
 * An HTTP test double of the OpenSearch endpoints docsift uses: `_bulk` (NDJSON in, per-item
 * results out, `errors` flag, 404 for deleting a missing document), `_index_template` (GET/PUT with
 * `create`), `/` (cluster info), and `_mget`/`_search` (opensearch-double-read.ts). It keeps the
 * index state (last write wins per `_id`, with external versioning when asked) so tests assert what
 * a real cluster would hold. Faults can be injected per request (status for the whole request) and
 * per item (status and error type).
 */
export interface StoredDoc {
  source: Record<string, unknown>;
  version: number;
  /** The exact version (external versions can exceed 2^53). */
  exactVersion: bigint;
}

export interface BulkRequestLog {
  at: number;
  status: number;
  items: number;
  actions: Array<{ action: 'index' | 'delete' | 'create' | 'update'; id: string }>;
  authorization: string | undefined;
}

export type ItemFault = (action: { action: string; id: string; index: string; source?: Record<string, unknown> }) =>
  | { status: number; type: string; reason?: string }
  | undefined;

export class OpenSearchDouble {
  readonly docs = new Map<string, StoredDoc>();
  readonly templates = new Map<string, Record<string, unknown>>();
  readonly requests: BulkRequestLog[] = [];
  /** Every `_mget` and `_search`, with the number of ids asked for or hits returned. */
  readonly reads: Array<{ at: number; kind: 'mget' | 'search'; count: number }> = [];
  /** Indexes created by a bulk write. */
  readonly indexes = new Set<string>();
  /**
   * Versions of deleted documents. OpenSearch keeps a delete's version for `index.gc_deletes`
   * (60 s by default) even when the document did not exist, so an older external-versioned write
   * arriving after a newer delete is rejected with 409; the double keeps them for the test's life.
   */
  readonly tombstones = new Map<string, bigint>();
  /** Writes rejected with 409 because a newer external version was already stored. */
  readonly conflicts: Array<{ at: number; id: string; action: string }> = [];
  /** Answer every request with this status while set (e.g. 503 for an outage). */
  requestFault: number | null = null;
  itemFault: ItemFault | null = null;
  private server: Server | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
    return buf.toString('utf8');
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const text = await this.body(req);
    if (this.requestFault !== null) {
      if (url.pathname.endsWith('/_bulk')) {
        this.requests.push({ at: Date.now(), status: this.requestFault, items: 0, actions: [], authorization: req.headers.authorization });
      }
      this.send(res, this.requestFault, { error: { type: 'unavailable', reason: 'injected fault' }, status: this.requestFault });
      return;
    }
    if (url.pathname === '/' && req.method === 'GET') {
      this.send(res, 200, { name: 'double', cluster_name: 'docsift-test', version: { distribution: 'opensearch', number: '2.19.0' } });
      return;
    }
    const template = /^\/_index_template\/([^/]+)$/.exec(url.pathname);
    if (template) {
      const name = decodeURIComponent(template[1]!);
      if (req.method === 'GET' || req.method === 'HEAD') {
        const found = this.templates.get(name);
        if (!found) return this.send(res, 404, { error: { type: 'resource_not_found_exception', reason: `index template matching [${name}] not found` }, status: 404 });
        return this.send(res, 200, { index_templates: [{ name, index_template: found }] });
      }
      if (req.method === 'PUT' || req.method === 'POST') {
        if (url.searchParams.get('create') === 'true' && this.templates.has(name)) {
          return this.send(res, 400, { error: { type: 'illegal_argument_exception', reason: `index template [${name}] already exists` }, status: 400 });
        }
        this.templates.set(name, JSON.parse(text) as Record<string, unknown>);
        return this.send(res, 200, { acknowledged: true });
      }
    }
    const read = /^\/([^/]+)\/(_mget|_search)$/.exec(url.pathname);
    if (read && (req.method === 'POST' || req.method === 'GET')) return this.read(read[1]!, read[2]!, text, url, res);
    if (url.pathname === '/_bulk' || /^\/[^/]+\/_bulk$/.test(url.pathname)) {
      if (req.method !== 'POST' && req.method !== 'PUT') return this.send(res, 405, { error: 'method' });
      if (!String(req.headers['content-type'] ?? '').includes('json')) return this.send(res, 406, { error: 'content-type' });
      return this.bulk(text, req, res);
    }
    this.send(res, 404, { error: { type: 'not_found', reason: `no handler for ${req.method} ${url.pathname}` }, status: 404 });
  }

  private read(index: string, kind: string, text: string, url: URL, res: ServerResponse): void {
    const body = (text === '' ? {} : JSON.parse(text)) as { ids?: string[] } & SearchBody;
    // An index exists once a bulk write created it: before that, _search answers 404 and _mget
    // fails each item (elastic/elasticsearch#3272), as a cluster does.
    if (!this.indexes.has(index) && this.docs.size === 0) {
      const error = { type: 'index_not_found_exception', reason: 'no such index', index };
      if (kind === '_search') return this.send(res, 404, { error: { root_cause: [error], ...error }, status: 404 });
      return this.send(res, 200, { docs: (body.ids ?? []).map((id) => ({ _index: index, _id: id, error: { root_cause: [error], ...error } })) });
    }
    if (kind === '_mget') {
      const includes = url.searchParams.get('_source_includes');
      this.reads.push({ at: Date.now(), kind: 'mget', count: body.ids?.length ?? 0 });
      return this.send(res, 200, mget(this.docs, index, body.ids ?? [], includes ? includes.split(',') : null));
    }
    const out = search(this.docs, index, body);
    this.reads.push({ at: Date.now(), kind: 'search', count: out.hits.hits.length });
    this.send(res, 200, out);
  }

  private bulk(text: string, req: IncomingMessage, res: ServerResponse): void {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const items: Array<Record<string, unknown>> = [];
    const actions: BulkRequestLog['actions'] = [];
    let errors = false;
    for (let i = 0; i < lines.length; i++) {
      let meta: Record<string, { _index?: string; _id?: string; version?: number; version_type?: string }>;
      try {
        meta = JSON.parse(lines[i]!) as typeof meta;
      } catch {
        return this.send(res, 400, { error: { type: 'parse_exception', reason: 'malformed action line' }, status: 400 });
      }
      const action = Object.keys(meta)[0] as 'index' | 'delete' | 'create' | 'update';
      const m = meta[action]!;
      const id = m._id ?? '';
      const index = m._index ?? 'docsift';
      this.indexes.add(index);
      let source: Record<string, unknown> | undefined;
      if (action !== 'delete') source = JSON.parse(lines[++i] ?? '{}') as Record<string, unknown>;
      actions.push({ action, id });
      const fault = this.itemFault?.({ action, id, index, ...(source ? { source } : {}) });
      if (fault) {
        errors = true;
        items.push({ [action]: { _index: index, _id: id, status: fault.status, error: { type: fault.type, reason: fault.reason ?? fault.type } } });
        continue;
      }
      const existing = this.docs.get(id);
      // Versions are read from the raw line: JSON.parse would round integers past 2^53.
      const exact = m.version_type === 'external' ? exactVersionOf(lines[i - (action === 'delete' ? 0 : 1)]!) : undefined;
      const current = existing?.exactVersion ?? this.tombstones.get(id);
      if (exact !== undefined && current !== undefined && exact <= current) {
        errors = true;
        this.conflicts.push({ at: Date.now(), id, action });
        items.push({ [action]: { _index: index, _id: id, status: 409, error: { type: 'version_conflict_engine_exception', reason: 'version conflict' } } });
        continue;
      }
      if (action === 'delete') {
        if (exact !== undefined) this.tombstones.set(id, exact);
        if (!existing) {
          items.push({ delete: { _index: index, _id: id, status: 404, result: 'not_found' } });
        } else {
          this.docs.delete(id);
          items.push({ delete: { _index: index, _id: id, status: 200, result: 'deleted' } });
        }
        continue;
      }
      const exactVersion = exact ?? (current ?? 0n) + 1n;
      const version = Number(exactVersion);
      this.tombstones.delete(id);
      this.docs.set(id, { source: source!, version, exactVersion });
      items.push({ [action]: { _index: index, _id: id, _version: version, status: existing ? 200 : 201, result: existing ? 'updated' : 'created' } });
    }
    this.requests.push({ at: Date.now(), status: 200, items: items.length, actions, authorization: req.headers.authorization });
    this.send(res, 200, { took: 1, errors, items });
  }
}

function exactVersionOf(actionLine: string): bigint | undefined {
  const match = /"version"\s*:\s*"?(\d+)"?/.exec(actionLine);
  return match ? BigInt(match[1]!) : undefined;
}
