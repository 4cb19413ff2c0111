import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type BatchResultErrorEntry,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterReader, Held, MessageAttribute } from '../../ports/dead-letter-reader.port.js';
import type { MessageMover, MoveTask, MoveTaskState } from '../../ports/message-mover.port.js';
import type { MessageSender, OutgoingMessage } from '../../ports/message-sender.port.js';
import type { BatchFailure } from '../../ports/queue.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

type Client = Pick<SQSClient, 'send'>;

function failures(entries: BatchResultErrorEntry[] | undefined): BatchFailure[] {
  return (entries ?? []).map((e) => ({ id: e.Id ?? '', code: e.Code ?? 'Unknown', message: e.Message ?? '', senderFault: e.SenderFault ?? false }));
}

function fromSqs(attrs: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, v] of Object.entries(attrs ?? {})) {
    const a: MessageAttribute = { dataType: v.DataType ?? 'String' };
    if (v.StringValue !== undefined) a.stringValue = v.StringValue;
    if (v.BinaryValue !== undefined) a.binaryValue = v.BinaryValue;
    out[name] = a;
  }
  return out;
}

function toSqs(attrs: Record<string, MessageAttribute>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = { DataType: a.dataType, ...(a.stringValue !== undefined ? { StringValue: a.stringValue } : {}), ...(a.binaryValue !== undefined ? { BinaryValue: a.binaryValue } : {}) };
  }
  return out;
}

const STATES = new Set<MoveTaskState>(['RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED']);

/** Reads, gives back and deletes DLQ messages. SDK errors leave as DocsiftError (stage `dlq`). */
export class SqsDeadLetterReader implements DeadLetterReader {
  constructor(
    private readonly client: Client,
    readonly url: string,
  ) {}

  async receive(max: number, visibilitySeconds: number, waitSeconds: number): Promise<DeadLetter[]> {
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: waitSeconds,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          // The deprecated spelling too: local emulators (local-aws-sqs) only read this one.
          AttributeNames: ['All'],
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        id: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        sentAt: m.Attributes?.SentTimestamp ? Number(m.Attributes.SentTimestamp) : null,
        attributes: fromSqs(m.MessageAttributes),
      }));
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }

  release(messages: Held[]): Promise<BatchFailure[]> {
    return this.extend(messages, 0);
  }

  async extend(messages: Held[], visibilitySeconds: number): Promise<BatchFailure[]> {
    if (messages.length === 0) return [];
    try {
      const out = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.url,
          Entries: messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle, VisibilityTimeout: visibilitySeconds })),
        }),
      );
      return failures(out.Failed).map((f) => ({ ...f, id: messages[Number(f.id.slice(1))]?.id ?? f.id }));
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }

  async remove(messages: Held[]): Promise<BatchFailure[]> {
    if (messages.length === 0) return [];
    try {
      const out = await this.client.send(
        new DeleteMessageBatchCommand({ QueueUrl: this.url, Entries: messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle })) }),
      );
      return failures(out.Failed).map((f) => ({ ...f, id: messages[Number(f.id.slice(1))]?.id ?? f.id }));
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }

  async approximateVisible(): Promise<number> {
    try {
      const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
      return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }
}

/** SendMessageBatch to any queue URL, message attributes passed through unchanged. */
export class SqsMessageSender implements MessageSender {
  constructor(private readonly client: Client) {}

  async sendBatch(queueUrl: string, messages: OutgoingMessage[]): Promise<BatchFailure[]> {
    if (messages.length === 0) return [];
    try {
      const out = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m) => ({ Id: m.id, MessageBody: m.body, ...(Object.keys(m.attributes).length > 0 ? { MessageAttributes: toSqs(m.attributes) } : {}) })),
        }),
      );
      return failures(out.Failed);
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }
}

/** StartMessageMoveTask / ListMessageMoveTasks take ARNs: each URL is resolved once with GetQueueAttributes. */
export class SqsMessageMover implements MessageMover {
  private readonly arns = new Map<string, string>();

  constructor(private readonly client: Client) {}

  private async arnOf(url: string): Promise<string> {
    const known = this.arns.get(url);
    if (known) return known;
    try {
      const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      const arn = out.Attributes?.QueueArn;
      if (!arn) throw new Error(`no QueueArn for ${url}`);
      this.arns.set(url, arn);
      return arn;
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }

  async start(sourceUrl: string, destinationUrl: string | undefined, maxPerSecond: number | undefined): Promise<string> {
    const SourceArn = await this.arnOf(sourceUrl);
    const DestinationArn = destinationUrl ? await this.arnOf(destinationUrl) : undefined;
    try {
      const out = await this.client.send(
        new StartMessageMoveTaskCommand({ SourceArn, DestinationArn, ...(maxPerSecond ? { MaxNumberOfMessagesPerSecond: Math.round(maxPerSecond) } : {}) }),
      );
      return out.TaskHandle ?? '';
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }

  async list(sourceUrl: string): Promise<MoveTask[]> {
    const SourceArn = await this.arnOf(sourceUrl);
    try {
      const out = await this.client.send(new ListMessageMoveTasksCommand({ SourceArn, MaxResults: 10 }));
      return (out.Results ?? []).map((r) => ({
        handle: r.TaskHandle ?? null,
        state: STATES.has(r.Status as MoveTaskState) ? (r.Status as MoveTaskState) : 'FAILED',
        moved: r.ApproximateNumberOfMessagesMoved ?? 0,
        toMove: r.ApproximateNumberOfMessagesToMove ?? null,
        failureReason: r.FailureReason ?? null,
        startedAt: r.StartedTimestamp ?? null,
      }));
    } catch (err) {
      throw classifyAwsError(err, 'dlq', 'connection');
    }
  }
}
