import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Transform } from 'node:stream';
import type { Extraction } from '../../../ports/extractor.port.js';
import { DocsiftError } from '../../../domain/errors.js';
import { corrupt, openOfficeZip } from '../office/zip.js';
import { bombError, MAX_MEMBERS_READ, MemberCollector, withMemberDir, type ArchiveScope, type MemberReader } from './members.js';

/** Entries a zip's central directory may hold at all: more is refused before anything is read. */
export const MAX_ZIP_ENTRIES = 20_000;

/**
 * A zip archive: its central directory is checked against the bytes the whole archive tree may
 * still inflate to (`scope.bytesLeft`, MAX_UNCOMPRESSED_MB) and MAX_ZIP_ENTRIES before anything is
 * inflated; then each member is written to a temp file (yauzl holds it to its declared size) and
 * read like a top-level object, to MAX_MEMBERS_READ members.
 */
export async function extractZip(path: string, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  const zip = await openOfficeZip(path, { maxUncompressed: scope.bytesLeft.value, maxEntries: MAX_ZIP_ENTRIES }, 'zip');
  const collector = new MemberCollector(maxChars);
  try {
    const files = zip.entries.filter((e) => !e.name.endsWith('/'));
    files.forEach((e) => collector.list(e.name));
    if (files.length > MAX_MEMBERS_READ) {
      collector.truncated = true;
      collector.notes.push(`members after the first ${MAX_MEMBERS_READ} not read`);
    }
    await withMemberDir(path, async (dir) => {
      for (const [i, entry] of files.slice(0, MAX_MEMBERS_READ).entries()) {
        if (entry.uncompressed > scope.bytesLeft.value) throw bombError('zip', scope.bytesLeft.value);
        const file = join(dir, `m${i}`);
        try {
          await pipeline(await zip.stream(entry.name), createWriteStream(file));
        } catch (err) {
          const error = corrupt(err, `zip member ${entry.name}`);
          if (error.code === 'decompression_bomb') throw error;
          collector.notes.push(`${entry.name}: ${error.code}`);
          continue;
        }
        scope.bytesLeft.value -= entry.uncompressed;
        if (!(await collector.read(reader, entry.name, file, entry.uncompressed, scope))) break;
      }
    });
  } finally {
    zip.close();
  }
  return collector.result('application/zip');
}

/** Counts inflated bytes and fails the stream past `limit`, so a gzip bomb stops at the cap. */
function byteCap(limit: number): Transform & { bytes: number } {
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      cap.bytes += chunk.length;
      if (cap.bytes > limit) done(bombError('gzip', limit));
      else done(null, chunk);
    },
  }) as Transform & { bytes: number };
  cap.bytes = 0;
  return cap;
}

/** The name of a gzip's one member: the file's name less `.gz` (`.tgz` is a `.tar`). */
export function gzipMemberName(filename: string): string {
  if (/\.tgz$/i.test(filename)) return filename.replace(/\.tgz$/i, '.tar');
  return filename.replace(/\.gz$/i, '') || 'member';
}

/** A gzip file: inflated to a temp file under the archive tree's byte cap, then read as its one member. */
export async function extractGzip(path: string, filename: string, maxChars: number, scope: ArchiveScope, reader: MemberReader): Promise<Extraction> {
  const collector = new MemberCollector(maxChars);
  const name = gzipMemberName(filename);
  collector.list(name);
  await withMemberDir(path, async (dir) => {
    const file = join(dir, 'm0');
    const cap = byteCap(scope.bytesLeft.value);
    try {
      await pipeline(createReadStream(path), createGunzip(), cap, createWriteStream(file));
    } catch (err) {
      if (err instanceof DocsiftError) throw err;
      throw new DocsiftError('corrupt_file', 'extract', `gzip cannot be inflated: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    scope.bytesLeft.value -= cap.bytes;
    await collector.read(reader, name, file, cap.bytes, scope);
  });
  return collector.result('application/gzip');
}
