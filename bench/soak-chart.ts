/** The soak chart: RSS and V8 heap over messages processed, as SVG (and PNG through sharp). */

export interface SoakSample {
  /** Seconds since the worker started. */
  t: number;
  processed: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

export interface ChartFacts {
  title: string;
  subtitle: string;
  messages: number;
  /** RSS at 20% of the run (the reference of the ±10% band). */
  rssAt20: number;
  rssEnd: number;
  verdict: string;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

export function soakChartSvg(samples: SoakSample[], facts: ChartFacts): string {
  const W = 1100;
  const H = 620;
  const m = { left: 80, right: 30, top: 90, bottom: 70 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xMax = Math.max(facts.messages, ...samples.map((s) => s.processed), 1);
  const yTop = Math.max(...samples.map((s) => Math.max(s.rssMiB, s.heapTotalMiB)), facts.rssAt20 * 1.1, 1) * 1.08;
  const x = (v: number) => m.left + (v / xMax) * pw;
  const y = (v: number) => m.top + ph - (v / yTop) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="34" font-size="22" font-weight="bold">${esc(facts.title)}</text>`);
  out.push(`<text x="${m.left}" y="60" font-size="14" fill="#444">${esc(facts.subtitle)}</text>`);
  // ±10% band around RSS at 20% of the run, from 20% to the end: where the end must land.
  const bandX = x(xMax * 0.2);
  out.push(`<rect x="${bandX.toFixed(1)}" y="${y(facts.rssAt20 * 1.1).toFixed(1)}" width="${(m.left + pw - bandX).toFixed(1)}" height="${(y(facts.rssAt20 * 0.9) - y(facts.rssAt20 * 1.1)).toFixed(1)}" fill="#2f6fb0" fill-opacity="0.08"/>`);
  // Axes and grid.
  const yStep = niceStep(yTop, 6);
  for (let v = 0; v <= yTop; v += yStep) {
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e3e3e3"/>`);
    out.push(`<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="12" text-anchor="end" fill="#555">${Math.round(v)}</text>`);
  }
  const xStep = niceStep(xMax, 8);
  for (let v = 0; v <= xMax; v += xStep) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${m.top + ph}" y2="${m.top + ph + 5}" stroke="#555"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${m.top + ph + 20}" font-size="12" text-anchor="middle" fill="#555">${v.toLocaleString('en-US')}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 22}" font-size="14" text-anchor="middle">messages processed</text>`);
  out.push(`<text transform="translate(22 ${m.top + ph / 2}) rotate(-90)" font-size="14" text-anchor="middle">MiB</text>`);
  // 20% marker.
  out.push(`<line x1="${bandX.toFixed(1)}" x2="${bandX.toFixed(1)}" y1="${m.top}" y2="${m.top + ph}" stroke="#888" stroke-dasharray="5 4"/>`);
  out.push(`<text x="${(bandX + 5).toFixed(1)}" y="${m.top + 14}" font-size="12" fill="#555">20% of the run: RSS ${facts.rssAt20.toFixed(0)} MiB (band ±10%)</text>`);
  const line = (pick: (s: SoakSample) => number, colour: string, dash = '') =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${samples.map((s) => `${x(s.processed).toFixed(1)},${y(pick(s)).toFixed(1)}`).join(' ')}"/>`;
  out.push(line((s) => s.rssMiB, '#2f6fb0'));
  out.push(line((s) => s.heapTotalMiB, '#3a8f5c', '6 4'));
  out.push(line((s) => s.heapUsedMiB, '#3a8f5c'));
  out.push(line((s) => s.externalMiB, '#b07a2f'));
  // Legend.
  const legend: Array<[string, string, string]> = [
    ['RSS', '#2f6fb0', ''],
    ['V8 heap total', '#3a8f5c', '6 4'],
    ['V8 heap used', '#3a8f5c', ''],
    ['external (Buffers)', '#b07a2f', ''],
  ];
  legend.forEach(([label, colour, dash], i) => {
    const lx = m.left + pw - 190;
    const ly = m.top + ph * 0.4 + i * 20;
    out.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<text x="${lx + 36}" y="${ly + 4}" font-size="13">${esc(label)}</text>`);
  });
  out.push(`<text x="${m.left + pw}" y="${m.top - 12}" font-size="14" text-anchor="end" font-weight="bold">${esc(facts.verdict)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
