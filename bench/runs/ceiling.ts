import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LocalStack } from '../../devstack/local-stack.js';
import { ROOT } from '../children/spawn.js';
import { Sampler } from '../measure/sampler.js';
import { round } from '../measure/stats.js';
import { createRunQueue, s3EventBody, sendBodies, type UploadedDoc } from '../stack/corpus-stack.js';

export interface CeilingResult {
  /** Receive 10 + delete batch, 4 loops: messages/minute the local SQS server can hand out and take back. */
  receiveDelete: { messages: number; seconds: number; perMinute: number };
  /** GetObject of the text documents, 16 at a time: requests/minute of the local S3 server. */
  get: { requests: number; seconds: number; perMinute: number; bytes: number };
  /** Receive → HEAD + GET each → delete: messages/minute of a worker that does no extraction at all. */
  messageLoop: { messages: number; seconds: number; perMinute: number };
  /** The figure a text-only run is compared with: the message loop. */
  messagesPerMinute: number;
  clientCpuCores: number | null;
  driverCpuCores: number | null;
  driverEventLoop: { p50Ms: number; p99Ms: number; maxMs: number };
}

/**
 * The local servers' own ceiling, measured from a child process with docsift's SDK client settings
 * (the servers live in this process, so the client must not share their event loop).
 */
export async function measureCeiling(stack: LocalStack, textDocs: UploadedDoc[], messages: number, gets: number, env: Record<string, string>): Promise<CeilingResult> {
  const stamp = Date.now().toString(36);
  const receiveQueueUrl = await createRunQueue(stack, `bench-ceiling-rd-${stamp}`);
  const loopQueueUrl = await createRunQueue(stack, `bench-ceiling-loop-${stamp}`);
  await sendBodies(stack, receiveQueueUrl, Array.from({ length: messages }, (_, i) => JSON.stringify({ n: i })));
  await sendBodies(stack, loopQueueUrl, Array.from({ length: messages }, (_, i) => s3EventBody(stack.bucket, textDocs[i % textDocs.length]!, i)));
  const entry = fileURLToPath(new URL('../children/ceiling-client.ts', import.meta.url));
  const arg = { env, receiveQueueUrl, loopQueueUrl, bucket: stack.bucket, keys: textDocs.map((d) => d.key), gets };
  const child = spawn(process.execPath, ['--import', 'tsx', entry, JSON.stringify(arg)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const sampler = new Sampler(child.pid!);
  sampler.start();
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const driverEventLoop = sampler.stop();
  if (code !== 0) throw new Error(`ceiling client exited ${code}: ${err.slice(-2000)}`);
  const figures = JSON.parse(out.trim().split('\n').pop()!) as Pick<CeilingResult, 'receiveDelete' | 'get' | 'messageLoop'>;
  const s = sampler.samples;
  const first = s[0];
  const last = s[s.length - 1];
  const seconds = first && last ? (last.t - first.t) / 1000 : 0;
  return {
    ...figures,
    messagesPerMinute: figures.messageLoop.perMinute,
    clientCpuCores: first && last && seconds > 0 ? round((last.cpu - first.cpu) / seconds, 2) : null,
    driverCpuCores: first && last && seconds > 0 ? round((last.driverCpu - first.driverCpu) / seconds, 2) : null,
    driverEventLoop,
  };
}
