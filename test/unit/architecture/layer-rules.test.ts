import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const rules = (createRequire(import.meta.url)(CONFIG) as { forbidden: Array<{ name: string }> }).forbidden.map((r) => r.name);

/** Modules the fixtures import: each imports nothing itself, so only the importer can break a rule. */
const targets: Record<string, string> = {
  'src/domain/ok.ts': 'export const ok = 1;\n',
  'src/ports/thing.port.ts': 'export interface Thing { id: string }\n',
  'src/platform/clock.ts': 'export const now = () => 0;\n',
  'src/config/schema.ts': 'export type Config = { A: string };\n',
  'src/pipeline/process.ts': 'export const process = () => 1;\n',
  'src/worker/loop.ts': 'export const loop = () => 1;\n',
  'src/observability/log.ts': 'export const log = () => 1;\n',
  'src/adapters/sqs/queue.ts': 'export const queue = () => 1;\n',
  'src/main.ts': 'export const main = () => 1;\n',
  'devstack/stack.ts': 'export const stack = () => 1;\n',
};

/** One file per rule, each breaking exactly that rule; the key is the importing file. */
const violations: Record<string, { rule: string; source: string }> = {
  'src/domain/io.ts': { rule: 'domain-is-pure', source: "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n" },
  'src/domain/sdk-type.ts': { rule: 'domain-no-sdk-types', source: "import type { SQSClient } from '@aws-sdk/client-sqs';\nexport type Client = SQSClient;\n" },
  'src/ports/config.port.ts': { rule: 'ports-are-interfaces', source: "import type { Config } from '../config/schema.js';\nexport type Port = Config;\n" },
  'src/platform/domain.ts': { rule: 'platform-is-the-ground-floor', source: "import { ok } from '../domain/ok.js';\nexport const x = ok;\n" },
  'src/config/up.ts': { rule: 'config-reads-only-the-ground-floor', source: "import { log } from '../observability/log.js';\nexport const x = log;\n" },
  'src/pipeline/adapter.ts': { rule: 'pipeline-uses-ports-only', source: "import { queue } from '../adapters/sqs/queue.js';\nexport const x = queue;\n" },
  'src/operations/sdk.ts': { rule: 'operations-use-ports-only', source: "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const x = SQSClient;\n" },
  'src/worker/pipeline.ts': { rule: 'worker-sees-ports-not-the-pipeline', source: "import { process } from '../pipeline/process.js';\nexport const x = process;\n" },
  'src/observability/adapter.ts': { rule: 'observability-below-the-adapters', source: "import { queue } from '../adapters/sqs/queue.js';\nexport const x = queue;\n" },
  'src/adapters/sqs/loop.ts': { rule: 'adapters-do-not-import-the-use-cases', source: "import { loop } from '../../worker/loop.js';\nexport const x = loop;\n" },
  'src/extra/main.ts': { rule: 'only-cli-imports-the-entry-points', source: "import { main } from '../main.js';\nexport const x = main;\n" },
  'src/extra/dev-code.ts': { rule: 'production-does-not-import-dev-code', source: "import { stack } from '../../devstack/stack.js';\nexport const x = stack;\n" },
  'src/extra/dev-dependency.ts': { rule: 'production-does-not-import-dev-dependencies', source: "import { createSqsServer } from 'local-aws-sqs';\nexport const x = createSqsServer;\n" },
  'src/extra/cycle-a.ts': { rule: 'no-circular', source: "import { b } from './cycle-b.js';\nexport const a = () => b;\n" },
};

/** Imports each layer may make: none of these may be reported. */
const allowed: Record<string, string> = {
  'src/platform/uses-port.ts': "import type { Thing } from '../ports/thing.port.js';\nexport type T = Thing;\n",
  'src/worker/ok.ts': "import type { Thing } from '../ports/thing.port.js';\nimport { now } from '../platform/clock.js';\nexport const f = (t: Thing) => [t, now()];\n",
  'src/observability/ok.ts': "import type { Config } from '../config/schema.js';\nimport { loop } from '../worker/loop.js';\nexport const f = (c: Config) => [c, loop];\n",
  'src/adapters/sqs/ok.ts': "import { log } from '../../observability/log.js';\nimport { SQSClient } from '@aws-sdk/client-sqs';\nexport const f = () => [log, SQSClient];\n",
  'src/adapters/dev-types.ts': "import type { Server } from 'local-aws-sqs';\nexport type S = Server;\n",
  'src/cli/run.ts': "import { main } from '../main.js';\nexport const run = main;\n",
  'devstack/uses-src.ts': "import { main } from '../src/main.js';\nexport const start = main;\n",
};

function writeTree(dir: string): void {
  const files = { ...targets, ...allowed, ...Object.fromEntries(Object.entries(violations).map(([f, v]) => [f, v.source])), 'src/extra/cycle-b.ts': "import { a } from './cycle-a.js';\nexport const b = () => a;\n" };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  // The real package.json decides which imports are devDependencies; the real node_modules resolves them.
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

describe('dependency-cruiser layer rules (.dependency-cruiser.cjs), fed a fixture that breaks each one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docsift-layers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeTree(dir);
  const depcruise = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', CONFIG, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  const run = depcruise('--output-type', 'json');
  const found = (JSON.parse(run.stdout || '{"summary":{"violations":[]}}') as { summary: { violations: Violation[] } }).summary.violations;

  it('has a violating fixture for every rule in the config', () => {
    expect(new Set(Object.values(violations).map((v) => v.rule))).toEqual(new Set(rules));
  });

  it.each(Object.entries(violations).map(([file, { rule }]) => ({ file, rule })))('$file breaks $rule and nothing else', ({ file, rule }) => {
    const mine = found.filter((v) => v.from === file || (rule === 'no-circular' && v.rule.name === 'no-circular'));
    expect([...new Set(mine.map((v) => v.rule.name))]).toEqual([rule]);
  });

  it('reports nothing for the imports each layer may make', () => {
    expect(found.filter((v) => Object.keys(allowed).includes(v.from) || Object.keys(targets).includes(v.from))).toEqual([]);
  });

  it('fails the command `npm run lint` runs', () => {
    const lint = depcruise();
    expect(lint.status).not.toBe(0);
    expect(lint.stdout).toMatch(/\d+ dependency violations \(\d+ errors/);
  });
});
