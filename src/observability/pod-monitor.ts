import { getHeapStatistics } from 'node:v8';
import type { Config } from '../config/schema.js';
import { runCleanup, type CleanupStep } from '../platform/cleanup.js';
import { containerMemoryLimit, containerWorkingSet, MiB } from '../platform/cgroup.js';
import { HeartbeatWriter } from './heartbeat.js';
import { startHttpServer, type HttpServer } from './http-server.js';
import { logStepFailure, type Logger } from './logger.js';
import { MemoryGuard } from './memory-guard.js';
import type { Metrics } from './metrics.js';
import { healthzProbe, readyzProbe } from './probes.js';
import { QueueDepthPoller, type DepthSource } from './queue-depth.js';

/** What the monitor needs of the running worker: its queues, whether it is stopping, and how to stop it. */
export interface MonitorTarget {
  queue: DepthSource;
  dlq?: DepthSource | undefined;
  stopping(): boolean;
  stop(reason: 'memory'): Promise<void>;
}

export interface PodMonitorOptions {
  /** Memory-in-use source, bytes (tests); default: RSS, or the larger of RSS and the cgroup working set in a limited container. */
  rss?: () => number;
}

/**
 * In a container with a memory limit the guard watches what the OOM killer counts: the larger of
 * the process RSS and the cgroup working set (child processes, memory-backed volumes). Elsewhere
 * (no cgroup limit, e.g. a shared host cgroup) the process RSS alone.
 */
function memoryInUseSource(inLimitedCgroup: boolean): () => number {
  return inLimitedCgroup ? () => Math.max(process.memoryUsage.rss(), containerWorkingSet() ?? 0) : () => process.memoryUsage.rss();
}

function memoryLine(config: Config, guard: MemoryGuard, inLimitedCgroup: boolean, phase: string) {
  const mem = process.memoryUsage();
  return {
    event: 'memory_check' as const,
    phase,
    rss_mb: Math.round(mem.rss / MiB),
    working_set_mb: inLimitedCgroup ? Math.round((containerWorkingSet() ?? 0) / MiB) : null,
    heap_used_mb: Math.round(mem.heapUsed / MiB),
    heap_limit_mb: Math.round(getHeapStatistics().heap_size_limit / MiB),
    container_limit_mb: config.MEMORY_LIMIT_MB ?? null,
    soft_limit_mb: config.MEMORY_SOFT_LIMIT_MB ?? null,
    hard_limit_mb: config.MEMORY_HARD_LIMIT_MB ?? null,
    guard: guard.state,
  };
}

/** A V8 heap that may grow past the hard limit would be OOM-killed before the guard could drain. */
function warnIfHeapAboveHardLimit(config: Config, logger: Logger): void {
  const heapMb = getHeapStatistics().heap_size_limit / MiB;
  if (config.MEMORY_HARD_LIMIT_MB !== undefined && heapMb >= config.MEMORY_HARD_LIMIT_MB) {
    logger.warn(
      { event: 'memory_check', heap_limit_mb: Math.round(heapMb), hard_limit_mb: config.MEMORY_HARD_LIMIT_MB },
      'V8 heap limit is above MEMORY_HARD_LIMIT_MB: set NODE_OPTIONS=--max-old-space-size-percentage=40 (the chart does, from heap.percent)',
    );
  }
}

/**
 * Everything around the loop that keeps a pod honest: heartbeat files, the memory guard, the
 * metrics/health HTTP server and the queue depth poller. Built in two steps because the worker
 * needs the heartbeat and the gate before the server can report on the worker.
 */
export class PodMonitor {
  readonly heartbeat: HeartbeatWriter;
  readonly guard: MemoryGuard;
  private readonly inLimitedCgroup = containerMemoryLimit() !== null;
  private target: MonitorTarget | undefined;
  private server: HttpServer | undefined;
  private poller: QueueDepthPoller | undefined;
  private memoryLog: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    options: PodMonitorOptions = {},
  ) {
    this.heartbeat = new HeartbeatWriter(config.HEARTBEAT_DIR);
    this.guard = new MemoryGuard({
      softLimitMb: config.MEMORY_SOFT_LIMIT_MB,
      hardLimitMb: config.MEMORY_HARD_LIMIT_MB,
      hysteresisMb: config.MEMORY_HYSTERESIS_MB ?? 0,
      intervalMs: config.MEMORY_CHECK_INTERVAL_MS,
      rss: options.rss ?? memoryInUseSource(this.inLimitedCgroup),
      logger,
      onChange: (state) => {
        metrics.memoryGuardState.set(this.guard.stateValue);
        // Do not wait for the long poll to come back: the drain starts now.
        if (state === 'hard') void this.target?.stop('memory');
      },
    });
  }

  get port(): number | undefined {
    return this.server?.port;
  }

  /** Starts heartbeats and the guard: call before the worker is built. */
  start(): void {
    const { config, metrics } = this;
    this.heartbeat.start();
    this.heartbeat.beat('intake');
    metrics.memoryGuardState.set(0);
    const limitMb = config.MEMORY_LIMIT_MB ?? config.MEMORY_HARD_LIMIT_MB;
    if (limitMb !== undefined) metrics.memoryLimit.set(limitMb * MiB);
    this.logMemory('start');
    warnIfHeapAboveHardLimit(config, this.logger);
    this.guard.start();
    // One line a minute: enough to see a trend in the logs, bounded whatever the message rate.
    this.memoryLog = setInterval(() => this.logMemory('periodic'), 60_000);
    this.memoryLog.unref();
  }

  /** Starts the HTTP server and the queue depth poller once the worker exists. */
  async attach(target: MonitorTarget): Promise<void> {
    const { config, metrics, logger } = this;
    this.target = target;
    if (this.guard.draining()) void target.stop('memory');
    this.poller = new QueueDepthPoller({ queue: target.queue, dlq: target.dlq, intervalMs: config.QUEUE_DEPTH_INTERVAL * 1000, metrics, logger });
    this.poller.start();
    if (config.METRICS_PORT <= 0) return;
    this.server = await startHttpServer({
      port: config.METRICS_PORT,
      registry: metrics.registry,
      beforeScrape: () => this.beforeScrape(),
      healthz: () => healthzProbe(this.heartbeat.ages(), config.HEARTBEAT_MAX_AGE),
      readyz: () => this.readyz(),
      logger,
    });
    logger.info({ event: 'startup', metrics_port: this.server.port }, 'metrics, /healthz and /readyz listening');
  }

  /** Stops every part; each step runs even when one throws. */
  async close(): Promise<void> {
    const steps: CleanupStep[] = [
      ['memory_guard', () => this.guard.stop()],
      ['memory_log', () => this.memoryLog && clearInterval(this.memoryLog)],
      ['queue_depth', () => this.poller?.stop()],
      ['http_server', () => this.server?.close()],
      ['heartbeat', () => this.heartbeat.stop()],
    ];
    await runCleanup(steps, logStepFailure(this.logger, 'runtime close step failed'));
    this.logMemory('end');
  }

  private readyz() {
    const freshMs = Math.max(2 * this.config.QUEUE_DEPTH_INTERVAL, 10) * 1000;
    return readyzProbe({ started: this.target !== undefined, stopping: this.target?.stopping() ?? false, poller: this.poller, freshMs, now: Date.now() });
  }

  private beforeScrape(): void {
    this.metrics.heartbeatAge.reset();
    for (const [component, age] of this.heartbeat.ages()) this.metrics.heartbeatAge.set({ component }, age);
    this.metrics.memoryGuardState.set(this.guard.stateValue);
  }

  private logMemory(phase: string): void {
    this.logger.info(memoryLine(this.config, this.guard, this.inLimitedCgroup, phase), 'memory');
  }
}
