import { constants, crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

/**
 * A minimal zip writer for tests: real archives for office fixtures, and archives whose central
 * directory says what a test needs it to say (honest or lying sizes), which no library writes.
 */
export interface ZipEntrySpec {
  name: string;
  data?: Buffer | string;
  /** Pre-compressed raw deflate data (with `declaredSize`), for bombs. */
  deflated?: Buffer;
  /** Stored (no compression): ODF wants its `mimetype` entry this way. */
  store?: boolean;
  /** Overrides the uncompressed size written in both headers. */
  declaredSize?: number;
  crc?: number;
}

export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : (entry.data ?? Buffer.alloc(0));
    const method = entry.deflated ? 8 : entry.store ? 0 : 8;
    const body = entry.deflated ?? (entry.store ? raw : deflateRawSync(raw));
    const size = entry.declaredSize ?? raw.length;
    const crc = entry.crc ?? crc32(raw);
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBuffer = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuffer.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuffer, end]);
}

/**
 * Raw deflate data that inflates to `mib` MiB of zeros, built in milliseconds: after the first
 * MiB every sync-flushed MiB of zeros compresses to the same bytes, so the middle is repeated.
 */
export async function zerosDeflated(mib: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const flushChunk = async (): Promise<Buffer> => {
    const before = out.length;
    deflate.write(Buffer.alloc(1024 * 1024));
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    return Buffer.concat(out.splice(before));
  };
  const first = await flushChunk();
  const middle = await flushChunk();
  const again = await flushChunk();
  if (!middle.equals(again)) throw new Error('deflate chunks differ; cannot build the bomb cheaply');
  const tail = await new Promise<Buffer>((resolve) => {
    deflate.end(() => resolve(Buffer.concat(out.splice(0))));
  });
  return Buffer.concat([first, ...Array.from({ length: Math.max(0, mib - 1) }, () => middle), tail]);
}
