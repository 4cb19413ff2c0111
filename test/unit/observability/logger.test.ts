import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../../src/observability/logger.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: createLogger('info', stream as never), lines };
}

describe('logger redaction', () => {
  it('keeps ordinary URLs, hides credentials, passwords, presigned URLs and content', async () => {
    const { logger, lines } = capture();
    logger.info(
      {
        event: 'job_failed',
        url: 'https://sqs.us-east-1.amazonaws.com/123/docsift',
        endpoint: 'http://127.0.0.1:4566',
        link: 'https://b.s3.amazonaws.com/k.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=deadbeef',
        reason: 'GET https://admin:hunter2@search:9200/_bulk failed',
        password: 'hunter2',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 's' },
        headers: { authorization: 'Basic xyz' },
        content: 'the document text',
      },
      'download https://b.s3.amazonaws.com/k?Signature=abc&AWSAccessKeyId=AKIA failed',
    );
    await new Promise((r) => setImmediate(r));
    const line = lines[0]!;
    expect(line).toMatchObject({
      event: 'job_failed',
      level: 'info',
      url: 'https://sqs.us-east-1.amazonaws.com/123/docsift',
      endpoint: 'http://127.0.0.1:4566',
      link: 'https://b.s3.amazonaws.com/k.pdf?[redacted]',
      reason: 'GET https://admin:[redacted]@search:9200/_bulk failed',
      password: '[redacted]',
      credentials: '[redacted]',
      headers: { authorization: '[redacted]' },
      content: '[redacted]',
      msg: 'download https://b.s3.amazonaws.com/k?[redacted] failed',
    });
    expect(JSON.stringify(line)).not.toMatch(/hunter2|deadbeef|AKIA/);
  });

  it('scrubSecrets leaves text without URLs alone', () => {
    expect(scrubSecrets('no url here: Signature=abc')).toBe('no url here: Signature=abc');
    expect(scrubSecrets('see http://host/a?b=c')).toBe('see http://host/a?b=c');
  });
});
