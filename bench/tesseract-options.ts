/**
 * `npm run bench:tesseract-options`: native tesseract on the peer corpus's pages (pdftoppm -r 200
 * -gray, as the floor reads them), each page with docsift's arguments and with each candidate
 * option, alternated page by page so both see the same load; CPU seconds per page (the process's
 * user+sys) and word/char recall against the ground truth. Also: what one blank A4 page costs in
 * tesseract, against what `isBlankPage` costs to skip it. JSON in bench/results/tesseract-options-<time>.json.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBlankPage } from '../src/adapters/extract/blank-page.js';
import { greyToPgm } from '../src/adapters/extract/pdf/pdf-render.js';
import { ROOT } from './children/spawn.js';
import { cpuSeconds } from './measure/proc.js';
import { round } from './measure/stats.js';
import { corpusRecall } from './peers/recall.js';
import { ensureScans } from './peers/scans.js';

const LANGS = 'jpn+eng';
const BASE = ['-l', LANGS, '--oem', '1', '--psm', '3', '--dpi', '200'];
const VARIANTS: Record<string, string[]> = { docsift: [], 'tessedit_do_invert=0': ['-c', 'tessedit_do_invert=0'] };

function tesseract(image: string, extra: string[]): Promise<{ text: string; cpu: number }> {
  const before = cpuSeconds('self')?.children ?? 0;
  return new Promise((resolve, reject) => {
    const child = spawn('tesseract', [image, 'stdout', ...BASE, ...extra], { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ text, cpu: (cpuSeconds('self')?.children ?? 0) - before }) : reject(new Error(`tesseract exited ${code}`))));
  });
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

const docs = await ensureScans(6, 4);
const work = await mkdtemp(join(tmpdir(), 'docsift-tess-options-'));
const loadStart = loadavg();
const texts: Record<string, Map<string, string[]>> = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, new Map()]));
const cpu: Record<string, number> = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, 0]));
let pages = 0;
for (const [i, doc] of docs.entries()) {
  const dir = join(work, String(i));
  await mkdir(dir);
  await run('pdftoppm', ['-r', '200', '-gray', doc.file, join(dir, 'p')]);
  for (const page of (await readdir(dir)).filter((f) => f.endsWith('.pgm')).sort()) {
    pages += 1;
    // Alternate which variant goes first, so neither always runs on a warmer cache.
    const order = pages % 2 === 0 ? Object.keys(VARIANTS) : Object.keys(VARIANTS).reverse();
    for (const v of order) {
      const r = await tesseract(join(dir, page), VARIANTS[v]!);
      cpu[v]! += r.cpu;
      texts[v]!.set(doc.key, [...(texts[v]!.get(doc.key) ?? []), r.text]);
    }
  }
}
const variants = Object.fromEntries(
  Object.keys(VARIANTS).map((v) => {
    const recall = corpusRecall(docs.map((d) => ({ lang: d.lang, truth: d.truth.join('\n'), text: (texts[v]!.get(d.key) ?? []).join('\n') })));
    return [v, { cpuSecondsPerPage: round(cpu[v]! / pages, 3), wordRecall: recall.word, charRecall: recall.char }];
  }),
);

// A blank A4 page at 200 DPI: tesseract's cost, and the check's.
const blank = greyToPgm(new Uint8Array(1654 * 2339).fill(250), 1654, 2339);
await writeFile(join(work, 'blank.pgm'), blank.data);
const blankOcr = await tesseract(join(work, 'blank.pgm'), []);
const t0 = performance.now();
for (let i = 0; i < 20; i += 1) isBlankPage(blank);
const checkMs = (performance.now() - t0) / 20;
const written = await readFile(join(work, 'blank.pgm')).then((b) => b.length);
await rm(work, { recursive: true, force: true });

const result = {
  schema: 'docsift-bench-tesseract-options/1',
  startedAt: new Date().toISOString(),
  pages,
  languages: LANGS,
  baseArgs: BASE,
  machine: { loadavgStart: loadStart, loadavgEnd: loadavg() },
  variants,
  cpuRatio: round((variants['tessedit_do_invert=0']!.cpuSecondsPerPage ?? 0) / (variants.docsift!.cpuSecondsPerPage ?? 1), 3),
  blankPage: { tesseractCpuSeconds: round(blankOcr.cpu, 3), isBlankPageMs: round(checkMs, 2), bytes: written },
};
const outDir = join(ROOT, 'bench/results');
await mkdir(outDir, { recursive: true });
const path = join(outDir, `tesseract-options-${result.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`results ${path}`);
