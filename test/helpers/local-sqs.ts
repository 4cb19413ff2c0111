import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';

/** local-aws-sqs started in-process on a free port, and the helpers the ops suites need. */
export interface LocalSqs {
  endpoint: string;
  sqs: SQSClient;
  /** A queue with a fresh name (PurgeQueue takes 60 s here: never reuse one). */
  queue(prefix: string, options?: { dlqArn?: string; maxReceiveCount?: number }): Promise<{ url: string; arn: string }>;
  sendMany(url: string, messages: Array<{ body: string; attributes?: Record<string, string> }>): Promise<void>;
  /** Receives everything visible (holding it for `visibility` seconds) and returns it; short waits only. */
  readAll(url: string, visibility?: number): Promise<Message[]>;
  counts(url: string): Promise<{ visible: number; inFlight: number }>;
  close(): Promise<void>;
}

export async function startLocalSqs(): Promise<LocalSqs> {
  const server: Server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const { port } = server.address() as AddressInfo;
  return sqsHelpers(`http://127.0.0.1:${port}`, () => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** The same helpers on any SQS endpoint (moto_server in the contract suite). */
export function sqsHelpers(endpoint: string, stop: () => Promise<void>): LocalSqs {
  const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const attrs = (a: Record<string, string> | undefined): Record<string, MessageAttributeValue> | undefined =>
    a && Object.keys(a).length > 0 ? Object.fromEntries(Object.entries(a).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined;
  return {
    endpoint,
    sqs,
    async queue(prefix, options = {}) {
      const Attributes: Record<string, string> = {};
      if (options.dlqArn) Attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: options.dlqArn, maxReceiveCount: options.maxReceiveCount ?? 5 });
      const out = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${randomUUID().slice(0, 8)}`, Attributes }));
      const url = out.QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      return { url, arn };
    },
    async sendMany(url, messages) {
      for (let i = 0; i < messages.length; i += 10) {
        const out = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: `e${j}`, MessageBody: m.body, MessageAttributes: attrs(m.attributes) })),
          }),
        );
        if (out.Failed && out.Failed.length > 0) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
      }
    },
    async readAll(url, visibility = 60) {
      const all: Message[] = [];
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: visibility, MessageAttributeNames: ['All'], AttributeNames: ['All'] }),
        );
        if (!out.Messages || out.Messages.length === 0) return all;
        all.push(...out.Messages);
      }
    },
    async counts(url) {
      const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      const total = Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
      const inFlight = Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      // local-aws-sqs counts in-flight messages inside ApproximateNumberOfMessages (a local-aws-sqs quirk).
      return { visible: total - inFlight, inFlight };
    },
    async close() {
      sqs.destroy();
      await stop();
    },
  };
}
