import sharp from 'sharp';
import { peersPanel } from '../peers/peers-chart.js';
import type { BenchResult } from './result.js';

interface Bar {
  label: string;
  value: number | null;
  colour: string;
  note?: string;
}

const COLOURS = { legacy: '#b0413e', default: '#2f6fb0', tesseractjs: '#6a4fb0', text: '#3a8f5c', limit: '#777777', ceiling: '#9a7b2f' };
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return 'n/a';
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 10) / 10);
}

/** A panel of horizontal bars on a linear axis, with an optional reference line (a target). */
export function barPanel(x: number, y: number, w: number, title: string, unit: string, bars: Bar[], line?: { value: number; label: string }): string {
  const labelW = 190;
  const barH = 30;
  const gap = 12;
  const plotW = w - labelW - 110;
  const max = Math.max(1, ...bars.map((b) => (typeof b.value === 'number' && Number.isFinite(b.value) ? b.value : 0)), line?.value ?? 0) * 1.05;
  const out = [`<text x="${x}" y="${y}" font-size="17" font-weight="bold">${esc(title)}</text>`, `<text x="${x + w}" y="${y}" font-size="13" text-anchor="end" fill="#555">${esc(unit)}</text>`];
  bars.forEach((raw, i) => {
    const b = { ...raw, value: typeof raw.value === 'number' && Number.isFinite(raw.value) ? raw.value : null };
    const by = y + 16 + i * (barH + gap);
    const bw = b.value === null ? 0 : Math.max(1, (b.value / max) * plotW);
    out.push(`<text x="${x + labelW - 8}" y="${by + barH / 2 + 5}" font-size="14" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${x + labelW}" y="${by}" width="${bw.toFixed(1)}" height="${barH}" fill="${b.colour}"/>`);
    out.push(`<text x="${x + labelW + bw + 6}" y="${by + barH / 2 + 5}" font-size="14" font-weight="bold">${esc(fmt(b.value))}${b.note ? ` <tspan font-weight="normal" fill="#555">${esc(b.note)}</tspan>` : ''}</text>`);
  });
  if (line) {
    const lx = x + labelW + (line.value / max) * plotW;
    const bottom = y + 16 + bars.length * (barH + gap) - gap + 4;
    out.push(`<line x1="${lx.toFixed(1)}" y1="${y + 8}" x2="${lx.toFixed(1)}" y2="${bottom}" stroke="#000" stroke-dasharray="5,4" stroke-width="1.5"/>`);
    out.push(`<text x="${lx.toFixed(1)}" y="${bottom + 15}" font-size="12" text-anchor="middle">${esc(line.label)}</text>`);
  }
  return out.join('\n');
}

/** RSS of every run over time since its first receive. */
function rssPanel(x: number, y: number, w: number, h: number, result: BenchResult): string {
  const runs = Object.values(result.runs).filter((r) => r !== undefined);
  const points = runs.flatMap((r) => r.series.filter((s) => s[0] >= -5));
  const maxT = Math.max(1, ...points.map((p) => p[0]));
  const maxR = Math.max(1100, ...points.map((p) => p[1])) * 1.05;
  const px = (t: number) => x + 60 + ((Math.max(0, t) / maxT) * (w - 80));
  const py = (r: number) => y + 20 + h - (r / maxR) * h;
  const out = [`<text x="${x}" y="${y}" font-size="17" font-weight="bold">Worker RSS over time (process tree, every 500 ms)</text>`];
  out.push(`<line x1="${x + 60}" y1="${py(0)}" x2="${x + w - 20}" y2="${py(0)}" stroke="#999"/>`, `<line x1="${x + 60}" y1="${py(0)}" x2="${x + 60}" y2="${py(maxR)}" stroke="#999"/>`);
  for (const mib of [0, 256, 512, 768, 1024]) {
    out.push(`<text x="${x + 54}" y="${py(mib) + 4}" font-size="11" text-anchor="end">${mib}</text>`);
  }
  out.push(`<line x1="${x + 60}" y1="${py(1024)}" x2="${x + w - 20}" y2="${py(1024)}" stroke="#000" stroke-dasharray="5,4"/>`);
  out.push(`<text x="${x + w - 22}" y="${py(1024) - 5}" font-size="12" text-anchor="end">1 GiB target</text>`);
  out.push(`<text x="${x + 60}" y="${py(0) + 16}" font-size="11">0 s</text>`, `<text x="${x + w - 20}" y="${py(0) + 16}" font-size="11" text-anchor="end">${Math.round(maxT)} s since first receive</text>`);
  out.push(`<text x="${x + 10}" y="${py(maxR / 2)}" font-size="11" transform="rotate(-90 ${x + 10} ${py(maxR / 2)})" text-anchor="middle">MiB</text>`);
  runs.forEach((r, i) => {
    const colour = COLOURS[r.name as keyof typeof COLOURS] ?? '#333';
    const path = r.series.filter((s) => s[0] >= -5).map((s) => `${px(s[0]).toFixed(1)},${py(s[1]).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<rect x="${x + 80 + i * 110}" y="${y + 12}" width="14" height="14" fill="${colour}"/><text x="${x + 100 + i * 110}" y="${y + 24}" font-size="13">${esc(r.name)}</text>`);
  });
  return out.join('\n');
}

export function renderChartSvg(result: BenchResult): string {
  const W = 1200;
  const r = result.runs;
  const parts: string[] = [];
  const limit = result.cpuLimit.messagesPerMinute;
  parts.push(
    barPanel(30, 60, 560, `Mixed corpus (${result.corpus.documents} documents)`, 'messages/minute', [
      { label: 'legacy settings', value: r.legacy?.messagesPerMinute ?? null, colour: COLOURS.legacy },
      { label: 'docsift defaults', value: r.default?.messagesPerMinute ?? null, colour: COLOURS.default, note: result.ratios.defaultOverLegacy !== null ? `${result.ratios.defaultOverLegacy}x legacy` : '' },
      ...(r.tesseractjs
        ? [{ label: 'defaults, tesseract.js OCR', value: r.tesseractjs.messagesPerMinute, colour: COLOURS.tesseractjs, note: limit ? `= ${Math.round(((r.tesseractjs.messagesPerMinute ?? 0) / limit) * 100)}% of limit` : '' }]
        : []),
      { label: 'CPU limit (native OCR)', value: limit, colour: COLOURS.limit, note: result.ratios.defaultOverCpuLimit !== null ? `default = ${Math.round(result.ratios.defaultOverCpuLimit * 100)}%` : '' },
      {
        label: 'same, at the run\'s load',
        value: result.cpuLimit.sameLoadMessagesPerMinute,
        colour: '#aaaaaa',
        note: result.ratios.defaultOverSameLoadLimit !== null ? `default = ${Math.round(result.ratios.defaultOverSameLoadLimit * 100)}%` : '',
      },
    ]),
  );
  parts.push(
    barPanel(620, 60, 550, 'Text documents only', 'messages/minute', [
      { label: 'docsift text run', value: r.text?.messagesPerMinute ?? null, colour: COLOURS.text },
      { label: 'servers, no processing', value: result.servers?.messagesPerMinute ?? null, colour: COLOURS.ceiling },
    ], { value: 6000, label: 'target 6,000' }),
  );
  const mem: Bar[] = [];
  for (const run of Object.values(r)) {
    if (!run) continue;
    mem.push({ label: `${run.name} peak`, value: run.rssMiB.peak, colour: COLOURS[run.name as keyof typeof COLOURS] ?? '#333' });
    mem.push({ label: `${run.name} median`, value: run.rssMiB.median, colour: `${COLOURS[run.name as keyof typeof COLOURS] ?? '#333'}99` });
  }
  parts.push(barPanel(30, 330, 560, 'Worker memory', 'RSS MiB', mem, { value: 1024, label: '1 GiB' }));
  parts.push(rssPanel(620, 330, 550, 300, result));
  const m = result.machine;
  const ocr = result.nativeOcr.sameData;
  const footer = [
    `${m.cpus} x ${m.model}, ${Math.round(m.memoryMiB / 1024)} GiB; load average ${m.loadavgStart.map((v) => v.toFixed(2)).join(' ')} at start, ${m.loadavgEnd.map((v) => v.toFixed(2)).join(' ')} at end`,
    result.contended.length > 0 ? `contended: ${result.contended.join('; ')}` : 'no run was contended (other processes used < 0.25 core)',
    `native tesseract ${ocr ? `${ocr.pagesPerMinute} pages/min with ${ocr.processes} processes (${ocr.traineddata})` : 'not measured'}; corpus ${JSON.stringify(result.options.mix).replace(/"/g, '')}, seed ${result.options.seed}${result.options.quick ? ', QUICK' : ''}; ${result.startedAt}`,
    ...result.targets.map((t) => `${t.met === null ? '?' : t.met ? 'MET' : 'MISSED'}  ${t.name}: ${t.value ?? 'n/a'}${t.note ? ` (${t.note})` : ''}`),
  ];
  let footY = Math.max(330 + 50 + mem.length * 42, 330 + 350);
  if (result.peers) {
    parts.push(peersPanel(30, footY, 1140, result.peers));
    footY += 60 + 3 * 42;
  }
  footer.forEach((line, i) => parts.push(`<text x="30" y="${footY + i * 19}" font-size="13" fill="${i < 3 ? '#444' : '#000'}">${esc(line.length > 170 ? `${line.slice(0, 167)}...` : line)}</text>`));
  const H = footY + footer.length * 19 + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="30" y="30" font-size="22" font-weight="bold">docsift bench: legacy settings vs defaults vs text only, against the CPU and server limits</text>
${parts.join('\n')}
</svg>
`;
}

export async function renderChartPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg, 'utf8'), { density: 96 }).png().toBuffer();
}
