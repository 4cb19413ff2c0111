import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export interface Probe {
  ok: boolean;
  detail: string;
}

export interface HttpServerOptions {
  port: number;
  /** @defaultValue all interfaces, so Prometheus can scrape the pod */
  host?: string;
  registry: Registry;
  /** Refreshes gauges that are computed on demand (heartbeat ages) just before a scrape. */
  beforeScrape?: () => void;
  healthz: () => Probe;
  readyz: () => Promise<Probe>;
  logger?: Logger;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** /metrics (Prometheus text format), /healthz (heartbeats fresh) and /readyz (configured, queue reachable, not draining). */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    if (path === '/metrics') {
      options.beforeScrape?.();
      return send(res, 200, await options.registry.metrics(), options.registry.contentType);
    }
    if (path === '/healthz') {
      const probe = options.healthz();
      return send(res, probe.ok ? 200 : 503, `${probe.detail}\n`);
    }
    if (path === '/readyz') {
      const probe = await options.readyz();
      return send(res, probe.ok ? 200 : 503, `${probe.detail}\n`);
    }
    return send(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger?.warn({ event: 'http_error', path: req.url, reason: err instanceof Error ? err.message : String(err) }, 'metrics server error');
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.end();
    });
  });
  // Probes and scrapes are short; never let an idle keep-alive socket hold the shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
