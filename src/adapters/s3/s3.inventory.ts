import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { DocsiftError } from '../../domain/errors.js';
import { parseInventoryRow, parseManifest, type InventoryManifest } from '../../domain/coverage/inventory.js';
import type { ListedObject, ListingPosition } from '../../domain/coverage/listing.js';
import type { S3Location } from '../../domain/coverage/s3-uri.js';
import type { ObjectLister } from '../../ports/object-lister.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/**
 * The objects an S3 Inventory lists (CSV, gzip'd as S3 writes it), for buckets too large to list.
 * Data files are streamed (record by record through csv-parse, never a whole file in memory), their
 * MD5 checked against the manifest at the end of each, and old versions, delete markers and folder
 * objects passed over. Inventory files are not one sorted list, so this lister is not `sorted`.
 */
export class S3InventoryLister implements ObjectLister {
  readonly sorted = false;

  constructor(
    private readonly client: Pick<S3Client, 'send'>,
    private readonly manifest: S3Location,
    private readonly pageSize = 1000,
  ) {}

  async readManifest(signal?: AbortSignal): Promise<InventoryManifest> {
    const body = await this.open(this.manifest.bucket, this.manifest.prefix, signal);
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of body) {
      bytes += (chunk as Buffer).length;
      if (bytes > MAX_MANIFEST_BYTES) throw new DocsiftError('too_large', 'fetch', `manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    try {
      return parseManifest(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      throw new DocsiftError('corrupt_file', 'fetch', `s3://${this.manifest.bucket}/${this.manifest.prefix}: ${(err as Error).message}`);
    }
  }

  async *list(location: S3Location, after: ListingPosition | null, signal?: AbortSignal): AsyncIterable<ListedObject[]> {
    if (after && after.kind !== 'inventory') throw new Error('an inventory cannot resume from a ListObjectsV2 position');
    const manifest = await this.readManifest(signal);
    if (manifest.sourceBucket !== location.bucket) {
      throw new DocsiftError('bad_message', 'fetch', `the inventory lists bucket ${manifest.sourceBucket}, not ${location.bucket}`);
    }
    for (let fileIndex = after?.fileIndex ?? 0; fileIndex < manifest.files.length; fileIndex++) {
      const file = manifest.files[fileIndex]!;
      if (after && fileIndex === after.fileIndex && file.key !== after.file) {
        throw new DocsiftError('bad_message', 'fetch', `the checkpoint names data file ${after.file}, the manifest ${file.key}: not the same inventory`);
      }
      const skipRows = after && fileIndex === after.fileIndex ? after.row : 0;
      yield* this.readFile(manifest, fileIndex, skipRows, location, signal);
    }
  }

  private async *readFile(manifest: InventoryManifest, fileIndex: number, skipRows: number, location: S3Location, signal?: AbortSignal): AsyncIterable<ListedObject[]> {
    const file = manifest.files[fileIndex]!;
    const body = await this.open(manifest.destinationBucket, file.key, signal);
    const md5 = createHash('md5');
    const tap = new Transform({ transform: (chunk: Buffer, _e, done) => (md5.update(chunk), done(null, chunk)) });
    const parser = parse({ relax_quotes: false, max_record_size: 64 * 1024, skip_empty_lines: true });
    const stages = file.key.endsWith('.gz') ? [body, tap, createGunzip(), parser] : [body, tap, parser];
    const flowing = (pipeline as (...s: unknown[]) => Promise<void>)(...stages).catch((err: unknown) => err);
    let row = 0;
    let page: ListedObject[] = [];
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        row += 1;
        if (row <= skipRows) continue;
        const parsed = this.row(record, manifest, file.key, row);
        if (parsed.kind !== 'object' || parsed.bucket !== location.bucket || !parsed.key.startsWith(location.prefix)) continue;
        page.push({ bucket: parsed.bucket, key: parsed.key, etag: parsed.etag, size: parsed.size, position: { kind: 'inventory', fileIndex, file: file.key, row } });
        if (page.length >= this.pageSize) {
          yield page;
          page = [];
        }
      }
    } finally {
      body.destroy();
    }
    const failure = await flowing;
    if (failure) throw failure instanceof DocsiftError ? failure : classifyAwsError(failure, 'fetch');
    if (file.md5 && md5.digest('hex') !== file.md5) throw new DocsiftError('corrupt_file', 'fetch', `inventory data file ${file.key} does not match the manifest's MD5`);
    if (page.length > 0) yield page;
  }

  private row(record: string[], manifest: InventoryManifest, file: string, row: number) {
    try {
      return parseInventoryRow(record, manifest.schema);
    } catch (err) {
      throw new DocsiftError('corrupt_file', 'fetch', `${file} row ${row}: ${(err as Error).message}`);
    }
  }

  private async open(bucket: string, key: string, signal?: AbortSignal): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      if (!out.Body) throw new DocsiftError('fetch_failed', 'fetch', `GetObject s3://${bucket}/${key} returned no body`);
      return out.Body as Readable;
    } catch (err) {
      throw classifyAwsError(err, 'fetch');
    }
  }
}
