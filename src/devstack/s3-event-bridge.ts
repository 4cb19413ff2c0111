import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** S3 URL-encodes keys in notifications, spaces as `+`, slashes kept. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
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
