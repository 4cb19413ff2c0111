import { describe, expect, it } from 'vitest';
import { SandboxDeath } from '../../../src/adapters/extract/sandbox/crash.js';
import { SandboxPool } from '../../../src/adapters/extract/sandbox/sandbox.pool.js';
import type { SandboxJob, SandboxProcess } from '../../../src/adapters/extract/sandbox/sandbox-process.js';
import type { Extraction } from '../../../src/ports/extractor.port.js';

/** A sandbox process double: each run waits until the test releases it. */
class FakeSandbox {
  static made: FakeSandbox[] = [];
  readonly id = FakeSandbox.made.push(this);
  solo = false;
  ready = Promise.resolve();
  docs = 0;
  alive = true;
  rss = 100;
  killed = false;
  pending: Array<{ name: string; done: (e: Extraction) => void; fail: (e: unknown) => void }> = [];
  rssMb() {
    return this.rss;
  }
  run(job: SandboxJob): Promise<Extraction> {
    this.docs += 1;
    return new Promise((done, fail) => this.pending.push({ name: job.input.filename, done, fail }));
  }
  kill() {
    this.killed = true;
    this.alive = false;
  }
  shutdown() {
    this.kill();
    for (const p of this.pending) p.fail(new Error('closed'));
  }
}

const extraction = (text: string): Extraction => ({ contentType: 'text/plain', text, method: 'text', status: 'ok' });
const job = (name: string, signal?: AbortSignal): SandboxJob => ({ input: { path: name, size: 1, filename: name, extension: 'txt', declaredContentType: null, maxChars: 10 }, ...(signal ? { signal } : {}) });
const tick = () => new Promise((r) => setTimeout(r, 5));

function pool(size: number, recycleDocs = 100) {
  FakeSandbox.made = [];
  return new SandboxPool({
    size,
    recycleDocs,
    recycleRssMb: 200,
    spawn: (solo) => Object.assign(new FakeSandbox(), { solo: solo === true }) as unknown as SandboxProcess,
  });
}

const death = (limit: 'memory' | 'heap' | 'time' | 'crash') =>
  new SandboxDeath({ code: limit === 'crash' ? 'extract_crashed' : 'too_complex', limit, message: `pdf: ${limit}` });

describe('SandboxPool', () => {
  it('runs at most `size` documents at once, the rest in arrival order', async () => {
    const p = pool(2);
    const results = ['a', 'b', 'c', 'd'].map((n) => p.run(job(n)));
    await tick();
    expect(FakeSandbox.made.map((s) => s.pending.map((x) => x.name))).toEqual([['a'], ['b']]);
    FakeSandbox.made[0]!.pending.shift()!.done(extraction('a'));
    await tick();
    expect(FakeSandbox.made.length).toBe(2); // the free sandbox is reused, no third process
    expect(FakeSandbox.made[0]!.pending.map((x) => x.name)).toEqual(['c']);
    FakeSandbox.made[1]!.pending.shift()!.done(extraction('b'));
    FakeSandbox.made[0]!.pending.shift()!.done(extraction('c'));
    await tick();
    const holder = FakeSandbox.made.find((s) => s.pending.some((x) => x.name === 'd'))!;
    holder.pending.shift()!.done(extraction('d'));
    expect((await Promise.all(results)).map((r) => r.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(FakeSandbox.made.length).toBe(2);
  });

  it('a document waiting for a sandbox leaves the line when its message is aborted', async () => {
    const p = pool(1);
    const first = p.run(job('a'));
    const controller = new AbortController();
    const waiting = p.run(job('b', controller.signal));
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'processing_timeout' });
    FakeSandbox.made[0]!.pending.shift()!.done(extraction('a'));
    await first;
    expect(FakeSandbox.made[0]!.docs).toBe(1);
  });

  it('replaces a sandbox that died, that served recycleDocs documents, or that kept too much memory; the replacement starts at once', async () => {
    const p = pool(1, 2);
    const one = p.run(job('a'));
    await tick();
    FakeSandbox.made[0]!.alive = false; // died under the document
    FakeSandbox.made[0]!.pending.shift()!.fail(new Error('died'));
    await expect(one).rejects.toThrow('died');
    expect(FakeSandbox.made.length).toBe(2); // replacement spawned in the background
    const two = p.run(job('b'));
    await tick();
    FakeSandbox.made[1]!.rss = 250; // above recycleRssMb after this document
    FakeSandbox.made[1]!.pending.shift()!.done(extraction('b'));
    await two;
    expect(FakeSandbox.made[1]!.killed).toBe(true);
    for (const name of ['c', 'd']) {
      const r = p.run(job(name));
      await tick();
      FakeSandbox.made[2]!.pending.shift()!.done(extraction(name));
      await r;
    }
    expect(FakeSandbox.made[2]!.killed).toBe(true); // two documents: recycled
    expect(FakeSandbox.made.length).toBe(4);
  });

  it('a document that ran out of memory gets one try alone, in a sandbox with everyone\'s memory, the others held back', async () => {
    const p = pool(2);
    const big = p.run(job('big'));
    const other = p.run(job('other'));
    await tick();
    const [first, second] = FakeSandbox.made;
    first!.alive = false;
    first!.pending.shift()!.fail(death('memory'));
    await tick();
    expect(FakeSandbox.made.some((s) => s.solo)).toBe(false); // waits for the other document to finish
    const late = p.run(job('late'));
    second!.pending.shift()!.done(extraction('other'));
    await tick();
    const solo = FakeSandbox.made.find((s) => s.solo)!;
    expect(solo.pending.map((x) => x.name)).toEqual(['big']);
    expect(FakeSandbox.made.filter((s) => !s.solo).flatMap((s) => s.pending)).toEqual([]); // 'late' waits
    solo.pending.shift()!.done(extraction('big, alone'));
    expect((await big).text).toBe('big, alone');
    expect(solo.killed).toBe(true);
    await tick();
    FakeSandbox.made.find((s) => s.pending.some((x) => x.name === 'late'))!.pending.shift()!.done(extraction('late'));
    expect((await Promise.all([other, late])).map((r) => r.text)).toEqual(['other', 'late']);
  });

  it('a time limit, a crash, or a second death alone is final', async () => {
    const p = pool(2);
    const timed = p.run(job('slow'));
    await tick();
    FakeSandbox.made[0]!.pending.shift()!.fail(death('time'));
    await expect(timed).rejects.toMatchObject({ code: 'too_complex' });
    const twice = p.run(job('huge'));
    await tick();
    FakeSandbox.made.find((s) => s.pending.length > 0)!.pending.shift()!.fail(death('heap'));
    await tick();
    FakeSandbox.made.find((s) => s.solo)!.pending.shift()!.fail(death('memory'));
    await expect(twice).rejects.toMatchObject({ code: 'too_complex', message: 'pdf: memory' });
    expect(FakeSandbox.made.filter((s) => s.solo)).toHaveLength(1);
  });

  it('close() rejects waiting documents and shuts every sandbox down', async () => {
    const p = pool(1);
    const running = p.run(job('a'));
    const waiting = p.run(job('b'));
    await tick();
    await p.close();
    await expect(waiting).rejects.toMatchObject({ code: 'internal', message: 'extraction sandboxes are closed' });
    await expect(running).rejects.toThrow('closed');
    expect(FakeSandbox.made.every((s) => s.killed)).toBe(true);
    await expect(p.run(job('c'))).rejects.toMatchObject({ code: 'internal' });
  });
});
