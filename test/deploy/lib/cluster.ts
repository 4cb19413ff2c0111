import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What a cluster gives a pod besides its spec: the service-account files the kubelet mounts
 * (token, ca.crt, namespace) and the API server behind TLS at KUBERNETES_SERVICE_HOST/PORT.
 * The API itself is the repo's double (test/helpers/kube-api-double.ts, plain HTTP); this puts a
 * TLS front with a CA made here before it, because client-node's in-cluster config speaks HTTPS
 * and verifies the server against ca.crt, as in a real pod.
 */
export interface ApiFront {
  host: string;
  port: number;
  /** Directory with token, ca.crt and namespace, readable by the pod's non-root user. */
  serviceAccountDir: string;
  close(): Promise<void>;
}

async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'ca.crt');
  // Self-signed for 127.0.0.1: the certificate is its own CA, as ca.crt in the pod.
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', '/CN=kubernetes',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:kubernetes.default.svc',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-keyout', key, '-out', cert,
  ]);
  return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

export async function startApiFront(opts: { target: string; token: string; namespace: string }): Promise<ApiFront> {
  const dir = await mkdtemp(join(tmpdir(), 'docsift-sa-'));
  const { cert, key } = await makeCertificate(dir);
  await rm(join(dir, 'tls.key'));
  await writeFile(join(dir, 'token'), opts.token);
  await writeFile(join(dir, 'namespace'), opts.namespace);
  for (const f of ['token', 'namespace', 'ca.crt']) await chmod(join(dir, f), 0o644);
  await chmod(dir, 0o755);
  const target = new URL(opts.target);
  const server: Server = createServer({ cert, key }, (socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    serviceAccountDir: dir,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A Secret as `kubectl create secret generic` would store it. */
export function secret(name: string, values: Record<string, string>) {
  return {
    kind: 'Secret' as const,
    metadata: { name },
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}
