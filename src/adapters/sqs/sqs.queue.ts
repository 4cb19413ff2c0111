import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parseRedrivePolicy, type RedrivePolicyRead } from '../../domain/redrive-policy.js';
import type { BatchFailure, QueueDepth, QueueMessage, RedrivePolicySource, VisibilityChange, WorkQueue } from '../../ports/queue.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';

/** SQS as the worker's queue. The client is injected (built in main.ts). */
export class SqsWorkQueue implements WorkQueue, RedrivePolicySource {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    readonly url: string,
  ) {}

  async receive(max: number, waitSeconds: number, visibilitySeconds: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
          WaitTimeSeconds: waitSeconds,
          VisibilityTimeout: visibilitySeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          // The deprecated spelling too: some SQS implementations (local emulators) only know it.
          // (typed as queue attributes in the SDK, but SQS accepts message attribute names here).
          AttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'] as unknown as ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).flatMap((m) => {
        if (!m.MessageId || !m.ReceiptHandle) return [];
        const attributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
          if (v.StringValue !== undefined) attributes[k] = v.StringValue;
        }
        const sent = Number(m.Attributes?.SentTimestamp);
        return [
          {
            id: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body,
            receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1,
            sentAt: Number.isFinite(sent) ? sent : null,
            attributes,
          },
        ];
      });
    } catch (err) {
      throw classifyAwsError(err, 'receive', 'connection');
    }
  }

  async deleteBatch(messages: Array<Pick<QueueMessage, 'id' | 'receiptHandle'>>): Promise<BatchFailure[]> {
    if (messages.length === 0) return [];
    const entries = messages.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.receiptHandle }));
    try {
      const out = await this.client.send(new DeleteMessageBatchCommand({ QueueUrl: this.url, Entries: entries }));
      return mapFailures(out.Failed, messages);
    } catch (err) {
      throw classifyAwsError(err, 'ack', 'connection');
    }
  }

  async changeVisibilityBatch(changes: VisibilityChange[]): Promise<BatchFailure[]> {
    if (changes.length === 0) return [];
    const entries = changes.map((c, i) => ({ Id: `m${i}`, ReceiptHandle: c.receiptHandle, VisibilityTimeout: c.visibilitySeconds }));
    try {
      const out = await this.client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.url, Entries: entries }));
      return mapFailures(out.Failed, changes);
    } catch (err) {
      throw classifyAwsError(err, 'ack', 'connection');
    }
  }

  depth(): Promise<QueueDepth> {
    return queueDepth(this.client, this.url);
  }

  async redrivePolicy(): Promise<RedrivePolicyRead> {
    try {
      const out = await this.client.send(new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ['RedrivePolicy'] }));
      return parseRedrivePolicy(out.Attributes?.RedrivePolicy);
    } catch (err) {
      throw classifyAwsError(err, 'receive', 'connection');
    }
  }
}

export async function queueDepth(client: Pick<SQSClient, 'send'>, url: string): Promise<QueueDepth> {
  try {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const a = out.Attributes ?? {};
    return {
      visible: Number(a.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  } catch (err) {
    throw classifyAwsError(err, 'receive', 'connection');
  }
}

function mapFailures(
  failed: Array<{ Id?: string; Code?: string; Message?: string; SenderFault?: boolean }> | undefined,
  originals: Array<{ id: string }>,
): BatchFailure[] {
  return (failed ?? []).map((f) => {
    const index = Number((f.Id ?? 'm-1').slice(1));
    return {
      id: originals[index]?.id ?? f.Id ?? '?',
      code: f.Code ?? 'Unknown',
      message: f.Message ?? '',
      senderFault: f.SenderFault ?? false,
    };
  });
}
