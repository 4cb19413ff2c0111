import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { DocsiftError } from '../../../domain/errors.js';

export interface ZipLimits {
  /** Total uncompressed bytes the central directory may declare. */
  maxUncompressed: number;
  maxEntries: number;
}

export interface ZipEntryInfo {
  name: string;
  compressed: number;
  uncompressed: number;
}

export interface OfficeZip {
  entries: ZipEntryInfo[];
  has(name: string): boolean;
  /** Inflates one entry, refusing output beyond the size its central-directory record declares. */
  read(name: string): Promise<Buffer>;
  /** The same, as a stream: readers that stop early (budgets, caps) destroy it and inflate no more. */
  stream(name: string): Promise<Readable>;
  /** Inflates every entry to nowhere: proves the declared sizes are the real ones. */
  verifyAll(): Promise<void>;
  close(): void;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    );
  });
}

export function corrupt(err: unknown, what: string): DocsiftError {
  if (err instanceof DocsiftError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/too many bytes in the stream/i.test(message)) {
    return new DocsiftError('decompression_bomb', 'extract', `${what} inflates past the size its central directory declares: ${message}`, { cause: err });
  }
  return new DocsiftError('corrupt_file', 'extract', `${what} is not a readable zip: ${message}`, { cause: err });
}

/** Walks the central directory, refusing too many entries or too many declared bytes before any inflating. */
async function readDirectory(zip: yauzl.ZipFile, limits: ZipLimits, what: string, onEntry: (entry: yauzl.Entry) => void): Promise<void> {
  if (zip.entryCount > limits.maxEntries) {
    throw new DocsiftError('decompression_bomb', 'extract', `${what} has ${zip.entryCount} entries, over the limit of ${limits.maxEntries}`);
  }
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressed) {
        const mib = Math.floor(limits.maxUncompressed / 1048576);
        reject(new DocsiftError('decompression_bomb', 'extract', `${what} declares more than ${mib} MiB uncompressed (MAX_UNCOMPRESSED_MB); refused before inflating`));
        return;
      }
      onEntry(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
}

/**
 * Opens an office archive and reads its central directory only: when the declared uncompressed
 * sizes add up past the limit (or there are too many entries) the file is refused as a
 * decompression bomb before a single byte is inflated. Reads are then checked against those
 * declared sizes as they inflate (yauzl's validateEntrySizes), so a lying directory cannot
 * smuggle more data past the check.
 */
export async function openOfficeZip(path: string, limits: ZipLimits, what: string): Promise<OfficeZip> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw corrupt(err, what);
  }
  const byName = new Map<string, yauzl.Entry>();
  const entries: ZipEntryInfo[] = [];
  try {
    await readDirectory(zip, limits, what, (entry) => {
      byName.set(entry.fileName, entry);
      entries.push({ name: entry.fileName, compressed: entry.compressedSize, uncompressed: entry.uncompressedSize });
    });
  } catch (err) {
    zip.close();
    throw corrupt(err, what);
  }

  const open = (entry: yauzl.Entry): Promise<Readable> =>
    new Promise((resolve, reject) => {
      zip.openReadStream(entry, (err, stream) => (err ? reject(corrupt(err, what)) : resolve(stream)));
    });
  const entryOf = (name: string): yauzl.Entry => {
    const entry = byName.get(name);
    if (!entry) throw new DocsiftError('corrupt_file', 'extract', `${what} has no ${name}`);
    return entry;
  };
  const inflate = async (entry: yauzl.Entry, keep: boolean): Promise<Buffer> => {
    const stream = await open(entry);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (keep) chunks.push(chunk);
      });
      stream.on('error', (e) => reject(corrupt(e, what)));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  };

  return {
    entries,
    has: (name) => byName.has(name),
    read: async (name) => inflate(entryOf(name), true),
    stream: async (name) => open(entryOf(name)),
    async verifyAll() {
      for (const entry of byName.values()) if (!entry.fileName.endsWith('/')) await inflate(entry, false);
    },
    close: () => zip.close(),
  };
}
