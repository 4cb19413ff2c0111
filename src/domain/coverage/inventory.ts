import { decodeS3Key } from '../message.js';

/**
 * S3 Inventory (format version 2016-11-30): a manifest.json naming gzip'd CSV data files without a
 * header row, whose columns `fileSchema` lists. Learnt from real inventories (see
 * test/unit/domain/coverage/inventory.test.ts): keys are URL-encoded with `+` for a space; a
 * versioned inventory has rows for old versions and delete markers with empty Size and ETag;
 * "folder" objects end in `/` with size 0.
 */
export interface InventoryManifest {
  sourceBucket: string;
  /** The bucket holding the data files (the manifest gives an ARN). */
  destinationBucket: string;
  schema: string[];
  files: Array<{ key: string; size: number | null; md5: string | null }>;
}

export type InventoryRow =
  | { kind: 'object'; bucket: string; key: string; etag: string | null; size: number | null }
  | { kind: 'skip'; reason: 'delete_marker' | 'old_version' | 'folder'; key: string };

function bucketOfArn(value: string): string {
  return value.startsWith('arn:aws') ? value.slice(value.lastIndexOf(':') + 1) : value;
}

/** Throws an Error naming what is missing or unsupported (ORC and Parquet inventories are not read). */
export function parseManifest(text: string): InventoryManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('manifest.json is not JSON');
  }
  if (doc.fileFormat !== 'CSV') throw new Error(`the inventory is in ${String(doc.fileFormat)} format; only CSV inventories are read`);
  if (typeof doc.sourceBucket !== 'string' || typeof doc.destinationBucket !== 'string') throw new Error('manifest.json lacks sourceBucket or destinationBucket');
  if (typeof doc.fileSchema !== 'string') throw new Error('manifest.json lacks fileSchema');
  const schema = doc.fileSchema.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!schema.includes('Bucket') || !schema.includes('Key')) throw new Error(`fileSchema "${doc.fileSchema}" lacks Bucket or Key`);
  if (!Array.isArray(doc.files)) throw new Error('manifest.json lacks files');
  const files = doc.files.map((f: Record<string, unknown>, i: number) => {
    if (typeof f?.key !== 'string' || f.key === '') throw new Error(`files[${i}].key is missing`);
    return { key: f.key, size: typeof f.size === 'number' ? f.size : null, md5: typeof f.MD5checksum === 'string' ? f.MD5checksum.toLowerCase() : null };
  });
  return { sourceBucket: doc.sourceBucket, destinationBucket: bucketOfArn(doc.destinationBucket), schema, files };
}

/** One CSV record → an object to index, or why it is passed over. Throws for a record that does not fit the schema. */
export function parseInventoryRow(fields: string[], schema: string[]): InventoryRow {
  if (fields.length !== schema.length) throw new Error(`a row has ${fields.length} fields; fileSchema lists ${schema.length}`);
  const get = (name: string) => {
    const i = schema.indexOf(name);
    return i < 0 ? undefined : (fields[i] as string);
  };
  const raw = get('Key') as string;
  let key: string;
  try {
    key = decodeS3Key(raw);
  } catch {
    throw new Error(`Key "${raw.slice(0, 100)}" is not valid URL encoding`);
  }
  if (get('IsDeleteMarker') === 'true') return { kind: 'skip', reason: 'delete_marker', key };
  if (get('IsLatest') === 'false') return { kind: 'skip', reason: 'old_version', key };
  const sizeText = get('Size');
  const size = sizeText === undefined || sizeText === '' ? null : Number(sizeText);
  if (size !== null && !Number.isSafeInteger(size)) throw new Error(`Size "${sizeText}" is not a whole number`);
  if (key.endsWith('/') && (size === null || size === 0)) return { kind: 'skip', reason: 'folder', key };
  const etag = get('ETag');
  return { kind: 'object', bucket: get('Bucket') as string, key, etag: etag === undefined || etag === '' ? null : etag, size };
}
