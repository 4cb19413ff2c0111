import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** S3 URL-encodes keys in notifications, spaces as `+`, slashes kept. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface S3ObjectEvent {
  bucket: string;
  /** The object key as stored; the notification carries it URL-encoded. */
  key: string;
  /** e.g. `ObjectCreated:Put`, `ObjectRemoved:Delete`. */
  eventName: string;
  /** S3's per-key ordering token (hex). */
  sequencer: string;
  size?: number;
  eTag?: string;
  configurationId?: string;
}

/** The message body S3 sends to SQS for one object event: one record in S3's notification format. */
export function s3EventNotification(e: S3ObjectEvent): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: e.eventName,
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: e.configurationId,
          bucket: { name: e.bucket, arn: `arn:aws:s3:::${e.bucket}` },
          object: { key: encodeS3EventKey(e.key), size: e.size, eTag: e.eTag, sequencer: e.sequencer },
        },
      },
    ],
  });
}

interface S3EventLike {
  Records?: Array<{ s3?: { object?: { key?: string } } }>;
}

/**
 * Forwards the local S3 server's in-process events to SQS the way an S3 event notification would
 * (s3rver emits keys unencoded; real S3 encodes them).
 */
export function bridgeS3Events(emitter: NodeJS.EventEmitter, sqs: Pick<SQSClient, 'send'>, queueUrl: string, onError: (err: Error) => void = () => {}) {
  const listener = (event: S3EventLike) => {
    const copy = structuredClone(event);
    for (const r of copy.Records ?? []) {
      if (r.s3?.object?.key !== undefined) r.s3.object.key = encodeS3EventKey(r.s3.object.key);
    }
    sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(copy) })).catch(onError);
  };
  emitter.on('event', listener);
  return () => emitter.off('event', listener);
}
