/**
 * Keeps the latest /metrics text of a running worker (one small GET every `intervalMs`), so the
 * stage timings its own histograms recorded can be read after it has exited.
 */
export class MetricsScraper {
  last = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.scrape(), this.intervalMs);
  }

  async scrape(): Promise<void> {
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) this.last = await res.text();
    } catch {
      // not listening yet, or already gone
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

export interface StageTimes {
  [stage: string]: { count: number; meanMs: number };
}

/** Mean time per pipeline stage from docsift_stage_duration_seconds (sum / count). */
export function stageTimes(text: string): StageTimes {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = line.match(/^docsift_stage_duration_seconds_(sum|count)\{stage="([^"]+)"\} ([0-9.eE+-]+)$/);
    if (!m) continue;
    (m[1] === 'sum' ? sums : counts).set(m[2]!, Number(m[3]));
  }
  const out: StageTimes = {};
  for (const [stage, count] of counts) {
    if (count > 0) out[stage] = { count, meanMs: Math.round(((sums.get(stage) ?? 0) / count) * 10000) / 10 };
  }
  return out;
}

/** A counter or gauge without labels (or the sum over its labels). */
export function metricValue(text: string, name: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
