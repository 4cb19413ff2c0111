import { XMLParser } from 'fast-xml-parser';
import { DocsiftError } from '../../../domain/errors.js';

type XmlNode = Record<string, unknown>;

export interface TextRules {
  /** Only text inside these elements counts; null: all text. */
  textTags: ReadonlySet<string> | null;
  /** A newline after each of these. */
  blockTags: ReadonlySet<string>;
  /** A tab after each of these. */
  cellTags?: ReadonlySet<string>;
  /** Elements that stand for characters (line breaks, tabs, runs of spaces). */
  charTags?: Readonly<Record<string, (attrs: Record<string, string>) => string>>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

/** Parses one XML part; a DOCTYPE (never used by OOXML or ODF) is refused, so no entity games. */
export function parseXml(xml: Buffer | string, what: string): XmlNode[] {
  const text = typeof xml === 'string' ? xml : xml.toString('utf8');
  if (/<!DOCTYPE/i.test(text.slice(0, 4096)) || /<!ENTITY/i.test(text)) {
    throw new DocsiftError('corrupt_file', 'extract', `${what} contains a DOCTYPE/ENTITY declaration`);
  }
  try {
    return parser.parse(text) as XmlNode[];
  } catch (err) {
    throw new DocsiftError('corrupt_file', 'extract', `${what} is not well-formed XML: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

export function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text');
}

export function attrsOf(node: XmlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

export function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

/** Document-order text of a parsed part, with line and cell breaks where the rules say. */
export function collectText(nodes: XmlNode[], rules: TextRules, inside = rules.textTags === null): string {
  let out = '';
  for (const node of nodes) {
    if ('#text' in node) {
      if (inside) out += String(node['#text']);
      continue;
    }
    const tag = tagOf(node);
    if (!tag) continue;
    const char = rules.charTags?.[tag];
    if (char) {
      out += char(attrsOf(node));
      continue;
    }
    const inner = collectText(childrenOf(node, tag), rules, inside || (rules.textTags?.has(tag) ?? false));
    if (rules.cellTags?.has(tag)) {
      // A cell's paragraphs stay on its row.
      out += `${inner.replace(/\n+$/, '').replace(/\n/g, ' ')}\t`;
    } else {
      out += inner;
      if (rules.blockTags.has(tag)) out += '\n';
    }
  }
  return out;
}

/** Trims each line, drops trailing tabs and collapses runs of blank lines. */
export function tidy(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\t+$/, '').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
