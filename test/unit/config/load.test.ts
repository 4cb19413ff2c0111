import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

const base = { QUEUE_URL: 'http://127.0.0.1:1/000/q' };
const load = (env: Record<string, string>) => loadConfig({}, { ...base, ...env });

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const r = loadConfig({}, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.RECEIVE_BATCH_SIZE).toBe(10);
    expect(r.config.RECEIVE_WAIT_SECONDS).toBe(20);
    expect(r.config.INDEXED_CHARS).toBe(100_000);
    expect(r.config.INDEX_SINK).toBe('file');
    expect(r.config.INDEX_FILE).toBe('./data/index.ndjson');
    expect(r.config.OPENSEARCH_INDEX).toBe('docsift');
    expect(r.config.LOG_LEVEL).toBe('info');
  });

  it('selects the opensearch sink when OPENSEARCH_URL is set', () => {
    const r = load({ OPENSEARCH_URL: 'https://search.example:9200' });
    expect(r.ok && r.config.INDEX_SINK).toBe('opensearch');
  });

  it('lets INDEX_SINK=file win over OPENSEARCH_URL', () => {
    const r = load({ OPENSEARCH_URL: 'https://search.example:9200', INDEX_SINK: 'file' });
    expect(r.ok && r.config.INDEX_SINK).toBe('file');
  });

  it('treats empty strings as unset', () => {
    const r = load({ RECEIVE_BATCH_SIZE: '' });
    expect(r.ok && r.config.RECEIVE_BATCH_SIZE).toBe(10);
  });

  const bad: Array<{ name: string; env: Record<string, string>; line: RegExp }> = [
    { name: 'batch size above 10', env: { RECEIVE_BATCH_SIZE: '50' }, line: /^RECEIVE_BATCH_SIZE="50": must be an integer from 1 to 10$/ },
    { name: 'batch size not a number', env: { RECEIVE_BATCH_SIZE: 'ten' }, line: /^RECEIVE_BATCH_SIZE="ten": must be an integer from 1 to 10$/ },
    { name: 'wait above 20', env: { RECEIVE_WAIT_SECONDS: '21' }, line: /^RECEIVE_WAIT_SECONDS="21": must be an integer from 0 to 20$/ },
    { name: 'fractional inflight', env: { MAX_INFLIGHT: '1.5' }, line: /^MAX_INFLIGHT="1.5": must be an integer/ },
    { name: 'bad sink', env: { INDEX_SINK: 'elastic' }, line: /^INDEX_SINK="elastic": must be one of file, opensearch$/ },
    { name: 'bad URL', env: { QUEUE_URL: 'not a url' }, line: /^QUEUE_URL="not a url": must be an http\(s\) URL$/ },
    { name: 'bad boolean', env: { S3_FORCE_PATH_STYLE: 'maybe' }, line: /^S3_FORCE_PATH_STYLE="maybe": must be true or false$/ },
    { name: 'bad log level', env: { LOG_LEVEL: 'loud' }, line: /^LOG_LEVEL="loud": must be one of/ },
    {
      name: 'heartbeat not below visibility',
      env: { HEARTBEAT_INTERVAL: '60', VISIBILITY_TIMEOUT: '60' },
      line: /^HEARTBEAT_INTERVAL=60 must be less than VISIBILITY_TIMEOUT=60$/,
    },
    { name: 'opensearch sink without URL', env: { INDEX_SINK: 'opensearch' }, line: /^INDEX_SINK=opensearch needs OPENSEARCH_URL/ },
    { name: 'retry base above max', env: { RETRY_BASE_SECONDS: '100', RETRY_MAX_SECONDS: '50' }, line: /RETRY_BASE_SECONDS=100 must not exceed RETRY_MAX_SECONDS=50/ },
    {
      name: 'a FIFO source queue',
      env: { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/docsift.fifo' },
      line: /^QUEUE_URL names the FIFO queue docsift\.fifo: docsift reads standard queues only \(S3 cannot notify FIFO queues, .*\); use a standard queue$/,
    },
    { name: 'a FIFO DLQ', env: { DLQ_URL: 'http://127.0.0.1:9324/000000000000/dlq.fifo/' }, line: /^DLQ_URL names the FIFO queue dlq\.fifo: / },
    { name: 'basic auth without password', env: { OPENSEARCH_URL: 'http://x:9200', OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'u' }, line: /OPENSEARCH_AUTH=basic needs/ },
  ];
  it.each(bad)('rejects $name with one line naming variable, value and rule', ({ env, line }) => {
    const r = load(env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.some((p) => line.test(p))).toBe(true);
  });

  it('a standard queue whose name merely contains "fifo" is fine', () => {
    expect(load({ QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fifo-docs', DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/docs.fifo-dlq' }).ok).toBe(true);
  });

  it('reports every problem, one line each', () => {
    const r = load({ RECEIVE_BATCH_SIZE: '0', RECEIVE_WAIT_SECONDS: '99', MAX_FILE_SIZE_MB: '-1' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toHaveLength(3);
  });

  it('never echoes a secret value', () => {
    const r = loadConfig({ OPENSEARCH_PASSWORD: 'hunter2', OPENSEARCH_URL: 'nope', OPENSEARCH_AUTH: 'bogus' }, base);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(2);
    expect(r.problems.join('\n')).not.toContain('hunter2');
  });
});
