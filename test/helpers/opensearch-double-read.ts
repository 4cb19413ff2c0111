/**
 * The read side of the OpenSearch double: `_mget` (by ids, `_source_includes`) and `_search` with
 * the query subset docsift sends (bool filter of term, terms and prefix; one sort field;
 * search_after; size; `_source` as a list of fields), answered in OpenSearch's wire format.
 * Keyword sorting compares UTF-8 bytes, as Lucene does; dates sort on epoch milliseconds.
 *
 * Unlike a cluster, the double has no refresh interval: a search sees every write at once.
 */
export interface ReadableDoc {
  source: Record<string, unknown>;
  version: number;
}

type Filter = { term?: Record<string, unknown>; terms?: Record<string, unknown[]>; prefix?: Record<string, unknown> };

export interface SearchBody {
  size?: number;
  query?: { bool?: { filter?: Filter[] } };
  sort?: Array<Record<string, { order?: 'asc' | 'desc' }>>;
  search_after?: unknown[];
  _source?: string[] | boolean;
}

function field(source: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, part) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined), source);
}

function only(source: Record<string, unknown>, includes: string[] | null): Record<string, unknown> {
  if (!includes) return source;
  return Object.fromEntries(includes.filter((f) => f in source).map((f) => [f, source[f]]));
}

/** Single-valued filters, each on one field, as docsift sends them; anything else is refused so a new query shape is noticed. */
function matches(source: Record<string, unknown>, filter: Filter): boolean {
  const [kind, spec] = Object.entries(filter)[0] as [string, Record<string, unknown>];
  const [name, wanted] = Object.entries(spec)[0] as [string, unknown];
  const value = field(source, name);
  if (kind === 'term') return value === wanted;
  if (kind === 'terms') return (wanted as unknown[]).includes(value);
  if (kind === 'prefix') return typeof value === 'string' && value.startsWith(String(wanted));
  throw new Error(`the double does not implement the ${kind} query`);
}

function sortValue(source: Record<string, unknown>, name: string): string | number | null {
  const value = field(source, name);
  if (name.endsWith('_at') && typeof value === 'string') return Date.parse(value);
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

function compare(a: string | number | null, b: string | number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1; // missing values last
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return Number(a) - Number(b);
}

export function mget(docs: Map<string, ReadableDoc>, index: string, ids: string[], includes: string[] | null) {
  return {
    docs: ids.map((id) => {
      const doc = docs.get(id);
      if (!doc) return { _index: index, _id: id, found: false };
      return { _index: index, _id: id, _version: doc.version, _seq_no: doc.version - 1, _primary_term: 1, found: true, _source: only(doc.source, includes) };
    }),
  };
}

export function search(docs: Map<string, ReadableDoc>, index: string, body: SearchBody) {
  const filters = body.query?.bool?.filter ?? [];
  let hits = [...docs.entries()].filter(([, d]) => filters.every((f) => matches(d.source, f)));
  const sort = body.sort?.[0];
  const [sortField, sortSpec] = sort ? (Object.entries(sort)[0] as [string, { order?: string }]) : [null, null];
  if (sortField) {
    const sign = sortSpec?.order === 'desc' ? -1 : 1;
    hits.sort(([, a], [, b]) => sign * compare(sortValue(a.source, sortField), sortValue(b.source, sortField)));
    const after = body.search_after?.[0];
    if (after !== undefined) hits = hits.filter(([, d]) => sign * compare(sortValue(d.source, sortField), after as string | number) > 0);
  }
  const includes = Array.isArray(body._source) ? body._source : null;
  const page = hits.slice(0, body.size ?? 10);
  return {
    took: 1,
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      max_score: null,
      hits: page.map(([id, d]) => ({ _index: index, _id: id, _score: null, _source: only(d.source, includes), ...(sortField ? { sort: [sortValue(d.source, sortField)] } : {}) })),
    },
  };
}
