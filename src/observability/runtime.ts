import { getHeapStatistics } from 'node:v8';
import type { Config } from '../config/schema.js';
import { containerMemoryLimit, containerWorkingSet, MiB } from '../platform/cgroup.js';
import { HeartbeatWriter } from './heartbeat.js';
import { startHttpServer, type HttpServer, type Probe } from './http-server.js';
import { runCleanup, type CleanupStep } from '../platform/cleanup.js';
import { logStepFailure, type Logger } from './logger.js';
import { MemoryGuard } from './memory-guard.js';
import type { Metrics } from './metrics.js';
import { QueueDepthPoller, type DepthSource } from './queue-depth.js';

/** What the runtime needs of the running worker: its queues, whether it is stopping, and how to stop it. */
export interface RuntimeTarget {
  queue: DepthSource;
  dlq?: DepthSource | undefined;
  stopping(): boolean;
  stop(reason: 'memory'): Promise<void>;
}

export interface RuntimeOptions {
  /** Memory-in-use source, bytes (tests); default: RSS, or the larger of RSS and the cgroup working set in a limited container. */
  rss?: () => number;
}

/**
 * Everything around the loop that keeps a pod honest: heartbeat files, the memory guard, the
 * metrics/health HTTP server and the queue depth poller. Built in two steps because the worker
 * needs the heartbeat and the gate before the server can report on the worker.
 */
export function createRuntime(config: Config, logger: Logger, metrics: Metrics, options: RuntimeOptions = {}) {
  const heartbeat = new HeartbeatWriter(config.HEARTBEAT_DIR);
  let target: RuntimeTarget | undefined;
  // In a container with a memory limit the guard watches what the OOM killer counts: the larger of
  // the process RSS and the cgroup working set (child processes, memory-backed volumes). Elsewhere
  // (no cgroup limit, e.g. a shared host cgroup) the process RSS alone.
  const inLimitedCgroup = containerMemoryLimit() !== null;
  const memoryInUse = options.rss ?? (inLimitedCgroup ? () => Math.max(process.memoryUsage.rss(), containerWorkingSet() ?? 0) : () => process.memoryUsage.rss());
  const guard = new MemoryGuard({
    softLimitMb: config.MEMORY_SOFT_LIMIT_MB,
    hardLimitMb: config.MEMORY_HARD_LIMIT_MB,
    hysteresisMb: config.MEMORY_HYSTERESIS_MB ?? 0,
    intervalMs: config.MEMORY_CHECK_INTERVAL_MS,
    rss: memoryInUse,
    logger,
    onChange: (state) => {
      metrics.memoryGuardState.set(guard.stateValue);
      // Do not wait for the long poll to come back: the drain starts now.
      if (state === 'hard') void target?.stop('memory');
    },
  });
  let server: HttpServer | undefined;
  let poller: QueueDepthPoller | undefined;
  let memoryLog: NodeJS.Timeout | undefined;
  const maxAge = config.HEARTBEAT_MAX_AGE;

  const healthz = (): Probe => {
    const ages = [...heartbeat.ages()];
    const stale = ages.filter(([, age]) => age > maxAge);
    const list = (xs: Array<[string, number]>) => xs.map(([c, a]) => `${c} ${a.toFixed(1)}s`).join(', ');
    if (ages.length === 0) return { ok: false, detail: 'no heartbeat yet' };
    if (stale.length > 0) return { ok: false, detail: `stale heartbeat ${list(stale)} (max age ${maxAge}s)` };
    return { ok: true, detail: `ok: ${list(ages)}` };
  };

  const readyz = async (): Promise<Probe> => {
    if (!target || !poller) return { ok: false, detail: 'starting' };
    if (target.stopping()) return { ok: false, detail: 'draining' };
    const fresh = poller.lastSuccessAt !== null && Date.now() - poller.lastSuccessAt < Math.max(2 * config.QUEUE_DEPTH_INTERVAL, 10) * 1000;
    if (fresh || (await poller.poll())) return { ok: true, detail: 'ok: configuration loaded, queue reachable' };
    return { ok: false, detail: `queue unreachable: ${poller.lastError ?? 'no answer'}` };
  };

  const logMemory = (phase: string) => {
    const heap = getHeapStatistics();
    const mem = process.memoryUsage();
    logger.info(
      {
        event: 'memory_check',
        phase,
        rss_mb: Math.round(mem.rss / MiB),
        working_set_mb: inLimitedCgroup ? Math.round((containerWorkingSet() ?? 0) / MiB) : null,
        heap_used_mb: Math.round(mem.heapUsed / MiB),
        heap_limit_mb: Math.round(heap.heap_size_limit / MiB),
        container_limit_mb: config.MEMORY_LIMIT_MB ?? null,
        soft_limit_mb: config.MEMORY_SOFT_LIMIT_MB ?? null,
        hard_limit_mb: config.MEMORY_HARD_LIMIT_MB ?? null,
        guard: guard.state,
      },
      'memory',
    );
  };

  return {
    heartbeat,
    guard,
    /** Starts heartbeats and the guard: call before the worker is built. */
    start(): void {
      heartbeat.start();
      heartbeat.beat('intake');
      metrics.memoryGuardState.set(0);
      const limitMb = config.MEMORY_LIMIT_MB ?? config.MEMORY_HARD_LIMIT_MB;
      if (limitMb !== undefined) metrics.memoryLimit.set(limitMb * MiB);
      logMemory('start');
      const heapMb = getHeapStatistics().heap_size_limit / MiB;
      if (config.MEMORY_HARD_LIMIT_MB !== undefined && heapMb >= config.MEMORY_HARD_LIMIT_MB) {
        logger.warn({ event: 'memory_check', heap_limit_mb: Math.round(heapMb), hard_limit_mb: config.MEMORY_HARD_LIMIT_MB }, 'V8 heap limit is above MEMORY_HARD_LIMIT_MB: start through bin/docsift.js or set NODE_OPTIONS=--max-old-space-size');
      }
      guard.start();
      // One line a minute: enough to see a trend in the logs, bounded whatever the message rate.
      memoryLog = setInterval(() => logMemory('periodic'), 60_000);
      memoryLog.unref();
    },
    /** Starts the HTTP server and the queue depth poller once the worker exists. */
    async attach(t: RuntimeTarget): Promise<void> {
      target = t;
      if (guard.draining()) void t.stop('memory');
      poller = new QueueDepthPoller({ queue: t.queue, dlq: t.dlq, intervalMs: config.QUEUE_DEPTH_INTERVAL * 1000, metrics, logger });
      poller.start();
      if (config.METRICS_PORT > 0) {
        server = await startHttpServer({
          port: config.METRICS_PORT,
          registry: metrics.registry,
          beforeScrape: () => {
            metrics.heartbeatAge.reset();
            for (const [component, age] of heartbeat.ages()) metrics.heartbeatAge.set({ component }, age);
            metrics.memoryGuardState.set(guard.stateValue);
          },
          healthz,
          readyz,
          logger,
        });
        logger.info({ event: 'startup', metrics_port: server.port }, 'metrics, /healthz and /readyz listening');
      }
    },
    get port(): number | undefined {
      return server?.port;
    },
    /** Stops every part; each step runs even when one throws. */
    async close(): Promise<void> {
      const steps: CleanupStep[] = [
        ['memory_guard', () => guard.stop()],
        ['memory_log', () => memoryLog && clearInterval(memoryLog)],
        ['queue_depth', () => poller?.stop()],
        ['http_server', () => server?.close()],
        ['heartbeat', () => heartbeat.stop()],
      ];
      await runCleanup(steps, logStepFailure(logger, 'runtime close step failed'));
      logMemory('end');
    },
  };
}

export type Runtime = ReturnType<typeof createRuntime>;
