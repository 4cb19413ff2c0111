import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DocsiftError } from '../../../domain/errors.js';
import { MAX_MEMBERS_LISTED } from '../../../domain/document.js';
import type { ExtractInput, Extraction } from '../../../ports/extractor.port.js';
import { throwIfAborted } from '../signal.js';
import { TextBudget } from '../text-budget.js';

/** Archives inside archives are opened to this depth (the outermost is 1); deeper ones are listed only. */
export const MAX_ARCHIVE_DEPTH = 3;
/** Members read from one archive; the rest are listed (up to MAX_MEMBERS_LISTED) but not read. */
export const MAX_MEMBERS_READ = 500;

/** What every level of one archive shares: how deep it is and the uncompressed bytes still allowed. */
export interface ArchiveScope {
  depth: number;
  /** Bytes all members at every level may still inflate to (MAX_UNCOMPRESSED_MB for the whole tree). */
  bytesLeft: { value: number };
  signal?: AbortSignal | undefined;
}

/** Reads one member file (detected and extracted like a top-level object) inside `scope`. */
export type MemberReader = (input: ExtractInput, scope: ArchiveScope) => Promise<Extraction>;

export function extensionOfName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function bombError(what: string, bytes: number): DocsiftError {
  return new DocsiftError('decompression_bomb', 'extract', `${what} inflates past MAX_UNCOMPRESSED_MB (${Math.floor(bytes / 1048576)} MiB left for the whole archive); refused`);
}

/**
 * Collects an archive's members into one text: a list of the members first, then each member's
 * text under its name, all from one budget. A member that cannot be read is noted and skipped;
 * a bomb anywhere refuses the whole archive.
 */
export class MemberCollector {
  readonly budget: TextBudget;
  readonly names: string[] = [];
  readonly notes: string[] = [];
  private membersRead = 0;
  truncated = false;

  constructor(maxChars: number) {
    this.budget = new TextBudget(maxChars);
  }

  list(name: string): void {
    if (this.names.length < MAX_MEMBERS_LISTED) this.names.push(name);
    else this.truncated = true;
  }

  /** Reads one member already written to `path`; false once nothing more fits. */
  async read(reader: MemberReader, name: string, path: string, size: number, scope: ArchiveScope): Promise<boolean> {
    throwIfAborted(scope.signal);
    const input: ExtractInput = { path, size, filename: name.slice(name.lastIndexOf('/') + 1), extension: extensionOfName(name), declaredContentType: null, maxChars: Math.max(1, this.budget.remaining) };
    let extraction: Extraction;
    try {
      extraction = await reader(input, { ...scope, depth: scope.depth + 1 });
    } catch (err) {
      if (err instanceof DocsiftError && err.code !== 'decompression_bomb' && err.code !== 'processing_timeout') {
        this.notes.push(`${name}: ${err.code}`);
        return true;
      }
      throw err;
    }
    for (const inner of extraction.members ?? []) this.list(`${name}/${inner}`);
    if (extraction.truncated) this.truncated = true;
    if (extraction.detail && (extraction.status !== 'ok' || extraction.truncated)) this.notes.push(`${name}: ${extraction.detail}`);
    if (extraction.text !== '') {
      this.membersRead += 1;
      this.budget.add(`\n\n── ${name} ──\n${extraction.text}`);
    }
    return !this.budget.exhausted;
  }

  result(contentType: string, method: Extraction['method'] = 'archive'): Extraction {
    const budget = new TextBudget(this.budget.max);
    budget.add(this.names.join('\n'));
    budget.add(this.budget.text());
    const extraction: Extraction = { contentType, text: budget.text().trim(), method, status: this.membersRead > 0 ? 'ok' : 'empty', members: this.names };
    if (this.truncated || this.budget.cut || budget.cut) extraction.truncated = true;
    if (this.notes.length > 0) extraction.detail = this.notes.slice(0, 20).join('; ');
    return extraction;
  }
}

/** A temp directory beside the object's own temp file (so on TEMP_DIR, swept after a crash), removed after. */
export async function withMemberDir<T>(objectPath: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(dirname(objectPath), 'members-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
