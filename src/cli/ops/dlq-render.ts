import { UNLABELLED, type DeadLetterStats } from '../../domain/dlq/dlq-stats.js';
import { formatDuration } from '../../domain/capacity/time-units.js';
import type { RedriveSummary } from '../../operations/dlq-redrive.js';
import { table } from './table.js';

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

export const RECEIVE_COUNT_NOTE =
  'note: reading the DLQ raised the receive count (ApproximateReceiveCount) of every sampled message by 1; they were made visible again at once';

export const UNLABELLED_NOTE = `${UNLABELLED}: no error_class attribute. The queue's redrive policy moved these, not docsift (a worker killed on their last receive, no DLQ_URL, or dead-lettered before docsift labelled transient failures); select them with --error-class ${UNLABELLED}`;

export function renderDlqStats(dlqUrl: string, stats: DeadLetterStats, approximateTotal: number | null, duplicates: number, filtered?: { read: number; selection: string }): string {
  const out: string[] = [];
  const read = filtered?.read ?? stats.sampled;
  const total = approximateTotal === null ? '' : ` of about ${Math.max(approximateTotal, read)} in the DLQ`;
  const selected = filtered ? `, ${stats.sampled} of them --error-class ${filtered.selection}` : '';
  out.push(`DLQ ${dlqUrl}: ${read} messages sampled${total}${selected}${duplicates > 0 ? ` (${duplicates} read twice, counted once)` : ''}`);
  if (stats.sampled === 0) return out.join('\n');
  out.push('', table(['error_class', 'kind', 'count', 'share'], stats.byErrorClass.map((r) => [r.value, r.kind, r.count, pct(r.share)])));
  if (stats.byErrorClass.some((r) => r.value === UNLABELLED)) out.push(UNLABELLED_NOTE);
  out.push('', table(['stage', 'count', 'share'], stats.byStage.map((r) => [r.value, r.count, pct(r.share)])));
  out.push('', table(['content_type', 'count', 'share'], stats.byContentType.map((r) => [r.value, r.count, pct(r.share)])));
  out.push('');
  if (stats.oldest && stats.newest) {
    out.push(`oldest failure ${stats.oldest} (${formatDuration(stats.oldestAgeSeconds ?? 0)} ago)`);
    out.push(`newest failure ${stats.newest} (${formatDuration(stats.newestAgeSeconds ?? 0)} ago)`);
  }
  out.push(`highest receive count in the sample: ${stats.maxReceiveCount}`);
  return out.join('\n');
}

/** The one line a CronJob log keeps. */
export function redriveSummaryLine(s: RedriveSummary): string {
  return `dlq redrive: moved=${s.moved} skipped=${s.skipped} failed=${s.failed} dry_run=${s.dryRun}`;
}

export function redriveDetail(s: RedriveSummary): string[] {
  const lines: string[] = [];
  const classes = Object.entries(s.movedByClass).sort((a, b) => b[1] - a[1]);
  if (classes.length > 0) lines.push(`${s.dryRun ? 'would move' : 'moved'} by class: ${classes.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const [url, n] of Object.entries(s.movedByDestination)) lines.push(`${s.dryRun ? 'would send' : 'sent'} ${n} to ${url}`);
  return lines;
}
