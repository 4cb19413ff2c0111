import { formatDuration } from '../../domain/capacity/time-units.js';
import type { CapacityPlan, TimelinePoint } from '../../domain/capacity/simulate.js';

const W = 1000;
const H = 560;
const M = { left: 84, right: 84, top: 96, bottom: 74 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;
const COLORS = { backlog: '#3b82f6', replicas: '#f97316', ready: '#16a34a', nodes: '#7c3aed', grid: '#e5e7eb', text: '#111827', muted: '#6b7280' };

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800];

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function compact(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1000) return `${+(n / 1000).toFixed(1)}k`;
  return String(+n.toFixed(1));
}

/** Keeps every point where a count changes, and enough others for the backlog curve. */
export function downsample(points: TimelinePoint[], target = 800): TimelinePoint[] {
  if (points.length <= target) return points;
  const every = Math.ceil(points.length / target);
  return points.filter((p, i) => {
    const prev = points[i - 1];
    return i % every === 0 || i === points.length - 1 || !prev || prev.replicas !== p.replicas || prev.ready !== p.ready || prev.nodes !== p.nodes;
  });
}

const f = (n: number) => n.toFixed(1);

interface Scales {
  tMax: number;
  tStep: number;
  bTop: number;
  bStep: number;
  rTop: number;
  rStep: number;
  x: (t: number) => number;
  yb: (v: number) => number;
  yr: (v: number) => number;
}

function scalesOf(plan: CapacityPlan, pts: TimelinePoint[]): Scales {
  const tMax = Math.max(60, plan.endSeconds);
  const bMax = Math.max(1, ...pts.map((p) => p.backlog));
  const rMax = Math.max(1, plan.peakReplicas, plan.peakNodes);
  const bStep = niceStep(bMax, 5);
  const bTop = Math.ceil((bMax * 1.05) / bStep) * bStep;
  const rStep = Math.max(1, Math.ceil(niceStep(rMax, 5)));
  const rTop = Math.ceil((rMax * 1.1) / rStep) * rStep; // headroom so a plateau at the peak is not drawn on the frame
  const tStep = TIME_STEPS.find((s) => tMax / s <= 10) ?? 604_800;
  return {
    tMax,
    tStep,
    bTop,
    bStep,
    rTop,
    rStep,
    x: (t) => M.left + (t / tMax) * PW,
    yb: (v) => M.top + PH - (v / bTop) * PH,
    yr: (v) => M.top + PH - (v / rTop) * PH,
  };
}

function axes(parts: string[], { tMax, tStep, bTop, bStep, rTop, rStep, x, yb, yr }: Scales): void {
  for (let v = 0; v <= bTop + 1e-9; v += bStep) {
    parts.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${f(yb(v))}" y2="${f(yb(v))}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${M.left - 8}" y="${f(yb(v) + 4)}" font-size="12" text-anchor="end" fill="${COLORS.backlog}">${compact(v)}</text>`);
  }
  for (let v = 0; v <= rTop; v += rStep) {
    parts.push(`<text x="${M.left + PW + 8}" y="${f(yr(v) + 4)}" font-size="12" fill="${COLORS.replicas}">${v}</text>`);
  }
  for (let t = 0; t <= tMax + 1e-9; t += tStep) {
    parts.push(`<line x1="${f(x(t))}" x2="${f(x(t))}" y1="${M.top}" y2="${M.top + PH}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${f(x(t))}" y="${M.top + PH + 18}" font-size="12" text-anchor="middle" fill="${COLORS.text}">${t === 0 ? '0' : formatDuration(t)}</text>`);
  }
  parts.push(`<text x="${M.left + PW / 2}" y="${H - 36}" font-size="13" text-anchor="middle" fill="${COLORS.text}">time since start</text>`);
  parts.push(`<text transform="translate(22 ${M.top + PH / 2}) rotate(-90)" font-size="13" text-anchor="middle" fill="${COLORS.backlog}">messages in queue</text>`);
  parts.push(`<text transform="translate(${W - 22} ${M.top + PH / 2}) rotate(90)" font-size="13" text-anchor="middle" fill="${COLORS.replicas}">replicas / nodes</text>`);
}

function series(parts: string[], pts: TimelinePoint[], { x, yb, yr }: Scales): void {
  if (pts.length === 0) return;
  const area = [`M${f(x(pts[0]?.t ?? 0))},${f(yb(0))}`, ...pts.map((p) => `L${f(x(p.t))},${f(yb(p.backlog))}`), `L${f(x(pts[pts.length - 1]?.t ?? 0))},${f(yb(0))}Z`];
  parts.push(`<path d="${area.join('')}" fill="${COLORS.backlog}" fill-opacity="0.18" stroke="${COLORS.backlog}" stroke-width="2"/>`);
  const step = (value: (p: TimelinePoint) => number) =>
    pts.map((p, i) => (i === 0 ? `M${f(x(p.t))},${f(yr(value(p)))}` : `H${f(x(p.t))}V${f(yr(value(p)))}`)).join('');
  parts.push(`<path d="${step((p) => p.nodes)}" fill="none" stroke="${COLORS.nodes}" stroke-width="2" stroke-dasharray="2 3"/>`);
  parts.push(`<path d="${step((p) => p.ready)}" fill="none" stroke="${COLORS.ready}" stroke-width="2" stroke-dasharray="7 4"/>`);
  parts.push(`<path d="${step((p) => p.replicas)}" fill="none" stroke="${COLORS.replicas}" stroke-width="2.5"/>`);
}

function legend(parts: string[]): void {
  const entries: Array<[string, string, string]> = [
    ['messages in queue', COLORS.backlog, ''],
    ['replicas', COLORS.replicas, ''],
    ['ready replicas', COLORS.ready, '7 4'],
    ['nodes', COLORS.nodes, '2 3'],
  ];
  entries.forEach(([label, color, dash], i) => {
    const lx = M.left + i * 190;
    const ly = H - 14;
    parts.push(`<line x1="${lx}" x2="${lx + 28}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    parts.push(`<text x="${lx + 34}" y="${ly}" font-size="12" fill="${COLORS.text}">${label}</text>`);
  });
}

/**
 * The plan as a chart a person can read: backlog as a filled area on the left axis; replicas,
 * ready replicas and nodes as steps on the right axis; a marker at the drain time.
 */
export function capacityChartSvg(plan: CapacityPlan, title: string, subtitles: string[]): string {
  const pts = downsample(plan.timeline);
  const scales = scalesOf(plan, pts);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(`<text x="${M.left}" y="30" font-size="18" font-weight="bold" fill="${COLORS.text}">${esc(title)}</text>`);
  subtitles.forEach((line, i) => parts.push(`<text x="${M.left}" y="${52 + i * 18}" font-size="13" fill="${COLORS.muted}">${esc(line)}</text>`));
  axes(parts, scales);
  series(parts, pts, scales);
  if (plan.drainSeconds !== null) {
    const dx = f(scales.x(plan.drainSeconds));
    parts.push(`<line x1="${dx}" x2="${dx}" y1="${M.top}" y2="${M.top + PH}" stroke="${COLORS.text}" stroke-dasharray="4 4"/>`);
    parts.push(`<text x="${dx}" y="${M.top - 6}" font-size="12" text-anchor="middle" fill="${COLORS.text}">drained ${formatDuration(plan.drainSeconds)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="${COLORS.muted}"/>`);
  legend(parts);
  parts.push('</svg>');
  return parts.join('\n');
}
