import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenSearchClient } from '../../src/adapters/opensearch/opensearch.client.js';
import { OpenSearchIndex } from '../../src/adapters/opensearch/opensearch.index.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SearchDocument } from '../../src/domain/document.js';
import { OpenSearchDouble } from '../helpers/opensearch-double.js';

/**
 * OpenSearch over TLS: verification is on by default, a custom CA (OPENSEARCH_CA_FILE) is
 * honoured, and basic auth / SigV4 / none put the right Authorization header on the wire. The
 * certificates are made at test time with the `openssl` binary; an HTTPS front terminates TLS and
 * forwards to the OpenSearch double, recording the headers it received.
 */
const dir = mkdtempSync(join(tmpdir(), 'docsift-tls-'));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makePki(): void {
  for (const ca of ['ca', 'rogue']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=docsift test ${ca}`);
  }
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  const ext = join(dir, 'san.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > '${ext}'`]);
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', ext);
}

function doc(): SearchDocument {
  return {
    bucket: 'b', key: 'k.txt', version_id: null, etag: null, size: 1, last_modified: null, filename: 'k.txt', extension: 'txt', content_type: 'text/plain',
    content: 'x', content_length: 1, checksum: 'c', extraction: { method: 'text', status: 'ok', ms: 1 }, indexed_at: new Date(0).toISOString(),
  };
}

describe('OpenSearch TLS and authentication', { timeout: 60_000 }, () => {
  const double = new OpenSearchDouble();
  let front: Server;
  let url = '';
  const seen: IncomingHttpHeaders[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    makePki();
    await double.start();
    const upstream = new URL(double.url);
    front = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (req, res) => {
      seen.push(req.headers);
      const up = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(front.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    process.env = saved;
    front?.closeAllConnections();
    await new Promise<void>((r) => (front ? front.close(() => r()) : r()));
    await double.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function config(env: Record<string, string>): Config {
    const result = loadConfig({ OPENSEARCH_URL: url, ...env }, {});
    if (!result.ok) throw new Error(result.problems.join('; '));
    return result.config;
  }

  async function roundTrip(cfg: Config): Promise<IncomingHttpHeaders[]> {
    const from = seen.length;
    const index = new OpenSearchIndex(createOpenSearchClient(cfg), { indexName: 'docsift', maxRetries: 0, maxOps: 10, maxBytes: 1 << 20, flushMs: 5 });
    await index.ensureReady();
    await index.write({ type: 'index', id: `id-${from}`, document: doc() });
    await index.close();
    return seen.slice(from);
  }

  it('verifies certificates by default: a self-signed cluster is refused before any request is sent', async () => {
    const cfg = config({});
    expect(cfg.OPENSEARCH_TLS_VERIFY).toBe(true);
    const from = seen.length;
    await expect(roundTrip(cfg)).rejects.toThrow(/self[- ]signed|certificate|unable to verify/i);
    expect(seen.length).toBe(from);
  });

  it('trusts the cluster through OPENSEARCH_CA_FILE', async () => {
    const headers = await roundTrip(config({ OPENSEARCH_CA_FILE: join(dir, 'ca.pem') }));
    expect(headers.length).toBeGreaterThanOrEqual(2);
    expect(headers.every((h) => h.authorization === undefined)).toBe(true);
  });

  it('a CA that did not sign the cluster certificate is refused', async () => {
    await expect(roundTrip(config({ OPENSEARCH_CA_FILE: join(dir, 'rogue.pem') }))).rejects.toThrow(/certificate|self[- ]signed|unable to verify/i);
  });

  it('OPENSEARCH_TLS_VERIFY=false is an explicit opt-out', async () => {
    expect((await roundTrip(config({ OPENSEARCH_TLS_VERIFY: 'false' }))).length).toBeGreaterThan(0);
  });

  it('basic auth: `Authorization: Basic base64(user:password)` on every request', async () => {
    const headers = await roundTrip(config({ OPENSEARCH_CA_FILE: join(dir, 'ca.pem'), OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'writer', OPENSEARCH_PASSWORD: 'p@ss:wörd' }));
    const expected = `Basic ${Buffer.from('writer:p@ss:wörd').toString('base64')}`;
    expect(headers.map((h) => h.authorization)).toEqual(headers.map(() => expected));
  });

  it('basic auth is chosen when only a username and password are set', async () => {
    const headers = await roundTrip(config({ OPENSEARCH_CA_FILE: join(dir, 'ca.pem'), OPENSEARCH_USERNAME: 'writer', OPENSEARCH_PASSWORD: 'pw' }));
    expect(headers.every((h) => h.authorization === `Basic ${Buffer.from('writer:pw').toString('base64')}`)).toBe(true);
  });

  for (const service of ['es', 'aoss'] as const) {
    it(`SigV4 (${service}): AWS4-HMAC-SHA256 with credential scope, signed headers, signature and session token`, async () => {
      process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE12345678';
      process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
      process.env.AWS_SESSION_TOKEN = 'session-token-example';
      const headers = await roundTrip(config({ OPENSEARCH_CA_FILE: join(dir, 'ca.pem'), OPENSEARCH_AUTH: 'sigv4', OPENSEARCH_SIGV4_SERVICE: service, AWS_REGION: 'eu-west-1' }));
      expect(headers.length).toBeGreaterThanOrEqual(2);
      const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      for (const h of headers) {
        const m = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE12345678\/(\d{8})\/eu-west-1\/([a-z]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(String(h.authorization));
        expect(m, String(h.authorization)).not.toBeNull();
        expect(Math.abs(Number(m![1]) - Number(day))).toBeLessThanOrEqual(1);
        expect(m![2]).toBe(service);
        expect(m![3]!.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
        expect(h['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
        expect(h['x-amz-security-token']).toBe('session-token-example');
        expect(String(h.authorization)).not.toContain('wJalrXUtnFEMI');
      }
    });
  }
});
