import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** TCP reset before any response byte. */
  | { kind: 'reset' }
  /** Forward the status, headers and the first `bytes` body bytes, then send nothing more. */
  | { kind: 'stall'; bytes: number };

export interface ProxyRequest {
  at: number;
  method: string;
  path: string;
  /** `x-amz-target` of JSON-protocol calls (e.g. `AmazonSQS.ReceiveMessage`). */
  target: string | undefined;
  fault: Fault['kind'] | 'pass';
}

/** AWS JSON-protocol error body and headers, as SQS sends them (query-compatible mode). */
export function sqsJsonError(status: number, code: string, message: string): Fault {
  return {
    kind: 'status',
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender`, 'x-amzn-requestid': 'fault-proxy' },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }),
  };
}

/** An S3 REST-XML error. */
export function s3XmlError(status: number, code: string, message: string): Fault {
  return {
    kind: 'status',
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'fault-proxy' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`,
  };
}

/**
 * A fault-injecting HTTP proxy between the worker child and a local server. `decide` picks a fault
 * (or none) per request; `refuse()` closes the listening socket so connections are refused, and
 * `accept()` opens it again on the same port. Every request is logged with its time and fault, so
 * tests can assert request patterns (rates, backoff), not only end states.
 */
export class FaultProxy {
  readonly log: ProxyRequest[] = [];
  decide: (req: { method: string; path: string; target: string | undefined }) => Fault | undefined = () => undefined;
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private readonly upstream: URL;

  constructor(upstream: string) {
    this.upstream = new URL(upstream);
    this.server = this.create();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private create(): Server {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return server;
  }

  async start(): Promise<string> {
    await this.listen(0);
    return this.url;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** Stop listening and drop open connections: new connections get ECONNREFUSED. */
  async refuse(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  async accept(): Promise<void> {
    this.server = this.create();
    await this.listen(this.port);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  count(filter: (r: ProxyRequest) => boolean, since = 0): number {
    return this.log.filter((r) => r.at >= since && filter(r)).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
    const path = req.url ?? '/';
    const fault = this.decide({ method: req.method ?? 'GET', path, target });
    this.log.push({ at: Date.now(), method: req.method ?? 'GET', path, target, fault: fault?.kind ?? 'pass' });
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      req.on('end', () => {
        const body = fault.body ?? '';
        res.writeHead(fault.status, { ...fault.headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    const upstream = request(
      { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (fault?.kind === 'stall') {
          let sent = 0;
          up.on('data', (chunk: Buffer) => {
            if (sent >= fault.bytes) return;
            const part = chunk.subarray(0, fault.bytes - sent);
            sent += part.length;
            res.write(part);
          });
          // Never end: the client must give up on its own (PROCESSING_TIMEOUT / request timeout).
          return;
        }
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
