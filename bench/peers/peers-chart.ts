import { barPanel } from '../report/chart.js';
import type { PeerFigures, PeersResult } from './peers.js';

const COLOURS = { floor: '#777777', ocrmypdf: '#b0413e', docsift: '#2f6fb0' };

function note(f: PeerFigures | { skipped: string }, ratio: number | null): string {
  if ('skipped' in f) return f.skipped;
  const r = ratio === null ? '' : `docsift = ${ratio}x; `;
  return `${r}${f.cpuSecondsPerPage} CPU s/page; recall words ${f.wordRecall ?? 'n/a'}, chars ${f.charRecall ?? 'n/a'}`;
}

const value = (f: PeerFigures | { skipped: string }) => ('skipped' in f ? null : f.pagesPerMinute);

/** Issue 17's peer section: pages/minute of the three systems on the same scans, with CPU and recall. */
export function peersPanel(x: number, y: number, w: number, p: PeersResult): string {
  const s = p.systems;
  return barPanel(x, y, w, `Scanned PDFs (${p.corpus.documents} x ${p.corpus.pagesPerDocument} pages, ${p.corpus.languages}, ${p.corpus.dpi} DPI), medians of ${p.repeats.length}`, 'pages/minute', [
    { label: 'naive floor', value: value(s.floor), colour: COLOURS.floor, note: note(s.floor, p.ratios.docsiftOverFloor) },
    { label: 'ocrmypdf', value: value(s.ocrmypdf), colour: COLOURS.ocrmypdf, note: note(s.ocrmypdf, p.ratios.docsiftOverOcrmypdf) },
    { label: 'docsift defaults', value: value(s.docsift), colour: COLOURS.docsift, note: note(s.docsift, null) },
  ]);
}
