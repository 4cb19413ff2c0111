import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyExit, type SandboxExit } from '../../../src/adapters/extract/sandbox/crash.js';
import { BudgetTimer } from '../../../src/adapters/extract/sandbox/budget-timer.js';
import { TextBudget } from '../../../src/adapters/extract/text-budget.js';
import { EXTRACT_CRASH_STAGES } from '../../../src/observability/metrics.js';
import type { ExtractPhase } from '../../../src/adapters/extract/engine.js';

describe('TextBudget', () => {
  it('keeps what fits, cuts the rest and says so', () => {
    const b = new TextBudget(10);
    expect(b.add('12345')).toBe(true);
    expect(b.add('67890abc')).toBe(false);
    expect([b.text(), b.cut, b.exhausted]).toEqual(['1234567890', true, true]);
    expect(b.add('more')).toBe(false);
  });

  it('an exact fit is not a cut', () => {
    const b = new TextBudget(4);
    b.add('abcd');
    expect([b.exhausted, b.cut]).toEqual([true, false]);
  });
});

describe('classifyExit: why a sandbox died, as an error class', () => {
  const settings = { memoryMb: 420, heapMb: 252, timeoutSeconds: 120 };
  const exit = (e: Partial<SandboxExit>): SandboxExit => ({ code: null, signal: null, killedFor: null, stderrTail: '', rssMb: null, ...e });
  const cases: Array<[string, SandboxExit, string, string]> = [
    ['killed past SANDBOX_MEMORY_MB', exit({ signal: 'SIGKILL', killedFor: 'memory', rssMb: 433 }), 'too_complex', 'memory'],
    ['killed past EXTRACT_TIMEOUT', exit({ signal: 'SIGKILL', killedFor: 'time' }), 'too_complex', 'time'],
    ['V8 out of its heap', exit({ signal: 'SIGABRT', stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }), 'too_complex', 'heap'],
    ['a native fault', exit({ signal: 'SIGSEGV' }), 'extract_crashed', 'crash'],
    ['an abort that is not V8\'s heap', exit({ signal: 'SIGABRT', stderrTail: 'free(): invalid pointer' }), 'extract_crashed', 'crash'],
    ['a kill nobody in docsift sent (the kernel OOM killer)', exit({ signal: 'SIGKILL' }), 'extract_crashed', 'crash'],
    ['an exit', exit({ code: 1 }), 'extract_crashed', 'crash'],
  ];
  it.each(cases)('%s', (_name, e, code, limit) => {
    const c = classifyExit(e, 'pdf', settings);
    expect([c.code, c.limit]).toEqual([code, limit]);
    expect(c.message.startsWith('pdf: ')).toBe(true);
  });

  it('a SIGKILL nobody in docsift sent names the likely sender', () => {
    expect(classifyExit(exit({ signal: 'SIGKILL', rssMb: 380 }), 'image', settings).message).toBe('image: sandbox died with SIGKILL from outside docsift (the kernel OOM killer at the pod limit?) (RSS 380 MiB)');
  });

  it('every phase is a label of docsift_extract_crashes_total', () => {
    const phases: Record<ExtractPhase, true> = { detect: true, text: true, html: true, pdf: true, image: true, office: true, archive: true, email: true };
    expect([...EXTRACT_CRASH_STAGES].sort()).toEqual(Object.keys(phases).sort());
  });
});

describe('BudgetTimer', () => {
  afterEach(() => vi.useRealTimers());

  it('counts only the time not paused: OCR waits are not the document\'s', () => {
    vi.useFakeTimers();
    let expired = false;
    const t = new BudgetTimer(1000, () => (expired = true));
    vi.advanceTimersByTime(600);
    t.pause();
    t.pause(); // two pages waiting at once
    vi.advanceTimersByTime(5000);
    t.resume();
    vi.advanceTimersByTime(5000);
    expect(expired).toBe(false);
    t.resume();
    vi.advanceTimersByTime(399);
    expect(expired).toBe(false);
    vi.advanceTimersByTime(2);
    expect(expired).toBe(true);
  });

  it('clear() stops it for good', () => {
    vi.useFakeTimers();
    let expired = false;
    const t = new BudgetTimer(100, () => (expired = true));
    t.clear();
    t.resume();
    vi.advanceTimersByTime(1000);
    expect(expired).toBe(false);
  });
});
