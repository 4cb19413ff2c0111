import { describe, expect, it } from 'vitest';
import { parseInventoryRow, parseManifest } from '../../../../src/domain/coverage/inventory.js';

/**
 * Fixtures reproduce public samples (see /work/corpora/s3-inventory/SOURCES.md): the AWS user
 * guide's manifest.json examples, and real rows of the `dandiarchive` bucket's inventory quoted by
 * dandi/s3invsync. The `+`-for-space encoding is from cloud-custodian#1997.
 */
const AWS_DOCS_CSV_MANIFEST = JSON.stringify({
  sourceBucket: 'example-source-bucket',
  destinationBucket: 'arn:aws:s3:::example-inventory-destination-bucket',
  version: '2016-11-30',
  creationTimestamp: '1514944800000',
  fileFormat: 'CSV',
  fileSchema:
    'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, ReplicationStatus, EncryptionStatus, ObjectLockRetainUntilDate, ObjectLockMode, ObjectLockLegalHoldStatus, IntelligentTieringAccessTier, BucketKeyStatus, ChecksumAlgorithm',
  files: [{ key: 'Inventory/example-source-bucket/2016-11-06T21-32Z/files/939c6d46-85a9-4ba8-87bd-9db705a579ce.csv.gz', size: 2147483647, MD5checksum: 'f11166069f1990abeb9c97ace9cdfabc' }],
});
const DANDI_SCHEMA = 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, IsMultipartUploaded'.split(', ');

describe('parseManifest', () => {
  it('reads the AWS documentation example: destination from the ARN, schema, files', () => {
    const m = parseManifest(AWS_DOCS_CSV_MANIFEST);
    expect(m.sourceBucket).toBe('example-source-bucket');
    expect(m.destinationBucket).toBe('example-inventory-destination-bucket');
    expect(m.schema).toHaveLength(18);
    expect(m.schema.slice(0, 2)).toEqual(['Bucket', 'Key']);
    expect(m.files).toEqual([{ key: expect.stringMatching(/\.csv\.gz$/), size: 2147483647, md5: 'f11166069f1990abeb9c97ace9cdfabc' }]);
  });
  it.each([
    ['an ORC inventory', { fileFormat: 'ORC' }, /ORC format; only CSV/],
    ['a Parquet inventory', { fileFormat: 'Parquet' }, /Parquet format/],
    ['a schema without Key', { fileSchema: 'Bucket, Size' }, /lacks Bucket or Key/],
    ['no files', { files: undefined }, /lacks files/],
    ['a file without a key', { files: [{ size: 1 }] }, /files\[0\]\.key/],
  ])('refuses %s', (_name, change, message) => {
    expect(() => parseManifest(JSON.stringify({ ...JSON.parse(AWS_DOCS_CSV_MANIFEST), ...change }))).toThrow(message);
  });
  it('refuses text that is not JSON', () => {
    expect(() => parseManifest('<xml/>')).toThrow(/not JSON/);
  });
});

describe('parseInventoryRow, on rows of a real inventory', () => {
  it.each([
    [
      'a current object',
      ['dandiarchive', 'zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100', 'nuYD8l5blCvLV3DbAiN1IXuwo7aF3F98', 'true', 'false', '1511723', '2022-12-12T13:20:39.000Z', '627c47efe292876b91978324485cd2ec', 'false'],
      { kind: 'object', bucket: 'dandiarchive', key: 'zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100', etag: '627c47efe292876b91978324485cd2ec', size: 1511723 },
    ],
    [
      'a delete marker: empty Size and ETag',
      ['dandiarchive', 'zarr/73fb586f-b58a-49fc-876e-282ba962d310/0/0/0/14/4/100', 't5w9XO56_Yi1eF6HE7KUgoLumufisMyo', 'false', 'true', '', '2022-12-11T17:55:08.000Z', '', ''],
      { kind: 'skip', reason: 'delete_marker' },
    ],
    [
      'a URL-encoded key',
      ['dandiarchive', 'dandiarchive/dandiarchive/hive/dt%3D2024-05-07-01-00/symlink.txt', 't4Z7oFATOK2678GfaU8oLcjWDMAS0RgK', 'true', 'false', '38129', '2024-05-07T21:12:55.000Z', 'f58c1f0e5fb20a9152788f825375884a', 'false'],
      { kind: 'object', key: 'dandiarchive/dandiarchive/hive/dt=2024-05-07-01-00/symlink.txt' },
    ],
    [
      'a folder object',
      ['dandiarchive', 'dandiarchive/dandiarchive/data/', 'T_OH5MESsVJ6jygdWfiJfQJ166fQ6kDx', 'true', 'false', '0', '2024-12-18T15:23:29.000Z', 'd41d8cd98f00b204e9800998ecf8427e', 'false'],
      { kind: 'skip', reason: 'folder' },
    ],
    [
      'an old version',
      ['dandiarchive', 'a.txt', 'v1', 'false', 'false', '3', '2024-01-01T00:00:00.000Z', 'abc', 'false'],
      { kind: 'skip', reason: 'old_version' },
    ],
    [
      'a key with a space (+), a plus (%2B) and Japanese',
      ['dandiarchive', 'archive/%E5%A0%B1%E5%91%8A+2024%2B1.pdf', 'v', 'true', 'false', '10', '2024-01-01T00:00:00.000Z', 'e', 'false'],
      { kind: 'object', key: 'archive/報告 2024+1.pdf' },
    ],
  ])('%s', (_name, fields, expected) => {
    expect(parseInventoryRow(fields, DANDI_SCHEMA)).toMatchObject(expected);
  });

  it('a minimal unversioned schema (Bucket, Key, Size, ETag) works', () => {
    expect(parseInventoryRow(['b', 'k', '5', 'e'], ['Bucket', 'Key', 'Size', 'ETag'])).toEqual({ kind: 'object', bucket: 'b', key: 'k', etag: 'e', size: 5 });
  });

  it.each([
    ['a row with fewer fields than the schema', ['b', 'k'], /has 2 fields; fileSchema lists 9/],
    ['a Size that is not a number', ['b', 'k', 'v', 'true', 'false', 'ten', 't', 'e', 'false'], /Size "ten"/],
    ['a key with broken URL encoding', ['b', 'bad%E5%A0', 'v', 'true', 'false', '1', 't', 'e', 'false'], /not valid URL encoding/],
  ])('refuses %s', (_name, fields, message) => {
    expect(() => parseInventoryRow(fields, DANDI_SCHEMA)).toThrow(message);
  });
});
