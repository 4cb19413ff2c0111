export interface ObjectRef {
  bucket: string;
  key: string;
  versionId: string | null;
}

export interface ObjectHead {
  size: number;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
  versionId: string | null;
  /** User metadata (x-amz-meta-* without the prefix), as S3 returns it. */
  metadata?: Record<string, string>;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
}

export interface ObjectStore {
  /** Throws `not_found` when missing, `access_denied`, or transient classes. */
  head(ref: ObjectRef, signal?: AbortSignal): Promise<ObjectHead>;
  /** Streams the object into `destPath`, refusing more than `maxBytes`; hashes while it streams. */
  download(ref: ObjectRef, destPath: string, maxBytes: number, signal?: AbortSignal): Promise<DownloadResult>;
  put(bucket: string, key: string, body: Buffer, contentType: string, signal?: AbortSignal): Promise<void>;
  /** The object's tags (GetObjectTagging); throws classified errors like head. */
  tags(ref: ObjectRef, signal?: AbortSignal): Promise<Record<string, string>>;
}
