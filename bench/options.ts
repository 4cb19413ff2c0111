import { DEFAULT_MIX, parseMix, type Mix } from './corpus/plan.js';

export const RUN_NAMES = ['legacy', 'default', 'tesseractjs', 'text', 'peers'] as const;
export type RunName = (typeof RUN_NAMES)[number];

export interface BenchOptions {
  quick: boolean;
  documents: number;
  mix: Mix;
  seed: number;
  runs: RunName[];
  /** Messages of the text-only run (its text documents, repeated): enough to time thousands per minute. */
  textMessages: number;
  /** Repeats of legacy, the native reference and default; ratios are the medians over them. */
  repeat: number;
  /** Messages of each server-ceiling loop. */
  ceilingMessages: number;
  /** Longest one worker run may take; then it is stopped with SIGTERM and reported as timed out. */
  runTimeoutSeconds: number;
  /** Also time native tesseract on the other language data (npm best_int or Debian's fast), besides docsift's default. */
  secondReference: boolean;
  build: boolean;
  /** V8 CPU profiles of each worker run (node --cpu-prof) next to the results. */
  profile: boolean;
  outDir: string;
  /** Settings added to every worker run (experiments; recorded in each run's settings). */
  set: Record<string, string>;
  /** The worker entry to run (default bin/docsift.js): another build, e.g. to compare before/after a change. */
  docsift: string;
  /** Print progress lines. */
  verbose: boolean;
}

export const USAGE = `npm run bench -- [options]
  --quick                 small corpus and short runs (< 2 minutes; the CI smoke test)
  --documents N           documents in the corpus (default 120, quick 10)
  --mix text=70,image=20,scanpdf=10
                          shares of text documents, single-page scanned images, 2-page scanned PDFs
  --seed N                corpus seed (default 1); the same seed gives the same corpus
  --runs legacy,default,tesseractjs,text,peers
                          which worker runs, in this order (quick: legacy,default,text,peers); tesseractjs is the
                          defaults with OCR_ENGINE=tesseract.js on the reference's language data (run when
                          the defaults pick native tesseract); peers is the scanned-PDF section: the naive
                          floor, ocrmypdf and docsift's defaults on 6 x 4-page scans (quick: one 1-page scan), --repeat times
  --repeat N              runs of legacy, the native reference and default, in turn (default 3, quick 1);
                          the ratios and targets are the medians of the repeats' own ratios
  --text-messages N       messages of the text-only run (default 3000, quick 200)
  --ceiling-messages N    messages of each server-ceiling loop (default 3000, quick 200)
  --run-timeout S         stop a worker run after S seconds (default 900, quick 30)
  --no-second-reference   skip the second native reference (on the language data docsift does not default to)
  --no-build              do not run \`npm run build\` first (dist/ must be current)
  --profile               write a V8 CPU profile of every worker run
  --set NAME=VALUE        add a setting to every worker run (repeatable; an experiment, not the defaults)
  --docsift PATH          worker entry to run (default bin/docsift.js), e.g. another build to compare
  --out DIR               results directory (default bench/results)`;

function int(name: string, value: string | undefined, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} needs an integer >= ${min}`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    quick,
    documents: quick ? 10 : 120,
    mix: DEFAULT_MIX,
    seed: 1,
    runs: quick ? ['legacy', 'default', 'text', 'peers'] : [...RUN_NAMES],
    textMessages: quick ? 200 : 3000,
    repeat: quick ? 1 : 3,
    ceilingMessages: quick ? 200 : 3000,
    runTimeoutSeconds: quick ? 30 : 900,
    secondReference: !quick,
    build: true,
    profile: false,
    outDir: 'bench/results',
    docsift: 'bin/docsift.js',
    set: {},
    verbose: true,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') && a.startsWith('--') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--documents':
        o.documents = int(flag, value(), 1);
        break;
      case '--mix':
        o.mix = parseMix(value() ?? '');
        break;
      case '--seed':
        o.seed = int(flag, value(), 0);
        break;
      case '--runs': {
        const names = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const bad = names.filter((n) => !(RUN_NAMES as readonly string[]).includes(n));
        if (bad.length > 0 || names.length === 0) throw new Error(`--runs: choose from ${RUN_NAMES.join(', ')}`);
        o.runs = names as RunName[];
        break;
      }
      case '--repeat':
        o.repeat = int(flag, value(), 1);
        break;
      case '--text-messages':
        o.textMessages = int(flag, value(), 1);
        break;
      case '--ceiling-messages':
        o.ceilingMessages = int(flag, value(), 10);
        break;
      case '--run-timeout':
        o.runTimeoutSeconds = int(flag, value(), 1);
        break;
      case '--no-second-reference':
        o.secondReference = false;
        break;
      case '--no-build':
        o.build = false;
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--set': {
        const kv = value() ?? '';
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new Error('--set needs NAME=VALUE');
        o.set[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--docsift':
        o.docsift = value() ?? o.docsift;
        break;
      case '--out':
        o.outDir = value() ?? o.outDir;
        break;
      case '--silent':
        o.verbose = false;
        break;
      default:
        throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}
