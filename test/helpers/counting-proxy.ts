import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path as sent (URL-encoded), without the query. */
  path: string;
  /** The same, decoded: `/bucket/key` for path-style S3. */
  decodedPath: string;
  query: string;
  status: number;
}

/**
 * A pass-through HTTP proxy that records every request it forwards: put it between a client and a
 * server (AWS_ENDPOINT_URL_S3 → proxy → moto) to prove what reached the server, rather than trusting
 * the client code. Bodies stream through untouched; the Host header is kept, so SigV4 signatures
 * (which cover it) stay valid.
 */
export class CountingProxy {
  readonly requests: ProxiedRequest[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const upstream = request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          let decodedPath = url.pathname;
          try {
            decodedPath = decodeURIComponent(url.pathname);
          } catch {
            // keep it encoded
          }
          this.requests.push({ method: req.method ?? '', path: url.pathname, decodedPath, query: url.search, status: answer.statusCode ?? 0 });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Requests whose decoded path is this object's (`/bucket/key`). */
  forObject(bucket: string, key: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.decodedPath === `/${bucket}/${key}`);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}
