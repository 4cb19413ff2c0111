import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT } from './lib/helm.js';

/**
 * There is no Docker engine here, so the Dockerfile is checked by reading it: instructions are
 * parsed (continuations joined, comments dropped, ARG defaults substituted) and their key
 * properties asserted against the chart and package.json they must agree with.
 */

interface Instruction {
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && current === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const args: Record<string, string> = {};
  return logical.map((l) => {
    const [op = '', ...rest] = l.split(/\s+/);
    let body = rest.join(' ');
    if (op.toUpperCase() === 'ARG') {
      const [name, value] = body.split('=');
      if (name && value !== undefined) args[name] = value;
    }
    body = body.replace(/\$\{([A-Z_]+)\}/g, (_m, name: string) => args[name] ?? `\${${name}}`);
    return { op: op.toUpperCase(), args: body };
  });
}

const instructions = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const stages: Instruction[][] = [];
for (const ins of instructions) {
  if (ins.op === 'FROM') stages.push([]);
  stages[stages.length - 1]?.push(ins);
}
const finalStage = stages[stages.length - 1] ?? [];
const last = (op: string) => [...finalStage].reverse().find((i) => i.op === op);
const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { runAsUser: number; metrics: { port: number } };
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: Record<string, string>;
  scripts: Record<string, string>;
};

describe('Dockerfile', () => {
  it('is multi-stage on a pinned, supported Node LTS (22 or 24, not 20), never latest', () => {
    const froms = instructions.filter((i) => i.op === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) {
      const image = from.args.split(/\s+/)[0] as string;
      expect(image).not.toMatch(/\$\{/);
      expect(image).toMatch(/^node:(22|24)\.\d+\.\d+-[a-z]+-slim$/);
      expect(image).not.toMatch(/:latest$|^node:20/);
    }
    expect(froms[0]?.args).toMatch(/ AS build$/i);
  });

  it('ships the exact Node the project develops and tests on (the `node` devDependency)', () => {
    // One Node everywhere: npm scripts run on node_modules/.bin/node, which is this version.
    const devNode = pkg.devDependencies.node;
    expect(devNode).toMatch(/^\d+\.\d+\.\d+$/);
    for (const from of instructions.filter((i) => i.op === 'FROM')) {
      expect(from.args.split(/\s+/)[0]).toBe(`node:${devNode}-bookworm-slim`);
    }
    expect(pkg.engines.node).toBe(`>=${devNode!.split('.').slice(0, 2).join('.')}`);
    expect(process.versions.node).toBe(devNode);
  });

  it('builds with npm ci and npm run build, and ships production dependencies only', () => {
    const build = (stages[0] ?? []).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(build).toMatch(/npm ci\b/);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm prune --omit=dev/);
    const copies = finalStage.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toEqual(expect.arrayContaining([expect.stringMatching(/--from=build .*\/app\/node_modules/), expect.stringMatching(/--from=build .*\/app\/dist/)]));
    expect(pkg.scripts.build).toBeDefined();
  });

  it('installs without running dependency scripts, and no production dependency has one', () => {
    // The only install scripts in the tree are dev tools' (the `node` devDependency would download a
    // second Node into the build stage); sharp and @napi-rs/canvas ship prebuilt packages. A new
    // production dependency with an install script must be rebuilt by name in the Dockerfile.
    const build = (stages[0] ?? []).filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(build).toMatch(/npm ci --ignore-scripts/);
    expect(build).not.toMatch(/npm rebuild(?! \S)/);
    const out = execFileSync('npm', ['query', ':attr(scripts, [preinstall]), :attr(scripts, [install]), :attr(scripts, [postinstall])'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const withScripts = (JSON.parse(out) as Array<{ name: string; dev?: boolean; scripts: Record<string, string> }>).filter((p) => !p.dev);
    // tesseract.js's postinstall only prints an opencollective banner (`|| true`).
    expect(withScripts.map((p) => p.name)).toEqual(['tesseract.js']);
    expect(withScripts[0]?.scripts.postinstall).toMatch(/opencollective-postinstall \|\| true/);
  });

  it('bakes in the eng and jpn language data (production dependencies, checked at build time)', () => {
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(['@tesseract.js-data/eng', '@tesseract.js-data/jpn']));
    const build = (stages[0] ?? []).map((i) => i.args).join('\n');
    expect(build).toMatch(/@tesseract\.js-data\/eng/);
    expect(build).toMatch(/@tesseract\.js-data\/jpn/);
  });

  it('reads Debian tesseract data by default and caps glibc arenas for recycled OCR threads', () => {
    const runtime = (stages.at(-1) ?? []).map((i) => `${i.op} ${i.args}`).join('\n');
    expect(runtime).toMatch(/apt-get install[^\n]*tesseract-ocr-eng[^\n]*tesseract-ocr-jpn[^\n]*tesseract-ocr-osd/);
    expect(runtime).toMatch(/TESSDATA_DIR=\/usr\/share\/tesseract-ocr\/5\/tessdata/);
    expect(runtime).toMatch(/MALLOC_ARENA_MAX=2/);
  });

  it('runs as the numeric non-root user the chart declares', () => {
    const user = last('USER')?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).not.toBe(0);
    expect(gid).not.toBe(0);
    expect(uid).toBe(values.runAsUser);
  });

  it('has tini as PID 1 and `docsift run` as the default command', () => {
    const entrypoint = JSON.parse(last('ENTRYPOINT')?.args ?? 'null') as string[];
    expect(entrypoint[0]).toMatch(/\/tini$/);
    // Not -g: tini would signal node's whole process group, killing native tesseract mid-page on
    // every stop (the page failed as ocr_failed instead of draining). test:deploy checks the drain.
    expect(entrypoint.slice(1, entrypoint.indexOf('--'))).toEqual([]);
    expect(entrypoint).toEqual(expect.arrayContaining(['node', `/app/${pkg.bin.docsift}`]));
    expect(JSON.parse(last('CMD')?.args ?? 'null')).toEqual(['run']);
    expect(last('STOPSIGNAL')?.args).toBe('SIGTERM');
    const runs = finalStage.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(/apt-get install .*\btini\b/);
  });

  it('puts `docsift` on PATH for the exec liveness probe and exposes the metrics port', () => {
    const runs = finalStage.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
    expect(runs).toMatch(new RegExp(`ln -s /app/${pkg.bin.docsift?.replace('.', '\\.')} /usr/local/bin/docsift`));
    expect(last('EXPOSE')?.args).toBe(String(values.metrics.port));
  });

  it('has a .dockerignore that keeps node_modules, dist and secrets out of the context', () => {
    const lines = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('**');
    expect(lines).toEqual(expect.arrayContaining(['!src/**', '!bin/**', '!package-lock.json', '**/node_modules', '**/dist', '**/.env']));
  });
});
