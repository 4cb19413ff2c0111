import { describe, expect, it } from 'vitest';
import { moveAll } from '../../../src/operations/dlq-move.js';
import type { MessageMover, MoveTask } from '../../../src/ports/message-mover.port.js';
import { virtualClock } from './fakes.js';

const task = (over: Partial<MoveTask>): MoveTask => ({ handle: null, state: 'RUNNING', moved: 0, toMove: 100, failureReason: null, startedAt: 1_000_000, ...over });

function mover(script: MoveTask[][]): MessageMover & { started: Array<[string, string | undefined, number | undefined]> } {
  let n = 0;
  const started: Array<[string, string | undefined, number | undefined]> = [];
  return {
    started,
    start: async (src, dest, rate) => {
      started.push([src, dest, rate]);
      return 'h-1';
    },
    list: async () => script[Math.min(n++, script.length - 1)]!,
  };
}

describe('moveAll', () => {
  it('passes destination and rate through, and returns at once without --wait', async () => {
    const m = mover([[]]);
    const result = await moveAll({ mover: m, clock: virtualClock(1_000_000) }, { dlqUrl: 'dlq', destinationUrl: 'src', maxPerSecond: 20, wait: false, timeoutSeconds: 10, pollSeconds: 1 });
    expect(m.started).toEqual([['dlq', 'src', 20]]);
    expect(result).toEqual({ handle: 'h-1', task: null, timedOut: false });
  });

  it('follows the task by handle while it runs, then by start time once SQS drops the handle', async () => {
    const m = mover([
      [task({ handle: 'h-1', moved: 10 }), task({ handle: null, state: 'COMPLETED', startedAt: 1 })],
      [task({ handle: 'h-1', moved: 60 })],
      [task({ state: 'COMPLETED', moved: 100 }), task({ state: 'FAILED', startedAt: 1 })],
    ]);
    const seen: number[] = [];
    const result = await moveAll({ mover: m, clock: virtualClock(1_000_000) }, { dlqUrl: 'dlq', wait: true, timeoutSeconds: 60, pollSeconds: 2, onProgress: (t) => seen.push(t.moved) });
    expect(seen).toEqual([10, 60, 100]);
    expect(result).toMatchObject({ timedOut: false, task: { state: 'COMPLETED', moved: 100 } });
  });

  it.each([
    ['FAILED', task({ state: 'FAILED', failureReason: 'CouldNotDetermineMessageSource' })],
    ['CANCELLED', task({ state: 'CANCELLED' })],
  ] as const)('stops on %s', async (_name, final) => {
    const result = await moveAll({ mover: mover([[final]]), clock: virtualClock(1_000_000) }, { dlqUrl: 'dlq', wait: true, timeoutSeconds: 60, pollSeconds: 2 });
    expect(result.task).toEqual(final);
    expect(result.timedOut).toBe(false);
  });

  it('times out on the clock while the task keeps running', async () => {
    const clock = virtualClock(1_000_000);
    const result = await moveAll({ mover: mover([[task({ handle: 'h-1' })]]), clock }, { dlqUrl: 'dlq', wait: true, timeoutSeconds: 10, pollSeconds: 2 });
    expect(result.timedOut).toBe(true);
    expect(clock.slept).toBe(10_000);
  });
});
