import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { bridgeS3Events } from './s3-event-bridge.js';

/** Fixed credentials of the local emulators (s3rver accepts only these). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export interface LocalStack {
  sqsEndpoint: string;
  s3Endpoint: string;
  queueUrl: string;
  dlqUrl: string;
  bucket: string;
  sqs: SQSClient;
  s3: S3Client;
  /** Environment a child `docsift run` needs to talk to this stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  queueName?: string;
  bucket?: string;
  maxReceiveCount?: number;
  /** Forward S3 events to the queue (as S3 notifications would). Default true. */
  bridge?: boolean;
}

export function localSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS });
}

export function localS3Client(endpoint: string): S3Client {
  return new S3Client({
    region: LOCAL_REGION,
    endpoint,
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
    // Otherwise streamed uploads are stored with aws-chunked framing by s3rver.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Starts in-process SQS (local-aws-sqs) and S3 (s3rver) servers on 127.0.0.1 with a queue, a DLQ and a bucket. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const queueName = options.queueName ?? `docsift-${Date.now().toString(36)}`;
  const bucket = options.bucket ?? 'docsift-local';
  // devDependencies: imported only here, so production images never load them.
  const { createSqsServer } = await import('local-aws-sqs');
  const { default: S3rver } = await import('s3rver');
  const sqsServer: Server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'docsift-s3-'));
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  const info = await s3rver.run();
  const s3Endpoint = `http://127.0.0.1:${info.port}`;
  const sqs = localSqsClient(sqsEndpoint);
  const s3 = localS3Client(s3Endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${queueName}-dlq` }));
  const dlqUrl = dlq.QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const main = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 5 }) },
    }),
  );
  const queueUrl = main.QueueUrl!;
  const unbridge = options.bridge === false ? () => {} : bridgeS3Events(s3rver, sqs, queueUrl);
  return {
    sqsEndpoint,
    s3Endpoint,
    queueUrl,
    dlqUrl,
    bucket,
    sqs,
    s3,
    env: {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      QUEUE_URL: queueUrl,
      DLQ_URL: dlqUrl,
    },
    async close() {
      unbridge();
      sqs.destroy();
      s3.destroy();
      await Promise.allSettled([s3rver.close(), new Promise<void>((r) => sqsServer.close(() => r()))]);
      sqsServer.closeAllConnections?.();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
