import { DocsiftError } from '../../../domain/errors.js';

/**
 * The prolog of an XML part (before its root element) is held at most this long while looking for
 * a DOCTYPE: real internal subsets are a few hundred bytes.
 */
export const MAX_PROLOG_CHARS = 64 * 1024;
/** Entity declarations one internal subset may hold. */
const MAX_ENTITIES = 200;

export type PrologScan =
  /** More input is needed to find where the prolog ends. */
  | { done: false }
  /** `rest` is the part with any DOCTYPE removed, to be parsed from the start. */
  | { done: true; rest: string };

function refused(part: string, why: string): DocsiftError {
  return new DocsiftError('corrupt_file', 'extract', `${part} has a DOCTYPE that ${why}; refused without expanding it`);
}

/** Index just past the `>` that closes the declaration starting at `from`, or -1 if not in `text` yet. */
function declarationEnd(text: string, from: number): number {
  let quote = '';
  let brackets = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') brackets += 1;
    else if (c === ']') brackets -= 1;
    else if (c === '>' && brackets <= 0) return i + 1;
  }
  return -1;
}

/**
 * Checks a DOCTYPE. Entities are never expanded (htmlparser2 leaves an unknown reference as it
 * is), so a subset that only declares plain internal entities is harmless and the part is read.
 * What could make a parser fetch or amplify is refused outright: external entities (SYSTEM or
 * PUBLIC), parameter entities, and entity values that refer to other entities (the nesting a
 * billion-laughs attack needs).
 */
export function checkDoctype(doctype: string, part: string): void {
  const subset = /\[([\s\S]*)\]/.exec(doctype)?.[1] ?? '';
  const declarations = subset.match(/<!ENTITY[\s\S]*?(?:"[^"]*"|'[^']*'|[^'">])*>/g) ?? [];
  if (declarations.length > MAX_ENTITIES) throw refused(part, `declares more than ${MAX_ENTITIES} entities`);
  for (const declaration of declarations) {
    const body = declaration.slice('<!ENTITY'.length).trim();
    if (body.startsWith('%')) throw refused(part, 'declares a parameter entity');
    const value = /^\S+\s+(?:"([^"]*)"|'([^']*)')/.exec(body);
    if (!value) throw refused(part, 'declares an external entity');
    // Character references and the five predefined entities expand to one character: harmless.
    const literal = (value[1] ?? value[2] ?? '').replace(/&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, '');
    if (/[&%]/.test(literal)) throw refused(part, 'declares an entity that refers to other entities (billion laughs)');
  }
}

/**
 * Finds the end of the prolog in the text read so far; when it holds a DOCTYPE, checks it and cuts
 * it out, so the streaming parser (which cannot read an internal subset) never sees it.
 */
export function scanProlog(head: string, part: string): PrologScan {
  const start = head.search(/<!DOCTYPE/i);
  const root = /<[A-Za-z_]/.exec(head);
  if (start < 0 || (root && root.index < start)) {
    if (root || head.length > MAX_PROLOG_CHARS) return { done: true, rest: head };
    return { done: false };
  }
  const end = declarationEnd(head, start + '<!DOCTYPE'.length);
  if (end < 0) {
    if (head.length > MAX_PROLOG_CHARS) throw refused(part, `runs past ${MAX_PROLOG_CHARS} characters`);
    return { done: false };
  }
  checkDoctype(head.slice(start, end), part);
  return { done: true, rest: head.slice(0, start) + head.slice(end) };
}

/**
 * Feeds a part to `write` with its DOCTYPE (if any) checked and removed: text is held back only
 * until the prolog's end is found. Throws the refusal of a hostile DOCTYPE.
 */
export function prologFilter(part: string, write: (text: string) => void): (chunk: string, last: boolean) => void {
  let prolog: string | null = '';
  return (chunk, last) => {
    if (prolog === null) return write(chunk);
    prolog += chunk;
    const scan = scanProlog(prolog, part);
    if (!scan.done && !last) return;
    const text = scan.done ? scan.rest : prolog;
    prolog = null;
    write(text);
  };
}
