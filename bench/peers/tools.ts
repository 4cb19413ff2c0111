import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { cpuSeconds } from '../measure/proc.js';
import type { ScanDoc } from './scans.js';

/** One system's run over the peer corpus: recognised text per document, wall and CPU time. */
export interface ToolRun {
  texts: Map<string, string>;
  seconds: number;
  cpuSeconds: number;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-2000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} exited ${code}: ${err.trim()}`))));
  });
}

/** The first line a command prints for `-v` (pdftoppm) or `--version`, null when it is not installed. */
export function installed(command: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(command, [command === 'pdftoppm' ? '-v' : '--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', () => resolve(null));
    child.on('exit', () => resolve(out.trim().split('\n')[0] ?? ''));
  });
}

/** Wall and CPU time of `work`; CPU is what its child processes used (they are waited for, so counted). */
async function timed(work: () => Promise<Map<string, string>>): Promise<ToolRun> {
  const before = cpuSeconds('self')?.children ?? 0;
  const started = performance.now();
  const texts = await work();
  return { texts, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpuSeconds('self')?.children ?? 0) - before };
}

/**
 * The naive floor: `pdftoppm -r 200 -gray` per document, then one single-threaded `tesseract` per
 * page (OMP_THREAD_LIMIT=1), `cores` processes at a time across every document.
 */
export function runFloor(docs: ScanDoc[], work: string, languages: string, cores: number): Promise<ToolRun> {
  const limit = pLimit(cores);
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  return timed(async () => {
    const texts = new Map<string, string>();
    await Promise.all(
      docs.map(async (doc) => {
        const dir = await mkdtemp(join(work, 'floor-'));
        await limit(() => run('pdftoppm', ['-r', '200', '-gray', doc.file, join(dir, 'p')]));
        const pages = (await readdir(dir)).filter((f) => f.endsWith('.pgm')).sort();
        const out = await Promise.all(pages.map((p) => limit(() => run('tesseract', [join(dir, p), 'stdout', '-l', languages, '--oem', '1', '--psm', '3'], env))));
        texts.set(doc.key, out.join('\n\n'));
        await rm(dir, { recursive: true, force: true });
      }),
    );
    return texts;
  });
}

/** ocrmypdf as Paperless-ngx runs it, one document after another, `--jobs` = cores, text from `--sidecar`. */
export function runOcrmypdf(docs: ScanDoc[], work: string, languages: string, cores: number): Promise<ToolRun> {
  return timed(async () => {
    const texts = new Map<string, string>();
    for (const doc of docs) {
      const dir = await mkdtemp(join(work, 'ocrmypdf-'));
      const sidecar = join(dir, 'text.txt');
      await run('ocrmypdf', ['--jobs', String(cores), '--sidecar', sidecar, '-l', languages, '--quiet', doc.file, join(dir, 'out.pdf')]);
      texts.set(doc.key, await readFile(sidecar, 'utf8'));
      await rm(dir, { recursive: true, force: true });
    }
    return texts;
  });
}
