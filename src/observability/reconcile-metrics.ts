import { Periodic } from '../platform/periodic.js';
import { DISCREPANCIES, parseReport, type ReconcileReport } from '../domain/coverage/reconcile-report.js';
import type { Logger } from '../ports/logger.port.js';
import type { StateStore } from '../ports/state-store.port.js';
import type { Metrics } from './metrics.js';

const MAX_REPORTS = 100;

/**
 * How `docsift reconcile`'s counts reach Prometheus: a one-shot command cannot be scraped reliably
 * (its pod may live for seconds, between two scrapes) and the stack has no Pushgateway, so the
 * command writes a report under STATE_URI and every worker reads the reports back into gauges here,
 * on the /metrics Prometheus already scrapes. The gauges then hold the last result until the next
 * run, across worker restarts; every pod serves the same values (the dashboard takes `max`).
 */
export class ReconcileReportPoller {
  private readonly periodic: Periodic;

  constructor(private readonly options: { state: StateStore; intervalMs: number; metrics: Metrics; logger: Logger }) {
    this.periodic = new Periodic(options.intervalMs, () => void this.poll());
  }

  start(): void {
    this.periodic.start();
  }

  stop(): void {
    this.periodic.stop();
  }

  /** Reads every report and sets the gauges to their sums; leaves the gauges alone when the read fails. */
  async poll(): Promise<number> {
    const { state, metrics, logger } = this.options;
    try {
      const reports: ReconcileReport[] = [];
      for (const name of await state.list('reconcile/', MAX_REPORTS)) {
        const text = await state.read(name);
        const report = text === null ? null : parseReport(text);
        if (report) reports.push(report);
      }
      if (reports.length === 0) return 0;
      for (const kind of DISCREPANCIES) {
        metrics.reconcileDocuments.set({ kind }, reports.reduce((n, r) => n + r.found[kind], 0));
        metrics.reconcileFixed.set({ kind }, reports.reduce((n, r) => n + (r.fixed?.[kind] ?? 0), 0));
      }
      metrics.reconcileObjects.set(reports.reduce((n, r) => n + r.objects, 0));
      metrics.reconcileLastRun.set(Math.max(...reports.map((r) => Date.parse(r.finishedAt) / 1000)));
      return reports.length;
    } catch (err) {
      logger.warn({ event: 'reconcile_report', ok: false, reason: (err as Error).message.slice(0, 200) }, 'could not read reconcile reports');
      return 0;
    }
  }
}
