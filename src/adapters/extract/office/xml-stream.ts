import { Parser } from 'htmlparser2';
import { DocsiftError } from '../../../domain/errors.js';
import { prologFilter } from './doctype.js';
import { corrupt, type OfficeZip } from './zip.js';

/** What a streaming reader of one XML part does with its events. */
export interface SaxHandler {
  open(name: string, attrs: Record<string, string>): void;
  text(text: string): void;
  close(name: string): void;
  /** True once the reader wants nothing more (a budget or a cap was reached): inflating stops. */
  done(): boolean;
}

/**
 * Elements open at once. Real OOXML and ODF parts nest a few dozen deep; htmlparser2's open-element
 * stack costs O(depth) per element, so 200,000 nested runs took 20 s to parse.
 */
export const MAX_XML_DEPTH = 2000;

export interface StreamResult {
  /** True when reading stopped at MAX_XML_DEPTH: the rest of the part was left out. */
  tooDeep: boolean;
}

/**
 * Streams one part of an office archive through htmlparser2 in XML mode: no tree is built, nesting
 * depth costs a counter, and the part is inflated only as far as the handler reads. No entity is
 * ever expanded; a DOCTYPE is checked and cut out of the prolog first (doctype.ts): plain internal
 * entities are read past, external and nested ones refused.
 */
export async function streamXml(zip: OfficeZip, name: string, handler: SaxHandler): Promise<StreamResult> {
  const stream = await zip.stream(name);
  stream.setEncoding('utf8');
  return new Promise<StreamResult>((resolve, reject) => {
    let settled = false;
    let failure: DocsiftError | undefined;
    let depth = 0;
    let tooDeep = false;
    const stopped = () => tooDeep || handler.done();
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      if (err) reject(err);
      else resolve({ tooDeep });
    };
    const guard = <A extends unknown[]>(fn: (...args: A) => void) => (...args: A) => {
      if (failure || stopped()) return;
      fn(...args);
    };
    const parser = new Parser(
      {
        onopentag: guard((tag: string, attrs: Record<string, string>) => {
          depth += 1;
          if (depth > MAX_XML_DEPTH) tooDeep = true;
          else handler.open(tag, attrs);
        }),
        ontext: guard((text: string) => handler.text(text)),
        onclosetag: guard((tag: string) => {
          depth -= 1;
          handler.close(tag);
        }),
      },
      { xmlMode: true, decodeEntities: true },
    );
    const write = prologFilter(name, (text) => parser.write(text));
    const feed = (chunk: string, last: boolean) => {
      try {
        write(chunk, last);
      } catch (err) {
        failure ??= err instanceof DocsiftError ? err : corrupt(err, name);
      }
    };
    stream.on('data', (chunk: string) => {
      feed(chunk, false);
      if (failure) finish(failure);
      else if (stopped()) finish();
    });
    stream.on('end', () => {
      feed('', true);
      // Elements still open at the end: the part was cut off or is not XML at all.
      if (!failure && depth > 0 && !stopped()) failure = new DocsiftError('corrupt_file', 'extract', `${name} is not well-formed XML: ${depth} element(s) never closed`);
      if (!failure) parser.end();
      finish(failure);
    });
    stream.on('error', (err) => finish(corrupt(err, name)));
  });
}
