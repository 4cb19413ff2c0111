import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface DeploymentStatusStep {
  generation: number;
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  unavailableReplicas?: number;
  progressingReason?: string;
}

/**
 * A test double of the Kubernetes API server for one Deployment: PATCH answers with the
 * deployment at the next generation; each GET serves the next step of a scripted rollout (the last
 * one repeats). Every request is recorded so tests can assert path, verb, headers and body.
 */
export interface KubeApiDouble {
  url: string;
  requests: RecordedRequest[];
  /** A kubeconfig file pointing at the double, with a bearer token and a namespace. */
  kubeconfig: string;
  close(): Promise<void>;
}

export const TOKEN = 'double-token';

export async function startKubeApiDouble(opts: { namespace: string; name: string; specReplicas: number; steps: DeploymentStatusStep[] }): Promise<KubeApiDouble> {
  const requests: RecordedRequest[] = [];
  let served = 0;
  let annotations: Record<string, string> = {};
  const deployment = (step: DeploymentStatusStep) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: opts.name, namespace: opts.namespace, generation: step.generation },
    spec: { replicas: opts.specReplicas, template: { metadata: { annotations } } },
    status: {
      observedGeneration: step.observedGeneration,
      replicas: step.replicas,
      updatedReplicas: step.updatedReplicas,
      availableReplicas: step.availableReplicas,
      unavailableReplicas: step.unavailableReplicas,
      conditions: [{ type: 'Progressing', status: step.progressingReason === 'ProgressDeadlineExceeded' ? 'False' : 'True', reason: step.progressingReason ?? 'ReplicaSetUpdated' }],
    },
  });
  const path = `/apis/apps/v1/namespaces/${opts.namespace}/deployments/${opts.name}`;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://double');
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', code: 401 });
      if (url.pathname !== path) {
        return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `deployments.apps "${url.pathname.split('/').pop()}" not found`, reason: 'NotFound', code: 404 });
      }
      const first = opts.steps[0]!;
      if (req.method === 'PATCH') {
        if (req.headers['content-type'] !== 'application/strategic-merge-patch+json') {
          return send(415, { kind: 'Status', status: 'Failure', message: `unsupported patch type ${req.headers['content-type']}`, code: 415 });
        }
        const patch = JSON.parse(body) as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } };
        annotations = { ...annotations, ...(patch.spec?.template?.metadata?.annotations ?? {}) };
        return send(200, deployment({ ...first, observedGeneration: first.generation - 1 }));
      }
      if (req.method === 'GET') {
        const step = opts.steps[Math.min(served, opts.steps.length - 1)]!;
        served += 1;
        return send(200, deployment(step));
      }
      return send(405, { kind: 'Status', status: 'Failure', message: 'method not allowed', code: 405 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: double',
      '  cluster:',
      `    server: ${url}`,
      // client-node refuses plain http unless TLS verification is explicitly off.
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tester',
      '  user:',
      `    token: ${TOKEN}`,
      'contexts:',
      '- name: double',
      '  context:',
      '    cluster: double',
      '    user: tester',
      `    namespace: ${opts.namespace}`,
      'current-context: double',
      '',
    ].join('\n'),
  );
  return { url, requests, kubeconfig, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
