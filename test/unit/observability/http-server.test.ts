import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../../src/observability/http-server.js';
import { createMetrics } from '../../../src/observability/metrics.js';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics and probe server', () => {
  it('serves /metrics, /healthz and /readyz with the right status codes', async () => {
    const metrics = createMetrics();
    let healthy = true;
    let ready = false;
    let scrapes = 0;
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: metrics.registry,
      beforeScrape: () => { scrapes += 1; metrics.heartbeatAge.set({ component: 'intake' }, 1.5); },
      healthz: () => ({ ok: healthy, detail: healthy ? 'ok' : 'stale heartbeat intake' }),
      readyz: async () => ({ ok: ready, detail: ready ? 'ok' : 'queue unreachable' }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const m = await fetch(`${base}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await m.text();
    expect(text).toMatch(/^docsift_heartbeat_age_seconds\{component="intake"\} 1.5$/m);
    expect(text).toMatch(/^docsift_messages_total\{outcome="indexed"\} 0$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(scrapes).toBe(1);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    healthy = false;
    const h = await fetch(`${base}/healthz`);
    expect([h.status, await h.text()]).toEqual([503, 'stale heartbeat intake\n']);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    ready = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
