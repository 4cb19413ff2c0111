import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTsChild } from '../children/spawn.js';
import { GENERATOR_VERSION, type CorpusDoc, type CorpusManifest } from './generate.js';
import type { Mix } from './plan.js';

export interface Corpus extends CorpusManifest {
  dir: string;
  /** True when an earlier run had generated the same corpus. */
  cached: boolean;
}

/**
 * The corpus for (documents, mix, seed), generated in child processes (one per shard, so page
 * rendering uses both cores and never the driver's event loop) and cached under the temp dir.
 */
export async function ensureCorpus(documents: number, mix: Mix, seed: number, shards: number, cacheRoot = join(tmpdir(), 'docsift-bench-corpus')): Promise<Corpus> {
  const id = createHash('sha256').update(JSON.stringify({ GENERATOR_VERSION, documents, mix, seed })).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, id);
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as CorpusManifest;
    if (manifest.docs.every((d) => existsSync(d.file) && d.ocrPages.every((p) => existsSync(p)))) return { ...manifest, dir, cached: true };
  }
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  await Promise.all(Array.from({ length: shards }, (_, shard) => runTsChild('../children/generate-corpus.ts', { dir, documents, mix, seed, shard, shards })));
  const docs: CorpusDoc[] = [];
  for (let shard = 0; shard < shards; shard += 1) docs.push(...(JSON.parse(await readFile(join(dir, `shard-${shard}.json`), 'utf8')) as CorpusDoc[]));
  docs.sort((a, b) => a.index - b.index);
  const manifest: CorpusManifest = { generator: GENERATOR_VERSION, documents, mix, seed, docs, generatedMs: Math.round(performance.now() - started) };
  await writeFile(manifestPath, JSON.stringify(manifest));
  return { ...manifest, dir, cached: false };
}

export function summariseCorpus(docs: CorpusDoc[]) {
  const byClass: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  for (const d of docs) {
    byClass[d.cls] = (byClass[d.cls] ?? 0) + 1;
    byKind[d.kind] = (byKind[d.kind] ?? 0) + 1;
  }
  return {
    documents: docs.length,
    byClass,
    byKind,
    ocrPages: docs.reduce((n, d) => n + d.ocrPages.length, 0),
    textLayerPages: docs.filter((d) => d.kind === 'pdf').reduce((n, d) => n + d.pages, 0),
    bytes: docs.reduce((n, d) => n + d.bytes, 0),
  };
}
