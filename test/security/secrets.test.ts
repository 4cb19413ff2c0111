import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSamples } from '../../devstack/samples.js';
import { FaultProxy, s3XmlError, sqsJsonError } from '../faults/harness/fault-proxy.js';
import { WorkerProcess } from '../faults/harness/worker-process.js';
import { nextSequencer, s3EventBody, World } from '../faults/harness/world.js';
import { freePort } from '../../devstack/free-port.js';

/**
 * Secrets never reach logs or metrics: AWS credentials, the OpenSearch password and every
 * Authorization header value the index saw are searched for in the child's captured stdout/stderr
 * and in /metrics, in a normal run and in error paths (S3 404/500, SQS throttling, index 401 and
 * 503, an invalid configuration). Metric label values never carry bucket names, keys or message ids.
 */
const PASSWORD = 'pw-Zq8!sEcReT-7731';
const USERNAME = 'docsift-writer';
const SESSION_TOKEN = 'FQoGZXIvYXdzEXAMPLE-SESSION-TOKEN-0123456789abcdef';
const BUCKET = 'docsift-secret-bucket-name';

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** `name{labels} value` lines → every label value. */
function labelValues(metrics: string): string[] {
  const values: string[] = [];
  for (const line of metrics.split('\n')) {
    if (line.startsWith('#')) continue;
    const labels = /\{(.*)\}/.exec(line)?.[1];
    if (!labels) continue;
    for (const m of labels.matchAll(/[a-zA-Z_]+="((?:[^"\\]|\\.)*)"/g)) values.push(m[1]!);
  }
  return values;
}

function findLeaks(text: string, secrets: string[]): string[] {
  return secrets.filter((s) => s.length >= 6 && text.includes(s));
}

describe('secrets in logs and metrics', { timeout: 240_000 }, () => {
  let world: World;
  let s3proxy: FaultProxy;
  let sqsproxy: FaultProxy;
  beforeAll(async () => {
    world = await World.create({ bucket: BUCKET });
    s3proxy = new FaultProxy(world.stack.s3Endpoint);
    sqsproxy = new FaultProxy(world.stack.sqsEndpoint);
    await s3proxy.start();
    await sqsproxy.start();
  }, 60_000);
  afterAll(async () => {
    await s3proxy?.stop();
    await sqsproxy?.stop();
    await world?.close();
  });

  for (const auth of ['basic', 'sigv4'] as const) {
    it(`${auth}: normal run and error paths leak no credential, header or identifier`, async () => {
      world.double.requests.length = 0;
      const samples = makeSamples(16, auth === 'basic' ? 81 : 82).map((s, i) => ({ ...s, key: `${auth}/${i % 4 === 0 ? 'e500' : 'ok'}/${s.key}` }));
      await world.upload(samples);
      const missing = makeSamples(3, 83).map((s) => ({ ...s, key: `${auth}/missing/${s.key}` }));
      const seen = new Set<string>();
      s3proxy.decide = ({ method, path }) => {
        if (method === 'GET' && path.includes('/e500/') && !seen.has(path)) {
          seen.add(path);
          return s3XmlError(500, 'InternalError', 'injected');
        }
        return undefined;
      };
      let throttles = 3;
      sqsproxy.decide = ({ target }) => (target === 'AmazonSQS.ReceiveMessage' && throttles-- > 0 ? sqsJsonError(400, 'ThrottlingException', 'Rate exceeded') : undefined);
      const port = await freePort();
      const w = world.startWorker({
        AWS_ENDPOINT_URL_S3: s3proxy.url,
        AWS_ENDPOINT_URL_SQS: sqsproxy.url,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        OPENSEARCH_AUTH: auth,
        ...(auth === 'basic' ? { OPENSEARCH_USERNAME: USERNAME, OPENSEARCH_PASSWORD: PASSWORD } : {}),
        METRICS_PORT: String(port),
        LOG_LEVEL: 'trace',
      });
      // Ready (index template checked, queue reachable) before the index starts failing.
      await world.until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200 || !w.alive, 30_000, () => 'never ready');
      expect(w.alive).toBe(true);
      // The index refuses auth for a while (401: permanent, dead-lettered) then is down (503).
      world.double.requestFault = 401;
      await world.send([...samples.slice(0, 2), ...missing].map((s) => s3EventBody('created', BUCKET, s.key, nextSequencer(), s.body.length)));
      await world.until(() => world.double.requests.some((r) => r.status === 401), 20_000, () => 'no 401 answered');
      await new Promise((r) => setTimeout(r, 1000));
      world.double.requestFault = 503;
      await world.send(samples.slice(2).map((s) => s3EventBody('created', BUCKET, s.key, nextSequencer(), s.body.length)));
      await new Promise((r) => setTimeout(r, 1500));
      const midRun = await scrape(port);
      world.double.requestFault = null;
      await world.until(() => samples.slice(2).every((s) => world.double.docs.has(world.idOf(s.key))), 90_000, () => 'not all indexed');
      await world.drained(60_000);
      const endRun = await scrape(port);
      const exit = await w.stop();
      expect(exit.code).toBe(0);
      const dead = await world.drainDlq();

      const authHeaders = [...new Set(world.double.requests.map((r) => r.authorization).filter((a): a is string => Boolean(a)))];
      expect(authHeaders.length).toBeGreaterThan(0);
      const headerParts = authHeaders.flatMap((h) => [h, h.replace(/^Basic /, ''), ...(/Signature=([0-9a-f]{64})/.exec(h)?.slice(1) ?? [])]);
      const secrets = [PASSWORD, SESSION_TOKEN, 'S3RVER', Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'), ...headerParts];
      const output = `${w.stdout}\n${w.stderr}`;
      expect(findLeaks(output, secrets)).toEqual([]);
      expect(findLeaks(midRun + endRun, secrets)).toEqual([]);
      // The error paths were really taken.
      expect(dead.length).toBeGreaterThanOrEqual(missing.length);
      expect(w.events('job_failed').length).toBeGreaterThan(0);
      expect(w.events('receive_error').length).toBeGreaterThan(0);
      // Metric labels: closed sets only, never a bucket, key or message id.
      const messageIds = [...new Set(w.logs.map((l) => l.message_id).filter((id): id is string => typeof id === 'string'))];
      expect(messageIds.length).toBeGreaterThan(0);
      const identifiers = [BUCKET, ...samples.map((s) => s.key), ...missing.map((s) => s.key), ...messageIds, 'e500', 'missing'];
      const values = labelValues(endRun);
      expect(values.length).toBeGreaterThan(0);
      expect(values.filter((v) => identifiers.some((id) => v.includes(id)))).toEqual([]);
      expect(findLeaks(midRun + endRun, [BUCKET, ...messageIds])).toEqual([]);
      expect(values.every((v) => /^[a-zA-Z0-9_.+:-]*$/.test(v))).toBe(true);
    });
  }

  it('an invalid configuration is reported without the secrets in it', async () => {
    const w = new WorkerProcess({
      QUEUE_URL: world.stack.queueUrl,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY123456',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      OPENSEARCH_URL: `https://${USERNAME}:${encodeURIComponent(PASSWORD)}@search.example:99999`,
      OPENSEARCH_USERNAME: USERNAME,
      OPENSEARCH_PASSWORD: PASSWORD,
      OPENSEARCH_AUTH: 'basic',
      VISIBILITY_TIMEOUT: 'soon',
      HEARTBEAT_INTERVAL: '999999',
    });
    const exit = await w.exited;
    expect(exit.code).toBe(2);
    const output = `${w.stdout}\n${w.stderr}`;
    expect(output).toMatch(/invalid configuration/);
    expect(findLeaks(output, [PASSWORD, encodeURIComponent(PASSWORD), SESSION_TOKEN, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AKIAEXAMPLEKEY123456'])).toEqual([]);
  });
});
