import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { truncateMessage } from '../../domain/errors.js';
import { DLQ_ATTRIBUTE, type DeadLetterAttributes, type DeadLetterQueue, type QueueDepth } from '../../ports/queue.port.js';
import { classifyAwsError } from '../aws/classify-aws-error.js';
import { queueDepth } from './sqs.queue.js';

/** SQS allows 10 message attributes; keep room for ours (6) and up to 4 of the original's. */
const MAX_ATTRIBUTES = 10;

export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: Pick<SQSClient, 'send'>,
    readonly url: string,
  ) {}

  async send(body: string, attributes: DeadLetterAttributes, original: Record<string, string>): Promise<void> {
    const attrs: Record<string, MessageAttributeValue> = {};
    const put = (name: string, value: string | undefined) => {
      if (value !== undefined && value !== '') attrs[name] = { DataType: 'String', StringValue: value };
    };
    put(DLQ_ATTRIBUTE.errorClass, attributes.errorClass);
    put(DLQ_ATTRIBUTE.errorMessage, truncateMessage(attributes.errorMessage, 500));
    put(DLQ_ATTRIBUTE.stage, attributes.stage);
    put(DLQ_ATTRIBUTE.sourceQueue, attributes.sourceQueue);
    put(DLQ_ATTRIBUTE.failedAt, attributes.failedAt);
    put(DLQ_ATTRIBUTE.contentType, attributes.contentType);
    const ours = new Set<string>(Object.values(DLQ_ATTRIBUTE));
    for (const [k, v] of Object.entries(original)) {
      if (Object.keys(attrs).length >= MAX_ATTRIBUTES) break;
      if (!ours.has(k)) put(k, v);
    }
    // An empty body cannot be sent to SQS; keep a marker so the DLQ entry still exists.
    const text = body.length > 0 ? body : '(empty body)';
    try {
      await this.client.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: text, MessageAttributes: attrs }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'InvalidMessageContents') throw classifyAwsError(err, 'dlq', 'connection');
      // Characters SQS refuses (e.g. U+0000) came in through another producer: keep the bytes, base64.
      put('body_encoding', 'base64');
      try {
        await this.client.send(
          new SendMessageCommand({ QueueUrl: this.url, MessageBody: Buffer.from(text, 'utf8').toString('base64'), MessageAttributes: attrs }),
        );
      } catch (again) {
        throw classifyAwsError(again, 'dlq', 'connection');
      }
    }
  }

  depth(): Promise<QueueDepth> {
    return queueDepth(this.client, this.url);
  }
}
