import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../../devstack/samples.js';
import { parseMessageBody } from '../../src/domain/message.js';
import { FULL, SCENARIO_TIMEOUT_MS, World, report } from './harness/world.js';

/**
 * Scenario 6: malformed messages. At least 1,000 generated bodies (random JSON, wrong types,
 * missing fields, huge bodies, invalid UTF-8, deep nesting) are each dead-lettered with
 * `error_class=bad_message`; the worker stays up and its memory stays bounded.
 */
const COUNT = FULL ? 3000 : 1000;
/** Generous for a Node process with the SDKs loaded (~150 MB idle here); a leak per message would pass it. */
const RSS_LIMIT_MB = 400;

type Gen = (r: () => number, i: number) => string;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const word = (r: () => number) => Math.floor(r() * 1e9).toString(36);
const record = (over: Record<string, unknown>) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'docsift-local' }, object: { key: 'a.txt' } }, ...over });

export const GENERATORS: Record<string, Gen> = {
  primitive: (r) => JSON.stringify(pick(r, [r() * 1e6, word(r), true, false, null, [word(r), 1], [], -0.5])),
  randomObject: (r) => JSON.stringify(Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 5) }, () => [word(r), pick(r, [1, 'x', null, [], {}])]))),
  recordsWrongType: (r) => JSON.stringify({ Records: pick(r, [{}, 'x', [], [1], [null], [[]], 7, null]) }),
  recordWrongFields: (r) =>
    JSON.stringify({
      Records: [
        pick(r, [
          record({ eventName: 5 }),
          record({ s3: null }),
          record({ s3: { bucket: {}, object: { key: 'k' } } }),
          record({ s3: { bucket: { name: 'b' }, object: {} } }),
          record({ s3: { bucket: { name: 'b' }, object: { key: '' } } }),
          record({ s3: { bucket: { name: 'b' }, object: { key: 42 } } }),
          record({ s3: { bucket: 'b', object: { key: 'k' } } }),
          { s3: { bucket: { name: 'b' }, object: { key: 'k' } } },
        ]),
      ],
    }),
  badBucket: (r) => JSON.stringify({ Records: [record({ s3: { bucket: { name: pick(r, ['UPPER CASE!', '../x', 'a/b', 'x'.repeat(300), 'b\u0000']) }, object: { key: 'k' } } })] }),
  keyTooLong: (r) => JSON.stringify({ Records: [record({ s3: { bucket: { name: 'b' }, object: { key: pick(r, ['a'.repeat(1025), '%E3%81%82'.repeat(400)]) } } })] }),
  badUrlEncoding: (r) => JSON.stringify({ Records: [record({ s3: { bucket: { name: 'b' }, object: { key: pick(r, ['%E0%A4%A', '%', 'a%zz', '%ED%A0%80']) } } })] }),
  notJson: (r) => pick(r, ['{', '{"Records": [', 'hello', '<xml/>', '{"a":1}}', "{'single':'quotes'}", 'NaN', '\u0001\u0002']),
  deepArray: (r) => {
    const depth = 1000 + Math.floor(r() * 50_000);
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  },
  deepObject: (r) => {
    const depth = 1000 + Math.floor(r() * 20_000);
    return `${'{"Records":'.repeat(depth)}[]${'}'.repeat(depth)}`;
  },
  tooManyRecords: () => JSON.stringify({ Records: Array.from({ length: 101 }, () => record({})) }),
  hugeBody: (r) => JSON.stringify({ Records: [record({})], padding: 'x'.repeat(100_000 + Math.floor(r() * 140_000)) }).replace('"Records"', '"Recordz"'),
  snsBroken: (r) =>
    JSON.stringify(
      pick(r, [
        { Type: 'Notification', Message: 5 },
        { Type: 'Notification', Message: '{not json' },
        { Type: 'Notification', Message: JSON.stringify({ Type: 'Notification', Message: '{}' }) },
        { Type: 'Notification', Message: JSON.stringify({ Records: 'x' }) },
      ]),
    ),
  eventBridgeBroken: (r) => JSON.stringify(pick(r, [{ source: 'aws.s3', 'detail-type': 'Object Created' }, { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: 'b' } }])),
  directBadAction: (r) => JSON.stringify({ bucket: 'docsift-local', key: 'k.txt', action: pick(r, ['explode', 5, null, 'DELETE']) }),
  // Escaped lone surrogates are valid JSON text (and valid for SQS), but no S3 key can hold them.
  loneSurrogateKey: (r) => `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k\\${pick(r, ['ud800', 'udc00', 'udbff'])}x"}}}]}`,
  replacementChar: (r) => JSON.stringify({ Records: [record({ s3: { bucket: { name: 'b' }, object: { key: `bad\uFFFD${word(r)}` } } })] }),
};

/** Bodies that are not valid UTF-8 on the wire: sent as raw bytes, decoded by the server. */
function invalidUtf8Bodies(n: number): Buffer[] {
  const bad = [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe3, 0x81])];
  return Array.from({ length: n }, (_, i) =>
    Buffer.concat([Buffer.from('{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"k'), bad[i % bad.length]!, Buffer.from('"}}}]}')]),
  );
}

function sendRaw(endpoint: string, queueUrl: string, body: Buffer): Promise<number> {
  const payload = Buffer.concat([Buffer.from(`{"QueueUrl":${JSON.stringify(queueUrl)},"MessageBody":"`), Buffer.from(body.toString('latin1').replace(/"/g, '\\"'), 'latin1'), Buffer.from('"}')]);
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage', 'content-length': payload.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('fault 6: malformed messages', { timeout: SCENARIO_TIMEOUT_MS }, () => {
  let world: World;
  beforeAll(async () => {
    world = await World.create();
  });
  afterAll(() => world?.close());

  it('every generator produces bodies the parser rejects as bad_message', () => {
    const r = rng(9);
    for (const [name, gen] of Object.entries(GENERATORS)) {
      for (let i = 0; i < 20; i++) {
        const body = gen(r, i);
        let code: string | undefined;
        try {
          parseMessageBody(body);
          code = 'accepted';
        } catch (err) {
          code = (err as { code?: string }).code;
        }
        expect({ name, code }).toEqual({ name, code: 'bad_message' });
      }
    }
  });

  it('well-formed surrogate pairs (emoji, rare CJK) in keys are still accepted', () => {
    const body = JSON.stringify({ Records: [record({ s3: { bucket: { name: 'b' }, object: { key: encodeURIComponent('写真/😀𠀋.txt') } } })] });
    expect(parseMessageBody(body)).toMatchObject({ kind: 'events', events: [{ key: '写真/😀𠀋.txt' }] });
  });

  it(`${COUNT} malformed bodies: each dead-lettered as bad_message, worker up, memory bounded`, async () => {
    const r = rng(2024);
    const names = Object.keys(GENERATORS);
    const raw = invalidUtf8Bodies(Math.max(8, Math.floor(COUNT / 50)));
    const bodies = Array.from({ length: COUNT - raw.length }, (_, i) => GENERATORS[names[i % names.length]!]!(r, i));
    const worker = world.startWorker({ MAX_INFLIGHT: '16' });
    await worker.waitForLog((l) => l.event === 'startup', 20_000);
    // Small bodies in batches of 10; big ones alone (SQS caps a batch at 256 KiB in total).
    const small = bodies.filter((b) => Buffer.byteLength(b) < 20_000);
    const big = bodies.filter((b) => Buffer.byteLength(b) >= 20_000);
    await world.send(small);
    for (const b of big) await world.send([b]);
    for (const b of raw) expect(await sendRaw(world.stack.sqsEndpoint, world.stack.queueUrl, b)).toBe(200);
    const dead: Awaited<ReturnType<World['drainDlq']>> = [];
    await world.until(
      async () => {
        dead.push(...(await world.drainDlq()));
        return dead.length >= COUNT;
      },
      180_000,
      () => `${dead.length}/${COUNT} dead-lettered`,
    );
    await world.drained(30_000);
    expect(worker.alive).toBe(true);
    const exit = await worker.stop();
    const classes = new Map<string, number>();
    for (const d of dead) classes.set(`${d.errorClass}/${d.stage}`, (classes.get(`${d.errorClass}/${d.stage}`) ?? 0) + 1);
    report({
      scenario: '6 malformed messages',
      messages: COUNT,
      lost: COUNT - dead.length,
      duplicated: Math.max(0, dead.length - COUNT),
      deadLettered: dead.length,
      maxRssMb: world.maxRssMb,
      generators: names.length + 1,
      bigBodies: big.length,
      invalidUtf8OnTheWire: raw.length,
      classes: [...classes.entries()].map(([k, v]) => `${k}=${v}`).join(','),
      exitCode: exit.code ?? -1,
    });
    expect(exit.code).toBe(0);
    expect(dead.length).toBe(COUNT);
    expect([...classes.keys()]).toEqual(['bad_message/parse']);
    expect(world.double.docs.size).toBe(0);
    expect(world.maxRssMb).toBeLessThan(RSS_LIMIT_MB);
  });
});
