import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';
import { cpuSeconds, systemCpu, treeUsage } from './proc.js';

export interface Sample {
  /** performance.now() of the driver, ms. */
  t: number;
  rssMiB: number;
  /** Cumulative CPU seconds of the measured process tree. */
  cpu: number;
  /** Cumulative CPU seconds of the bench driver (it hosts the local SQS and S3 servers). */
  driverCpu: number;
  /** Cumulative busy/total CPU seconds of the whole machine. */
  sysBusy: number;
  sysTotal: number;
}

/**
 * Samples a process tree every `intervalMs` (RSS from /proc/<pid>/status, CPU from
 * /proc/<pid>/stat) plus the driver and the machine, and the driver's event-loop delay: a few
 * small synchronous reads per tick, nothing that could stall the servers in this process.
 */
export class Sampler {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly loop: ELDHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.loop.enable();
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  tick(): void {
    const usage = treeUsage(this.pid);
    // A process that is exiting (zombie) has no VmRSS: that is not a reading of zero.
    if (!usage || usage.rssMiB <= 0) return;
    const driver = cpuSeconds('self');
    const sys = systemCpu();
    this.samples.push({ t: performance.now(), rssMiB: usage.rssMiB, cpu: usage.cpuSeconds, driverCpu: driver?.own ?? 0, sysBusy: sys.busy, sysTotal: sys.total });
  }

  stop(): { p50Ms: number; p99Ms: number; maxMs: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.loop.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return { p50Ms: ms(this.loop.percentile(50)), p99Ms: ms(this.loop.percentile(99)), maxMs: ms(this.loop.max) };
  }
}
