import type { Command } from 'commander';
import { createApp } from '../main.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { PodMonitor } from '../observability/pod-monitor.js';
import { ReconcileReportPoller } from '../observability/reconcile-metrics.js';
import { configOrExit } from './config-or-exit.js';
import { releaseEarlySignals } from './early-signals.js';
import { startupProblems } from './startup-checks.js';

export function register(cmd: Command): void {
  cmd
    .description('Run the worker: long-poll QUEUE_URL, extract, index, acknowledge. Configured by environment variables.')
    .option('--exit-when-idle <n>', 'exit 0 after N consecutive empty receives with nothing in flight', (v) => Number.parseInt(v, 10), 0)
    .action(async (opts: { exitWhenIdle: number }) => {
      const config = configOrExit({ require: { QUEUE_URL: 'required by `docsift run`' } });
      const problems = await startupProblems(config);
      if (problems.length > 0) {
        process.stderr.write(problems.map((p) => `docsift: cannot start: ${p}\n`).join(''));
        process.exit(2);
      }
      const logger = createLogger(config.LOG_LEVEL);
      const metrics = createMetrics();
      logger.info({ event: 'startup', sink: config.INDEX_SINK, max_inflight: config.MAX_INFLIGHT, batch: config.RECEIVE_BATCH_SIZE }, 'docsift starting');
      const monitor = new PodMonitor(config, logger, metrics);
      monitor.start();
      let signals = 0;
      let stop: (() => void) | null = null;
      const onSignal = (signal: NodeJS.Signals) => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ event: 'shutdown', signal }, 'second signal: exiting now');
          process.exit(signal === 'SIGINT' ? 130 : 143);
        }
        logger.info({ event: 'shutdown', signal }, 'signal: draining');
        if (stop) stop();
        else process.exit(0); // Nothing received yet: nothing to drain.
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      releaseEarlySignals();
      const app = await createApp(config, { logger, metrics, exitWhenIdle: opts.exitWhenIdle, beat: monitor.heartbeat.beat, gate: monitor.guard });
      stop = () => void app.worker.stop('signal');
      await monitor.attach({ queue: app.queue, dlq: app.dlq, stopping: () => app.worker.isStopping, stop: (reason) => app.worker.stop(reason) });
      const reports = new ReconcileReportPoller({ state: app.state, intervalMs: config.RECONCILE_METRICS_INTERVAL * 1000, metrics, logger });
      reports.start();
      const reason = await app.worker.run();
      reports.stop();
      await app.close();
      await monitor.close();
      logger.info({ event: 'shutdown', reason, counts: app.worker.counts }, 'docsift stopped');
      // Exit 0 for a signal, idle and the memory hard limit alike: the container restarts clean.
      logger.flush();
      process.exit(0);
    });
}
