import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalStack } from '../../devstack/local-stack.js';
import { freePort } from '../../devstack/free-port.js';

/**
 * The real protocol peers the contract suites run against: the in-process npm servers
 * (local-aws-sqs + s3rver) and, where installed, moto_server, an independent implementation that
 * catches emulator-specific assumptions.
 */
export interface Backend {
  name: string;
  sqs: SQSClient;
  s3: S3Client;
  /** The endpoints the clients talk to, for a worker or a CLI child of the test. */
  endpoints: { sqs: string; s3: string };
  createQueue(name: string, options?: { dlqArn?: string; maxReceiveCount?: number }): Promise<{ url: string; arn: string }>;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function clients(sqsEndpoint: string, s3Endpoint: string) {
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: sqsEndpoint, credentials: CREDENTIALS });
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return { sqs, s3 };
}

function helpers(sqs: SQSClient, s3: S3Client) {
  return {
    async createQueue(name: string, options: { dlqArn?: string; maxReceiveCount?: number } = {}) {
      const attributes: Record<string, string> = {};
      if (options.dlqArn) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: options.dlqArn, maxReceiveCount: options.maxReceiveCount ?? 5 });
      const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
      const url = out.QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      return { url, arn };
    },
    async createBucket(name: string) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
  };
}

export async function startNpmBackend(): Promise<Backend> {
  const stack = await startLocalStack({ bridge: false, queueName: `contract-${Date.now().toString(36)}` });
  const { sqs, s3 } = clients(stack.sqsEndpoint, stack.s3Endpoint);
  return {
    name: 'local-aws-sqs + s3rver',
    sqs,
    s3,
    endpoints: { sqs: stack.sqsEndpoint, s3: stack.s3Endpoint },
    ...helpers(sqs, s3),
    async close() {
      sqs.destroy();
      s3.destroy();
      await stack.close();
    },
  };
}

/**
 * moto_server comes with the machine image's Python (pyenv), not from the project's registries:
 * found on PATH, else in pyenv's shims (a CI shell may not have them on its PATH).
 * scripts/test-deps.sh looks in the same two places.
 */
export function motoServerPath(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v moto_server || { test -x "$HOME/.pyenv/shims/moto_server" && echo "$HOME/.pyenv/shims/moto_server"; }'], { encoding: 'utf8' });
  const path = found.stdout.trim().split('\n')[0] ?? '';
  return found.status === 0 && path !== '' ? path : null;
}

export function motoAvailable(): boolean {
  return motoServerPath() !== null;
}

/** For suites that exist only on moto (versioned buckets, a redrive policy that counts like SQS): fail loudly, never skip. */
export function requireMoto(): void {
  if (!motoAvailable()) throw new Error("moto_server is not on PATH: these tests need it (the machine image's Python has it: pip install 'moto[server]'); scripts/test-deps.sh checks for it");
}

export async function startMotoBackend(): Promise<Backend> {
  const port = await freePort();
  const child: ChildProcess = spawn(motoServerPath() ?? 'moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('moto_server did not start within 20 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const { sqs, s3 } = clients(endpoint, endpoint);
  return {
    name: 'moto_server',
    sqs,
    s3,
    endpoints: { sqs: endpoint, s3: endpoint },
    ...helpers(sqs, s3),
    async close() {
      sqs.destroy();
      s3.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** The backends available on this machine, for `describe.each`. */
export const BACKENDS: Array<{ name: string; start: () => Promise<Backend> }> = [
  { name: 'npm servers', start: startNpmBackend },
  ...(motoAvailable() ? [{ name: 'moto_server', start: startMotoBackend }] : []),
];
