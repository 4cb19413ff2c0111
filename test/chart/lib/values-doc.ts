import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml';
import { CHART_DIR } from './helm.js';

export interface ValueDoc {
  key: string;
  doc: string | undefined;
  /** The default, as compact JSON. */
  default: string;
  /** A scalar, a list or an empty map: something a user sets as one value. */
  leaf: boolean;
}

/** The `# --` paragraph of a comment block (the last one), joined into one line. */
function dashDoc(comment: string | null | undefined): string | undefined {
  if (!comment) return undefined;
  const lines = comment.split('\n');
  const start = lines.map((l) => l.trimStart().startsWith('--')).lastIndexOf(true);
  if (start < 0) return undefined;
  return lines
    .slice(start)
    .map((l) => l.trim())
    .join(' ')
    .replace(/^--\s*/, '')
    .trim();
}

/** Every key of values.yaml with its `# --` documentation (helm-docs convention). */
export function valuesDocs(path = join(CHART_DIR, 'values.yaml')): ValueDoc[] {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const out: ValueDoc[] = [];
  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((pair, index) => {
      const keyNode = pair.key as Node;
      const key = prefix + String(isScalar(keyNode) ? keyNode.value : keyNode);
      // The comment above the first key of a nested map is attached to the map itself.
      const comment = keyNode.commentBefore ?? (index === 0 ? map.commentBefore : undefined);
      const value = pair.value as Node | null;
      const nested = isMap(value) && value.items.length > 0;
      out.push({ key, doc: dashDoc(comment), default: JSON.stringify(value === null ? null : (value as Node).toJSON()), leaf: !nested });
      if (nested) walk(value as YAMLMap, `${key}.`);
    });
  };
  if (!isMap(doc.contents)) throw new Error('values.yaml is not a map');
  walk(doc.contents, '');
  return out;
}

/** Leaves with no `# --` on themselves or on any ancestor. */
export function undocumented(docs: ValueDoc[]): string[] {
  const documented = new Set(docs.filter((d) => d.doc).map((d) => d.key));
  return docs
    .filter((d) => d.leaf)
    .filter((d) => {
      const parts = d.key.split('.');
      return !parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.')));
    })
    .map((d) => d.key);
}
