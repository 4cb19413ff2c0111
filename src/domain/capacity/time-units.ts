/** "90s", "15m", "2h", "1d", "1h30m" or plain seconds → seconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    const value = Number(m[1]);
    const unit = m[2];
    total += unit === 'ms' ? value / 1000 : unit === 's' ? value : unit === 'm' ? value * 60 : unit === 'h' ? value * 3600 : value * 86_400;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== t.length) throw new Error(`cannot read duration "${text}" (use 90s, 15m, 2h, 1h30m)`);
  return total;
}

/** Seconds → "4h 21m", "12m 5s", "40s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'never';
  const s = Math.round(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (d > 0) return h > 0 || m > 0 ? `${d}d ${h}h ${m}m` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  if (m > 0) return r > 0 ? `${m}m ${r}s` : `${m}m`;
  return `${r}s`;
}
